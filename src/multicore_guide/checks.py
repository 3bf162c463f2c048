"""Argument checks shared by the package's public functions.

Each check raises ``TypeError`` for a value of the wrong type and
``ValueError`` for a value of the right type that is out of range, with a
message that names the argument.
"""

from __future__ import annotations

import numbers

__all__ = ["check_bounds", "check_int", "check_real"]


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` if it is an integer no smaller than ``minimum``.

    ``bool`` is rejected even though it is a subclass of ``int``: passing
    ``True`` as a worker count is always a mistake.

    Raises:
        TypeError: ``value`` is not an integer.
        ValueError: ``value`` is smaller than ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_real(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    inclusive_minimum: bool = True,
) -> float:
    """Return ``value`` as a float if it is a real number within the bounds.

    Raises:
        TypeError: ``value`` is not a real number (``bool`` included).
        ValueError: ``value`` is NaN or lies outside the bounds.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__}"
        )
    value = float(value)
    if value != value:  # NaN is the only value not equal to itself
        raise ValueError(f"{name} must not be NaN")
    if minimum is not None:
        too_small = value < minimum if inclusive_minimum else value <= minimum
        if too_small:
            relation = ">=" if inclusive_minimum else ">"
            raise ValueError(
                f"{name} must be {relation} {minimum}, got {value}"
            )
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_bounds(name: str, value: object) -> tuple[int, int]:
    """Return ``value`` as a ``(start, stop)`` pair of ints with ``0 <= start <= stop``.

    Raises:
        TypeError: ``value`` is not a tuple of two ints.
        ValueError: ``start`` is negative or ``stop < start``.
    """
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"{name} must be a (start, stop) tuple, got {value!r}")
    start = check_int("start", value[0], minimum=0)
    stop = check_int("stop", value[1], minimum=0)
    if stop < start:
        raise ValueError(
            f"{name}: stop must be >= start, got start={start}, stop={stop}"
        )
    return start, stop
