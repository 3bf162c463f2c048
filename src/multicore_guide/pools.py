"""Workers that show how ``multiprocessing.Pool`` manages its processes.

``set_offset`` is an initializer: each worker process runs it once when it
starts, and ``add_offset`` then reads what it stored. ``worker_pid`` tells
which process ran a task, and ``burn_in_worker`` does a chosen amount of
work and tells which process did it, to show how chunks share out unequal
tasks. (The worker that dies on purpose, to show what a
pool does when a worker disappears, is
:func:`multicore_guide.failures.die_on`.)
"""

from __future__ import annotations

import os

from .checks import check_real
from .workers import burn_cpu

__all__ = [
    "add_offset",
    "burn_in_worker",
    "set_offset",
]


# set once per worker process by set_offset, the pool's initializer
_offset: float | None = None


def set_offset(offset: int | float) -> None:
    """Store ``offset`` in this process for :func:`add_offset`.

    Use it as a pool's ``initializer``, the place for per-process setup
    that is too costly to repeat for every task: opening a file, loading a
    model, seeding a generator.

    Raises:
        TypeError: ``offset`` is not a real number.
    """
    global _offset
    _offset = check_real("offset", offset)


def add_offset(number: int | float) -> int | float:
    """Return ``number`` plus the offset :func:`set_offset` stored here.

    Raises:
        TypeError: ``number`` is not a real number.
        RuntimeError: this process never ran :func:`set_offset`.
    """
    check_real("number", number)
    if _offset is None:
        raise RuntimeError(
            "no offset here: start the pool with initializer=set_offset"
        )
    return number + _offset


def burn_in_worker(iterations: int) -> tuple[int, int]:
    """Return ``(burn_cpu(iterations), pid)``: a sized task, and who ran it.

    The checksum is :func:`multicore_guide.workers.burn_cpu`'s, so it can be
    checked against a loop; the process id shows which worker the pool gave
    the task to.

    Raises:
        TypeError: ``iterations`` is not an int.
        ValueError: ``iterations`` is negative.
    """
    return burn_cpu(iterations), os.getpid()
