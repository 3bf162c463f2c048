"""Workers that read a large NumPy array, to show how it reaches them.

joblib hands an array larger than its ``max_nbytes`` threshold to its
workers as a read-only ``numpy.memmap`` of one shared file instead of a
pickled copy per task. :func:`array_summary` reports which of the two a
worker received.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["array_summary"]


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
