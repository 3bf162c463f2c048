"""The fixed costs of going parallel: starting processes and sending tasks.

Chapters on start methods, pools, executors and performance all measure
these with the same two functions, so that their figures agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

from ._checks import check_int
from .contexts import get_context
from .timing import Timing, measure, timer
from .workers import noop

__all__ = ["MAP_APIS", "pool_default_chunksize", "start_cost", "time_map"]

MAP_APIS = ("Pool.map", "executor.map")


def start_cost(context: BaseContext | None = None, *, repeat: int = 5, warmup: int = 1) -> Timing:
    """Time starting one process that does nothing, and joining it, ``repeat`` times.

    ``warmup`` untimed starts come first: with forkserver, the very first
    start also launches the server, a one-off cost that would skew the median.

    Returns:
        A :class:`~multicore_guide.timing.Timing` labelled with the start method.

    Raises:
        TypeError, ValueError: ``repeat`` or ``warmup`` is not a count.
        RuntimeError: a child did not exit cleanly within 60 s.
    """
    repeat = check_int("repeat", repeat, minimum=1)
    warmup = check_int("warmup", warmup, minimum=0)
    ctx = context or get_context()
    timing = Timing(ctx.get_start_method())
    for run in range(warmup + repeat):
        with timer() as elapsed:
            child = ctx.Process(target=noop)
            child.start()
            child.join(timeout=60)
        if child.exitcode != 0:
            if child.is_alive():
                child.kill()
                child.join(timeout=10)
            raise RuntimeError(f"a {timing.label} child did not exit cleanly (exit code {child.exitcode})")
        if run >= warmup:
            timing.seconds.extend(elapsed.seconds)
    return timing


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
    api: str,
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    workers: int,
    chunksize: int | None = None,
    context: BaseContext | None = None,
    repeat: int = 3,
) -> Timing:
    """Time ``map(fn, items)`` on a warm pool, without the pool's start-up cost.

    ``api`` is ``"Pool.map"`` (a ``multiprocessing.Pool``) or
    ``"executor.map"`` (a ``ProcessPoolExecutor``), both built from
    ``context``. ``chunksize=None`` means each API's own default (see
    :func:`pool_default_chunksize`). The pool runs one untimed map first so
    that every worker has started before the clock runs.

    Returns:
        A :class:`~multicore_guide.timing.Timing` whose ``result`` is the list of answers.

    Raises:
        TypeError, ValueError: an unknown ``api``, an empty ``items``, or a
            count out of range.
    """
    if api not in MAP_APIS:
        raise ValueError(f"api must be one of {MAP_APIS}, got {api!r}")
    items = list(items)
    if not items:
        raise ValueError("items must not be empty")
    workers = check_int("workers", workers, minimum=1)
    if chunksize is not None:
        chunksize = check_int("chunksize", chunksize, minimum=1)
    ctx = context or get_context()
    label = f"{api}, chunksize {chunksize or 'default'}"
    if api == "Pool.map":
        size = chunksize or pool_default_chunksize(len(items), workers)
        with ctx.Pool(workers) as pool:
            pool.map_async(fn, items[:workers], 1).get(timeout=60)
            return measure(lambda: pool.map_async(fn, items, size).get(timeout=600), repeat=repeat, label=label)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        list(pool.map(fn, items[:workers], timeout=60))
        return measure(lambda: list(pool.map(fn, items, chunksize=chunksize or 1, timeout=600)), repeat=repeat, label=label)
