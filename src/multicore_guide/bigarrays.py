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

__all__ = ["array_summary", "joblib_scope"]


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
        raise TypeError(f"array must be a numpy.ndarray, got {type(array).__name__}")
    maps_file = isinstance(array, np.memmap) and getattr(array, "filename", None) is not None
    return type(array).__name__, maps_file, float(array.sum())


@contextmanager
def joblib_scope(n_jobs: int) -> Iterator[str]:
    """Run the joblib calls in the block on ``n_jobs`` workers, and clean up after them.

    Inside the block, ``Parallel()`` defaults to ``n_jobs`` workers and
    memory-maps large arrays into a fresh temporary folder (in ``/dev/shm``
    where it exists), whose path the block receives. On exit, loky's
    reusable workers, which joblib otherwise keeps alive for the next call,
    are shut down, and the folder is deleted with whatever joblib left in it.

    Raises:
        TypeError: ``n_jobs`` is not an int.
        ValueError: ``n_jobs < 1``.
    """
    from joblib import parallel_config
    from joblib.externals.loky import get_reusable_executor

    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="multicore-guide-joblib-", dir=shm) as folder:
        try:
            with parallel_config(n_jobs=n_jobs, temp_folder=folder):
                yield folder
        finally:
            get_reusable_executor().shutdown(wait=True)
