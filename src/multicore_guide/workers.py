"""Work for child processes: pure, module-level functions.

Every function here can be sent to a process pool under any start method,
because a child finds it by importing ``multicore_guide.workers``. Each one
takes plain arguments, returns its result and prints nothing, so that the
parent decides what to do with the answer.

Most of the work is deliberately CPU-bound pure Python, which holds the GIL
while it runs. ``io_like_task`` is the exception: it sleeps, as a stand-in
for waiting on a disk or a network.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .checks import check_bounds, check_int, check_real

__all__ = [
    "burn_cpu",
    "count_hits_in_circle",
    "count_primes",
    "count_primes_block",
    "cube",
    "io_like_task",
    "is_prime",
    "noop",
    "random_points",
    "split_range",
    "square",
    "worker_pid",
]


if TYPE_CHECKING:
    import numpy as np


def square(number: int | float) -> int | float:
    """Return ``number * number``: the guide's Example 1, made to return.

    Raises:
        TypeError: ``number`` is not a real number.
    """
    check_real("number", number)
    return number * number


def cube(number: int | float) -> int | float:
    """Return ``number ** 3``: the guide's Example 2, made to return.

    Raises:
        TypeError: ``number`` is not a real number.
    """
    check_real("number", number)
    return number * number * number


def is_prime(n: int) -> bool:
    """Return whether ``n`` is prime, by trial division over odd divisors.

    Trial division is slow on purpose: it is simple, pure Python and
    CPU-bound, so it shows what cores (and the GIL) do.

    Raises:
        TypeError: ``n`` is not an int.
    """
    n = check_int("n", n)
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    limit = math.isqrt(n)
    for divisor in range(3, limit + 1, 2):
        if n % divisor == 0:
            return False
    return True


def count_primes(start: int, stop: int) -> int:
    """Count the primes ``p`` with ``start <= p < stop``.

    Raises:
        TypeError: ``start`` or ``stop`` is not an int.
        ValueError: ``start`` is negative or ``stop < start``.
    """
    start, stop = check_bounds("(start, stop)", (start, stop))
    return sum(1 for n in range(start, stop) if is_prime(n))


def count_primes_block(block: tuple[int, int]) -> int:
    """Count the primes in ``block = (start, stop)``; one argument, for ``map``.

    Raises:
        TypeError: ``block`` is not a pair of ints.
        ValueError: as for :func:`count_primes`.
    """
    return count_primes(*check_bounds("block", block))


def split_range(start: int, stop: int, parts: int) -> list[tuple[int, int]]:
    """Split ``range(start, stop)`` into ``parts`` contiguous ``(start, stop)`` blocks.

    The blocks cover the range exactly once, in order, and their lengths
    differ by at most one. Note that equal lengths are not equal work for
    :func:`count_primes`: larger numbers cost more to test.

    Raises:
        TypeError: an argument is not an int.
        ValueError: ``parts < 1``, ``stop < start`` or ``start < 0``.
    """
    start = check_int("start", start, minimum=0)
    stop = check_int("stop", stop, minimum=0)
    parts = check_int("parts", parts, minimum=1)
    if stop < start:
        raise ValueError(
            f"stop must be >= start, got start={start}, stop={stop}"
        )
    size, extra = divmod(stop - start, parts)
    blocks = []
    lower = start
    for index in range(parts):
        upper = lower + size + (1 if index < extra else 0)
        blocks.append((lower, upper))
        lower = upper
    return blocks


def random_points(
    n_samples: int,
    seed: int | np.random.SeedSequence,
    *,
    block: int = 1_000_000,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``n_samples`` random points of the unit square as ``(x, y)`` arrays.

    The points come from ``numpy.random.default_rng(seed)``, at most
    ``block`` at a time so that memory stays small for any ``n_samples``.
    The same ``seed`` gives the same points, in the same order, whichever
    process draws them. Seeds for parallel streams should come from
    ``numpy.random.SeedSequence(root).spawn(n)``.

    Raises:
        TypeError: ``n_samples`` is not an int, or ``seed`` is neither an
            int nor a ``SeedSequence``.
        ValueError: ``n_samples < 1`` or ``seed`` is negative.
    """
    # numpy is imported here, not at the top, so that children running the
    # pure-Python workers start without paying for it
    import numpy as np

    n_samples = check_int("n_samples", n_samples, minimum=1)
    block = check_int("block", block, minimum=1)
    if not isinstance(seed, np.random.SeedSequence):
        seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    left = n_samples
    while left > 0:
        size = min(block, left)
        yield rng.random(size), rng.random(size)
        left -= size


def count_hits_in_circle(
    n_samples: int, seed: int | np.random.SeedSequence
) -> int:
    """Throw ``n_samples`` random points in the unit square; count those in the quarter circle.

    The same ``seed`` always gives the same count, whichever process runs
    it (see :func:`random_points`).

    Raises:
        TypeError: ``n_samples`` is not an int, or ``seed`` is neither an
            int nor a ``SeedSequence``.
        ValueError: ``n_samples < 1`` or ``seed`` is negative.
    """
    import numpy as np

    hits = 0
    for x, y in random_points(n_samples, seed):
        hits += int(np.count_nonzero(x * x + y * y <= 1.0))
    return hits


def burn_cpu(iterations: int) -> int:
    """Spin for ``iterations`` steps of integer arithmetic and return a
    checksum.

    The cost grows linearly with ``iterations``, which makes this the
    worker to use when a task of a chosen size is wanted.

    Raises:
        TypeError: ``iterations`` is not an int.
        ValueError: ``iterations`` is negative.
    """
    iterations = check_int("iterations", iterations, minimum=0)
    total = 0
    for i in range(iterations):
        total = (total + i * i) % 1_000_003
    return total


def io_like_task(seconds: float) -> float:
    """Sleep for ``seconds`` and return ``seconds``: waiting, not computing.

    A sleeping thread releases the GIL, so threads overlap these tasks as
    well as processes do. This is the worker that shows why a sleeping
    example says nothing about cores.

    Raises:
        TypeError: ``seconds`` is not a real number.
        ValueError: ``seconds`` is negative.
    """
    seconds = check_real("seconds", seconds, minimum=0.0)
    time.sleep(seconds)
    return seconds


def noop() -> None:
    """Do nothing and return ``None``: the target for timing a bare process
    start."""
    return None


def worker_pid(task: object = None) -> int:
    """Return the id of the process that runs this task; ``task`` is ignored.

    Mapping it over a pool shows how many distinct processes did the work.
    """
    return os.getpid()
