"""Workers that show how ``multiprocessing.Pool`` manages its processes.

``set_offset`` is an initializer: each worker process runs it once when it
starts, and ``add_offset`` then reads what it stored. ``worker_pid`` tells
which process ran a task. ``square_or_die`` kills its own process on one
chosen input, to show what a pool does when a worker disappears.
"""

from __future__ import annotations

import os

from ._checks import check_int, check_real

__all__ = ["add_offset", "set_offset", "square_or_die", "worker_pid"]

# set once per worker process by set_offset, the pool's initializer
_offset: float | None = None


def set_offset(offset: int | float) -> None:
    """Store ``offset`` in this process, for :func:`add_offset`; use as a pool's ``initializer``.

    An initializer is the place for per-process setup that is too costly to
    repeat for every task: opening a file, loading a model, seeding a
    generator.

    Raises:
        TypeError: ``offset`` is not a real number.
    """
    global _offset
    _offset = check_real("offset", offset)


def add_offset(number: int | float) -> int | float:
    """Return ``number`` plus the offset that :func:`set_offset` stored in this process.

    Raises:
        TypeError: ``number`` is not a real number.
        RuntimeError: this process never ran :func:`set_offset`.
    """
    check_real("number", number)
    if _offset is None:
        raise RuntimeError("no offset here: start the pool with initializer=set_offset")
    return number + _offset


def worker_pid(task: object = None) -> int:
    """Return the id of the process that runs this task; ``task`` is ignored.

    Mapping it over a pool shows how many distinct processes did the work.
    """
    return os.getpid()


def square_or_die(number: int, fatal: int) -> int:
    """Return ``number * number``, unless ``number == fatal``: then end this process at once.

    ``os._exit`` ends the process without raising anything, as a crash in C
    code or the kernel's out-of-memory killer would, so no exception ever
    reaches the parent.

    Raises:
        TypeError: ``number`` or ``fatal`` is not an int.
    """
    number = check_int("number", number)
    fatal = check_int("fatal", fatal)
    if number == fatal:
        os._exit(70)
    return number * number
