"""Chapter 4, Start methods: which one a Python uses, and what each costs.

:func:`documented_default_start_method` says which start method the docs
name as the default for a platform and a Python version;
:func:`start_batch` times starting and joining one process with a given
context; :func:`import_numpy` is a task whose cost is the import it
triggers in a fresh child.
"""

from __future__ import annotations

from .checks import check_int

__all__ = [
    "documented_default_start_method",
    "import_numpy",
]


def documented_default_start_method(
    platform: str, version: tuple[int, ...]
) -> str:
    """Return the documented default start method for ``sys.platform`` and a version.

    Args:
        platform: a ``sys.platform`` value such as ``"linux"``, ``"darwin"``
            or ``"win32"``.
        version: ``(major, minor)`` or longer, e.g. ``sys.version_info[:2]``.

    Raises:
        TypeError: ``platform`` is not a string or ``version`` not a tuple of ints.
        ValueError: ``version`` is not a Python 3 version.
    """
    if not isinstance(platform, str):
        raise TypeError(
            f"platform must be a str, got {type(platform).__name__}"
        )
    if not isinstance(version, tuple) or len(version) < 2:
        raise TypeError(
            f"version must be a tuple such as (3, 12), got {version!r}"
        )
    major = check_int("major version", version[0], minimum=3)
    minor = check_int("minor version", version[1], minimum=0)
    if major != 3:
        raise ValueError(
            f"only Python 3 versions are known, got {major}.{minor}"
        )
    if platform == "win32":
        return "spawn"
    if platform == "darwin":
        return "spawn" if minor >= 8 else "fork"
    return "forkserver" if minor >= 14 else "fork"


def import_numpy() -> str:
    """Import NumPy and return its version: a child's start-up work.

    A forkserver child that runs this target pays for the import unless
    the server preloaded NumPy (``ctx.set_forkserver_preload(["numpy"])``);
    then the module is already in the forked child's memory. NumPy is
    imported here, inside the function, so that importing this module
    stays cheap.

    Raises:
        ImportError: NumPy is not installed.
    """
    import numpy

    return numpy.__version__
