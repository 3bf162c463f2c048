"""Figures for timings and speedups.

Every figure has a title, labelled axes with units, and the ideal (or
theoretical) line drawn beside what was measured, so that the reader sees
at once how far the measurement falls short and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter

from ._checks import check_int, check_real
from .scaling import amdahl_speedup

__all__ = ["plot_amdahl_curves", "plot_speedup", "plot_timing_bars"]

IDEAL_STYLE = {"color": "0.35", "linestyle": "--", "linewidth": 1.2}


def _axes(ax: Axes | None, size: tuple[float, float] = (6.0, 4.0)) -> Axes:
    """Return ``ax``, or the axes of a new figure of ``size`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def plot_timing_bars(
    seconds: Mapping[str, float],
    *,
    title: str,
    ideal: float | None = None,
    ideal_label: str = "ideal",
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of wall-clock seconds, one bar per label, with the ideal time as a dashed line.

    Args:
        seconds: label -> measured seconds, drawn in the mapping's order.
        title: the figure's title.
        ideal: the time a perfect parallel run would take, or ``None``.
        ideal_label: the legend text for the ideal line.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``seconds`` is empty or holds a negative time.
        TypeError: a time is not a real number.
    """
    if not seconds:
        raise ValueError("seconds must hold at least one bar")
    labels = list(seconds)
    values = [check_real(f"seconds[{label!r}]", seconds[label], minimum=0.0) for label in labels]
    ax = _axes(ax, (5.0, 3.6))
    bars = ax.bar(labels, values, color=[f"C{i}" for i in range(len(labels))])
    ax.bar_label(bars, fmt="%.2f s", padding=2)
    if ideal is not None:
        ideal = check_real("ideal", ideal, minimum=0.0)
        ax.axhline(ideal, label=ideal_label, **IDEAL_STYLE)
        ax.legend(loc="lower right")
    ax.set_ylim(0, max(values + [ideal or 0.0]) * 1.2)
    ax.set_ylabel("wall-clock time (s)")
    ax.set_title(title)
    return ax


def plot_speedup(
    workers: Sequence[int],
    speedups: Sequence[float],
    *,
    cores: int,
    title: str,
    amdahl_fraction: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Measured speedup against worker count, with the ideal line and an optional Amdahl curve.

    The ideal for ``n`` workers on ``cores`` cores is ``min(n, cores)``:
    workers beyond the number of cores share them and add nothing.

    Raises:
        ValueError: the sequences are empty or differ in length, or ``cores < 1``.
        TypeError: ``cores`` is not an int.
    """
    cores = check_int("cores", cores, minimum=1)
    n = np.asarray(workers, dtype=float)
    s = np.asarray(speedups, dtype=float)
    if n.size == 0 or n.shape != s.shape:
        raise ValueError("workers and speedups must be non-empty and of the same length")
    ax = _axes(ax)
    grid = np.arange(1, int(n.max()) + 1)
    ax.plot(grid, np.minimum(grid, cores), label=f"ideal: min(workers, {cores} cores)", **IDEAL_STYLE)
    if amdahl_fraction is not None:
        curve = amdahl_speedup(amdahl_fraction, np.minimum(grid, cores))
        ax.plot(grid, curve, ":", color="C1", label=f"Amdahl fit, p = {amdahl_fraction:.3f}")
    ax.plot(n, s, "o-", color="C0", label="measured")
    ax.axvline(cores, color="0.8", linewidth=1)
    ax.set_xticks(grid)
    ax.set_xlabel("worker processes")
    ax.set_ylabel("speedup over serial (×)")
    ax.set_ylim(0, max(float(s.max()), float(cores)) * 1.15)
    ax.set_title(title)
    ax.legend(loc="lower right")
    return ax


def plot_amdahl_curves(
    fractions: Sequence[float],
    *,
    max_workers: int = 64,
    highlight: tuple[float, int] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Amdahl speedup curves for several parallel fractions, beside the ideal ``S = n``.

    Args:
        fractions: parallel fractions ``p`` in [0, 1], one curve each.
        max_workers: the largest core count on the (logarithmic) x axis.
        highlight: an optional ``(p, n)`` point to mark and label.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``fractions`` is empty, a fraction is outside [0, 1] or ``max_workers < 2``.
    """
    if len(fractions) == 0:
        raise ValueError("fractions must not be empty")
    max_workers = check_int("max_workers", max_workers, minimum=2)
    ax = _axes(ax)
    grid = np.unique(np.geomspace(1, max_workers, 200).round().astype(int))
    ax.plot(grid, grid, label="ideal: S = n", **IDEAL_STYLE)
    for i, p in enumerate(fractions):
        ax.plot(grid, amdahl_speedup(p, grid), color=f"C{i}", label=f"p = {p:g}, limit {_limit(p)}")
    if highlight is not None:
        p, n = highlight
        s = amdahl_speedup(p, n)
        ax.plot([n], [s], "o", color="black", zorder=5)
        ax.annotate(f"{s:.2f}× on {n} cores", (n, s), textcoords="offset points", xytext=(6, -14))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel("cores, n (log scale)")
    ax.set_ylabel("speedup S (×, log scale)")
    ax.set_title("Amdahl's law: the serial fraction caps the speedup")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def _limit(p: float) -> str:
    """Return Amdahl's limit ``1 / (1 - p)`` as text (infinite when p = 1)."""
    p = check_real("p", p, minimum=0.0, maximum=1.0)
    return "none" if p == 1.0 else f"{1.0 / (1.0 - p):.0f}×"


def plot_per_task_cost(
    chunksizes: Sequence[int],
    microseconds: Mapping[str, Sequence[float]],
    *,
    title: str,
    ideal: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cost per task against chunksize, one line per API, both axes logarithmic.

    Args:
        chunksizes: the chunksizes tried, in increasing order, the same for every API.
        microseconds: API name -> wall-clock time of the whole map divided
            by the number of tasks, in µs, at each chunksize.
        title: the figure's title.
        ideal: the per-task cost with no overhead at all (the serial
            compute time per task divided by the workers), drawn as a dashed
            line; or ``None``.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: no API, a series whose length differs from
            ``chunksizes``, a chunksize below 1 or a cost that is not positive.
    """
    sizes = np.asarray(chunksizes, dtype=float)
    if sizes.size == 0 or sizes.min() < 1:
        raise ValueError("chunksizes must be non-empty and each >= 1")
    if not microseconds:
        raise ValueError("microseconds must hold at least one API")
    ax = _axes(ax)
    for i, (api, series) in enumerate(microseconds.items()):
        costs = np.asarray(series, dtype=float)
        if costs.shape != sizes.shape or costs.min() <= 0:
            raise ValueError(f"{api!r} needs one positive cost per chunksize")
        ax.plot(sizes, costs, "o-", color=f"C{i}", label=api)
    if ideal is not None:
        ideal = check_real("ideal", ideal, minimum=0.0, inclusive_minimum=False)
        ax.axhline(ideal, label=f"ideal: compute per task / workers = {ideal:.2g} µs", **IDEAL_STYLE)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel("chunksize (tasks per message, log scale)")
    ax.set_ylabel("time per task (µs, log scale)")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    return ax


__all__ += ["plot_per_task_cost"]


def plot_start_costs(
    timings: Sequence,
    *,
    title: str,
    reference: tuple[str, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bars of the median time to start and join one process, one bar per start method.

    Each run is drawn as a dot over its bar, and the y axis is logarithmic,
    because the methods differ by orders of magnitude.

    Args:
        timings: :class:`~multicore_guide.timing.Timing` objects, one per
            method, labelled with the method's name (as ``start_cost`` gives).
        title: the figure's title.
        reference: an optional ``(label, seconds)`` drawn as a dashed line,
            e.g. the cost of starting a thread, for scale.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``timings`` is empty or one of them has no runs.
    """
    if len(timings) == 0:
        raise ValueError("timings must hold at least one Timing")
    labels = [t.label for t in timings]
    medians_ms = [1000 * t.median for t in timings]
    ax = _axes(ax, (5.5, 3.8))
    bars = ax.bar(labels, medians_ms, color=[f"C{i}" for i in range(len(labels))], alpha=0.8)
    ax.bar_label(bars, labels=[f"{m:.1f} ms" for m in medians_ms], padding=2)
    for i, timing in enumerate(timings):
        runs_ms = 1000 * np.asarray(timing.seconds, dtype=float)
        ax.plot(np.full(runs_ms.shape, i), runs_ms, "o", color="black", markersize=3, label="each run" if i == 0 else None)
    floor = min(medians_ms + [1000 * min(t.best for t in timings)])
    if reference is not None:
        name, seconds = reference
        seconds = check_real("reference seconds", seconds, minimum=0.0, inclusive_minimum=False)
        ax.axhline(1000 * seconds, label=f"{name}: {1000 * seconds:.2f} ms", **IDEAL_STYLE)
        floor = min(floor, 1000 * seconds)
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, max(1000 * max(max(t.seconds) for t in timings), max(medians_ms)) * 4)
    ax.set_xlabel("start method")
    ax.set_ylabel("start + join one process (ms, log scale)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_chunksize_sweep(
    chunksizes: Sequence[int],
    seconds: Sequence[float],
    *,
    title: str,
    ideal: float | None = None,
    default_chunksize: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Time of one ``map`` against its chunksize (both axes logarithmic), with the ideal time.

    Args:
        chunksizes: the chunksizes tried, in increasing order.
        seconds: the measured time for each chunksize.
        title: the figure's title.
        ideal: the time with no overhead at all (the serial compute time
            divided by the workers), drawn as a dashed line; or ``None``.
        default_chunksize: the chunksize the pool picks by itself, marked
            with a vertical line; or ``None``.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: the sequences are empty or differ in length, or hold a
            chunksize below 1 or a time that is not positive.
    """
    sizes = np.asarray(chunksizes, dtype=float)
    times = np.asarray(seconds, dtype=float)
    if sizes.size == 0 or sizes.shape != times.shape:
        raise ValueError("chunksizes and seconds must be non-empty and of the same length")
    if sizes.min() < 1 or times.min() <= 0:
        raise ValueError("chunksizes must be >= 1 and times > 0")
    ax = _axes(ax)
    ax.plot(sizes, times, "o-", color="C0", label="measured")
    best = int(np.argmin(times))
    ax.plot([sizes[best]], [times[best]], "o", color="C3", zorder=5, label=f"fastest: chunksize {int(sizes[best])}")
    if ideal is not None:
        ideal = check_real("ideal", ideal, minimum=0.0, inclusive_minimum=False)
        ax.axhline(ideal, label=f"ideal: compute time / workers = {ideal:.3f} s", **IDEAL_STYLE)
    if default_chunksize is not None:
        default_chunksize = check_int("default_chunksize", default_chunksize, minimum=1)
        ax.axvline(default_chunksize, color="C2", linestyle=":", label=f"Pool's default: {default_chunksize}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(FuncFormatter(_label_twos_and_fives))
    ax.set_xlabel("chunksize (tasks per message, log scale)")
    ax.set_ylabel("wall-clock time of the map (s, log scale)")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    return ax


def _label_twos_and_fives(value: float, _position: object = None) -> str:
    """Label a log-scale minor tick only at 2 and 5 times a power of ten."""
    if value <= 0:
        return ""
    leading = value / 10 ** np.floor(np.log10(value))
    return f"{value:g}" if round(leading) in (2, 5) and abs(leading - round(leading)) < 1e-6 else ""


__all__ += ["plot_chunksize_sweep", "plot_start_costs"]


# --- Part III: communication between processes, and use cases -------------


def plot_throughput(
    sizes: Sequence[int],
    rates: Mapping[str, Sequence[float]],
    *,
    title: str,
    bandwidth: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Messages per second against message size, one line per channel, both axes logarithmic.

    Args:
        sizes: message sizes in bytes (each > 0), the same for every channel.
        rates: channel name -> messages per second at each size.
        title: the figure's title.
        bandwidth: bytes per second of a channel limited only by copying
            bytes; drawn as the dashed line ``bandwidth / size``, the most
            messages per second any channel could move at that rate.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``rates`` is empty, a rate list differs in length from
            ``sizes``, or a size, rate or the bandwidth is not positive.
    """
    x = np.asarray(sizes, dtype=float)
    if not rates or x.size == 0 or np.any(x <= 0):
        raise ValueError("sizes must be positive and rates must name at least one channel")
    ax = _axes(ax)
    for i, (name, values) in enumerate(rates.items()):
        y = np.asarray(values, dtype=float)
        if y.shape != x.shape or np.any(y <= 0):
            raise ValueError(f"rates[{name!r}] must hold one positive rate per size")
        ax.plot(x, y, "o-", color=f"C{i}", label=name)
    if bandwidth is not None:
        bandwidth = check_real("bandwidth", bandwidth, minimum=0.0, inclusive_minimum=False)
        grid = np.geomspace(x.min(), x.max(), 50)
        ax.plot(grid, bandwidth / grid, label=f"{bandwidth / 1e6:,.0f} MB/s ceiling", **IDEAL_STYLE)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _bytes_label(v)))
    ax.set_xticks(x)
    ax.set_xlabel("message size (bytes, log scale)")
    ax.set_ylabel("messages per second (log scale)")
    ax.set_title(title)
    ax.legend(loc="lower left")
    return ax


def _bytes_label(value: float) -> str:
    """Return a byte count as short text: 16 B, 1 KiB, 64 KiB, 1 MiB."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} B"


def plot_escape_counts(counts: np.ndarray, *, region: Sequence[float], title: str, ax: Axes | None = None) -> Axes:
    """Show a Mandelbrot image of escape counts on the complex plane, with a colour bar.

    Args:
        counts: a 2-D array of escape iterations, row 0 at the top.
        region: ``(re_min, re_max, im_min, im_max)`` that the image covers.
        title: the figure's title.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``counts`` is not 2-D or ``region`` does not hold four numbers.
    """
    counts = np.asarray(counts)
    if counts.ndim != 2 or len(region) != 4:
        raise ValueError("counts must be 2-D and region must be (re_min, re_max, im_min, im_max)")
    ax = _axes(ax, (6.0, 4.6))
    # a logarithmic colour scale shows the bands far from the set
    image = ax.imshow(np.log1p(counts), extent=tuple(region), cmap="magma", origin="upper")
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    bar.set_label("log(1 + escape iteration)")
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    ax.set_title(title)
    return ax


def plot_workload_speedups(
    speedups: Mapping[str, Mapping[str, float]], *, cores: int, title: str, ax: Axes | None = None
) -> Axes:
    """Grouped horizontal bars of measured speedup, beside the ideal ``cores``×.

    Args:
        speedups: workload -> {variant: speedup}, for example
            ``{"Monte Carlo": {"new pool": 1.6, "warm pool": 1.9}}``. Every
            workload has the same variants; each variant gets one colour.
        cores: the number of cores, which is the ideal speedup.
        title: the figure's title.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``speedups`` is empty, the workloads name different
            variants, or a speedup is not positive; ``cores < 1``.
        TypeError: ``cores`` is not an int or a speedup is not a real number.
    """
    cores = check_int("cores", cores, minimum=1)
    if not speedups:
        raise ValueError("speedups must hold at least one workload")
    workloads = list(speedups)
    variants = list(speedups[workloads[0]])
    if not variants or any(list(speedups[w]) != variants for w in workloads):
        raise ValueError("every workload must name the same, non-empty list of variants")
    ax = _axes(ax, (6.0, 0.4 * len(workloads) * len(variants) + 2.0))
    height = 0.8 / len(variants)
    top = 0.0
    for i, variant in enumerate(variants):
        values = [
            check_real(f"speedups[{w!r}][{variant!r}]", speedups[w][variant], minimum=0.0, inclusive_minimum=False)
            for w in workloads
        ]
        top = max([top, *values])
        positions = np.arange(len(workloads)) + (i - (len(variants) - 1) / 2) * height
        bars = ax.barh(positions, values, height=height, color=f"C{i}", label=variant)
        ax.bar_label(bars, fmt="%.2f×", padding=3, fontsize="small")
    ax.axvline(cores, label=f"ideal: {cores}× on {cores} cores", **IDEAL_STYLE)
    ax.set_yticks(np.arange(len(workloads)), workloads)
    ax.invert_yaxis()
    ax.set_xlim(0, max(top, cores) * 1.3)
    ax.set_xlabel("speedup over the serial loop (×)")
    ax.set_title(title)
    # below the axes, where no bar or label can hide it
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(variants) + 1, fontsize="small")
    return ax


__all__ += ["plot_escape_counts", "plot_throughput", "plot_workload_speedups"]


def plot_cost_by_size(
    sizes: Sequence[float],
    seconds: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    bytes_axis: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Time against size on log-log axes, one line per series, each beside a line proportional to size.

    The dotted line of each series passes through its largest point and
    grows in proportion to the size: where the measurement lies above it at
    small sizes, a fixed cost dominates; where it follows it, the cost is
    per byte (or per process).

    Args:
        sizes: the sizes measured, in increasing order (bytes, processes, ...).
        seconds: series name -> the median time at each size, in seconds.
        title: the figure's title.
        xlabel: the x axis label, with its unit.
        bytes_axis: label the x ticks as bytes (``1 KiB``, ``1 MiB``).
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: no series, a series whose length differs from ``sizes``,
            or a size or time that is not positive.
    """
    x = np.asarray(sizes, dtype=float)
    if x.size == 0 or np.any(x <= 0):
        raise ValueError("sizes must be non-empty and positive")
    if not seconds:
        raise ValueError("seconds must hold at least one series")
    ax = _axes(ax)
    for i, (name, series) in enumerate(seconds.items()):
        y = np.asarray(series, dtype=float)
        if y.shape != x.shape or np.any(y <= 0):
            raise ValueError(f"seconds[{name!r}] must hold one positive time per size")
        ax.plot(x, 1000 * y, "o-", color=f"C{i}", label=name)
        ax.plot(x, 1000 * y[-1] * x / x[-1], ":", color=f"C{i}", alpha=0.7, label=f"{name}: proportional to size")
    ax.set_xscale("log")
    ax.set_yscale("log")
    label = _bytes_label if bytes_axis else (lambda v: f"{v:g}")
    ax.set_xticks(x)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: label(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel("wall-clock time (ms, log scale)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_granularity(
    task_seconds: Sequence[float],
    speedups: Mapping[str, Sequence[float]],
    *,
    workers: int,
    title: str,
    ax: Axes | None = None,
) -> Axes:
    """Speedup over a serial loop against the length of one task, one line per API.

    The ideal is ``workers``×; below the break-even line at 1× the pool is
    slower than the loop. The x axis (task length in µs) is logarithmic.

    Raises:
        ValueError: no series, a series whose length differs from
            ``task_seconds``, or a length or speedup that is not positive.
        TypeError: ``workers`` is not an int.
    """
    workers = check_int("workers", workers, minimum=1)
    x = 1e6 * np.asarray(task_seconds, dtype=float)
    if x.size == 0 or np.any(x <= 0):
        raise ValueError("task_seconds must be non-empty and positive")
    if not speedups:
        raise ValueError("speedups must hold at least one series")
    ax = _axes(ax)
    top = float(workers)
    for i, (name, series) in enumerate(speedups.items()):
        y = np.asarray(series, dtype=float)
        if y.shape != x.shape or np.any(y <= 0):
            raise ValueError(f"speedups[{name!r}] must hold one positive speedup per length")
        ax.plot(x, y, "o-", color=f"C{i}", label=name)
        top = max(top, float(y.max()))
    ax.axhline(workers, label=f"ideal: {workers}× on {workers} workers", **IDEAL_STYLE)
    ax.axhline(1.0, color="C3", linewidth=1, label="break-even: as fast as the loop")
    ax.axhspan(0, 1.0, color="C3", alpha=0.07)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0, top * 1.2)
    ax.set_xlabel("length of one task (µs, log scale)")
    ax.set_ylabel("speedup over the serial loop (×)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


__all__ += ["plot_cost_by_size", "plot_granularity"]
