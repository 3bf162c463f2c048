"""A main module without a file, like a notebook's: run its text with ``python -c``.

A spawn child looks ``cube_number`` up in its own ``__main__``, which is
not this code, and fails to unpickle the task; the pool reports the dead
worker as BrokenProcessPool.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def cube_number(number):
    return number * number * number


if __name__ == "__main__":
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as executor:
        future = executor.submit(cube_number, 3)
        try:
            print("result:", future.result(timeout=30))
        except Exception as error:
            print("the parent got", type(error).__name__)
