"""One way to time things, used by every chapter.

``measure(fn, *args, repeat=3)`` runs a callable several times and returns a
:class:`Timing`. ``timer()`` times a block of code in a ``with`` statement.
``measure_rounds(jobs)`` times several jobs that are to be compared, in
interleaved rounds. All use ``time.perf_counter`` and give back
:class:`Timing` objects, so a notebook never juggles pairs of
``perf_counter()`` calls.

Timings vary from run to run; report the median of a few repeats, and
compare ratios measured in the same run rather than absolute seconds. On a
shared machine the speed also drifts over seconds, which is why
``measure_rounds`` runs job A, then B, then C, and again, rather than all the
runs of A before any run of B: a slow spell then hits every job alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .checks import check_int

__all__ = [
    "Timing",
    "measure",
    "measure_rounds",
    "timer",
]


@dataclass
class Timing:
    """Wall-clock times, in seconds, of one or more runs of the same work.

    Attributes:
        label: what was timed.
        seconds: the time of each run, in the order they ran.
        result: the value the last run returned (``None`` for a block).
    """

    label: str
    seconds: list[float] = field(default_factory=list)
    result: Any = field(default=None, repr=False)

    @property
    def median(self) -> float:
        """The median time in seconds; the figure to report."""
        self._require_runs()
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        """The shortest time in seconds."""
        self._require_runs()
        return min(self.seconds)

    @property
    def runs(self) -> int:
        """How many runs were timed."""
        return len(self.seconds)

    def _require_runs(self) -> None:
        if not self.seconds:
            raise ValueError(f"{self.label!r} has no timed runs yet")

    def __str__(self) -> str:
        if not self.seconds:
            return f"{self.label}: not timed yet"
        runs = "1 run" if self.runs == 1 else f"median of {self.runs} runs"
        return f"{self.label}: {self.median:.3f} s ({runs})"


def measure(
    fn: Callable[..., Any],
    *args: Any,
    repeat: int = 3,
    warmup: int = 0,
    label: str | None = None,
    **kwargs: Any,
) -> Timing:
    """Call ``fn(*args, **kwargs)`` ``warmup + repeat`` times; time the last ``repeat``.

    Returns:
        A :class:`Timing` whose ``result`` is the value of the last call.

    Raises:
        TypeError: ``fn`` is not callable, or ``repeat``/``warmup`` is not an int.
        ValueError: ``repeat < 1`` or ``warmup < 0``.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    repeat = check_int("repeat", repeat, minimum=1)
    warmup = check_int("warmup", warmup, minimum=0)
    timing = Timing(
        label if label is not None else getattr(fn, "__name__", repr(fn))
    )
    for _ in range(warmup):
        fn(*args, **kwargs)
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        timing.seconds.append(time.perf_counter() - start)
    timing.result = result
    return timing


def measure_rounds(
    jobs: Mapping[str, Callable[[], Any]], *, repeat: int = 3
) -> dict[str, Timing]:
    """Time each zero-argument callable in ``jobs`` once per round, for ``repeat`` rounds.

    Use ``functools.partial`` to turn a call with arguments into a job.

    Returns:
        A dict from each job's name to its :class:`Timing`, in the order of
        ``jobs``; each ``result`` is the value of that job's last call.

    Raises:
        TypeError: a job is not callable or ``repeat`` is not an int.
        ValueError: ``jobs`` is empty or ``repeat < 1``.
    """
    repeat = check_int("repeat", repeat, minimum=1)
    if not jobs:
        raise ValueError("jobs must hold at least one callable")
    for name, job in jobs.items():
        if not callable(job):
            raise TypeError(
                f"job {name!r} must be callable, got {type(job).__name__}"
            )
    timings = {name: Timing(name) for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            one = measure(job, repeat=1, label=name)
            timings[name].seconds.extend(one.seconds)
            timings[name].result = one.result
    return timings


@contextmanager
def timer(label: str = "block") -> Iterator[Timing]:
    """Time the body of a ``with`` block; the :class:`Timing` fills in when it ends.

    Example::

        with timer("serial") as t:
            total = sum(range(10**6))
        t.median  # seconds the block took

    Raises:
        TypeError: ``label`` is not a string.
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    timing = Timing(label)
    start = time.perf_counter()
    try:
        yield timing
    finally:
        timing.seconds.append(time.perf_counter() - start)
