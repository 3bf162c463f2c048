"""Tasks that show how a pool treats its workers: set-up, identity and hand-back.

- :func:`load_prime_table` is an *initializer*: a pool runs it once in each
  worker, before any task, to build state that every task then reads
  (:func:`count_primes_from_table`).
- :func:`worker_pid` tells which process ran a task, so that a notebook can
  see chunks, worker reuse and worker replacement.
- :func:`put_result` runs a function and puts its answer on a queue: a bare
  ``Process`` returns nothing, so this is how it hands a result back.

Like everything a child runs, these live in an importable module, so they
work under every start method.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

from ._checks import check_bounds, check_int

__all__ = [
    "count_primes_from_table",
    "load_prime_table",
    "put_result",
    "worker_pid",
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
    global _PRIME_TABLE
    limit = check_int("limit", limit, minimum=2)
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


def worker_pid(item: Any) -> tuple[Any, int]:
    """Return ``(item, pid)``: the task's own argument and the ID of the process
    that ran it.

    Never raises; ``item`` is returned untouched.
    """
    return item, os.getpid()


def put_result(
    queue: Any, index: int, fn: Callable[[Any], Any], argument: Any
) -> None:
    """Put ``(index, fn(argument))`` on ``queue``: a ``Process`` target that
    hands
    back an answer.

    ``index`` lets the parent put answers back in order, since processes
    finish in any order. If ``fn`` raises, the exception propagates and
    nothing is put on the queue, so the parent's bounded ``get`` times out
    and the child's exit code is 1.

    Raises:
        TypeError: ``index`` is not an int, ``fn`` is not callable, or
            ``queue`` has no ``put`` method.
        ValueError: ``index`` is negative.
        Exception: whatever ``fn(argument)`` raises.
    """
    index = check_int("index", index, minimum=0)
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not callable(getattr(queue, "put", None)):
        raise TypeError(
            f"queue must have a put method, got {type(queue).__name__}"
        )
    queue.put((index, fn(argument)))
