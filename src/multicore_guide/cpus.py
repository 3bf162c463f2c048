"""The CPUs a process really has: affinity, cgroup quotas, overrides, schedulers.

``os.cpu_count()`` counts the machine's logical CPUs and
``os.process_cpu_count()`` (3.13+) the CPUs in this process's affinity set.
Neither sees a cgroup CPU *quota*, which is how Docker's ``--cpus`` and
Kubernetes' CPU limits work: the process may run on every CPU, but only for
so many microseconds in each period. :func:`read_cpu_quota` reads that quota
from the cgroup files, and :func:`choose_workers` turns the limits a process
is under into a worker count, with a documented precedence.

The other functions are what chapter 15's child processes run: a pool
initializer that shrinks a worker's CPU set (:func:`pin_to_cpus`), a worker
that reports it (:func:`worker_cpus`), and a program that touches a
shared-memory block (:func:`touch_shared_block`) for the ``/dev/shm`` demo.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from multiprocessing import shared_memory
from pathlib import Path

from .checks import check_int

__all__ = [
    "CpuQuota",
    "WorkerCount",
    "affinity_count",
    "choose_workers",
    "pin_to_cpus",
    "read_cpu_quota",
    "small_shm_command",
    "touch_shared_block",
    "unshare_works",
    "worker_cpus",
    "workers_here",
]


CGROUP_ROOT = Path("/sys/fs/cgroup")


PROC_CGROUP = Path("/proc/self/cgroup")


# where a cgroup v1 hierarchy with the cpu controller is usually mounted
_V1_CPU_DIRS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")


PAGE = 4096


# `unshare -m` gives the command its own mount namespace. /dev/shm is made
# private there first, so that the tmpfs mounted on it cannot propagate to
# the machine's namespace; `unshare`'s default, making / private, fails in a
# chroot. Then: sh -c SCRIPT SIZE COMMAND ARGS...
_PRIVATE_SHM = [
    "unshare",
    "-m",
    "--propagation",
    "unchanged",
    "sh",
    "-c",
    "mount --make-private /dev/shm "
    '&& mount -t tmpfs -o size="$0" private-shm /dev/shm && exec "$@"',
]


@dataclass(frozen=True)
class CpuQuota:
    """A cgroup CPU quota: ``cpus`` CPUs' worth of time, read from ``source``.

    ``cpus`` is quota / period, e.g. ``1.5`` for Docker's ``--cpus=1.5``, or
    ``None`` when there is no quota. ``source`` is the file that set it (the
    most specific file read, when none sets a quota), or ``None`` when there
    is no cgroup CPU file at all (not Linux, or no cpu controller).
    """

    cpus: float | None
    source: str | None


@dataclass(frozen=True)
class WorkerCount:
    """How many workers to start, and which limit decided it."""

    workers: int
    decided_by: str


def _cgroup_paths(proc_cgroup: Path) -> tuple[str | None, str | None]:
    """Return this process's cgroup path in the v2 and in the v1 cpu hierarchy."""
    v2 = v1 = None
    try:
        text = proc_cgroup.read_text(encoding="ascii")
    except OSError:
        return None, None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            v2 = path
        elif "cpu" in controllers.split(","):
            v1 = path
    return v2, v1


def _this_and_parents(top: Path, path: str | None) -> list[Path]:
    """``top/path`` and each parent up to ``top``, the most specific first.

    Inside a container the path in /proc/self/cgroup may not exist under
    ``top`` (the container sees its own cgroup as the root), so ``top`` itself
    is always a candidate.
    """
    here = top / (path or "/").lstrip("/")
    folders = [here, *here.parents] if here != top else [top]
    return [
        folder for folder in folders if folder == top or top in folder.parents
    ]


def _v2_quota(folder: Path) -> float | None | str:
    """The quota in ``folder/cpu.max`` in CPUs, None for ``max``, ``"absent"``."""
    try:
        fields = (folder / "cpu.max").read_text(encoding="ascii").split()
    except OSError:
        return "absent"
    if len(fields) < 2 or fields[0] == "max":
        return None
    return int(fields[0]) / int(fields[1])


def _v1_quota(folder: Path) -> float | None | str:
    """The quota in ``folder/cpu.cfs_quota_us`` in CPUs, None for -1, ``"absent"``."""
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text(encoding="ascii"))
        period = int(
            (folder / "cpu.cfs_period_us").read_text(encoding="ascii")
        )
    except (OSError, ValueError):
        return "absent"
    if quota <= 0 or period <= 0:
        return None
    return quota / period


def _tightest(folders: Iterable[Path], read, name: str) -> CpuQuota | None:
    """The smallest quota in ``folders``; None when no folder has the file."""
    found = None
    for folder in folders:
        cpus = read(folder)
        if cpus == "absent":
            continue
        if found is None:
            found = CpuQuota(None, str(folder / name))
        if cpus is not None and (found.cpus is None or cpus < found.cpus):
            found = CpuQuota(cpus, str(folder / name))
    return found


def read_cpu_quota(
    root: str | os.PathLike = CGROUP_ROOT,
    proc_cgroup: str | os.PathLike = PROC_CGROUP,
) -> CpuQuota:
    """Return this process's cgroup CPU quota, from cgroup v2 or else v1.

    cgroup v2 keeps the quota in ``cpu.max`` as ``"$MAX $PERIOD"``
    (microseconds; ``max`` means no limit) in the process's cgroup folder,
    whose path ``/proc/self/cgroup`` gives on its ``0::`` line. cgroup v1
    keeps it in ``cpu.cfs_quota_us`` (``-1`` means no limit) and
    ``cpu.cfs_period_us`` under the cpu controller's mount. A parent
    cgroup's quota binds its children too, so the folder and each parent
    are read, and the smallest quota wins. v1 is read only where no v2
    ``cpu.max`` exists.

    Args:
        root: where the cgroup file system is mounted.
        proc_cgroup: the file that names this process's cgroups.
    """
    root, proc_cgroup = Path(root), Path(proc_cgroup)
    v2_path, v1_path = _cgroup_paths(proc_cgroup)
    found = _tightest(_this_and_parents(root, v2_path), _v2_quota, "cpu.max")
    if found is not None:
        return found
    for name in _V1_CPU_DIRS:
        mount = root / name
        if mount.is_dir():
            found = _tightest(
                _this_and_parents(mount, v1_path),
                _v1_quota,
                "cpu.cfs_quota_us",
            )
            if found is not None:
                return found
    return CpuQuota(None, None)


def affinity_count() -> int:
    """Return the size of this process's CPU affinity set (Linux), else ``os.cpu_count()``.

    Unlike ``os.process_cpu_count()``, this ignores ``PYTHON_CPU_COUNT``.
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _positive(name: str, text: str) -> int:
    """``text`` as an int >= 1, or ValueError naming the variable."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {text!r}")
    return value


def _check_limits(quota: object, affinity: object) -> int:
    """``affinity`` as an int >= 1, once ``quota`` is checked to be None or > 0."""
    affinity = check_int("affinity", affinity, minimum=1)
    if quota is not None:
        if isinstance(quota, bool) or not isinstance(quota, int | float):
            raise TypeError(
                f"quota must be a number or None, got {type(quota).__name__}"
            )
        if not quota > 0:
            raise ValueError(f"quota must be > 0, got {quota}")
    return affinity


def choose_workers(
    quota: float | None, affinity: int, environ: Mapping[str, str]
) -> WorkerCount:
    """Return how many CPU-bound workers to start, and what decided it.

    The precedence:

    1. ``PYTHON_CPU_COUNT``, when it is a positive integer, wins: someone
       set it on purpose, and Python 3.13+ obeys it too. (``default`` and
       ``process`` name no number, and are passed over.)
    2. Otherwise the smallest of the limits that apply: the affinity set,
       the cgroup quota rounded up (1.5 CPUs gives 2 workers, which keep the
       whole quota busy) and ``SLURM_CPUS_PER_TASK``. On a tie the earlier
       one in that list is named.

    Args:
        quota: the cgroup quota in CPUs, or None (see :func:`read_cpu_quota`).
        affinity: the number of CPUs this process may run on.
        environ: the environment to read, usually ``os.environ``.

    Raises:
        TypeError: ``affinity`` is not an int, or ``quota`` not a number.
        ValueError: ``affinity < 1``, ``quota <= 0``, or a variable set to
            something other than a positive integer.
    """
    affinity = _check_limits(quota, affinity)
    override = environ.get("PYTHON_CPU_COUNT", "").strip()
    if override and override not in ("default", "process"):
        return WorkerCount(
            _positive("PYTHON_CPU_COUNT", override), "PYTHON_CPU_COUNT"
        )
    limits = [("affinity", affinity)]
    if quota is not None:
        limits.append(("cgroup quota", max(1, math.ceil(quota))))
    slurm = environ.get("SLURM_CPUS_PER_TASK", "").strip()
    if slurm:
        limits.append(
            ("SLURM_CPUS_PER_TASK", _positive("SLURM_CPUS_PER_TASK", slurm))
        )
    name, workers = min(limits, key=lambda limit: limit[1])
    return WorkerCount(workers, name)


def workers_here() -> WorkerCount:
    """:func:`choose_workers` for this process: its quota, affinity and environment."""
    return choose_workers(read_cpu_quota().cpus, affinity_count(), os.environ)


def pin_to_cpus(cpus: Iterable[int]) -> None:
    """Pool initializer: let the calling process run only on ``cpus`` (Linux).

    Call it in a worker, never in the parent: the parent's own CPU set, and
    that of every process it starts later, would shrink with it.

    Raises:
        ValueError: ``cpus`` is empty.
        OSError: a CPU is not one this process may use.
    """
    cpus = set(cpus)
    if not cpus:
        raise ValueError("cpus must name at least one CPU")
    os.sched_setaffinity(0, cpus)


def worker_cpus(_item: object = None) -> list[int]:
    """Return the CPUs the calling process may run on, sorted (Linux)."""
    return sorted(os.sched_getaffinity(0))


def touch_shared_block(nbytes: int) -> None:
    """Create a shared-memory block of ``nbytes`` bytes; write to every page.

    The block is unlinked at once, so that nothing is left in /dev/shm even
    if the process dies; the mapping stays usable. On a /dev/shm smaller
    than ``nbytes``, creating the block succeeds, and the write past the
    free space kills the process with SIGBUS.

    Raises:
        TypeError: ``nbytes`` is not an int.
        ValueError: ``nbytes < 1``.
    """
    nbytes = check_int("nbytes", nbytes, minimum=1)
    block = shared_memory.SharedMemory(create=True, size=nbytes)
    try:
        block.unlink()
        for offset in range(0, nbytes, PAGE):
            block.buf[offset] = 1
    finally:
        block.close()


def unshare_works(timeout: float = 10) -> bool:
    """Return whether this process may give a child a private /dev/shm.

    That takes root (or CAP_SYS_ADMIN), util-linux's ``unshare`` and
    ``mount``, and a /dev/shm that is a mount point. The check mounts a
    small tmpfs in a throwaway mount namespace, as :func:`small_shm_command`
    does.
    """
    if (
        not hasattr(os, "geteuid")
        or os.geteuid() != 0
        or not shutil.which("unshare")
    ):
        return False
    try:
        done = subprocess.run(
            [*_PRIVATE_SHM, "64k", "true"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def small_shm_command(shm_bytes: int, block_bytes: int) -> list[str]:
    """Return a command that runs :func:`touch_shared_block` on a small private /dev/shm.

    ``unshare -m`` gives the child its own mount namespace, where /dev/shm
    is made private and a tmpfs of ``shm_bytes`` is mounted on it; the
    machine's /dev/shm is not touched. Run it as root, where
    :func:`unshare_works` says it works.

    Raises:
        TypeError: an argument is not an int.
        ValueError: an argument is < 1.
    """
    shm_bytes = check_int("shm_bytes", shm_bytes, minimum=1)
    block_bytes = check_int("block_bytes", block_bytes, minimum=1)
    code = (
        "from multicore_guide.cpus import touch_shared_block; "
        f"touch_shared_block({block_bytes})"
    )
    return [*_PRIVATE_SHM, str(shm_bytes), sys.executable, "-c", code]
