"""Measure the book's headline claims in one run: ``python -m multicore_guide.bench``.

Each claim is a ratio of two timings taken in the same run, in interleaved
rounds, so that a slow spell on a shared machine hits both sides alike.
The figure reported is the ratio of the medians. The claims and their goals:

- parallel efficiency of the CPU-bound demo (counting primes) at
  ``os.cpu_count()`` workers: goal >= 0.95; above 1.0 is impossible in
  principle and points to noise;
- the gain from a tuned chunksize over chunksize 1 for tiny tasks on
  ``executor.map``: goal >= 100x;
- ``shared_memory`` against pickling, for a 200 MB array that each of 4
  tasks reads whole: goal >= 20x;
- the cost of starting a process, by start method (no goal: the figure
  to know).

The peak memory of the whole process tree is sampled throughout; the goal
is to stay under 2 GB. A table goes to stdout; ``bench.json`` and one PNG
per claim go to ``--out`` (``_build/bench`` by default). ``--quick`` runs
tiny sizes in a few seconds, to check that the machinery works: its
figures mean nothing.

A benchmark is not a test: nothing here asserts a timing. The goals are
reported as met or not met, whatever the numbers are.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from .checks import check_int
from .machine import describe_machine, get_context, peak_rss_bytes
from .measuring import efficiency, pool_default_chunksize, speedup, time_map
from .timing import Timing, measure_rounds
from .workers import count_primes_block, split_range, square

__all__ = [
    "Claim",
    "PeakMemory",
    "Sizes",
    "format_table",
    "main",
    "run",
]


GiB = 2**30


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is; :meth:`full` for ``make bench``, :meth:`quick` for tests.

    Attributes:
        primes_per_worker: the prime search covers ``[0, primes_per_worker * workers)``.
        blocks_per_worker: how many blocks each worker gets in the prime search.
        tiny_tasks: how many tiny tasks go through ``executor.map``.
        array_bytes: the size of the array shared with the tasks.
        array_tasks: how many tasks each read the whole array.
        start_repeat: how many starts are timed per start method.
        repeat: rounds for every interleaved comparison.
    """

    primes_per_worker: int
    blocks_per_worker: int
    tiny_tasks: int
    array_bytes: int
    array_tasks: int
    start_repeat: int
    repeat: int

    @classmethod
    def full(cls) -> Sizes:
        """The sizes the claims are about: a job of several seconds, a 200 MB array."""
        return cls(600_000, 16, 20_000, 200 * 10**6, 4, 10, 3)

    @classmethod
    def quick(cls) -> Sizes:
        """Tiny sizes that run in seconds; for tests of the machinery only."""
        return cls(2_000, 2, 200, 80_000, 2, 2, 1)


@dataclass
class Claim:
    """One row of the table.

    Attributes:
        name: what was measured.
        value: the measured figure (a ratio, an efficiency, bytes, ms).
        shown: the figure as the table shows it.
        goal: the goal as text, or ``""`` when there is none.
        met: whether the goal was met; ``None`` when there is no goal, or
            when the measurement was too noisy to judge.
        detail: the medians behind the figure.
    """

    name: str
    value: float
    shown: str
    goal: str = ""
    met: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """``met``, ``not met``, ``noise`` (a goal, but no figure fit to judge), or ``-`` (no goal)."""
        if self.met is None:
            return "noise" if self.goal else "-"
        return "met" if self.met else "not met"


class PeakMemory:
    """Sample the resident memory of this process and all its descendants; keep the peak.

    Use as ``with PeakMemory() as peak: ...``; ``peak.bytes`` is the largest
    total seen. Pages shared by several processes (shared memory, libraries)
    count once per process, so the figure is an upper bound. Needs
    ``psutil``; without it, falls back to ``resource.getrusage`` for this
    process and the largest child it has waited for, which misses children
    of a forkserver.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.bytes = 0
        self.method = "psutil process tree"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        try:
            import psutil
        except ImportError:
            self.method = "getrusage (self + largest child)"
            return self
        me = psutil.Process()

        def sample() -> None:
            while not self._stop.is_set():
                total = 0
                for proc in [me, *me.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
                self.bytes = max(self.bytes, total)
                self._stop.wait(self.interval)

        self._thread = threading.Thread(
            target=sample, name="peak-memory", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        else:
            self.bytes = peak_rss_bytes("self") + peak_rss_bytes("children")


# a parallel efficiency above this is physically impossible: one of the two
# timings was disturbed by something else on the machine
EFFICIENCY_LIMIT = 1.0


# how often the efficiency is measured again when it comes out impossible
EFFICIENCY_TRIES = 3


def efficiency_figures(
    serial: Timing, parallel: Timing, serial_cpu: float, workers: int
) -> dict[str, float]:
    """Turn one comparison into the figures the table reports.

    Each side is its fastest round, as ``timeit`` takes it: for CPU-bound
    work, noise only ever adds time, so the minimum is the least disturbed
    run. The spread runs from the fastest serial round over the slowest
    parallel round to the slowest serial round over the fastest parallel
    round. ``serial_cpu`` is the parent's CPU time per round, mostly the
    serial loop's: a serial wall time well above it (``serial wait`` > 1)
    means the loop waited for a core, which would flatter the speedup.

    Raises:
        TypeError, ValueError: ``workers`` is not a positive int.
    """
    workers = check_int("workers", workers, minimum=1)

    def of(serial_s: float, parallel_s: float) -> float:
        return efficiency(speedup(serial_s, parallel_s), workers)

    best = of(serial.best, parallel.best)
    worst = of(min(serial.seconds), max(parallel.seconds))
    high = of(max(serial.seconds), min(parallel.seconds))
    return {
        "efficiency": best,
        "spread low": worst,
        "spread high": high,
        "serial s": serial.best,
        "parallel s": parallel.best,
        "serial cpu s": serial_cpu,
        "serial wait": serial.best / serial_cpu
        if serial_cpu > 0
        else float("nan"),
    }


def bench_efficiency(
    sizes: Sizes, workers: int, context: BaseContext
) -> tuple[Claim, Any]:
    """Parallel efficiency of counting primes on ``workers`` processes (pool start included).

    A figure above 1.0 cannot be true, so it is measured again, up to
    :data:`EFFICIENCY_TRIES` times; if every try is impossible, the claim is
    reported as noise and judged neither met nor not met.
    """
    from .measuring import measure_scaling

    blocks = split_range(
        0, sizes.primes_per_worker * workers, sizes.blocks_per_worker * workers
    )
    tries = []
    for _ in range(EFFICIENCY_TRIES):
        cpu_start = time.process_time()
        scaling = measure_scaling(
            count_primes_block,
            blocks,
            [workers],
            context=context,
            repeat=sizes.repeat,
        )
        # the parent's CPU time is the serial rounds' (a pool's work runs in its children)
        serial_cpu = (time.process_time() - cpu_start) / sizes.repeat
        figures = efficiency_figures(
            scaling.serial, scaling.parallel[0], serial_cpu, workers
        )
        tries.append(figures)
        if figures["efficiency"] <= EFFICIENCY_LIMIT:
            break
    value = figures["efficiency"]
    noisy = value > EFFICIENCY_LIMIT
    shown = f"{value:.2f} (rounds {figures['spread low']:.2f}-{figures['spread high']:.2f})"
    if noisy:
        shown += f", impossible in {len(tries)} tries: a noisy machine"
    elif len(tries) > 1:
        shown += f", after {len(tries) - 1} impossible tries"
    claim = Claim(
        f"parallel efficiency, counting primes, {workers} workers",
        value,
        shown,
        ">= 0.95 (limit 1.0)",
        None if noisy else 0.95 <= value,
        figures | {"tries": len(tries)},
    )
    return claim, scaling


def bench_chunksize(
    sizes: Sizes, workers: int, context: BaseContext
) -> tuple[Claim, dict[str, Timing]]:
    """Time ``executor.map`` over tiny tasks at chunksize 1 and at Pool's rule of thumb, in alternating rounds."""
    items = list(range(sizes.tiny_tasks))
    tuned = pool_default_chunksize(len(items), workers)
    runs = {1: Timing("chunksize 1"), tuned: Timing(f"chunksize {tuned}")}
    for _ in range(sizes.repeat):
        for chunksize, timing in runs.items():
            one = time_map(
                "executor.map",
                square,
                items,
                workers=workers,
                chunksize=chunksize,
                context=context,
                repeat=1,
            )
            if one.result != [n * n for n in items]:
                raise RuntimeError(
                    f"executor.map at chunksize {chunksize} returned a wrong answer"
                )
            timing.seconds.extend(one.seconds)
    slow, fast = runs[1].median, runs[tuned].median
    # the gain moves a lot between runs on a shared machine: show each round's
    rounds = [s / f for s, f in zip(runs[1].seconds, runs[tuned].seconds)]
    claim = Claim(
        f"chunksize gain, {len(items):,} tiny tasks, chunksize 1 vs {tuned}",
        slow / fast,
        f"{slow / fast:.0f}x (rounds {min(rounds):.0f}-{max(rounds):.0f}x)",
        ">= 100x",
        slow / fast >= 100,
        {"chunksize 1 s": slow, f"chunksize {tuned} s": fast},
    )
    return claim, {t.label: t for t in runs.values()}


def bench_shared_memory(
    sizes: Sizes, workers: int, context: BaseContext
) -> tuple[list[Claim], dict[str, Timing]]:
    """Pickling against ``shared_memory`` for one array that every task reads whole.

    Three jobs in interleaved rounds, each on a fresh pool: the array
    pickled to every task; the array copied once into shared memory, then
    read by every task; and the array already in shared memory (built
    there), read by every task. Then the first and last of these again on
    one warm pool, to show the per-task cost without start-up or copying.
    """
    import numpy as np

    from .shared_memory import (
        array_from_shm,
        sum_blocks,
        sum_shared_blocks,
        whole_array_tasks,
    )

    length = sizes.array_bytes // 8
    data = np.random.default_rng(2026).random(length)
    bounds = whole_array_tasks(length, sizes.array_tasks)
    expected = float(data.sum())
    from multiprocessing import shared_memory

    born = shared_memory.SharedMemory(create=True, size=data.nbytes)
    try:
        view = array_from_shm(born, length)
        view[:] = data
        del view
        jobs: dict[str, Callable[[], list[float]]] = {
            "pickle": partial(
                sum_blocks,
                "pickle",
                data,
                bounds,
                workers=workers,
                context=context,
            ),
            "shared_memory, copied in": partial(
                sum_blocks,
                "shared_memory",
                data,
                bounds,
                workers=workers,
                context=context,
            ),
            "shared_memory, built there": partial(
                sum_shared_blocks,
                born.name,
                length,
                bounds,
                workers=workers,
                context=context,
            ),
        }
        timings = measure_rounds(jobs, repeat=sizes.repeat)
        timings.update(
            _warm_pool_sharing(
                data, born.name, length, bounds, workers, context, sizes.repeat
            )
        )
    finally:
        born.close()
        born.unlink()
    for timing in timings.values():
        if not np.allclose(timing.result, expected, rtol=1e-9):
            raise RuntimeError(f"{timing.label} returned a wrong sum")
    pickled = timings["pickle"].median
    copied = pickled / timings["shared_memory, copied in"].median
    built = pickled / timings["shared_memory, built there"].median
    warm = (
        timings["warm pool, pickle"].median
        / timings["warm pool, shared_memory"].median
    )
    megabytes = f"{sizes.array_bytes / 1e6:g} MB"
    claims = [
        Claim(
            f"shared_memory vs pickle, {megabytes} to {sizes.array_tasks} tasks",
            copied,
            f"{copied:.1f}x",
            ">= 20x",
            copied >= 20,
            {name: t.median for name, t in timings.items()},
        ),
        Claim(
            f"  the same, array built in shared memory", built, f"{built:.1f}x"
        ),
        Claim(
            f"  the same, both on a warm pool (no start-up, no copy)",
            warm,
            f"{warm:.1f}x",
        ),
    ]
    return claims, timings


def _warm_pool_sharing(
    data: Any,
    name: str,
    length: int,
    bounds: list,
    workers: int,
    context: BaseContext,
    repeat: int,
) -> dict[str, Timing]:
    """Time the same whole-array reads on one pool that was started before the clock ran.

    This isolates what the two ways cost per task: pickling 4 copies of the
    array against attaching to the block by name. Start-up and the copy into
    shared memory are left out, so read it beside the end-to-end rows.
    """
    from concurrent.futures import ProcessPoolExecutor

    from .shared_memory import sum_in_shared_memory, sum_of_block

    def gather(futures: list) -> list[float]:
        return [future.result(timeout=600) for future in futures]

    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # one tiny task per worker first, so that every worker has started
        gather(
            [
                pool.submit(sum_in_shared_memory, name, length, (0, 1))
                for _ in range(workers)
            ]
        )
        jobs = {
            "warm pool, pickle": lambda: gather(
                [pool.submit(sum_of_block, data[a:b]) for a, b in bounds]
            ),
            "warm pool, shared_memory": lambda: gather(
                [
                    pool.submit(sum_in_shared_memory, name, length, pair)
                    for pair in bounds
                ]
            ),
        }
        return measure_rounds(jobs, repeat=repeat)


def bench_start_cost(sizes: Sizes) -> tuple[Claim, list[Timing]]:
    """Median start-and-join time of one process for every start method this platform has.

    Raises:
        subprocess.CalledProcessError, subprocess.TimeoutExpired: the
            measuring interpreter failed or took over 600 s.
    """
    # measured in a fresh interpreter: spawn and forkserver children re-import
    # the parent's __main__, and this module's imports would be counted too
    code = (
        "import json, sys\n"
        "from multicore_guide.machine import available_methods, get_context\n"
        "from multicore_guide.measuring import start_batch\n"
        "runs = {m: start_batch(get_context(m), repeat=int(sys.argv[1])).seconds for m in available_methods()}\n"
        "print(json.dumps(runs))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(sizes.start_repeat)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    timings = [
        Timing(method, seconds)
        for method, seconds in json.loads(done.stdout).items()
    ]
    fastest = min(t.median for t in timings)
    shown = ", ".join(f"{t.label} {1000 * t.median:.1f} ms" for t in timings)
    claim = Claim(
        "process start + join, by start method",
        fastest,
        shown,
        detail={t.label: t.median for t in timings}
        | {"ratio to fastest": {t.label: t.median / fastest for t in timings}},
    )
    return claim, timings


def run(
    sizes: Sizes,
    out: Path,
    *,
    workers: int | None = None,
    method: str | None = None,
) -> dict[str, Any]:
    """Measure every claim with ``sizes``, write ``bench.json`` and the PNGs to ``out``; return the report.

    Raises:
        TypeError, ValueError: ``workers`` is not a count or ``method`` is unknown.
        RuntimeError: a parallel run gave a wrong answer.
    """
    workers = check_int(
        "workers",
        workers if workers is not None else os.cpu_count() or 1,
        minimum=1,
    )
    context = get_context(method)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with PeakMemory() as peak:
        efficiency, scaling = bench_efficiency(sizes, workers, context)
        chunks, chunk_timings = bench_chunksize(sizes, workers, context)
        sharing, share_timings = bench_shared_memory(sizes, workers, context)
        starts, start_timings = bench_start_cost(sizes)
    memory = Claim(
        f"peak memory, process tree ({peak.method})",
        peak.bytes,
        f"{peak.bytes / GiB:.2f} GiB",
        "< 2 GiB",
        peak.bytes < 2 * GiB,
    )
    claims = [efficiency, chunks, *sharing, starts, memory]
    report = {
        "machine": describe_machine(),
        "start method": context.get_start_method(),
        "workers": workers,
        "sizes": asdict(sizes),
        "seconds": round(time.perf_counter() - started, 1),
        "claims": [
            asdict(claim) | {"verdict": claim.verdict} for claim in claims
        ],
    }
    (out / "bench.json").write_text(
        json.dumps(report, indent=2, default=float) + "\n", encoding="utf-8"
    )
    _draw(out, workers, scaling, chunk_timings, share_timings, start_timings)
    report["table"] = format_table(claims)
    return report


def _draw(
    out: Path,
    workers: int,
    scaling: Any,
    chunks: dict,
    shares: dict,
    starts: list,
) -> None:
    """Write one PNG per claim into ``out``."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from . import plotting
    from .plotting import plot_timing_bars

    figures = {
        "efficiency.png": lambda: plot_timing_bars(
            {
                "serial loop": scaling.serial.median,
                f"{workers} workers": scaling.parallel[0].median,
            },
            title=f"Counting primes on {workers} workers",
            ideal=scaling.serial.median / workers,
            ideal_label=f"ideal: serial / {workers}",
        ),
        "chunksize.png": lambda: plot_timing_bars(
            {label: t.median for label, t in chunks.items()},
            title="executor.map over tiny tasks",
        ),
        "shared_memory.png": lambda: plot_timing_bars(
            {
                label.replace(", ", ",\n"): t.median
                for label, t in shares.items()
            },
            title="One array, read whole by every task (pickled vs shared)",
            # five bars with two-line labels need more width than the default
            ax=plt.subplots(figsize=(8.5, 4), layout="constrained")[1],
        ),
        "start_batch.png": lambda: plotting.plot_start_costs(
            starts, title="Starting one process, by start method"
        ),
    }
    for name, draw in figures.items():
        ax = draw()
        ax.figure.savefig(out / name, dpi=110)
        plt.close(ax.figure)


def format_table(claims: Sequence[Claim]) -> str:
    """Return the claims as a Markdown table: claim, measured, goal, verdict."""
    lines = [
        "| claim | measured | goal | verdict |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {c.name} | {c.shown} | {c.goal or '-'} | {c.verdict} |"
        for c in claims
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the benchmark, print the table; return 0."""
    parser = argparse.ArgumentParser(
        prog="python -m multicore_guide.bench",
        description=__doc__.split("\n")[0],
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, to check the machinery (figures mean nothing)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("_build/bench"),
        help="where bench.json and the PNGs go",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="pool size (default: os.cpu_count())",
    )
    parser.add_argument(
        "--method",
        default=None,
        help="start method for the pools (default: forkserver, else spawn)",
    )
    args = parser.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes.full()
    report = run(sizes, args.out, workers=args.workers, method=args.method)
    print(
        f"{report['machine']}\nstart method {report['start method']}, {report['workers']} workers, "
        f"{report['seconds']} s in all{' (--quick: the figures mean nothing)' if args.quick else ''}\n"
    )
    print(report["table"])
    print(
        f"\nwrote {args.out / 'bench.json'} and {len(list(args.out.glob('*.png')))} PNG files"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
