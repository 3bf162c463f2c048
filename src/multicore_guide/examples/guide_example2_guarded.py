"""The guide's Example 2 with the main-module guard: works under every start method."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def cube_number(number):
    return number * number * number


if __name__ == "__main__":
    # a child imports this file as "__mp_main__", so nothing below runs there
    numbers = [1, 2, 3, 4, 5]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as executor:
        cubes = list(executor.map(cube_number, numbers, timeout=30))
    print("cubes:", cubes)
