"""Beyond one machine: the same executor code on Dask, and a real Dask cluster on loopback.

:func:`count_primes_with` takes any ``concurrent.futures``-style executor:
a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor`` or the executor a Dask
client gives. The code that drives the work does not change when the
workers move to other machines.

:func:`dask_processes` starts a Dask scheduler and a Dask worker as two
separate command-line programs (``dask scheduler`` and ``dask worker``),
both bound to 127.0.0.1 and without dashboards, exactly as one would on a
cluster's machines, and stops them with timeouts when the block ends.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ._checks import check_int, check_real
from .graceful import group_gone
from .workers import count_primes_block, split_range

__all__ = [
    "DaskProcesses",
    "count_primes_dying_once",
    "count_primes_with",
    "dask_processes",
    "quiet_dask_logs",
    "runs_per_task",
]

LOOPBACK = "127.0.0.1"


def count_primes_with(executor: Executor, stop: int, parts: int) -> int:
    """Count the primes below ``stop`` in ``parts`` blocks on ``executor``.

    Any object with a ``concurrent.futures``-style ``map`` will do.

    Raises:
        TypeError: ``executor`` has no ``map`` method, or ``stop`` or
            ``parts`` is not an int.
        ValueError: ``stop < 0`` or ``parts < 1``.
    """
    if not callable(getattr(executor, "map", None)):
        raise TypeError("executor must have a map method, got "
                        f"{type(executor).__name__}")
    stop = check_int("stop", stop, minimum=0)
    blocks = split_range(0, stop, check_int("parts", parts, minimum=1))
    return sum(executor.map(count_primes_block, blocks))


def count_primes_dying_once(block: tuple[int, int], folder: str) -> int:
    """Count the primes in ``block``, but kill this process on the first try.

    Every run appends a line to ``folder/<start>-<stop>.runs``. The first
    run for a block then ends its own process with ``os._exit(1)``, as a
    crash or the out-of-memory killer would; a later run counts the
    primes. :func:`runs_per_task` reads the files back.
    """
    runs = Path(folder) / f"{block[0]}-{block[1]}.runs"
    with open(runs, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\n")
    if len(runs.read_text(encoding="utf-8").split()) == 1:
        os._exit(1)  # no cleanup, no exception: the process just dies
    return count_primes_block(block)


def runs_per_task(folder: str) -> dict[str, int]:
    """Map each ``<start>-<stop>`` block to how many times it ran, in order."""
    counts = {path.stem: len(path.read_text(encoding="utf-8").split())
              for path in Path(folder).glob("*.runs")}
    return dict(sorted(counts.items(), key=lambda item: int(item[0].split("-")[0])))


@contextmanager
def quiet_dask_logs(level: int = logging.CRITICAL) -> Iterator[None]:
    """Hide the ``distributed`` loggers' messages below ``level`` inside the block.

    A nanny that restarts a dead worker logs warnings with timestamps;
    this keeps them out of a notebook's output, and restores the old
    level afterwards.
    """
    logger = logging.getLogger("distributed")
    old = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(old)


@dataclass
class DaskProcesses:
    """A running ``dask scheduler`` and ``dask worker``, each in its own process group.

    Attributes:
        address: the scheduler's address, ``tcp://127.0.0.1:PORT``.
        scheduler: the scheduler's ``Popen``.
        worker: the ``Popen`` of the worker program (a nanny per worker
            process, each starting one worker process).
        logs: the folder that holds ``scheduler.log`` and ``worker.log``.
        commands: the two command lines, as run.
    """

    address: str
    scheduler: subprocess.Popen
    worker: subprocess.Popen
    logs: Path
    commands: dict[str, list[str]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        """Return the text of ``scheduler.log`` or ``worker.log`` (while the block runs).

        Raises:
            ValueError: ``name`` is neither ``"scheduler"`` nor ``"worker"``.
        """
        if name not in ("scheduler", "worker"):
            raise ValueError(f"name must be 'scheduler' or 'worker', got {name!r}")
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def all_exited(self) -> bool:
        """Whether no process is left in either program's process group."""
        return group_gone(self.scheduler.pid, 0) and group_gone(self.worker.pid, 0)

    def stop(self, timeout: float = 20.0) -> None:
        """Wait up to ``timeout`` s for both programs to exit; SIGTERM, then SIGKILL, what remains.

        Call it after ``client.shutdown()``, which asks the scheduler and
        the workers to close; here it is also the safety net that makes sure
        nothing is left behind, whatever happened in between.
        """
        timeout = check_real("timeout", timeout, minimum=0.0)
        for process in (self.worker, self.scheduler):
            for signum in (None, signal.SIGTERM, signal.SIGKILL):
                if signum is not None:
                    _signal_group(process.pid, signum)
                if _exited(process, timeout) and group_gone(process.pid, timeout):
                    break


@contextmanager
def dask_processes(n_workers: int, *, timeout: float = 30.0) -> Iterator[DaskProcesses]:
    """Start ``dask scheduler`` and ``dask worker --nworkers n_workers`` on 127.0.0.1; stop them after.

    Both listen on the loopback address only, with dashboards off; the
    scheduler picks a free port and writes its address to a scheduler
    file, which is how this function learns it. Each worker process runs
    one thread. The logs go to a temporary folder that is deleted at the
    end, with every process stopped (see :meth:`DaskProcesses.stop`).

    Raises:
        TypeError, ValueError: ``n_workers`` is not an int >= 1 or ``timeout <= 0``.
        TimeoutError: the scheduler did not write its address within ``timeout`` s.
    """
    n_workers = check_int("n_workers", n_workers, minimum=1)
    timeout = check_real("timeout", timeout, minimum=0.0, inclusive_minimum=False)
    with tempfile.TemporaryDirectory(prefix="multicore-guide-dask-") as folder:
        logs = Path(folder)
        scheduler_file = logs / "scheduler.json"
        commands = {
            "scheduler": [sys.executable, "-m", "dask", "scheduler", "--host", LOOPBACK, "--port", "0",
                          "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        }
        scheduler = _start(commands["scheduler"], logs / "scheduler.log")
        worker = None
        try:
            address = _read_address(scheduler_file, scheduler, timeout)
            commands["worker"] = [sys.executable, "-m", "dask", "worker", address, "--host", LOOPBACK,
                                  "--nworkers", str(n_workers), "--nthreads", "1", "--no-dashboard",
                                  "--death-timeout", str(int(timeout))]
            worker = _start(commands["worker"], logs / "worker.log")
            processes = DaskProcesses(address, scheduler, worker, logs, commands)
            yield processes
        finally:
            both = DaskProcesses("", scheduler, scheduler if worker is None else worker, logs)
            both.stop(timeout)


def _start(command: list[str], log: Path) -> subprocess.Popen:
    """Start ``command`` in a new session, its output going to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _read_address(scheduler_file: Path, scheduler: subprocess.Popen, timeout: float) -> str:
    """Wait for the scheduler file and return the address in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise RuntimeError(f"dask scheduler exited early with status {scheduler.returncode}")
        try:
            return json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            time.sleep(0.05)  # not written yet, or half written
    raise TimeoutError(f"the dask scheduler wrote no address within {timeout} s")


def _exited(process: subprocess.Popen, timeout: float) -> bool:
    """Wait up to ``timeout`` s for ``process`` to exit; return whether it did."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        return False
    return True


def _signal_group(pgid: int, signum: int) -> None:
    """Send ``signum`` to process group ``pgid`` if any of it is left."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass
