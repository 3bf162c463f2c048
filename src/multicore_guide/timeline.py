"""Watching a run: a timeline of the tasks in a pool, and the CPU use per core.

A worker runs each task through :func:`timed_call`, which returns the
task's result together with the worker's PID and the moments the task
started and ended. The parent splits those records from the results with
:func:`split_records` and gets a :class:`Timeline`, which
:func:`plot_timeline` draws as one row per worker, like a Gantt chart.
:class:`CpuSampler` samples the use of each core in a background thread
while the pool runs, and the figure draws it under the timeline.

The clock is :func:`time.monotonic`. On Linux it reads
``CLOCK_MONOTONIC``, one clock for the whole system, so the moments that
different processes record can be put on one axis; it never jumps when
the wall clock is set, as :func:`time.time` can.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .checks import check_real

__all__ = [
    "CpuSampler",
    "Task",
    "Timeline",
    "plot_timeline",
    "plot_timelines",
    "split_records",
    "timed_call",
]


if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    from . import plotting  # noqa: F401  (applies the book's figure style)

    return plt


def timed_call(func: Callable[[Any], Any], item: Any) -> tuple[Any, ...]:
    """Run ``func(item)``; return ``(result, pid, start, end)``.

    ``start`` and ``end`` come from :func:`time.monotonic`, which every
    process on a Linux machine reads from the same clock. Hand it to a
    pool with :func:`functools.partial`:
    ``pool.map(partial(timed_call, burn_cpu), items)``.
    """
    start = time.monotonic()
    result = func(item)
    end = time.monotonic()
    return result, os.getpid(), start, end


@dataclass(frozen=True)
class Task:
    """One task of a run: its position in the input, its worker, and when it ran.

    ``start`` and ``end`` are seconds after the run's origin.
    """

    index: int
    pid: int
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Timeline:
    """The tasks of one run, with times in seconds after ``origin``.

    ``origin`` is the :func:`time.monotonic` reading the parent took just
    before it created the pool (or submitted the work), and ``finished``
    the one it took when the last result arrived, both relative to it.
    """

    tasks: list[Task]
    finished: float
    workers: int = 0

    def pids(self) -> list[int]:
        """The PIDs that ran tasks, in the order they started their first one."""
        first: dict[int, float] = {}
        for task in self.tasks:
            first[task.pid] = min(first.get(task.pid, task.start), task.start)
        return sorted(first, key=first.get)

    def rows(self) -> dict[int, list[Task]]:
        """The tasks of each worker, by PID, each list in the order they ran."""
        rows: dict[int, list[Task]] = {pid: [] for pid in self.pids()}
        for task in sorted(self.tasks, key=lambda t: t.start):
            rows[task.pid].append(task)
        return rows

    def tasks_per_worker(self) -> list[int]:
        """How many tasks each worker ran, in the order of :meth:`pids`."""
        return [len(tasks) for tasks in self.rows().values()]

    def first_start(self) -> float:
        """Seconds from the origin to the start of the first task: the start-up."""
        return min(task.start for task in self.tasks)

    def finishes(self) -> list[float]:
        """When each worker ended its last task, in the order of :meth:`pids`.

        The spread between the smallest and the largest is the ragged end
        of the run: how long the first worker to run out of work waited
        for the last one.
        """
        return [tasks[-1].end for tasks in self.rows().values()]

    def ragged_end(self) -> float:
        """Seconds between the first and the last worker's last task end.

        Zero when every worker ends together; large when one worker runs on
        alone while the others have nothing left to do.
        """
        finishes = self.finishes()
        return max(finishes) - min(finishes) if finishes else 0.0

    def busy(self) -> list[float]:
        """Seconds each worker spent in tasks, in the order of :meth:`pids`."""
        return [
            sum(t.seconds for t in tasks) for tasks in self.rows().values()
        ]

    def idle_share(self, cores: int) -> float:
        """The share of ``cores`` x the run's length that no task used."""
        return 1.0 - sum(self.busy()) / (cores * self.finished)

    def chunks_stay_together(self, chunksize: int) -> bool:
        """Whether each chunk of ``chunksize`` tasks ran on one worker, in order.

        ``Pool.map`` cuts its input into chunks of consecutive tasks and
        hands each chunk to one worker, which runs its tasks one after
        the other.
        """
        by_index = sorted(self.tasks, key=lambda t: t.index)
        for first in range(0, len(by_index), chunksize):
            chunk = by_index[first : first + chunksize]
            if len({t.pid for t in chunk}) != 1:
                return False
            if any(a.end > b.start for a, b in zip(chunk, chunk[1:])):
                return False
        return True

    def check(self, n_tasks: int) -> None:
        """Check that the run is sound, or raise :class:`AssertionError`.

        Every task ``0 .. n_tasks - 1`` appears once; each ends after it
        starts; no two tasks overlap on one worker (a worker runs one task
        at a time); all of them lie between the origin and ``finished``.
        """
        indices = sorted(task.index for task in self.tasks)
        assert indices == list(range(n_tasks)), "a task is missing or repeated"
        for tasks in self.rows().values():
            for task in tasks:
                assert 0.0 <= task.start <= task.end <= self.finished, task
            for before, after in zip(tasks, tasks[1:]):
                assert before.end <= after.start, (before, after)


def split_records(
    records: Iterable[tuple[Any, int, float, float]],
    *,
    origin: float,
    finished: float | None = None,
) -> tuple[list[Any], Timeline]:
    """Split the outputs of :func:`timed_call` into the results and a :class:`Timeline`.

    ``records`` are in the order of the input (``Pool.map``, or
    ``imap`` and sorted back); ``origin`` is the parent's
    :func:`time.monotonic` before the run, ``finished`` the one after it
    (default: now).
    """
    origin = check_real("origin", origin)
    if finished is None:
        finished = time.monotonic()
    results, tasks = [], []
    for index, (result, pid, start, end) in enumerate(records):
        results.append(result)
        tasks.append(Task(index, pid, start - origin, end - origin))
    timeline = Timeline(tasks, finished - origin)
    timeline.workers = len(timeline.pids())
    return results, timeline


class CpuSampler:
    """Sample the use of each core in a background thread, as a context manager.

    ``with CpuSampler(origin, interval=0.05) as cpu: ...`` calls
    :func:`psutil.cpu_percent` with ``percpu=True`` every ``interval``
    seconds until the block ends. ``cpu.times`` holds the middle of each
    interval (seconds after ``origin``) and ``cpu.percent`` one list of
    per-core percentages for each.
    """

    def __init__(self, origin: float, *, interval: float = 0.05) -> None:
        self.origin = check_real("origin", origin)
        self.interval = check_real("interval", interval, minimum=0.01)
        self.times: list[float] = []
        self.percent: list[list[float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        psutil.cpu_percent(
            percpu=True
        )  # the first call only sets the baseline
        while not self._stop.is_set():
            before = time.monotonic()
            percent = psutil.cpu_percent(interval=self.interval, percpu=True)
            after = time.monotonic()
            self.times.append((before + after) / 2 - self.origin)
            self.percent.append(percent)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5 + self.interval)


def _colours() -> tuple[str, str]:
    """The book's colour for work in processes, and for reference lines."""
    from . import plotting

    color_for = getattr(plotting, "color_for", None)
    task = color_for("processes") if color_for else "tab:green"
    return task, getattr(plotting, "IDEAL_COLOR", "0.35")


def _draw_rows(
    ax: Any, timeline: Timeline, colour_of: Callable[[Task], Any]
) -> None:
    rows = timeline.rows()
    # a thin white edge tells neighbouring tasks apart; on tasks only a few
    # pixels wide it would cover them, so those are drawn without one
    lengths = sorted(t.seconds for tasks in rows.values() for t in tasks)
    narrow = bool(lengths) and lengths[len(lengths) // 2] < (
        timeline.finished / 300
    )
    for row, tasks in enumerate(rows.values()):
        ax.broken_barh(
            [(t.start, t.seconds) for t in tasks],
            (row - 0.4, 0.8),
            facecolors=[colour_of(t) for t in tasks],
            edgecolor="white",
            linewidth=0.0 if narrow else 0.6,
        )
    ax.set_yticks(
        range(len(rows)), [f"worker {i + 1}" for i in range(len(rows))]
    )
    ax.set_ylim(len(rows) - 0.5, -0.5)
    line = _colours()[1]
    ax.axvline(0.0, color=line, linewidth=1.0)
    ax.axvline(timeline.finished, color=line, linewidth=1.0, linestyle="--")


def _task_colours(
    timeline: Timeline, sizes: Sequence[float] | None
) -> Callable[[Task], Any]:
    """Colour tasks by their size when sizes are given, else all alike."""
    if sizes is None:
        colour = _colours()[0]
        return lambda task: colour
    low, high = min(sizes), max(sizes)
    cmap = _pyplot().get_cmap("viridis")
    span = (high - low) or 1.0
    return lambda task: cmap(0.15 + 0.7 * (sizes[task.index] - low) / span)


def plot_timeline(
    timeline: Timeline,
    *,
    title: str,
    cpu: CpuSampler | None = None,
    sizes: Sequence[float] | None = None,
) -> Axes:
    """Draw one row per worker with a bar per task; the CPU use per core under it.

    The solid line marks the parent's origin (before the pool started),
    the dashed line the moment the last result arrived. With ``sizes``
    (one number per task) the bars are coloured by size, darker for
    smaller tasks. Returns the timeline's axes; ``ax.figure`` is the figure.
    """
    panels = 2 if cpu is not None else 1
    fig, axes = _pyplot().subplots(
        panels,
        1,
        figsize=(7.0, 1.2 + 0.55 * timeline.workers + 1.6 * (panels - 1)),
        sharex=True,
        layout="constrained",
        squeeze=False,
        height_ratios=[max(timeline.workers, 1), 2.2][:panels],
    )
    ax = axes[0][0]
    _draw_rows(ax, timeline, _task_colours(timeline, sizes))
    ax.set_title(title)
    if cpu is not None:
        low = axes[1][0]
        if cpu.percent:
            cores = len(cpu.percent[0])
            for core in range(cores):
                low.plot(
                    cpu.times,
                    [p[core] for p in cpu.percent],
                    linewidth=1.2,
                    label=f"core {core}",
                )
            low.legend(
                loc="lower center", fontsize="small", ncols=min(cores, 4)
            )
        low.set_ylim(0, 105)
        low.set_ylabel("CPU use (%)")
        line = _colours()[1]
        low.axvline(0.0, color=line, linewidth=1.0)
        low.axvline(
            timeline.finished, color=line, linewidth=1.0, linestyle="--"
        )
        axes[-1][0].set_xlabel("time since the parent started the run (s)")
    else:
        ax.set_xlabel("time since the parent started the run (s)")
    ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
    return ax


def plot_timelines(
    timelines: Mapping[str, Timeline],
    *,
    title: str,
    sizes: Mapping[str, Sequence[float]] | None = None,
) -> Axes:
    """Draw several runs one above the other, on one time axis, to compare them.

    Returns the axes of the top run; ``ax.figure`` is the figure.
    """
    heights = [max(t.workers, 1) + 0.8 for t in timelines.values()]
    fig, axes = _pyplot().subplots(
        len(timelines),
        1,
        figsize=(7.0, 0.8 + 0.5 * sum(heights)),
        sharex=True,
        layout="constrained",
        squeeze=False,
        height_ratios=heights,
    )
    for ax, (label, timeline) in zip(axes[:, 0], timelines.items()):
        run_sizes = None if sizes is None else sizes.get(label)
        _draw_rows(ax, timeline, _task_colours(timeline, run_sizes))
        ax.set_title(label, fontsize="medium", loc="left")
    axes[0][0].set_xlim(left=0.0)
    axes[-1][0].set_xlabel("time since the parent started the run (s)")
    fig.suptitle(title)
    return axes[0][0]
