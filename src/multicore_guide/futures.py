"""Chapter 6, concurrent.futures: workers that load a table once and use it per task.

``load_prime_table`` is an executor initializer: each worker builds its
table once, and ``count_primes_from_table`` reads it for each task.
"""

from __future__ import annotations

import math

from .checks import check_bounds, check_int

__all__ = [
    "count_primes_from_table",
    "load_prime_table",
]


# set by load_prime_table in each worker process; None until then
_PRIME_TABLE: bytearray | None = None


def load_prime_table(limit: int) -> None:
    """Sieve the numbers below ``limit`` and keep the table in this process.

    Meant as a pool's ``initializer``: each worker pays for the sieve once,
    and every task it runs afterwards reads the table. Calling it again
    replaces the table.

    Raises:
        TypeError: ``limit`` is not an int.
        ValueError: ``limit < 2``.
    """
    limit = check_int("limit", limit, minimum=2)
    global _PRIME_TABLE
    table = bytearray([1]) * limit
    table[0] = table[1] = 0
    for n in range(2, math.isqrt(limit - 1) + 1):
        if table[n]:
            table[n * n :: n] = bytes(len(range(n * n, limit, n)))
    _PRIME_TABLE = table


def count_primes_from_table(block: tuple[int, int]) -> int:
    """Count the primes ``p`` with ``start <= p < stop`` for ``block = (start,
    stop)``, by lookup.

    Gives the same answer as
    :func:`multicore_guide.workers.count_primes_block`,
    but reads the table that :func:`load_prime_table` built in this process.

    Raises:
        RuntimeError: no table was loaded in this process (the pool had no
            initializer).
        TypeError: ``block`` is not a pair of ints.
        ValueError: ``start`` is negative, ``stop < start``, or ``stop`` is
            beyond the loaded table.
    """
    start, stop = check_bounds("block", block)
    if _PRIME_TABLE is None:
        raise RuntimeError(
            "no prime table in this process; start the pool with initializer=load_prime_table"
        )
    if stop > len(_PRIME_TABLE):
        raise ValueError(
            f"stop={stop} is beyond the loaded table, which ends at {len(_PRIME_TABLE)}"
        )
    return sum(_PRIME_TABLE[start:stop])
