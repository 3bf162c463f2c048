"""Which ways of running Python in parallel this interpreter offers.

Processes work everywhere. Threads run Python code in parallel only on a
free-threaded build (3.13t, 3.14t) with the GIL actually off.
``InterpreterPoolExecutor`` needs Python 3.14. The functions here say
which of these the running interpreter has, and why not when it has not,
so that a notebook can run what it can and plainly skip the rest.
"""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Callable, Iterable
from typing import Any

from ._checks import check_int

__all__ = [
    "appended",
    "free_threaded_build",
    "gil_enabled",
    "interpreter_pool_available",
    "map_on_interpreters",
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

    return sys.version_info >= (3, 14) and hasattr(concurrent.futures, "InterpreterPoolExecutor")


def runtime_support() -> dict[str, str]:
    """Map each parallel runtime to ``"available"`` or to ``"skipped: <why>"``."""
    support = {"processes (ProcessPoolExecutor)": "available"}
    threads = "threads running Python in parallel"
    if free_threaded_build() and not gil_enabled():
        support[threads] = "available: free-threaded build, GIL off"
    elif free_threaded_build():
        support[threads] = "skipped: free-threaded build, but the GIL was turned back on"
    else:
        support[threads] = f"skipped: {_python()} has the GIL; needs a free-threaded build (3.13t or 3.14t)"
    interpreters = "interpreters (InterpreterPoolExecutor)"
    if interpreter_pool_available():
        support[interpreters] = "available"
    else:
        support[interpreters] = f"skipped: needs Python 3.14 or newer; this is {_python()}"
    return support


def map_on_interpreters(fn: Callable[[Any], Any], items: Iterable[Any], workers: int) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed on an ``InterpreterPoolExecutor``.

    Each worker is a thread running its own interpreter, with its own GIL.
    ``fn`` and the items are pickled into the interpreter, as for a process
    pool, so ``fn`` must be importable and use only modules that support
    subinterpreters (many C extensions, NumPy among them, do not yet).

    Raises:
        TypeError: ``fn`` is not callable or ``workers`` is not an int.
        ValueError: ``workers < 1``.
        RuntimeError: this Python has no ``InterpreterPoolExecutor``.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    workers = check_int("workers", workers, minimum=1)
    if not interpreter_pool_available():
        raise RuntimeError(f"InterpreterPoolExecutor needs Python 3.14 or newer; this is {_python()}")
    # one implementation of the interpreter pool's map serves both chapters
    from .apis import map_with_interpreter_executor

    return map_with_interpreter_executor(fn, list(items), workers)
