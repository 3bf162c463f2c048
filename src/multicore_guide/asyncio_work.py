"""Parallel work from asyncio: helpers for the chapter of that name.

An event loop runs one callback at a time. A coroutine that computes for
half a second without an ``await`` holds the loop for that half second, and
nothing else it serves moves. :func:`with_heartbeat` measures that: it runs
an awaitable next to a coroutine that wakes every few milliseconds and
records how late each wake-up is. :func:`work_then_mark` is a CPU-bound job
that leaves a file behind when it finishes, which shows whether a job whose
asyncio future was cancelled went on running in its worker process.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multicore_guide.checks import check_real

__all__ = [
    "Heartbeat",
    "marker_pid",
    "with_heartbeat",
    "work_then_mark",
]


@dataclass(frozen=True)
class Heartbeat:
    """What :func:`with_heartbeat` saw.

    Attributes:
        result: what the awaited work returned.
        worst: the largest delay of a tick past its due time, in seconds.
        ticks: how many ticks the heartbeat completed while the work ran.
    """

    result: Any
    worst: float
    ticks: int


async def with_heartbeat(
    work: Awaitable[Any], interval: float = 0.01
) -> Heartbeat:
    """Await ``work`` while a heartbeat ticks every ``interval`` seconds.

    Each tick sleeps ``interval`` and records how much later than that it
    woke up. A loop that is free wakes it on time, give or take a
    millisecond; a loop held by a computation wakes it only when the
    computation ends.

    Args:
        work: a coroutine, task or future to await; the heartbeat
            ticks on the loop that runs this coroutine.
        interval: the heartbeat's period in seconds, greater than 0.

    Returns:
        a :class:`Heartbeat` with the work's result and the worst delay.

    Raises:
        TypeError: ``interval`` is not a real number.
        ValueError: ``interval`` is not positive.
        whatever ``work`` raises.
    """
    interval = check_real(
        "interval", interval, minimum=0.0, inclusive_minimum=False
    )
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    worst, ticks = 0.0, 0

    async def beat():
        nonlocal worst, ticks
        while not done.is_set():
            due = loop.time() + interval
            await asyncio.sleep(interval)
            worst = max(worst, loop.time() - due)
            ticks += 1

    beating = asyncio.ensure_future(beat())
    await asyncio.sleep(0)  # let the first tick start before the work does
    try:
        result = await work
    finally:
        done.set()
        await beating
    return Heartbeat(result=result, worst=worst, ticks=ticks)


def work_then_mark(seconds: float, marker: str) -> float:
    """Compute for ``seconds`` (wall-clock), then write the PID to ``marker``.

    The file appears only if the job runs to its end, so its presence
    tells whether a job that was cancelled somewhere else finished anyway.

    Returns:
        ``seconds``.

    Raises:
        TypeError: ``seconds`` is not a real number.
        ValueError: ``seconds`` is negative.
    """
    seconds = check_real("seconds", seconds, minimum=0.0)
    deadline = time.perf_counter() + seconds
    steps = 0
    while time.perf_counter() < deadline:
        steps = (steps * 31 + 7) % 1_000_003  # arithmetic, not sleep
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    return seconds


def marker_pid(marker: str | os.PathLike[str]) -> int | None:
    """Return the PID :func:`work_then_mark` wrote to ``marker``, or ``None``.

    ``None`` means that the job never reached its end.
    """
    path = Path(marker)
    if not path.exists():
        return None
    return int(path.read_text(encoding="utf-8"))
