"""Serial against parallel, with a new pool and with a warm one.

A script that runs one job pays for starting its pool every time; a
long-running program starts its pool once and reuses it. Both speedups are
real, for different programs, so :func:`time_serial_and_pools` measures
them side by side, in interleaved rounds, and checks that every parallel
answer equals the serial one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

from ._checks import check_int
from .contexts import get_context
from .scaling import run_map
from .timing import Timing, measure_rounds

__all__ = ["POOL_KINDS", "speedups_over_serial", "time_serial_and_pools"]

# the jobs time_serial_and_pools compares, in the order it runs them
POOL_KINDS = ("serial", "threads", "new pool", "warm pool")


def time_serial_and_pools(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    repeat: int = 3,
    threads: bool = False,
    same: Callable[[list, list], bool] = operator.eq,
) -> dict[str, Timing]:
    """Time ``[fn(x) for x in items]`` serially and on ``workers`` processes.

    The jobs, each timed once per round for ``repeat`` rounds:

    - ``"serial"``: a plain loop;
    - ``"threads"`` (only with ``threads=True``): a ``ThreadPoolExecutor``;
    - ``"new pool"``: a ``ProcessPoolExecutor`` started and shut down inside
      the timing, as a script that runs once would;
    - ``"warm pool"``: ``map`` on one ``ProcessPoolExecutor`` that was
      started, and ran ``fn`` once per worker, before the clock started.

    Returns:
        A dict from job name to :class:`~multicore_guide.timing.Timing`, in
        the order above; each ``result`` is the list of answers.

    Raises:
        TypeError, ValueError: bad arguments, as for
            :func:`multicore_guide.scaling.run_map` and
            :func:`multicore_guide.timing.measure_rounds`; empty ``items``.
        RuntimeError: a parallel job's answers are not ``same`` as the serial ones.
    """
    items = list(items)
    if not items:
        raise ValueError("items must not be empty")
    workers = check_int("workers", workers, minimum=1)
    if not callable(same):
        raise TypeError(f"same must be callable, got {type(same).__name__}")
    ctx = context or get_context()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        # start every worker and let it import what fn needs, untimed
        list(pool.map(fn, items[:workers], timeout=600))
        jobs: dict[str, Callable[[], Any]] = {"serial": partial(run_map, "serial", fn, items)}
        if threads:
            jobs["threads"] = partial(run_map, "threads", fn, items, workers)
        jobs["new pool"] = partial(run_map, "processes", fn, items, workers, context=ctx)
        jobs["warm pool"] = lambda: list(pool.map(fn, items, timeout=600))
        timings = measure_rounds(jobs, repeat=repeat)
    serial = timings["serial"].result
    for name, timing in timings.items():
        if name != "serial" and not same(timing.result, serial):
            raise RuntimeError(f"the {name!r} run returned a different result from the serial run")
    return timings


def speedups_over_serial(timings: dict[str, Timing]) -> dict[str, float]:
    """Return each non-serial job's speedup, median serial time over its median time.

    ``timings`` is what :func:`time_serial_and_pools` returns (or any dict
    of :class:`~multicore_guide.timing.Timing` with a ``"serial"`` entry).

    Raises:
        KeyError: ``timings`` has no ``"serial"`` entry.
        ValueError: a timing has no runs.
    """
    serial = timings["serial"].median
    return {name: serial / timing.median for name, timing in timings.items() if name != "serial"}
