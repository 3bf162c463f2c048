"""What each piece of going parallel costs: a batch of process starts, an argument
by its size, a task by its length.

:mod:`multicore_guide.overhead` times one process start and one map; the
functions here sweep a size (how many processes, how many bytes, how long
a task) so that a chapter can plot a cost against it and find where going
parallel stops paying.
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

from ._checks import check_int, check_real
from .contexts import get_context
from .timing import Timing, measure, measure_rounds, timer
from .workers import burn_cpu, noop

__all__ = [
    "Granularity",
    "Transfer",
    "calibrate_burn",
    "echo",
    "measure_granularity",
    "measure_transfer",
    "pickle_round_trip",
    "start_batch",
]


def start_batch(
    context: BaseContext | None = None,
    *,
    processes: int,
    repeat: int = 3,
    warmup: int = 1,
) -> Timing:
    """Time starting ``processes`` children that do nothing, then joining them
    all, ``repeat`` times.

    All the children are started before the first is joined, as a pool
    starts its workers. ``warmup`` untimed batches come first (forkserver
    starts its server on the first one).

    Returns:
        A :class:`~multicore_guide.timing.Timing` labelled ``"<method> x
        <processes>"``.

    Raises:
        TypeError, ValueError: a count is out of range.
        RuntimeError: a child did not exit cleanly within 60 s.
    """
    processes = check_int("processes", processes, minimum=1)
    repeat = check_int("repeat", repeat, minimum=1)
    warmup = check_int("warmup", warmup, minimum=0)
    ctx = context or get_context()
    timing = Timing(f"{ctx.get_start_method()} x {processes}")
    for run in range(warmup + repeat):
        with timer() as elapsed:
            children = [ctx.Process(target=noop) for _ in range(processes)]
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
                f"{len(stuck)} of {processes} children did not exit cleanly"
            )
        if run >= warmup:
            timing.seconds.extend(elapsed.seconds)
    return timing


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

    def speedups(self, api: str) -> list[float]:
        """The median serial time over the median time of ``api``, per task size.

        Raises:
            KeyError: ``api`` was not measured.
        """
        return [
            s.median / t.median
            for s, t in zip(self.timings["serial"], self.timings[api])
        ]

    def crossover(self, api: str) -> float | None:
        """Return the shortest task length from which ``api`` beats the serial
        loop at every longer length.

        ``None`` when even the longest task is slower in parallel.

        Raises:
            KeyError: ``api`` was not measured.
        """
        answer = None
        for seconds, gain in sorted(
            zip(self.task_seconds, self.speedups(api)), reverse=True
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
