"""Workers that fail on purpose, and the parent-side tools that survive them.

The workers here raise, die or run out of memory when asked to, so that
the book can show each failure for real and what the parent sees. Like
every worker in the package they are module-level, take plain arguments
and print nothing.

``map_isolating_crashes`` is the recovery pattern for a pool whose worker
died: rebuild the pool and retry the tasks that were in flight one at a
time, so that the task that kills its worker is named and the others
still finish.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import sys
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

from ._checks import check_int, check_real
from .contexts import get_context

__all__ = [
    "LOGGER_NAME",
    "address_space_limit_mib",
    "allocate_mib",
    "cap_address_space",
    "die_on",
    "ignore_sigint",
    "init_worker_logging",
    "kill_self",
    "logged_square",
    "map_isolating_crashes",
    "peak_rss_mib",
    "reciprocal",
]

LOGGER_NAME = "multicore_guide.worker"
MIB = 1024 * 1024


def reciprocal(number: int | float) -> float:
    """Return ``1 / number``; zero raises ``ZeroDivisionError`` in the worker.

    Raises:
        TypeError: ``number`` is not a real number.
        ZeroDivisionError: ``number`` is zero (the failure the book shows).
    """
    number = check_real("number", number)
    return 1.0 / number


def die_on(number: int, fatal: int) -> int:
    """Return ``number * number``, unless ``number == fatal``: then end the process at once.

    ``os._exit`` skips every ``finally`` block and every exception handler,
    as a segfault in a C extension or the kernel's out-of-memory killer
    would: the parent gets no exception and no traceback, only a dead
    child.

    Raises:
        TypeError: ``number`` or ``fatal`` is not an int.
    """
    number = check_int("number", number)
    fatal = check_int("fatal", fatal)
    if number == fatal:
        os._exit(70)
    return number * number


def kill_self(signum: int) -> None:
    """Send signal ``signum`` to the calling process; with ``SIGKILL`` it never returns.

    Raises:
        TypeError: ``signum`` is not an int.
        ValueError: ``signum`` is not a valid signal number.
    """
    signum = check_int("signum", signum, minimum=1)
    if signum not in set(signal.valid_signals()):
        raise ValueError(f"signum must be a valid signal number, got {signum}")
    os.kill(os.getpid(), signum)


def ignore_sigint() -> None:
    """Pool initializer: make the worker ignore SIGINT, so Ctrl-C reaches only the parent.

    A terminal's Ctrl-C sends SIGINT to every process in the foreground
    process group, workers included. With this initializer the parent alone
    decides how to stop, and the workers finish or are cancelled cleanly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def init_worker_logging(queue: Any, level: int = logging.INFO) -> None:
    """Pool initializer: send every log record of this worker to ``queue``.

    The root logger's handlers are replaced by one ``QueueHandler``, so a
    forked worker does not also write through handlers inherited from the
    parent. The parent drains the queue with a ``QueueListener``.

    Raises:
        TypeError: ``queue`` has no ``put_nowait`` method or ``level`` is not an int.
    """
    if not callable(getattr(queue, "put_nowait", None)):
        raise TypeError(f"queue must be a queue, got {type(queue).__name__}")
    level = check_int("level", level, minimum=0)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(level)


def logged_square(number: int) -> int:
    """Return ``number * number`` and log one INFO record saying so.

    Raises:
        TypeError: ``number`` is not an int.
    """
    number = check_int("number", number)
    logging.getLogger(LOGGER_NAME).info("squared %d", number)
    return number * number


def _address_space_bytes() -> int:
    """Return the calling process's virtual memory size in bytes (Linux: /proc/self/statm)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def cap_address_space(headroom_mib: int) -> None:
    """Pool initializer: limit this process's address space to its current size plus ``headroom_mib``.

    ``RLIMIT_AS`` bounds the virtual memory a process may map; an
    allocation beyond it fails, and Python raises ``MemoryError`` in the
    worker instead of the machine running out of memory. Linux only: other
    systems do not enforce ``RLIMIT_AS`` the same way.

    Raises:
        TypeError: ``headroom_mib`` is not an int.
        ValueError: ``headroom_mib < 1``.
        OSError: the platform cannot report or limit the address space.
    """
    headroom_mib = check_int("headroom_mib", headroom_mib, minimum=1)
    if not sys.platform.startswith("linux"):
        raise OSError("cap_address_space needs Linux (RLIMIT_AS and /proc/self/statm)")
    import resource

    limit = _address_space_bytes() + headroom_mib * MIB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def address_space_limit_mib() -> float | None:
    """Return this process's ``RLIMIT_AS`` soft limit in MiB, or ``None`` when unlimited.

    Raises:
        OSError: the platform has no ``resource`` module.
    """
    try:
        import resource
    except ImportError as error:  # Windows
        raise OSError("the resource module is not available here") from error
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft / MIB


def peak_rss_mib() -> float:
    """Return the largest resident memory this process has used so far, in MiB.

    Run it as a task to learn a pool worker's own peak: the parent's
    ``getrusage(RUSAGE_CHILDREN)`` cannot see workers that are not its
    children, such as those a fork server starts.

    Raises:
        OSError: the platform has no ``resource`` module.
    """
    try:
        import resource
    except ImportError as error:  # Windows
        raise OSError("the resource module is not available here") from error
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes
    return peak / (MIB if sys.platform == "darwin" else 1024)


def allocate_mib(mib: int) -> int:
    """Allocate ``mib`` MiB, touch every page, free it, and return ``mib``.

    Under :func:`cap_address_space` a request beyond the cap raises
    ``MemoryError`` here, in the worker, and the pool survives it.

    Raises:
        TypeError: ``mib`` is not an int.
        ValueError: ``mib < 0``.
        MemoryError: the allocation does not fit.
    """
    mib = check_int("mib", mib, minimum=0)
    # bytes of 1s, not zeros: a zeroed block can come from untouched pages
    # that never become resident, and then the memory use would not show
    block = b"\x01" * (mib * MIB)
    size = len(block) // MIB
    del block
    return size


def map_isolating_crashes(
    fn: Callable[[Any], Any],
    items: Iterable[Hashable],
    *,
    workers: int = 2,
    context: BaseContext | None = None,
    timeout: float = 60.0,
) -> tuple[dict[Any, Any], list[Any]]:
    """Run ``fn`` on every item in a process pool, surviving workers that die.

    First every item goes to one pool of ``workers`` processes. If a worker
    dies, the pool breaks and every task in flight fails with
    ``BrokenProcessPool``, the innocent with the guilty. Those tasks are
    then retried one at a time in a fresh one-worker pool, which is rebuilt
    after each crash, so each crash names exactly one item.

    Exceptions that ``fn`` raises are not crashes: they propagate.

    Returns:
        ``(results, crashed)``: a dict from item to ``fn(item)`` for the
        items that finished, in input order, and the list of items whose task killed its
        worker, in input order.

    Raises:
        TypeError: ``fn`` is not callable or ``workers`` is not an int.
        ValueError: ``workers < 1`` or ``timeout <= 0``.
        TimeoutError: a task took longer than ``timeout`` seconds.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    workers = check_int("workers", workers, minimum=1)
    timeout = check_real("timeout", timeout, minimum=0.0, inclusive_minimum=False)
    context = context or get_context()
    items = list(items)
    results: dict[Any, Any] = {}
    suspects: list[Any] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {item: pool.submit(fn, item) for item in items}
        for item, future in futures.items():
            try:
                results[item] = future.result(timeout=timeout)
            except BrokenProcessPool:
                suspects.append(item)
    crashed: list[Any] = []
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        for item in suspects:
            try:
                results[item] = pool.submit(fn, item).result(timeout=timeout)
            except BrokenProcessPool:
                crashed.append(item)
                pool.shutdown(wait=True)
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    in_order = {item: results[item] for item in items if item in results}
    return in_order, crashed
