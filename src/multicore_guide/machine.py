"""The machine and how the book starts processes on it.

What the machine offers (the CPUs this process may use, and a one-line
description), the start method chosen on purpose rather than by default
(:func:`get_context`), and the two calls that every chapter uses to start
a group of ``Process`` objects and to end them within one deadline
(:func:`start_all`, :func:`join_all`).

Python's default start method depends on the platform and the version:
fork on Linux up to 3.13, forkserver on Linux from 3.14, spawn on macOS
(from 3.8) and on Windows. Code that relies on the default behaves
differently from one machine to the next, so every pool in this book is
built from an explicit context, usually the one :func:`get_context`
returns.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Iterable
from multiprocessing.context import BaseContext
from typing import Any

from .checks import check_int, check_real

__all__ = [
    "available_methods",
    "core_counts",
    "describe_machine",
    "get_context",
    "group_gone",
    "join_all",
    "peak_rss_bytes",
    "start_all",
    "usable_cores",
]


def usable_cores() -> int:
    """Return how many cores this process may run on.

    That is ``os.process_cpu_count()`` on Python 3.13+, else the size of
    ``os.sched_getaffinity(0)`` where the platform has it, else
    ``os.cpu_count()``, and 1 if even that is unknown.
    """
    if hasattr(os, "process_cpu_count"):
        count = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return count or 1


def core_counts() -> dict[str, int | str]:
    """Return each way Python counts cores, keyed by the call that gives it.

    Calls that this Python or platform lacks map to a short reason instead
    of a number.
    """
    counts: dict[str, int | str] = {
        "os.cpu_count()": os.cpu_count() or "unknown"
    }
    if hasattr(os, "sched_getaffinity"):
        counts["len(os.sched_getaffinity(0))"] = len(os.sched_getaffinity(0))
    else:
        counts["len(os.sched_getaffinity(0))"] = "not on this platform"
    if hasattr(os, "process_cpu_count"):
        counts["os.process_cpu_count()"] = os.process_cpu_count() or "unknown"
    else:
        counts["os.process_cpu_count()"] = "needs Python 3.13+"
    return counts


def _cpu_model() -> str:
    """Return the processor's model name where the platform tells it, else ''."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def describe_machine() -> str:
    """Return one line naming the OS, the cores, the processor and the Python."""
    model = _cpu_model()
    model = f" ({model})" if model else ""
    python = f"{platform.python_implementation()} {platform.python_version()}"
    if getattr(sys, "_is_gil_enabled", lambda: True)() is False:
        python += " free-threaded"
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} logical CPUs{model}, "
        f"{usable_cores()} usable by this process, {python}"
    )


# the book's order; 3.14 lists the platform's default first, so the order of
# multiprocessing.get_all_start_methods() depends on the Python version
_METHOD_ORDER = ("fork", "spawn", "forkserver")


def available_methods() -> list[str]:
    """Return the standard start methods this platform supports.

    For example ``['fork', 'spawn', 'forkserver']`` on Linux. The order is
    the same on every Python version: fork, spawn, forkserver, less those
    the platform lacks. Methods that other packages register (joblib's
    loky adds ``loky`` and ``loky_init_main``, which 3.14 then lists too)
    are left out.
    """
    supported = multiprocessing.get_all_start_methods()
    return [m for m in _METHOD_ORDER if m in supported]


def get_context(method: str | None = None) -> BaseContext:
    """Return a multiprocessing context for ``method``, never the implicit
    default.

    With ``method=None`` the choice is ``"forkserver"`` where the platform
    has it (Linux and macOS) and ``"spawn"`` elsewhere (Windows). Both start
    children that import the function they run by name, which is how
    Python 3.14 behaves on every platform, so code tested with this context
    keeps working wherever it goes.

    Raises:
        TypeError: ``method`` is not a string or ``None``.
        ValueError: ``method`` is not a start method this platform supports.
    """
    methods = available_methods()
    if method is not None and not isinstance(method, str):
        raise TypeError(
            f"method must be a str or None, got {type(method).__name__}"
        )
    if method is not None and method not in methods:
        raise ValueError(
            f"start method {method!r} is not available here; "
            f"choose one of {methods}"
        )
    if method is None:
        method = "forkserver" if "forkserver" in methods else "spawn"
    return multiprocessing.get_context(method)


def join_all(
    processes: Iterable[Any], timeout: float, *, check: bool = True
) -> list[int]:
    """Join every process, waiting at most ``timeout`` seconds in all, and
    return their exit codes.

    The deadline is shared: ten processes get ``timeout`` seconds between
    them, not ten times that. A process still running after the deadline
    is killed, and then the function raises, so no child outlives the
    call.

    Raises:
        TimeoutError: some process had not finished by the deadline (it
            has been killed).
        RuntimeError: ``check`` is true and some process exited with a
            non-zero code.
        ValueError: ``timeout`` is negative.
    """
    processes = list(processes)
    timeout = check_real("timeout", timeout, minimum=0.0)
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    late = [p for p in processes if p.is_alive()]
    for process in late:
        process.kill()
        process.join(10)
    if late:
        raise TimeoutError(
            f"{len(late)} process(es) still ran after {timeout} s"
            " and were killed"
        )
    codes = [p.exitcode for p in processes]
    if check and any(codes):
        raise RuntimeError(f"a process failed: exit codes {codes}")
    return codes


def start_all(procs: Iterable[Any]) -> None:
    """Start every process in ``procs``."""
    for proc in procs:
        proc.start()


def group_gone(pgid: int, timeout: float) -> bool:
    """Poll for up to ``timeout`` seconds until process group ``pgid`` has no process left.

    Returns:
        ``True`` once the group is empty, ``False`` if processes remain at the deadline.

    Raises:
        TypeError: ``pgid`` is not an int or ``timeout`` is not a real number.
        ValueError: ``pgid < 1`` or ``timeout < 0``.
        OSError: the platform has no process groups (Windows).
    """
    pgid = check_int("pgid", pgid, minimum=1)
    timeout = check_real("timeout", timeout, minimum=0.0)
    if not hasattr(os, "killpg"):
        raise OSError("group_gone needs POSIX process groups")
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def peak_rss_bytes(who: str = "self") -> int:
    """Return the largest resident memory used so far, in bytes.

    ``who`` is ``"self"`` (this process) or ``"children"`` (the largest of
    this process's children that have ended and been waited for). It is
    ``getrusage``'s ``ru_maxrss``, which Linux reports in KiB and macOS in
    bytes.

    Raises:
        ValueError: ``who`` is neither ``"self"`` nor ``"children"``.
        OSError: the platform has no ``resource`` module (Windows).
    """
    if who not in ("self", "children"):
        raise ValueError(f"who must be 'self' or 'children', got {who!r}")
    try:
        import resource
    except ImportError as error:  # Windows
        raise OSError("the resource module is not available here") from error
    target = (
        resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN
    )
    peak = resource.getrusage(target).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
