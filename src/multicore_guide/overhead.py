"""Chapter 10, Overhead: what each piece of going parallel costs.

The functions here sweep a size (how many processes, how many bytes, how
long a task) so that the chapter can plot a cost against it and find where
going parallel stops paying: :func:`measure_transfer`,
:func:`measure_granularity` (and ``measuring.start_batch``).

A small model puts the measured costs together: :func:`predict_map_seconds`
predicts the wall time of a parallel map from a pool start cost per worker
and a cost per chunk, :func:`predict_speedup` its speedup over the loop,
:func:`chunk_cost_from_map` reads the cost per chunk off a measured map,
and :func:`overhead_explorer` draws the predicted speedup with sliders.

They also show NumPy's BLAS threads inside worker processes, and how to
limit them: a pool of one process per core, each running a BLAS with one
thread per core, asks for cores x cores threads. ``threadpoolctl`` reads
and sets those counts at run time; :func:`limit_blas_threads` is the pool
initializer that applies a limit in each worker.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

import numpy as np

from .checks import check_int, check_real
from .machine import get_context
from .measuring import speedup
from .timing import Timing, measure, measure_rounds
from .workers import burn_cpu

__all__ = [
    "Granularity",
    "Transfer",
    "blas_threads",
    "calibrate_burn",
    "chunk_cost_from_map",
    "echo",
    "limit_blas_threads",
    "matmul_checksum",
    "measure_blas_split",
    "measure_granularity",
    "measure_transfer",
    "overhead_explorer",
    "pickle_round_trip",
    "predict_map_seconds",
    "predict_speedup",
]


def echo(value: Any) -> Any:
    """Return ``value`` unchanged: a task that costs nothing but its round
    trip."""
    return value


def pickle_round_trip(value: Any) -> Any:
    """Return ``pickle.loads(pickle.dumps(value))`` with the highest protocol:
    what a task's argument goes through."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@dataclass
class Transfer:
    """Times to move a float64 array of each size, pickled in-process and through
    a pool.

    Attributes:
        nbytes: the sizes of the arrays, in bytes.
        pickled: one :class:`~multicore_guide.timing.Timing` per size for
            ``pickle.loads(pickle.dumps(array))`` in this process.
        pool: one ``Timing`` per size for ``pool.submit(echo, array).result()``
            on a warm one-worker pool: there and back.
    """

    nbytes: list[int]
    pickled: list[Timing] = field(default_factory=list)
    pool: list[Timing] = field(default_factory=list)

    def rows(self) -> list[dict[str, float]]:
        """One dict per size: bytes, and the median times in milliseconds, rounded
        for display."""
        return [
            {
                "bytes": n,
                "pickle ms": round(1000 * p.median, 3),
                "pool ms": round(1000 * q.median, 3),
            }
            for n, p, q in zip(self.nbytes, self.pickled, self.pool)
        ]


def measure_transfer(
    nbytes: Sequence[int],
    *,
    context: BaseContext | None = None,
    repeat: int = 5,
    timeout: float = 60.0,
) -> Transfer:
    """Time the round trip of a float64 array of each size in ``nbytes``: pickled
    here, and through a pool.

    For each size, the two jobs run in interleaved rounds (see
    :func:`multicore_guide.timing.measure_rounds`). The pool has one worker
    and is started and warmed once, before any clock runs. Every echoed
    array is checked against the one sent.

    Raises:
        TypeError, ValueError: a size is not a count of at least 8 bytes,
            ``nbytes`` is empty, or ``repeat < 1``.
        RuntimeError: an array came back changed.
    """
    sizes = [check_int("nbytes", n, minimum=8) for n in nbytes]
    if not sizes:
        raise ValueError("nbytes must hold at least one size")
    repeat = check_int("repeat", repeat, minimum=1)
    transfer = Transfer(nbytes=sizes)
    rng = np.random.default_rng(0)
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context or get_context()
    ) as pool:
        pool.submit(echo, None).result(timeout=timeout)
        for size in sizes:
            array = rng.random(size // 8)
            jobs = {
                "pickle": partial(pickle_round_trip, array),
                "pool": lambda array=array: pool.submit(echo, array).result(
                    timeout=timeout
                ),
            }
            timings = measure_rounds(jobs, repeat=repeat)
            if not all(
                np.array_equal(t.result, array) for t in timings.values()
            ):
                raise RuntimeError(
                    f"an array of {size} bytes came back changed"
                )
            transfer.pickled.append(timings["pickle"])
            transfer.pool.append(timings["pool"])
    return transfer


def calibrate_burn(
    seconds: float, *, probe: int = 200_000, repeat: int = 3
) -> int:
    """Return how many :func:`~multicore_guide.workers.burn_cpu` iterations take
    about ``seconds`` here.

    Times ``burn_cpu(probe)`` (median of ``repeat`` runs) and scales. The
    answer is at least 1.

    Raises:
        TypeError, ValueError: ``seconds`` is not positive, or a count is out
            of range.
    """
    seconds = check_real(
        "seconds", seconds, minimum=0.0, inclusive_minimum=False
    )
    probe = check_int("probe", probe, minimum=1)
    timing = measure(burn_cpu, probe, repeat=repeat, warmup=1)
    return max(1, round(seconds * probe / timing.median))


@dataclass
class Granularity:
    """A task-size sweep: the same total work, cut into tasks of several lengths.

    Attributes:
        task_seconds: the length of one task as measured serially, per size.
        tasks: how many tasks each size was cut into.
        timings: for each API name (``"serial"``, ``"executor.map"``,
            ``"Pool.map"``), one :class:`~multicore_guide.timing.Timing` per
            size.
        workers: the pool size.
    """

    task_seconds: list[float]
    tasks: list[int]
    timings: dict[str, list[Timing]]
    workers: int

    def speedups(self, way: str) -> list[float]:
        """The median serial time over the median time of ``way``, per task size.

        Raises:
            KeyError: ``way`` was not measured.
        """
        return [
            speedup(s.median, t.median)
            for s, t in zip(self.timings["serial"], self.timings[way])
        ]

    def crossover(self, way: str) -> float | None:
        """Return the shortest task length from which ``way`` beats the serial
        loop at every longer length.

        ``None`` when even the longest task is slower in parallel.

        Raises:
            KeyError: ``way`` was not measured.
        """
        answer = None
        for seconds, gain in sorted(
            zip(self.task_seconds, self.speedups(way)), reverse=True
        ):
            if gain < 1.0:
                break
            answer = seconds
        return answer

    def rows(self) -> list[dict[str, Any]]:
        """One dict per task size: task length in µs, tasks, and each API's
        speedup, rounded."""
        apis = [name for name in self.timings if name != "serial"]
        return [
            {
                "task µs": round(1e6 * s, 1),
                "tasks": n,
                **{api: round(self.speedups(api)[i], 2) for api in apis},
            }
            for i, (s, n) in enumerate(zip(self.task_seconds, self.tasks))
        ]


def measure_granularity(
    task_seconds: Sequence[float],
    *,
    workers: int,
    total_seconds: float = 0.05,
    context: BaseContext | None = None,
    repeat: int = 3,
    timeout: float = 600.0,
) -> Granularity:
    """Cut about ``total_seconds`` of :func:`~multicore_guide.workers.burn_cpu`
    work into tasks of each length, and time it three ways.

    For each target length in ``task_seconds``, the work is
    ``max(total_seconds / length, 2 * workers)`` equal tasks, rounded up to
    a multiple of ``workers`` (so that every worker gets the same number,
    and at least two). It runs as a serial loop, on a warm
    ``ProcessPoolExecutor`` (``executor.map``, chunksize 1, its default)
    and on a warm ``multiprocessing.Pool`` (``Pool.map``, its default
    chunksize), in interleaved rounds. Both pools start once, before any
    clock runs; every parallel answer is checked against the loop's.

    Raises:
        TypeError, ValueError: a length or count is out of range, or
            ``task_seconds`` is empty.
        RuntimeError: a pool returned a different answer from the loop.
    """
    lengths = [
        check_real("task length", s, minimum=0.0, inclusive_minimum=False)
        for s in task_seconds
    ]
    if not lengths:
        raise ValueError("task_seconds must hold at least one length")
    workers = check_int("workers", workers, minimum=1)
    total_seconds = check_real(
        "total_seconds", total_seconds, minimum=0.0, inclusive_minimum=False
    )
    repeat = check_int("repeat", repeat, minimum=1)
    ctx = context or get_context()
    rate = calibrate_burn(1.0)  # iterations per second
    result = Granularity(
        task_seconds=[],
        tasks=[],
        timings={"serial": [], "executor.map": [], "Pool.map": []},
        workers=workers,
    )
    with (
        ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as executor,
        ctx.Pool(workers) as pool,
    ):
        list(executor.map(burn_cpu, [1] * workers, timeout=timeout))
        pool.map_async(burn_cpu, [1] * workers, 1).get(timeout=timeout)
        for length in lengths:
            n_tasks = max(round(total_seconds / length), 2 * workers)
            n_tasks = (
                -(-n_tasks // workers) * workers
            )  # a whole number of tasks per worker
            items = [max(1, round(length * rate))] * n_tasks
            jobs = {
                "serial": partial(_serial_burn, items),
                "executor.map": lambda: list(
                    executor.map(burn_cpu, items, timeout=timeout)
                ),
                "Pool.map": lambda: pool.map_async(burn_cpu, items).get(
                    timeout=timeout
                ),
            }
            timings = measure_rounds(jobs, repeat=repeat)
            if any(
                t.result != timings["serial"].result for t in timings.values()
            ):
                raise RuntimeError(
                    f"a pool gave a different answer for tasks of {length} s"
                )
            result.task_seconds.append(timings["serial"].median / n_tasks)
            result.tasks.append(n_tasks)
            for name, timing in timings.items():
                result.timings[name].append(timing)
    return result


def _serial_burn(items: Sequence[int]) -> list[int]:
    """Run :func:`~multicore_guide.workers.burn_cpu` over ``items`` in a plain
    loop."""
    return [burn_cpu(n) for n in items]


_LIMITS: list[Any] = []  # keeps each worker's threadpool_limits object alive


def limit_blas_threads(threads: int) -> None:
    """Pool initializer: cap every BLAS thread pool in this process at
    ``threads``.

    Raises:
        TypeError, ValueError: ``threads`` is not a count of at least 1.
    """
    threads = check_int("threads", threads, minimum=1)
    from threadpoolctl import threadpool_limits

    _LIMITS.append(threadpool_limits(limits=threads, user_api="blas"))


def blas_threads(_: Any = None) -> list[tuple[str, int]]:
    """Return ``(library, threads)`` for each BLAS library loaded in this process,
    sorted.

    The ignored argument lets ``map`` call it once per worker.
    """
    from threadpoolctl import threadpool_info

    return sorted(
        (pool["internal_api"], pool["num_threads"])
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    )


def matmul_checksum(task: tuple[int, int]) -> float:
    """Multiply two random ``size x size`` matrices drawn from ``seed``; return
    the product's sum.

    ``task`` is ``(size, seed)``. The product runs in NumPy's BLAS, with as
    many threads as the BLAS is allowed in this process.

    Raises:
        TypeError: ``task`` is not a pair of ints.
        ValueError: ``size < 1`` or ``seed < 0``.
    """
    if not isinstance(task, tuple) or len(task) != 2:
        raise TypeError(f"task must be a (size, seed) tuple, got {task!r}")
    size = check_int("size", task[0], minimum=1)
    seed = check_int("seed", task[1], minimum=0)
    rng = np.random.default_rng(seed)
    a = rng.random((size, size))
    b = rng.random((size, size))
    return float((a @ b).sum())


def measure_blas_split(
    splits: list[tuple[int, int]],
    tasks: list[tuple[int, int]],
    *,
    context: BaseContext | None = None,
    repeat: int = 3,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Time the same matrix products on pools that split the cores differently.

    Each ``(processes, threads)`` pair in ``splits`` gets a pool of
    ``processes`` workers whose BLAS is limited to ``threads`` threads by
    :func:`limit_blas_threads`. The splits are timed one after the other,
    each on its own pool, and that pool is shut down before the next one
    starts: OpenBLAS threads spin for a while after each product, so a pool
    left alive would take cores from the split being timed. Each pool runs
    one untimed ``map(matmul_checksum, tasks)`` to warm up, then ``repeat``
    timed ones; the start of the pools is not timed.

    Returns:
        ``{"timings": {label: Timing}, "threads": {label: blas_threads() of
        each worker}}``,
        with labels such as ``"2 processes x 1 thread"``.

    Raises:
        TypeError, ValueError: a count is out of range or ``splits``/``tasks``
            is empty.
        RuntimeError: two splits gave answers that differ by more than
            rounding.
    """
    from concurrent.futures import ProcessPoolExecutor

    from .machine import get_context
    from .timing import measure

    if not splits or not tasks:
        raise ValueError("splits and tasks must not be empty")
    checked = [
        (
            check_int("processes", p, minimum=1),
            check_int("threads", t, minimum=1),
        )
        for p, t in splits
    ]
    repeat = check_int("repeat", repeat, minimum=1)
    ctx = context or get_context()
    timings, threads = {}, {}
    for processes, limit in checked:
        label = f"{processes} process{'es' if processes > 1 else ''} x {limit} thread{'s' if limit > 1 else ''}"
        with ProcessPoolExecutor(
            processes,
            mp_context=ctx,
            initializer=limit_blas_threads,
            initargs=(limit,),
        ) as pool:
            threads[label] = list(
                pool.map(blas_threads, range(processes), timeout=timeout)
            )
            timings[label] = measure(
                lambda: list(
                    pool.map(matmul_checksum, tasks, timeout=timeout)
                ),
                repeat=repeat,
                warmup=1,
                label=label,
            )
    first = next(iter(timings.values())).result
    for timing in timings.values():
        if not np.allclose(timing.result, first, rtol=1e-9):
            raise RuntimeError(f"{timing.label} gave different products")
    return {"timings": timings, "threads": threads}


def predict_map_seconds(
    n_tasks: int,
    task_seconds: float,
    *,
    workers: int,
    chunksize: int = 1,
    chunk_cost: float,
    start_per_worker: float = 0.0,
) -> float:
    """Predict the wall time of a parallel map of ``n_tasks`` equal tasks.

    The map cuts the tasks into ``ceil(n_tasks / chunksize)`` chunks and
    deals them out to ``workers`` workers, so the busiest worker runs
    ``rounds = ceil(chunks / workers)`` of them. Each chunk costs
    ``chunk_cost`` seconds on top of its work (pickling, the messages
    there and back, waking the worker), and the busiest worker's work is
    its tasks times ``task_seconds``. Starting the pool costs
    ``start_per_worker`` for each worker; pass 0 for a warm pool. So::

        start_per_worker * workers
        + rounds * chunk_cost
        + min(n_tasks, rounds * chunksize) * task_seconds

    The model leaves out what a real run adds: unequal tasks, the parent
    sending chunks one at a time, other programs on the cores, and more
    workers than cores (it assumes one core per worker).

    Raises:
        TypeError, ValueError: a count below 1, or a time that is negative
            (``task_seconds``, ``chunk_cost``, ``start_per_worker``).
    """
    n_tasks = check_int("n_tasks", n_tasks, minimum=1)
    task_seconds = check_real("task_seconds", task_seconds, minimum=0.0)
    workers = check_int("workers", workers, minimum=1)
    chunksize = check_int("chunksize", chunksize, minimum=1)
    chunk_cost = check_real("chunk_cost", chunk_cost, minimum=0.0)
    start_per_worker = check_real(
        "start_per_worker", start_per_worker, minimum=0.0
    )
    chunks = -(-n_tasks // chunksize)
    rounds = -(-chunks // workers)  # chunks on the busiest worker
    work = min(n_tasks, rounds * chunksize) * task_seconds
    return start_per_worker * workers + rounds * chunk_cost + work


def predict_speedup(
    n_tasks: int,
    task_seconds: float,
    *,
    workers: int,
    chunksize: int = 1,
    chunk_cost: float,
    start_per_worker: float = 0.0,
) -> float:
    """Predict the speedup of the map over the loop, ``n_tasks * task_seconds``.

    The map's time comes from :func:`predict_map_seconds`, which takes the
    same arguments.

    Raises:
        TypeError, ValueError: as :func:`predict_map_seconds`; also when
            ``task_seconds`` is not positive.
    """
    task_seconds = check_real(
        "task_seconds", task_seconds, minimum=0.0, inclusive_minimum=False
    )
    parallel = predict_map_seconds(
        n_tasks,
        task_seconds,
        workers=workers,
        chunksize=chunksize,
        chunk_cost=chunk_cost,
        start_per_worker=start_per_worker,
    )
    return n_tasks * task_seconds / parallel


def chunk_cost_from_map(
    map_seconds: float, n_tasks: int, task_seconds: float, *, workers: int
) -> float:
    """Return the cost per chunk that makes the model fit one measured map.

    The map ran ``n_tasks`` tasks of ``task_seconds`` each, one task per
    chunk, on a warm pool of ``workers`` (no start cost) and took
    ``map_seconds``. Solving :func:`predict_map_seconds` for the cost
    gives ``(map_seconds - work) / rounds``, never below 0.

    Raises:
        TypeError, ValueError: a count below 1, or a negative time.
    """
    map_seconds = check_real("map_seconds", map_seconds, minimum=0.0)
    n_tasks = check_int("n_tasks", n_tasks, minimum=1)
    task_seconds = check_real("task_seconds", task_seconds, minimum=0.0)
    workers = check_int("workers", workers, minimum=1)
    rounds = -(-n_tasks // workers)
    return max(0.0, (map_seconds - rounds * task_seconds) / rounds)


def overhead_explorer(
    *,
    chunk_cost: float,
    start_per_worker: float,
    n_tasks: int = 1000,
    task_seconds: float = 1e-4,
    chunksize: int = 1,
    workers: int = 2,
    max_workers: int = 16,
    max_chunksize: int = 256,
):
    """Return an ipywidgets box with sliders for the model of a map's overhead.

    The sliders set the length of one task (on a log scale, 1 µs to 1 s),
    the chunksize and the number of workers; ``n_tasks``,
    ``chunk_cost`` and ``start_per_worker`` stay fixed. Moving one
    redraws the predicted speedup of a map on a new pool against the task
    length (:func:`predict_speedup`), for the chosen chunksize and for
    chunksize 1, and marks the chosen task length. The figure is drawn
    once straight away, so a saved notebook holds a picture even where
    widgets cannot run.

    Raises:
        TypeError, ValueError: an argument out of range
            (``1 <= workers <= max_workers``,
            ``1 <= chunksize <= max_chunksize``, ``1e-6 <= task_seconds <=
            1``, negative costs).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    chunk_cost = check_real("chunk_cost", chunk_cost, minimum=0.0)
    start_per_worker = check_real(
        "start_per_worker", start_per_worker, minimum=0.0
    )
    n_tasks = check_int("n_tasks", n_tasks, minimum=1)
    task_seconds = check_real(
        "task_seconds", task_seconds, minimum=1e-6, maximum=1.0
    )
    max_workers = check_int("max_workers", max_workers, minimum=1)
    workers = check_int("workers", workers, minimum=1)
    if workers > max_workers:
        raise ValueError(
            f"workers must be <= max_workers ({max_workers}), got {workers}"
        )
    max_chunksize = check_int("max_chunksize", max_chunksize, minimum=1)
    chunksize = check_int("chunksize", chunksize, minimum=1)
    if chunksize > max_chunksize:
        raise ValueError(
            f"chunksize must be <= max_chunksize ({max_chunksize}), "
            f"got {chunksize}"
        )

    length_slider = widgets.FloatLogSlider(
        value=task_seconds,
        base=10,
        min=-6,
        max=0,
        step=0.1,
        description="task length (s)",
        readout_format=".1e",
        style={"description_width": "initial"},
    )
    chunk_slider = widgets.IntSlider(
        value=chunksize, min=1, max=max_chunksize, description="chunksize"
    )
    workers_slider = widgets.IntSlider(
        value=workers, min=1, max=max_workers, description="workers"
    )
    costs = {
        "n_tasks": n_tasks,
        "chunk_cost": chunk_cost,
        "start_per_worker": start_per_worker,
    }

    def draw(t: float, c: int, w: int) -> None:
        _, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
        _draw_overhead(ax, t, c, w, **costs)
        plt.show()

    output = widgets.interactive_output(
        draw, {"t": length_slider, "c": chunk_slider, "w": workers_slider}
    )
    return widgets.VBox(
        [widgets.HBox([length_slider, chunk_slider, workers_slider]), output]
    )


def _draw_overhead(
    ax,
    task_seconds: float,
    chunksize: int,
    workers: int,
    *,
    n_tasks: int,
    chunk_cost: float,
    start_per_worker: float,
):
    """Draw the predicted speedup against task length on ``ax``; return it."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    from .plotting import BLACK, IDEAL_STYLE, PURPLE, format_duration

    def gain(seconds: float, size: int) -> float:
        return predict_speedup(
            n_tasks,
            seconds,
            workers=workers,
            chunksize=size,
            chunk_cost=chunk_cost,
            start_per_worker=start_per_worker,
        )

    grid = np.geomspace(1e-6, 1.0, 121)
    # purple: a model, as in the Amdahl explorer; dotted: one task a chunk
    for size, style in [(chunksize, "-"), (1, ":")][: 1 + (chunksize > 1)]:
        ax.plot(
            grid,
            [gain(t, size) for t in grid],
            color=PURPLE,
            linestyle=style,
            label=f"model, chunksize {size}",
        )
    ax.axhline(workers, label=f"ideal: {workers}×", **IDEAL_STYLE)
    ax.axhline(1.0, color=BLACK, linewidth=1.2, label="break-even")
    ax.axhspan(0, 1.0, color=BLACK, alpha=0.05, linewidth=0)
    chosen = gain(task_seconds, chunksize)
    ax.plot([task_seconds], [chosen], "o", color=PURPLE, zorder=5)
    ax.annotate(
        f"{chosen:.2f}×",
        (task_seconds, chosen),
        textcoords="offset points",
        xytext=(8, -16),  # below the point, clear of the ideal line
        color=PURPLE,
    )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(format_duration))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0, 1.15 * workers)
    ax.set_xlabel("length of one task (log scale)")
    ax.set_ylabel("predicted speedup over the loop (×)")
    ax.set_title(f"{n_tasks} tasks on a new pool of {workers} workers")
    # beside the axes, so that it covers no curve
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")
    return ax
