"""Chapter 13, Beyond: other runtimes, Dask, and large arrays through joblib.

- Which ways of running Python in parallel this interpreter offers
  (:func:`runtime_support`): processes work everywhere; threads run Python
  code in parallel only on a free-threaded build with the GIL off;
  ``InterpreterPoolExecutor`` needs Python 3.14.
- The same executor code on Dask (:func:`count_primes_with`), and a real
  Dask scheduler and worker started as two command-line programs on
  loopback (:func:`dask_processes`).
- Large NumPy arrays handed to joblib's workers as a read-only
  ``numpy.memmap`` (:func:`array_summary`, :func:`joblib_scope`).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import check_int, check_real
from .machine import group_gone
from .workers import count_primes_block, split_range

__all__ = [
    "DaskProcesses",
    "appended",
    "array_summary",
    "count_primes_dying_once",
    "count_primes_with",
    "dask_processes",
    "free_threaded_build",
    "gil_enabled",
    "interpreter_pool_available",
    "joblib_folder_parent",
    "joblib_scope",
    "quiet_dask_logs",
    "runs_per_task",
    "runtime_support",
]


def _python() -> str:
    return f"Python {sys.version_info.major}.{sys.version_info.minor}"


def appended(items: list[Any], value: Any) -> list[Any]:
    """Append ``value`` to ``items`` in place and return ``items``.

    Called in another interpreter, it shows that the list arrives as a
    copy: the caller's list is unchanged, and the result is a new list.

    Raises:
        TypeError: ``items`` is not a list.
    """
    if not isinstance(items, list):
        raise TypeError(f"items must be a list, got {type(items).__name__}")
    items.append(value)
    return items


def free_threaded_build() -> bool:
    """Whether this CPython was built without the GIL (``Py_GIL_DISABLED``)."""
    return sysconfig.get_config_var("Py_GIL_DISABLED") == 1


def gil_enabled() -> bool:
    """Whether the GIL is on right now; a free-threaded build can turn it back on at run time."""
    return getattr(sys, "_is_gil_enabled", lambda: True)()


def interpreter_pool_available() -> bool:
    """Whether ``concurrent.futures.InterpreterPoolExecutor`` exists (Python 3.14+)."""
    import concurrent.futures

    return sys.version_info >= (3, 14) and hasattr(
        concurrent.futures, "InterpreterPoolExecutor"
    )


def runtime_support() -> dict[str, str]:
    """Map each parallel runtime to ``"available"`` or to ``"skipped: <why>"``."""
    support = {"processes (ProcessPoolExecutor)": "available"}
    threads = "threads running Python in parallel"
    if free_threaded_build() and not gil_enabled():
        support[threads] = "available: free-threaded build, GIL off"
    elif free_threaded_build():
        support[threads] = (
            "skipped: free-threaded build, but the GIL was turned back on"
        )
    else:
        support[threads] = (
            f"skipped: {_python()} has the GIL; needs a free-threaded build (3.13t or 3.14t)"
        )
    interpreters = "interpreters (InterpreterPoolExecutor)"
    if interpreter_pool_available():
        support[interpreters] = "available"
    else:
        support[interpreters] = (
            f"skipped: needs Python 3.14 or newer; this is {_python()}"
        )
    return support


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
        raise TypeError(
            f"executor must have a map method, got {type(executor).__name__}"
        )
    stop = check_int("stop", stop, minimum=0)
    parts = check_int("parts", parts, minimum=1)
    blocks = split_range(0, stop, parts)
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
    counts = {
        path.stem: len(path.read_text(encoding="utf-8").split())
        for path in Path(folder).glob("*.runs")
    }
    return dict(
        sorted(counts.items(), key=lambda item: int(item[0].split("-")[0]))
    )


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
            raise ValueError(
                f"name must be 'scheduler' or 'worker', got {name!r}"
            )
        return (self.logs / f"{name}.log").read_text(
            encoding="utf-8", errors="replace"
        )

    def all_exited(self) -> bool:
        """Whether no process is left in either program's process group."""
        return group_gone(self.scheduler.pid, 0) and group_gone(
            self.worker.pid, 0
        )

    def stop(self, timeout: float = 20.0, *, grace: float = 2.0) -> None:
        """End both programs: wait ``grace`` s, then SIGTERM, then SIGKILL.

        After ``client.shutdown()`` the scheduler and the workers close by
        themselves, usually within the ``grace`` period. Whatever is still
        running then, in either process group, gets SIGTERM (Dask's
        programs close cleanly on it), and up to ``timeout`` s to exit;
        SIGKILL ends what remains. This is the safety net that makes sure
        nothing is left behind, whatever happened in between.

        Raises:
            TypeError, ValueError: ``timeout`` or ``grace`` is not a
                non-negative number.
        """
        timeout = check_real("timeout", timeout, minimum=0.0)
        grace = check_real("grace", grace, minimum=0.0)
        programs = (self.worker, self.scheduler)
        for signum, wait in (
            (None, grace),
            (signal.SIGTERM, timeout),
            (signal.SIGKILL, timeout),
        ):
            if signum is not None:
                for process in programs:
                    _signal_group(process.pid, signum)
            deadline = time.monotonic() + wait
            for process in programs:
                _exited(process, max(0.0, deadline - time.monotonic()))
                group_gone(process.pid, max(0.0, deadline - time.monotonic()))
            if self.all_exited():
                return


@contextmanager
def dask_processes(
    workers: int, *, timeout: float = 30.0
) -> Iterator[DaskProcesses]:
    """Start ``dask scheduler`` and ``dask worker --nworkers workers`` on 127.0.0.1; stop them after.

    Both listen on the loopback address only, with dashboards off; the
    scheduler picks a free port and writes its address to a scheduler
    file, which is how this function learns it. Each worker process runs
    one thread. The logs go to a temporary folder that is deleted at the
    end, with every process stopped (see :meth:`DaskProcesses.stop`).

    Raises:
        TypeError, ValueError: ``workers`` is not an int >= 1 or ``timeout <= 0``.
        TimeoutError: the scheduler did not write its address within ``timeout`` s.
    """
    workers = check_int("workers", workers, minimum=1)
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    with tempfile.TemporaryDirectory(prefix="multicore-guide-dask-") as folder:
        logs = Path(folder)
        scheduler_file = logs / "scheduler.json"
        commands = {
            "scheduler": [
                sys.executable,
                "-m",
                "dask",
                "scheduler",
                "--host",
                LOOPBACK,
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
        }
        scheduler = _start(commands["scheduler"], logs / "scheduler.log")
        worker = None
        try:
            address = _read_address(scheduler_file, scheduler, timeout)
            commands["worker"] = [
                sys.executable,
                "-m",
                "dask",
                "worker",
                address,
                "--host",
                LOOPBACK,
                "--nworkers",
                str(workers),
                "--nthreads",
                "1",
                "--no-dashboard",
                "--death-timeout",
                str(int(timeout)),
            ]
            worker = _start(commands["worker"], logs / "worker.log")
            processes = DaskProcesses(
                address, scheduler, worker, logs, commands
            )
            yield processes
        finally:
            both = DaskProcesses(
                "", scheduler, scheduler if worker is None else worker, logs
            )
            both.stop(timeout)


def _start(command: list[str], log: Path) -> subprocess.Popen:
    """Start ``command`` in a new session, its output going to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _read_address(
    scheduler_file: Path, scheduler: subprocess.Popen, timeout: float
) -> str:
    """Wait for the scheduler file and return the address in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise RuntimeError(
                f"dask scheduler exited early with status {scheduler.returncode}"
            )
        try:
            return json.loads(scheduler_file.read_text(encoding="utf-8"))[
                "address"
            ]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            time.sleep(0.05)  # not written yet, or half written
    raise TimeoutError(
        f"the dask scheduler wrote no address within {timeout} s"
    )


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


if TYPE_CHECKING:
    import numpy as np


# joblib memory-maps into /dev/shm only when more than this many bytes are free
SHM_MIN_FREE = 2_000_000_000


def array_summary(array: np.ndarray) -> tuple[str, bool, float]:
    """Return ``(type name, whether the array maps a file, its sum)``.

    The type name is ``"memmap"`` for a memory-mapped array and
    ``"ndarray"`` for an ordinary one. ``numpy`` is imported inside the
    function so that importing this module stays cheap.

    Raises:
        TypeError: ``array`` is not a NumPy array.
    """
    import numpy as np

    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"array must be a numpy.ndarray, got {type(array).__name__}"
        )
    maps_file = (
        isinstance(array, np.memmap)
        and getattr(array, "filename", None) is not None
    )
    return type(array).__name__, maps_file, float(array.sum())


def joblib_folder_parent(shm: str = "/dev/shm") -> str | None:
    """Return the folder where joblib would put its memory-mapped arrays.

    This follows joblib's own rule: the folder named by the
    ``JOBLIB_TEMP_FOLDER`` environment variable if it is set; else ``shm``
    if it exists and has more than :data:`SHM_MIN_FREE` bytes (2 GB) free;
    else ``None``, which means the system's temporary folder (``/tmp``).
    """
    folder = os.environ.get("JOBLIB_TEMP_FOLDER")
    if folder:
        return folder
    try:
        stats = os.statvfs(shm)
    except (AttributeError, OSError):  # no statvfs (Windows), or no shm
        return None
    return shm if stats.f_bsize * stats.f_bavail > SHM_MIN_FREE else None


@contextmanager
def joblib_scope(workers: int) -> Iterator[str]:
    """Run the block's joblib calls on ``workers`` workers; clean up after.

    Inside the block, ``Parallel()`` defaults to ``workers`` workers and
    memory-maps large arrays into a fresh temporary folder, whose path the
    block receives. The folder goes where joblib itself would put it (see
    :func:`joblib_folder_parent`): ``/dev/shm`` only when it has more than
    2 GB free, so a container's small ``/dev/shm`` (64 MB under Docker's
    default) is never filled. On exit, loky's reusable workers, which
    joblib otherwise keeps alive for the next call, are shut down, and the
    folder is deleted with whatever joblib left in it.

    Raises:
        TypeError: ``workers`` is not an int.
        ValueError: ``workers < 1``.
    """
    workers = check_int("workers", workers, minimum=1)
    from joblib import parallel_config
    from joblib.externals.loky import get_reusable_executor

    parent = joblib_folder_parent()
    with tempfile.TemporaryDirectory(
        prefix="multicore-guide-joblib-", dir=parent
    ) as folder:
        try:
            with parallel_config(n_jobs=workers, temp_folder=folder):
                yield folder
        finally:
            get_reusable_executor().shutdown(wait=True)
