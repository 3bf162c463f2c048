"""The guide's Example 2 as it is written: the pool starts at module level.

Under spawn (and forkserver) each child imports this file to find
``cube_number``, which runs the module-level code again and tries to start
a pool inside the child. multiprocessing refuses with a RuntimeError.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def cube_number(number):
    return number * number * number


numbers = [1, 2, 3, 4, 5]

# spawn on purpose: the default would hide the bug on Linux up to 3.13
spawn = multiprocessing.get_context("spawn")
with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as executor:
    cubes = list(executor.map(cube_number, numbers, timeout=30))
print("cubes:", cubes)
