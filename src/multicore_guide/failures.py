"""Chapter 12, When things go wrong: workers that fail on purpose, and the tools that survive them.

The workers here raise, die or run out of memory when asked to, so that
the book can show each failure for real and what the parent sees. Like
every worker in the package they are module-level, take plain arguments
and print nothing.

``map_isolating_crashes`` is the recovery pattern for a pool whose worker
died: rebuild the pool and retry the tasks that were in flight one at a
time, so that the task that kills its worker is named and the others
still finish. ``stop_pool_now`` and ``stop_hard_on_error`` are the escape
from a task that hangs: they kill the pool's workers instead of waiting
for them, as leaving a ``with ProcessPoolExecutor(...)`` block would.

Ctrl-C: run ``python -m multicore_guide.failures`` and press Ctrl-C while
it works. The script submits sleeping tasks to a ``ProcessPoolExecutor``.
In its default, clean mode the workers ignore SIGINT
(:func:`ignore_sigint`), and the parent, on ``KeyboardInterrupt``, cancels
the tasks not yet started, waits for the few that are running, and then
ends itself with SIGINT (:func:`die_of_sigint`), so that a shell or
``make`` that runs it knows it was interrupted. With ``--naive`` it does
none of that. :func:`run_and_interrupt` runs a command in its own process
group, waits for a line on its output, and sends SIGINT to the whole
group, as a terminal does when you press Ctrl-C. It and
:func:`multicore_guide.machine.group_gone` need POSIX process groups (``os.killpg``).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any, NoReturn

from .checks import check_int, check_real
from .machine import get_context, group_gone, peak_rss_bytes
from .workers import io_like_task

__all__ = [
    "Interrupted",
    "LOGGER_NAME",
    "address_space_limit_mib",
    "allocate_mib",
    "cap_address_space",
    "die_of_sigint",
    "die_on",
    "ignore_sigint",
    "init_worker_logging",
    "kill_self",
    "listening",
    "logged_square",
    "main",
    "map_isolating_crashes",
    "peak_rss_mib",
    "reciprocal",
    "run_and_interrupt",
    "sleep_then_clean_up",
    "stop_hard_on_error",
    "stop_pool_now",
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
    """Return ``number * number``; if ``number == fatal``, end the process.

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
    """Pool initializer: the worker ignores SIGINT; Ctrl-C is the parent's.

    A terminal's Ctrl-C sends SIGINT to every process in the foreground
    process group, workers included. With this initializer the parent alone
    decides how to stop, and the workers finish or are cancelled cleanly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def sleep_then_clean_up(seconds: float, started: Any, cleaned_up: Any) -> None:
    """Process target: sleep ``seconds`` in a ``try`` block that cleans up.

    ``started`` (an Event) is set once the ``try`` block is entered, and
    ``cleaned_up`` in its ``finally`` block. A SIGINT
    (``Process.interrupt()``) ends the sleep early with
    ``KeyboardInterrupt``; the block swallows it, so the child cleans up
    and ends quietly with exit code 0. ``terminate()`` (SIGTERM, which
    Python does not handle by default) and ``kill()`` (SIGKILL) end the
    process without running the block.

    Raises:
        TypeError: ``seconds`` is not a real number.
        ValueError: ``seconds < 0``.
    """
    seconds = check_real("seconds", seconds, minimum=0.0)
    try:
        started.set()
        time.sleep(seconds)
    except KeyboardInterrupt:
        pass  # asked to stop: stop early, quietly
    finally:
        cleaned_up.set()  # stands for closing files, removing temp files


def listening(listener: logging.handlers.QueueListener) -> Any:
    """Return ``listener`` as a context manager that starts and stops it.

    From Python 3.14 a ``QueueListener`` is a context manager itself, and
    this returns it unchanged; before 3.14 it wraps ``start()`` and
    ``stop()``.

    Raises:
        TypeError: ``listener`` is not a ``QueueListener``.
    """
    if not isinstance(listener, logging.handlers.QueueListener):
        kind = type(listener).__name__
        raise TypeError(f"listener must be a QueueListener, got {kind}")
    if hasattr(listener, "__enter__"):
        return listener
    return _started(listener)


@contextmanager
def _started(
    listener: logging.handlers.QueueListener,
) -> Iterator[logging.handlers.QueueListener]:
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()


def init_worker_logging(queue: Any, level: int = logging.INFO) -> None:
    """Pool initializer: send every log record of this worker to ``queue``.

    The root logger's handlers are replaced by one ``QueueHandler``, so a
    forked worker does not also write through handlers inherited from the
    parent. The parent drains the queue with a ``QueueListener``.

    Raises:
        TypeError: ``queue`` has no ``put_nowait`` method or ``level`` is
            not an int.
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
    """Pool initializer: cap the address space at its size + ``headroom_mib``.

    ``RLIMIT_AS`` bounds the address space a process may map, not the
    memory it uses: an ``mmap`` or ``malloc`` beyond it fails, and a pure
    Python worker gets a ``MemoryError``. Libraries that reserve address
    space they never touch (NumPy, BLAS thread buffers, glibc's per-thread
    arenas) can fail under it, and not always with a clean ``MemoryError``.
    A cgroup limit on memory is the main tool; this is a trick for pure
    Python workers. Linux only: other systems do not enforce ``RLIMIT_AS``
    the same way.

    Raises:
        TypeError: ``headroom_mib`` is not an int.
        ValueError: ``headroom_mib < 1``.
        OSError: the platform cannot report or limit the address space.
    """
    headroom_mib = check_int("headroom_mib", headroom_mib, minimum=1)
    if not sys.platform.startswith("linux"):
        raise OSError("cap_address_space needs Linux (RLIMIT_AS, /proc)")
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
    return peak_rss_bytes("self") / MIB


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


def stop_pool_now(pool: ProcessPoolExecutor, timeout: float = 10.0) -> None:
    """Stop ``pool`` without waiting for its running tasks: kill its workers.

    ``shutdown(wait=True)``, which leaving a ``with`` block calls, waits
    for every running task, so a task that hangs keeps it waiting forever.
    This kills the workers (``SIGKILL``; ``TerminateProcess`` on Windows)
    instead. Their tasks fail with ``BrokenProcessPool``, the tasks not
    started are cancelled, and the pool cannot be used again.

    Raises:
        TypeError: ``pool`` is not a ``ProcessPoolExecutor``.
        ValueError: ``timeout <= 0``.
    """
    if not isinstance(pool, ProcessPoolExecutor):
        raise TypeError(
            f"pool must be a ProcessPoolExecutor, got {type(pool).__name__}"
        )
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    # no public attribute lists the workers; kill_workers() uses this one
    workers = list((pool._processes or {}).values())
    if hasattr(pool, "kill_workers"):  # Python 3.14+
        pool.kill_workers()
    else:
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
    # reap them, so that none outlives this call; the pool's manager thread
    # may reap one first, and then join() returns before the exit code is in
    deadline = time.monotonic() + timeout
    for worker in workers:
        while worker.exitcode is None and time.monotonic() < deadline:
            worker.join(0.05)


@contextmanager
def stop_hard_on_error(
    pool: ProcessPoolExecutor,
) -> Iterator[ProcessPoolExecutor]:
    """A ``with`` block for ``pool`` that kills its workers if it raises.

    Unlike ``with ProcessPoolExecutor(...)``, a ``TimeoutError`` (or any
    exception, Ctrl-C included) leaves the block at once, through
    :func:`stop_pool_now`, instead of waiting for the running tasks. When
    the block ends normally the pool shuts down as usual.

    Raises:
        TypeError: ``pool`` is not a ``ProcessPoolExecutor``.
    """
    if not isinstance(pool, ProcessPoolExecutor):
        raise TypeError(
            f"pool must be a ProcessPoolExecutor, got {type(pool).__name__}"
        )
    try:
        yield pool
    except BaseException:
        stop_pool_now(pool)
        raise
    pool.shutdown(wait=True)


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
    then retried one at a time, each in a fresh one-worker pool, so each
    crash names exactly one item.

    Exceptions that ``fn`` raises are not crashes: they propagate. A wait
    that times out raises ``TimeoutError``. In both cases the pool's
    workers are killed first (:func:`stop_hard_on_error`), so a task that
    hangs cannot keep the call waiting.

    Returns:
        ``(results, crashed)``: a dict from item to ``fn(item)`` for the
        items that finished, in input order, and the list of items whose
        task killed its worker, in input order.

    Raises:
        TypeError: ``fn`` is not callable or ``workers`` is not an int.
        ValueError: ``workers < 1`` or ``timeout <= 0``.
        TimeoutError: a result took longer than ``timeout`` seconds to come.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    workers = check_int("workers", workers, minimum=1)
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    context = context or get_context()
    items = list(items)
    results: dict[Any, Any] = {}
    suspects: list[Any] = []
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    with stop_hard_on_error(pool):
        futures = {item: pool.submit(fn, item) for item in items}
        for item, future in futures.items():
            try:
                results[item] = future.result(timeout=timeout)
            except BrokenProcessPool:
                suspects.append(item)
    crashed: list[Any] = []
    for item in suspects:  # one at a time, each on a pool of its own
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        with stop_hard_on_error(pool):
            try:
                future = pool.submit(fn, item)
                results[item] = future.result(timeout=timeout)
            except BrokenProcessPool:
                crashed.append(item)
    in_order = {item: results[item] for item in items if item in results}
    return in_order, crashed


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
    parser = argparse.ArgumentParser(prog="python -m multicore_guide.failures")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument(
        "--naive", action="store_true", help="no Ctrl-C handling"
    )
    args = parser.parse_args(argv)
    initializer = None if args.naive else ignore_sigint
    pool = ProcessPoolExecutor(
        max_workers=args.workers,
        mp_context=get_context(),
        initializer=initializer,
    )
    futures = [
        pool.submit(io_like_task, args.seconds) for _ in range(args.tasks)
    ]
    print(
        f"{args.workers} workers, {args.tasks} tasks of "
        f"{args.seconds} s submitted",
        flush=True,
    )
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
        print(
            "KeyboardInterrupt in the parent: "
            "cancelling tasks not yet started",
            flush=True,
        )
        pool.shutdown(wait=True, cancel_futures=True)
        left = multiprocessing.active_children()
        print(
            "pool shut down cleanly; worker processes left:",
            len(left),
            flush=True,
        )
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


def run_and_interrupt(
    command: Sequence[str], *, after_line: str = READY, timeout: float = 30.0
) -> Interrupted:
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
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    if not hasattr(os, "killpg"):
        raise OSError("run_and_interrupt needs POSIX process groups")
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
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
        threading.Thread(
            target=lambda: err.extend(process.stderr), daemon=True
        ),
    ]
    for reader in readers:
        reader.start()
    try:
        if (
            not ready.wait(timeout)
            or not saw_line
            or process.poll() is not None
        ):
            raise TimeoutError(f"{command[0]} never printed {after_line!r}")
        os.killpg(process.pid, signal.SIGINT)
        sent = time.perf_counter()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(
                f"{command[0]} was still running {timeout} s after SIGINT"
            ) from None
        seconds = time.perf_counter() - sent
        group_empty = group_gone(process.pid, timeout)
    finally:
        _kill_group(process)
        for reader in readers:
            reader.join(timeout)
    return Interrupted(
        process.returncode, "".join(out), "".join(err), seconds, group_empty
    )


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
