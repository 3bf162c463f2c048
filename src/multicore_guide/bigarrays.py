"""Workers that read a large NumPy array, to show how it reaches them.

joblib hands an array larger than its ``max_nbytes`` threshold to its
workers as a read-only ``numpy.memmap`` of one shared file instead of a
pickled copy per task. :func:`array_summary` reports which of the two a
worker received. :func:`joblib_scope` runs joblib calls so that they
leave nothing behind: no worker process and no temporary folder.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._checks import check_int

if TYPE_CHECKING:
    import numpy as np

__all__ = ["array_summary", "joblib_folder_parent", "joblib_scope"]

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
        raise TypeError("array must be a numpy.ndarray, got "
                        f"{type(array).__name__}")
    maps_file = (isinstance(array, np.memmap)
                 and getattr(array, "filename", None) is not None)
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
def joblib_scope(n_jobs: int) -> Iterator[str]:
    """Run the block's joblib calls on ``n_jobs`` workers; clean up after.

    Inside the block, ``Parallel()`` defaults to ``n_jobs`` workers and
    memory-maps large arrays into a fresh temporary folder, whose path the
    block receives. The folder goes where joblib itself would put it (see
    :func:`joblib_folder_parent`): ``/dev/shm`` only when it has more than
    2 GB free, so a container's small ``/dev/shm`` (64 MB under Docker's
    default) is never filled. On exit, loky's reusable workers, which
    joblib otherwise keeps alive for the next call, are shut down, and the
    folder is deleted with whatever joblib left in it.

    Raises:
        TypeError: ``n_jobs`` is not an int.
        ValueError: ``n_jobs < 1``.
    """
    from joblib import parallel_config
    from joblib.externals.loky import get_reusable_executor

    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    parent = joblib_folder_parent()
    with tempfile.TemporaryDirectory(prefix="multicore-guide-joblib-",
                                     dir=parent) as folder:
        try:
            with parallel_config(n_jobs=n_jobs, temp_folder=folder):
                yield folder
        finally:
            get_reusable_executor().shutdown(wait=True)
