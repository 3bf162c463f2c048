"""Measuring a parallel map: run it, time it, and turn the times into speedups.

``run_map`` runs the same ``map`` serially, on threads or on processes
(the three ways in :data:`WAYS`). ``time_map`` times one map through
``Pool.map`` or ``executor.map`` (:data:`MAP_WAYS`).
``measure_scaling`` times a map over several worker counts and checks
that every parallel run returns exactly what the serial run returned.
``speedup``, ``efficiency`` and Amdahl's law (``amdahl_speedup``,
``fit_amdahl``) turn those times into the figures the chapters report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

import numpy as np

from .checks import check_int, check_real
from .machine import get_context
from .timing import Timing, measure, measure_rounds, timer
from .workers import noop

__all__ = [
    "WAYS",
    "MAP_WAYS",
    "Scaling",
    "amdahl_speedup",
    "efficiency",
    "fit_amdahl",
    "measure_scaling",
    "pool_default_chunksize",
    "run_map",
    "speedup",
    "start_batch",
    "time_each_way",
    "time_map",
]


WAYS = ("serial", "threads", "processes")


def run_map(
    way: str,
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int = 1,
    *,
    context: BaseContext | None = None,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed the way ``way`` says.

    ``way`` is ``"serial"`` (a plain loop), ``"threads"`` (a
    ``ThreadPoolExecutor``) or ``"processes"`` (a ``ProcessPoolExecutor``
    built from ``context``, by default :func:`multicore_guide.machine.get_context`).
    The pool is created and shut down inside the call, so its start-up cost
    is part of any timing and no worker outlives the call.

    Raises:
        TypeError: ``fn`` is not callable or ``workers`` is not an int.
        ValueError: ``way`` is unknown or ``workers < 1``.
    """
    if way not in WAYS:
        raise ValueError(f"way must be one of {WAYS}, got {way!r}")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    workers = check_int("workers", workers, minimum=1)
    if way == "serial":
        return [fn(item) for item in items]
    if way == "threads":
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context or get_context()
    ) as pool:
        return list(pool.map(fn, items))


def time_each_way(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    repeat: int = 3,
) -> dict[str, Timing]:
    """Time :func:`run_map` for each way in :data:`WAYS` on the same items, in interleaved rounds.

    Returns:
        A dict from way to its :class:`~multicore_guide.timing.Timing`, in
        the order of ``WAYS``; each timing's ``result`` is the list of
        answers, so the caller can check that all kinds agree.

    Raises:
        TypeError, ValueError: as for :func:`run_map` and
            :func:`multicore_guide.timing.measure`.
    """
    items = list(items)
    jobs = {
        way: partial(run_map, way, fn, items, workers, context=context)
        for way in WAYS
    }
    return measure_rounds(jobs, repeat=repeat)


def speedup(serial_seconds: float, parallel_seconds: float) -> float:
    """Return ``serial_seconds / parallel_seconds``.

    Raises:
        TypeError: an argument is not a real number.
        ValueError: an argument is not positive.
    """
    serial_seconds = check_real(
        "serial_seconds", serial_seconds, minimum=0.0, inclusive_minimum=False
    )
    parallel_seconds = check_real(
        "parallel_seconds",
        parallel_seconds,
        minimum=0.0,
        inclusive_minimum=False,
    )
    return serial_seconds / parallel_seconds


def efficiency(speedup_value: float, workers: int) -> float:
    """Return ``speedup_value / workers``: 1.0 means every worker was fully used.

    Raises:
        TypeError: ``speedup_value`` is not real or ``workers`` is not an int.
        ValueError: ``speedup_value <= 0`` or ``workers < 1``.
    """
    speedup_value = check_real(
        "speedup_value", speedup_value, minimum=0.0, inclusive_minimum=False
    )
    workers = check_int("workers", workers, minimum=1)
    return speedup_value / workers


def amdahl_speedup(
    parallel_fraction: float, workers: int | Sequence[int] | np.ndarray
) -> float | np.ndarray:
    """Amdahl's law: the speedup on ``workers`` cores when a fraction ``p`` of the work parallelises.

    ``S(n) = 1 / ((1 - p) + p / n)``. ``workers`` may be one count or an
    array of counts; the result has the same shape.

    Raises:
        TypeError: ``parallel_fraction`` is not a real number.
        ValueError: ``parallel_fraction`` is outside [0, 1] or a worker count is below 1.
    """
    p = check_real(
        "parallel_fraction", parallel_fraction, minimum=0.0, maximum=1.0
    )
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
        raise ValueError(
            "workers and speedups must be 1-D sequences of the same length"
        )
    if np.any(n < 1) or np.any(s <= 0):
        raise ValueError("worker counts must be >= 1 and speedups > 0")
    x = 1.0 - 1.0 / n
    if not np.any(x > 0):
        raise ValueError(
            "fit_amdahl needs at least one measurement with more than one worker"
        )
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
            {
                "workers": n,
                "seconds": round(t.median, 3),
                "speedup": round(s, 2),
                "efficiency": round(e, 2),
            }
            for n, t, s, e in zip(
                self.workers, self.parallel, self.speedups, self.efficiencies
            )
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
        raise ValueError(
            f"worker_counts must not repeat a count, got {counts}"
        )
    jobs = {"serial": partial(run_map, "serial", fn, items)}
    for n in counts:
        jobs[f"{n} workers"] = partial(
            run_map, "processes", fn, items, n, context=context
        )
    timings = measure_rounds(jobs, repeat=repeat)
    serial = timings.pop("serial")
    for n, timing in zip(counts, timings.values()):
        if timing.result != serial.result:
            raise RuntimeError(
                f"the run on {n} workers returned a different result from the serial run"
            )
    return Scaling(
        serial=serial, workers=counts, parallel=list(timings.values())
    )


MAP_WAYS = ("Pool.map", "executor.map")


def pool_default_chunksize(n_tasks: int, workers: int) -> int:
    """Return the chunksize ``multiprocessing.Pool.map`` picks when given none.

    CPython splits the tasks into about four chunks per worker:
    ``ceil(n_tasks / (4 * workers))`` (``Pool._map_async`` in
    ``Lib/multiprocessing/pool.py``). ``ProcessPoolExecutor.map`` has no such
    rule: its default chunksize is 1.

    Raises:
        TypeError, ValueError: ``n_tasks < 0`` or ``workers < 1``.
    """
    n_tasks = check_int("n_tasks", n_tasks, minimum=0)
    workers = check_int("workers", workers, minimum=1)
    chunksize, extra = divmod(n_tasks, workers * 4)
    return chunksize + 1 if extra else chunksize


def time_map(
    way: str,
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    workers: int,
    chunksize: int | None = None,
    context: BaseContext | None = None,
    repeat: int = 3,
) -> Timing:
    """Time ``map(fn, items)`` on a warm pool, without the pool's start-up cost.

    ``way`` is ``"Pool.map"`` (a ``multiprocessing.Pool``) or
    ``"executor.map"`` (a ``ProcessPoolExecutor``), both built from
    ``context``. ``chunksize=None`` means each API's own default (see
    :func:`pool_default_chunksize`). The pool runs one untimed map first so
    that every worker has started before the clock runs.

    Returns:
        A :class:`~multicore_guide.timing.Timing` whose ``result`` is the list of answers.

    Raises:
        TypeError, ValueError: an unknown ``way``, an empty ``items``, or a
            count out of range.
    """
    if way not in MAP_WAYS:
        raise ValueError(f"way must be one of {MAP_WAYS}, got {way!r}")
    items = list(items)
    if not items:
        raise ValueError("items must not be empty")
    workers = check_int("workers", workers, minimum=1)
    if chunksize is not None:
        chunksize = check_int("chunksize", chunksize, minimum=1)
    ctx = context or get_context()
    label = f"{way}, chunksize {chunksize or 'default'}"
    if way == "Pool.map":
        size = chunksize or pool_default_chunksize(len(items), workers)
        with ctx.Pool(workers) as pool:
            pool.map_async(fn, items[:workers], 1).get(timeout=60)
            return measure(
                lambda: pool.map_async(fn, items, size).get(timeout=600),
                repeat=repeat,
                label=label,
            )
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        list(pool.map(fn, items[:workers], timeout=60))
        return measure(
            lambda: list(
                pool.map(fn, items, chunksize=chunksize or 1, timeout=600)
            ),
            repeat=repeat,
            label=label,
        )


def start_batch(
    context: BaseContext | None = None,
    *,
    workers: int = 1,
    repeat: int = 3,
    warmup: int = 1,
) -> Timing:
    """Time starting ``workers`` children that do nothing, then joining them
    all, ``repeat`` times.

    All the children are started before the first is joined, as a pool
    starts its workers. ``warmup`` untimed batches come first: with
    forkserver, the very first start also launches the server, a one-off
    cost that would skew the median.

    Returns:
        A :class:`~multicore_guide.timing.Timing` labelled with the start
        method, and ``"<method> x <workers>"`` for more than one child.

    Raises:
        TypeError, ValueError: a count is out of range.
        RuntimeError: a child did not exit cleanly within 60 s.
    """
    workers = check_int("workers", workers, minimum=1)
    repeat = check_int("repeat", repeat, minimum=1)
    warmup = check_int("warmup", warmup, minimum=0)
    ctx = context or get_context()
    method = ctx.get_start_method()
    timing = Timing(method if workers == 1 else f"{method} x {workers}")
    for run in range(warmup + repeat):
        with timer() as elapsed:
            children = [ctx.Process(target=noop) for _ in range(workers)]
            for child in children:
                child.start()
            for child in children:
                child.join(timeout=60)
        stuck = [child for child in children if child.exitcode != 0]
        for child in stuck:
            if child.is_alive():
                child.kill()
                child.join(timeout=10)
        if stuck:
            raise RuntimeError(
                f"{len(stuck)} of {workers} children did not exit cleanly"
            )
        if run >= warmup:
            timing.seconds.extend(elapsed.seconds)
    return timing
