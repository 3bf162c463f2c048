"""Ctrl-C and a process pool: a script to interrupt, and the tool that interrupts it.

Run ``python -m multicore_guide.graceful`` and press Ctrl-C while it
works. The script submits sleeping tasks to a ``ProcessPoolExecutor`` and
waits for them. In its default, clean mode the workers ignore SIGINT (see
:func:`multicore_guide.failures.ignore_sigint`), and the parent, on
``KeyboardInterrupt``, cancels the tasks not yet started, waits for the few
that are running, and then ends itself with SIGINT (:func:`die_of_sigint`),
so that a shell or ``make`` that runs it knows it was interrupted. With
``--naive`` it does none of that.

:func:`run_and_interrupt` runs a command in its own process group, waits
for a line on its output, and sends SIGINT to the whole group, as a
terminal does when you press Ctrl-C. It and :func:`group_gone` need POSIX
process groups (``os.killpg``); on Windows they raise ``OSError``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import NoReturn

from ._checks import check_int, check_real
from .contexts import get_context
from .failures import ignore_sigint
from .workers import io_like_task

__all__ = ["Interrupted", "die_of_sigint", "group_gone", "main", "run_and_interrupt"]

READY = "ready"


def die_of_sigint() -> NoReturn:
    """End this process as killed by SIGINT, as an unhandled Ctrl-C would.

    A shell or ``make`` tells a child that was stopped by Ctrl-C from one
    that failed by how it ended, not by its exit status: ``exit(130)`` is
    an ordinary failure to them, and a script's loop goes on. So, after
    cleaning up, restore SIGINT's default action and send SIGINT to
    yourself. CPython does the same for a ``KeyboardInterrupt`` that
    nothing catches. On Windows, which has no such death, the
    ``KeyboardInterrupt`` is raised again and Python's own handler sets
    the Ctrl-C exit status.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name != "posix":
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    # not reached: SIGINT's default action ends the process before kill()
    # returns; if it somehow did not, fall back to the shell's convention
    raise SystemExit(128 + signal.SIGINT)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demonstration script; return 0 when it was not interrupted.

    When it is, the clean mode ends the process with SIGINT
    (:func:`die_of_sigint`) and does not return.

    Options: ``--workers`` (default 2), ``--tasks`` (default 20),
    ``--seconds`` per task (default 0.3) and ``--naive`` (no Ctrl-C handling).
    """
    parser = argparse.ArgumentParser(prog="python -m multicore_guide.graceful")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--naive", action="store_true",
                        help="no Ctrl-C handling")
    args = parser.parse_args(argv)
    initializer = None if args.naive else ignore_sigint
    pool = ProcessPoolExecutor(max_workers=args.workers,
                               mp_context=get_context(),
                               initializer=initializer)
    futures = [pool.submit(io_like_task, args.seconds)
               for _ in range(args.tasks)]
    print(f"{args.workers} workers, {args.tasks} tasks of "
          f"{args.seconds} s submitted", flush=True)
    if args.naive:
        futures[0].result(timeout=60)  # the workers are up and running tasks
        print(READY, flush=True)
        with pool:
            total = sum(future.result() for future in futures)
        print(f"all tasks done: {total:.1f} s of sleeping", flush=True)
        return 0
    # everything from the READY line on is inside the try: Ctrl-C can come
    # the moment the line is out, even before print() has returned
    try:
        futures[0].result(timeout=60)  # the workers are up and running tasks
        print(READY, flush=True)
        total = sum(future.result() for future in futures)
    except KeyboardInterrupt:
        print("KeyboardInterrupt in the parent: "
              "cancelling tasks not yet started", flush=True)
        pool.shutdown(wait=True, cancel_futures=True)
        left = multiprocessing.active_children()
        print("pool shut down cleanly; worker processes left:",
              len(left), flush=True)
        die_of_sigint()  # a shell or make sees Ctrl-C, not a failure
    pool.shutdown(wait=True)
    print(f"all tasks done: {total:.1f} s of sleeping", flush=True)
    return 0


@dataclass
class Interrupted:
    """What an interrupted command did.

    Attributes:
        returncode: the exit status; negative ``-N`` means "killed by signal N".
        stdout: everything it printed on standard output.
        stderr: everything it printed on standard error.
        seconds_to_exit: seconds from the SIGINT to the command's exit.
        group_empty: whether every process the command started had exited
            too (checked before any clean-up kill).
    """

    returncode: int
    stdout: str
    stderr: str
    seconds_to_exit: float
    group_empty: bool


def run_and_interrupt(command: Sequence[str], *, after_line: str = READY, timeout: float = 30.0) -> Interrupted:
    """Run ``command``, wait for ``after_line`` on its stdout, then Ctrl-C its whole process group.

    The command starts in a new session, so SIGINT reaches it and every
    process it started, and nothing else. If it has not exited ``timeout``
    seconds after the SIGINT (or never prints ``after_line``), the group is
    killed with SIGKILL and ``TimeoutError`` is raised: no call can hang.

    Raises:
        TypeError: ``command`` is a string rather than a sequence of arguments.
        ValueError: ``command`` is empty or ``timeout <= 0``.
        TimeoutError: the command did not get ready, or did not exit, in time.
        OSError: the platform has no process groups (Windows).
    """
    if isinstance(command, (str, bytes)) or not command:
        raise (TypeError if isinstance(command, (str, bytes)) else ValueError)(
            "command must be a non-empty sequence of arguments"
        )
    timeout = check_real("timeout", timeout, minimum=0.0, inclusive_minimum=False)
    if not hasattr(os, "killpg"):
        raise OSError("run_and_interrupt needs POSIX process groups")
    process = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    out: list[str] = []
    err: list[str] = []
    ready = threading.Event()
    saw_line: list[bool] = []

    def read_stdout() -> None:
        for line in process.stdout:
            out.append(line)
            if line.strip() == after_line:
                saw_line.append(True)
                ready.set()
        ready.set()  # end of output: stop waiting

    readers = [
        threading.Thread(target=read_stdout, daemon=True),
        threading.Thread(target=lambda: err.extend(process.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        if not ready.wait(timeout) or not saw_line or process.poll() is not None:
            raise TimeoutError(f"{command[0]} never printed {after_line!r}")
        os.killpg(process.pid, signal.SIGINT)
        sent = time.perf_counter()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"{command[0]} was still running {timeout} s after SIGINT") from None
        seconds = time.perf_counter() - sent
        group_empty = group_gone(process.pid, timeout)
    finally:
        _kill_group(process)
        for reader in readers:
            reader.join(timeout)
    return Interrupted(process.returncode, "".join(out), "".join(err), seconds, group_empty)


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


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL whatever is left of ``process``'s group, then reap it and close its pipes."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the whole group has exited: the usual case
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        pass  # unkillable (a zombie's parent is us: wait() reaps it next time)


if __name__ == "__main__":
    sys.exit(main())
