"""What the machine offers: cores as Python sees them, and a one-line description."""

from __future__ import annotations

import os
import platform
import sys

__all__ = ["core_counts", "describe_machine", "usable_cores"]


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
    counts: dict[str, int | str] = {"os.cpu_count()": os.cpu_count() or "unknown"}
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
