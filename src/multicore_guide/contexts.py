"""Choosing a start method on purpose.

Python's default start method depends on the platform and the version:
fork on Linux up to 3.13, forkserver on Linux from 3.14, spawn on macOS
(from 3.8) and on Windows. Code that relies on the default behaves
differently from one machine to the next. Every pool in this book is built
from an explicit context instead, usually the one :func:`get_context`
returns.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

__all__ = ["available_methods", "get_context"]


# the book's order; 3.14 lists the platform's default first, so the order of
# multiprocessing.get_all_start_methods() depends on the Python version
_METHOD_ORDER = ("fork", "spawn", "forkserver")


def available_methods() -> list[str]:
    """Return the standard start methods this platform supports.

    For example ``['fork', 'spawn', 'forkserver']`` on Linux. The order is
    the same on every Python version: fork, spawn, forkserver, less those
    the platform lacks. Methods that other packages register (joblib's
    loky adds ``loky`` and ``loky_init_main``, which 3.14 then lists too)
    are left out.
    """
    supported = multiprocessing.get_all_start_methods()
    return [m for m in _METHOD_ORDER if m in supported]


def get_context(method: str | None = None) -> BaseContext:
    """Return a multiprocessing context for ``method``, never the implicit
    default.

    With ``method=None`` the choice is ``"forkserver"`` where the platform
    has it (Linux and macOS) and ``"spawn"`` elsewhere (Windows). Both start
    children that import the function they run by name, which is how
    Python 3.14 behaves on every platform, so code tested with this context
    keeps working wherever it goes.

    Raises:
        TypeError: ``method`` is not a string or ``None``.
        ValueError: ``method`` is not a start method this platform supports.
    """
    methods = available_methods()
    if method is None:
        method = "forkserver" if "forkserver" in methods else "spawn"
    if not isinstance(method, str):
        raise TypeError(
            f"method must be a str or None, got {type(method).__name__}"
        )
    if method not in methods:
        raise ValueError(
            f"start method {method!r} is not available here; "
            f"choose one of {methods}"
        )
    return multiprocessing.get_context(method)
