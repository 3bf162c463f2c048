"""Targets for processes started by hand with ``multiprocessing.Process``.

A ``Process`` throws away whatever its target returns, so a target that has
an answer to give sends it back through a queue that the parent passes in.
The other targets here exist to show how a process ends: with an exit code
of its choosing, by a signal it ignores or cannot ignore, or by a signal
that it turns into a clean exit.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Sequence
from multiprocessing.context import BaseContext

from .checks import check_int, check_real
from .machine import get_context
from .workers import burn_cpu

__all__ = [
    "clean_up_on_sigterm",
    "exit_with",
    "ignore_sigterm_and_sleep",
    "square_by_hand",
    "square_number",
]


def square_number(number: int, queue, iterations: int = 0) -> None:
    """Put ``(number, number * number)`` on ``queue``: the guide's Example 1,
    fixed.

    Before answering, the target burns ``iterations`` steps of CPU (see
    :func:`multicore_guide.workers.burn_cpu`), so that it does real work
    where the guide's version slept. It returns nothing, because a
    ``Process`` has nowhere to return a value to; the queue is the way back.

    Raises:
        TypeError: ``number`` or ``iterations`` is not an int.
        ValueError: ``iterations`` is negative.
    """
    number = check_int("number", number)
    burn_cpu(iterations)
    queue.put((number, number * number))


def square_by_hand(
    numbers: Sequence[int],
    *,
    iterations: int = 0,
    context: BaseContext | None = None,
    timeout: float = 60.0,
) -> dict[int, int]:
    """Start one process per number running :func:`square_number`; return
    ``{number: square}``.

    The queue is drained before any process is joined: a child that has put
    data on a queue may not exit until that data has been read.

    Raises:
        TypeError, ValueError: a number or ``iterations`` is not a valid int,
            a number repeats, or ``timeout`` is not a positive number.
        queue.Empty: an answer did not arrive within ``timeout`` seconds
            (the processes are then terminated).
    """
    numbers = [check_int("number", n) for n in numbers]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"numbers must not repeat, got {numbers}")
    iterations = check_int("iterations", iterations, minimum=0)
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    ctx = context or get_context()
    queue = ctx.Queue()
    processes = [
        ctx.Process(target=square_number, args=(n, queue, iterations))
        for n in numbers
    ]
    finished = False
    try:
        for process in processes:
            process.start()
        answers = dict(queue.get(timeout=timeout) for _ in processes)
        finished = True
    finally:
        for process in processes:
            if process.pid is None:  # never started
                continue
            if finished:
                process.join(timeout=timeout)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
        queue.close()
        queue.join_thread()
    return answers


def exit_with(code: int) -> None:
    """End the process at once with exit code ``code`` (``sys.exit(code)``).

    The parent then reads ``code`` from ``Process.exitcode``.

    Raises:
        TypeError: ``code`` is not an int.
        ValueError: ``code`` is outside 0..255.
    """
    code = check_int("code", code, minimum=0)
    if code > 255:
        raise ValueError(f"code must be <= 255, got {code}")
    sys.exit(code)


def ignore_sigterm_and_sleep(seconds: float, ready=None) -> float:
    """Ignore SIGTERM, set ``ready`` (an ``Event``, if given), then sleep
    ``seconds``; return ``seconds``.

    ``Process.terminate()`` sends SIGTERM on POSIX, so it cannot stop this
    process; ``Process.kill()`` sends SIGKILL, which no process can ignore.
    (On Windows both end the process the same way.) The parent waits on
    ``ready`` so that it signals the child only once the handler is in place.

    Raises:
        TypeError: ``seconds`` is not a real number.
        ValueError: ``seconds`` is negative.
    """
    seconds = check_real("seconds", seconds, minimum=0.0)
    if sys.platform != "win32":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if ready is not None:
        ready.set()
    time.sleep(seconds)
    return seconds


def clean_up_on_sigterm(seconds: float, ready, report) -> None:
    """Sleep ``seconds``; on SIGTERM, exit through ``finally``.

    The handler turns SIGTERM into ``SystemExit(128 + SIGTERM)``, 143 on
    Linux, the status a shell reports for a job ended by SIGTERM. The
    exception unwinds the sleep, so the ``finally`` block runs and puts
    ``"cleaned up"`` on ``report`` (a queue); the parent then sees exit
    code 143 instead of ``-SIGTERM``. ``ready`` (an ``Event``) is set once
    the handler is in place. POSIX only: on Windows ``terminate()`` ends
    the process without running any handler.

    Raises:
        TypeError: ``seconds`` is not a real number.
        ValueError: ``seconds`` is negative.
    """
    seconds = check_real("seconds", seconds, minimum=0.0)

    def exit_cleanly(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, exit_cleanly)
    try:
        ready.set()
        time.sleep(seconds)
    finally:
        report.put("cleaned up")
