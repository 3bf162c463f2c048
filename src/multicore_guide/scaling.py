"""Speedup, efficiency and Amdahl's law, and the runs that measure them.

``run_map`` runs the same ``map`` serially, on threads or on processes.
``measure_scaling`` times it over several worker counts and checks that
every parallel run returns exactly what the serial run returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

import numpy as np

from ._checks import check_int, check_real
from .contexts import get_context
from .timing import Timing, measure_rounds

__all__ = [
    "KINDS",
    "Scaling",
    "amdahl_speedup",
    "efficiency",
    "fit_amdahl",
    "measure_scaling",
    "run_map",
    "speedup",
    "time_each_kind",
]

KINDS = ("serial", "threads", "processes")


def run_map(
    kind: str,
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int = 1,
    *,
    context: BaseContext | None = None,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed the way ``kind`` says.

    ``kind`` is ``"serial"`` (a plain loop), ``"threads"`` (a
    ``ThreadPoolExecutor``) or ``"processes"`` (a ``ProcessPoolExecutor``
    built from ``context``, by default :func:`multicore_guide.contexts.get_context`).
    The pool is created and shut down inside the call, so its start-up cost
    is part of any timing and no worker outlives the call.

    Raises:
        TypeError: ``fn`` is not callable or ``workers`` is not an int.
        ValueError: ``kind`` is unknown or ``workers < 1``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    workers = check_int("workers", workers, minimum=1)
    if kind == "serial":
        return [fn(item) for item in items]
    if kind == "threads":
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context or get_context()) as pool:
        return list(pool.map(fn, items))


def time_each_kind(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    repeat: int = 3,
) -> dict[str, Timing]:
    """Time :func:`run_map` for each kind in :data:`KINDS` on the same items, in interleaved rounds.

    Returns:
        A dict from kind to its :class:`~multicore_guide.timing.Timing`, in
        the order of ``KINDS``; each timing's ``result`` is the list of
        answers, so the caller can check that all kinds agree.

    Raises:
        TypeError, ValueError: as for :func:`run_map` and
            :func:`multicore_guide.timing.measure`.
    """
    items = list(items)
    jobs = {kind: partial(run_map, kind, fn, items, workers, context=context) for kind in KINDS}
    return measure_rounds(jobs, repeat=repeat)


def speedup(serial_seconds: float, parallel_seconds: float) -> float:
    """Return ``serial_seconds / parallel_seconds``.

    Raises:
        TypeError: an argument is not a real number.
        ValueError: an argument is not positive.
    """
    serial_seconds = check_real("serial_seconds", serial_seconds, minimum=0.0, inclusive_minimum=False)
    parallel_seconds = check_real("parallel_seconds", parallel_seconds, minimum=0.0, inclusive_minimum=False)
    return serial_seconds / parallel_seconds


def efficiency(speedup_value: float, workers: int) -> float:
    """Return ``speedup_value / workers``: 1.0 means every worker was fully used.

    Raises:
        TypeError: ``speedup_value`` is not real or ``workers`` is not an int.
        ValueError: ``speedup_value <= 0`` or ``workers < 1``.
    """
    speedup_value = check_real("speedup_value", speedup_value, minimum=0.0, inclusive_minimum=False)
    workers = check_int("workers", workers, minimum=1)
    return speedup_value / workers


def amdahl_speedup(parallel_fraction: float, workers: int | Sequence[int] | np.ndarray) -> float | np.ndarray:
    """Amdahl's law: the speedup on ``workers`` cores when a fraction ``p`` of the work parallelises.

    ``S(n) = 1 / ((1 - p) + p / n)``. ``workers`` may be one count or an
    array of counts; the result has the same shape.

    Raises:
        TypeError: ``parallel_fraction`` is not a real number.
        ValueError: ``parallel_fraction`` is outside [0, 1] or a worker count is below 1.
    """
    p = check_real("parallel_fraction", parallel_fraction, minimum=0.0, maximum=1.0)
    if np.isscalar(workers):
        n = check_int("workers", workers, minimum=1)
        return 1.0 / ((1.0 - p) + p / n)
    n = np.asarray(workers, dtype=float)
    if n.size == 0 or np.any(n < 1):
        raise ValueError("workers must be a non-empty array of counts >= 1")
    return 1.0 / ((1.0 - p) + p / n)


def fit_amdahl(workers: Sequence[int], speedups: Sequence[float]) -> float:
    """Return the parallel fraction ``p`` in [0, 1] that best explains measured speedups.

    Amdahl's law is linear in ``p`` once inverted:
    ``1/S = 1 - p * (1 - 1/n)``, so ``p`` comes from a one-parameter least
    squares fit of ``1 - 1/S`` against ``1 - 1/n``. Pass only worker counts
    that do not exceed the number of cores: past that, the workers share
    cores and the law does not apply.

    Raises:
        ValueError: the sequences differ in length, hold fewer than one
            point with ``n > 1``, or hold a non-positive speedup or a count below 1.
    """
    n = np.asarray(workers, dtype=float)
    s = np.asarray(speedups, dtype=float)
    if n.shape != s.shape or n.ndim != 1:
        raise ValueError("workers and speedups must be 1-D sequences of the same length")
    if np.any(n < 1) or np.any(s <= 0):
        raise ValueError("worker counts must be >= 1 and speedups > 0")
    x = 1.0 - 1.0 / n
    if not np.any(x > 0):
        raise ValueError("fit_amdahl needs at least one measurement with more than one worker")
    y = 1.0 - 1.0 / s
    p = float(np.dot(x, y) / np.dot(x, x))
    return min(max(p, 0.0), 1.0)


@dataclass
class Scaling:
    """Timings of one job on a serial loop and on pools of several sizes.

    Attributes:
        serial: the serial run's :class:`~multicore_guide.timing.Timing`.
        workers: the pool sizes, in the order they ran.
        parallel: one ``Timing`` per pool size.
    """

    serial: Timing
    workers: list[int]
    parallel: list[Timing]

    @property
    def speedups(self) -> list[float]:
        """Median serial time over median parallel time, for each pool size."""
        return [speedup(self.serial.median, t.median) for t in self.parallel]

    @property
    def efficiencies(self) -> list[float]:
        """Speedup divided by pool size, for each pool size."""
        return [efficiency(s, n) for s, n in zip(self.speedups, self.workers)]

    def rows(self) -> list[dict[str, float]]:
        """One dict per pool size: workers, seconds, speedup and efficiency, rounded for display."""
        return [
            {"workers": n, "seconds": round(t.median, 3), "speedup": round(s, 2), "efficiency": round(e, 2)}
            for n, t, s, e in zip(self.workers, self.parallel, self.speedups, self.efficiencies)
        ]


def measure_scaling(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    worker_counts: Sequence[int],
    *,
    context: BaseContext | None = None,
    repeat: int = 3,
) -> Scaling:
    """Time ``map(fn, items)`` serially and on a process pool of each size in ``worker_counts``.

    The runs go in interleaved rounds (see
    :func:`multicore_guide.timing.measure_rounds`), ``repeat`` rounds in all.

    Every parallel result is compared with the serial one, so a speedup is
    only ever reported for a correct answer.

    Raises:
        TypeError, ValueError: bad arguments, as for :func:`run_map` and
            :func:`multicore_guide.timing.measure`; an empty ``worker_counts``.
        RuntimeError: a parallel run returned something other than the serial result.
    """
    items = list(items)
    counts = [check_int("worker count", n, minimum=1) for n in worker_counts]
    if not counts:
        raise ValueError("worker_counts must not be empty")
    if len(set(counts)) != len(counts):
        raise ValueError(f"worker_counts must not repeat a count, got {counts}")
    jobs = {"serial": partial(run_map, "serial", fn, items)}
    for n in counts:
        jobs[f"{n} workers"] = partial(run_map, "processes", fn, items, n, context=context)
    timings = measure_rounds(jobs, repeat=repeat)
    serial = timings.pop("serial")
    for n, timing in zip(counts, timings.values()):
        if timing.result != serial.result:
            raise RuntimeError(f"the run on {n} workers returned a different result from the serial run")
    return Scaling(serial=serial, workers=counts, parallel=list(timings.values()))
