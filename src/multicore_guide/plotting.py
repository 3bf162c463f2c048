"""Figures for timings and speedups, all in one house style.

Every figure has a title, labelled axes with units, and the ideal (or
theoretical) line drawn beside what was measured, so that the reader sees
at once how far the measurement falls short and why.

The house style is set here, once, for every figure in the book:

- text at 11 pt or more, legends included; no top or right frame lines;
  a light grid behind the data;
- one colour per meaning (:data:`COLORS`, looked up by :func:`color_for`),
  the same in every chapter, from a palette colour-blind readers can tell
  apart;
- durations on an axis read as ``10 µs``, ``1 ms``, ``100 ms``
  (:func:`format_duration`);
- legends sit outside the axes, and single lines are labelled directly,
  so no legend covers data; no bars on a logarithmic axis;
- in Jupyter, figures render as PNG at twice the resolution ("retina").
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

from .checks import check_int, check_real
from .measuring import amdahl_speedup

__all__ = [
    "COLORS",
    "IDEAL_COLOR",
    "NEUTRAL",
    "color_for",
    "colors_for",
    "format_duration",
    "plot_amdahl_curves",
    "plot_chunksize_sweep",
    "plot_cost_by_size",
    "plot_escape_counts",
    "plot_granularity",
    "plot_per_task_cost",
    "plot_speedup",
    "plot_start_costs",
    "plot_throughput",
    "plot_timing_bars",
    "plot_workload_speedups",
    "use_house_style",
]


# The Okabe-Ito palette: eight colours that stay distinct for readers with
# the common forms of colour blindness (Okabe & Ito 2008, "Color Universal
# Design (CUD): How to make figures and presentations that are friendly to
# colorblind people", https://jfly.uni-koeln.de/color/).
BLACK, ORANGE, SKY_BLUE, GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"


YELLOW, BLUE, VERMILLION, PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"


IDEAL_COLOR = "#777777"  # ideal, theoretical and reference lines


IDEAL_STYLE = {"color": IDEAL_COLOR, "linestyle": "--", "linewidth": 1.3}


# One colour per meaning, the same in every figure. Vermillion (the red)
# is kept for fork alone, and no group holds both it and the green, so red
# never sits next to green.
COLORS: dict[str, str] = {
    # how the work runs
    "serial": BLUE,
    "threads": ORANGE,
    "processes": GREEN,
    "interpreters": PURPLE,
    # start methods
    "fork": VERMILLION,
    "forkserver": SKY_BLUE,
    "spawn": BLUE,
    # ways to hand data to a process
    "pickle": ORANGE,
    "Manager": PURPLE,
    "Array": SKY_BLUE,
    "shared_memory": GREEN,
    # what a measurement is compared with
    "ideal": IDEAL_COLOR,
}


# For labels with no meaning above, in this order; no vermillion, so an
# unknown series can never put red next to the green.
NEUTRAL: tuple[str, ...] = (BLUE, ORANGE, SKY_BLUE, GREEN, PURPLE, BLACK)


# keyword (a regular expression on the lower-cased label) -> meaning
_KEYWORDS = (
    (r"\bserial\b|\bloop\b", "serial"),
    (r"thread", "threads"),
    (r"interpreter", "interpreters"),
    (r"forkserver", "forkserver"),
    (r"\bfork\b", "fork"),
    (r"spawn", "spawn"),
    (r"shared_memory|shared memory", "shared_memory"),
    (r"pickle", "pickle"),
    (r"manager", "Manager"),
    (r"\barray\b", "Array"),
    (r"process", "processes"),
    (r"\bideal\b", "ideal"),
)


_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 11,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.8,
    "axes.prop_cycle": cycler(color=list(NEUTRAL)),
}


def use_house_style() -> None:
    """Set the book's figure style in matplotlib's defaults (done on import)."""
    mpl.rcParams.update(_STYLE)


def _sharp_in_notebooks() -> None:
    """Under IPython, render inline figures as PNG at twice their pixel size."""
    try:
        from IPython import get_ipython

        if get_ipython() is None:
            return
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    set_matplotlib_formats("retina")


use_house_style()


_sharp_in_notebooks()


def _meaning(label: str) -> str | None:
    """Return the key of :data:`COLORS` that ``label`` names first, or ``None``."""
    text = str(label).lower()
    found = [
        (m.start(), key)
        for pattern, key in _KEYWORDS
        if (m := re.search(pattern, text))
    ]
    return min(found)[1] if found else None


def color_for(label: str, index: int = 0) -> str:
    """Return the colour of what ``label`` means, e.g. "processes (ProcessPoolExecutor)".

    A label is matched by keyword: the meaning named earliest in it wins.
    A label with no known meaning gets ``NEUTRAL[index]``.
    """
    meaning = _meaning(label)
    return COLORS[meaning] if meaning else NEUTRAL[index % len(NEUTRAL)]


def colors_for(labels: Sequence[str]) -> list[str]:
    """Return one colour per label: its meaning's colour where that is unique in the figure.

    Labels whose meaning is unknown, or shared with another label of the
    same figure (``"1 process"``, ``"2 processes"``), get neutral colours
    that no other label of the figure uses.
    """
    meanings = [_meaning(label) for label in labels]
    colors: list[str | None] = [
        COLORS[m] if m is not None and meanings.count(m) == 1 else None
        for m in meanings
    ]
    spare = iter([c for c in NEUTRAL if c not in colors] + list(NEUTRAL))
    return [c if c is not None else next(spare) for c in colors]


def format_duration(seconds: float, _position: object = None) -> str:
    """Return a duration as short text: ``10 µs``, ``1 ms``, ``250 ms``, ``2 s``."""
    if seconds == 0:
        return "0"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(seconds) >= scale * 0.9995:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _number(value: float, _position: object = None) -> str:
    """Return a plain number: ``0.5``, ``1000``, ``10k``, ``2.5M``; never ``10³`` or ``1e+06``."""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e4)):
        if abs(value) >= scale:
            return f"{value / (1e3 if suffix == 'k' else scale):.3g}{suffix}"
    return f"{value:.4g}"


def _bytes_label(value: float, _position: object = None) -> str:
    """Return a byte count as short text: 16 B, 1 KiB, 64 KiB, 1 MiB."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} B"


def _ticks(axis: Axis, label=_number, *, log: bool = False) -> None:
    """Label ``axis`` with ``label``; on a log axis spanning under two decades, also at 2× and 5×."""
    axis.set_major_formatter(FuncFormatter(label))
    if not log:
        return

    def minor(value: float, position: object = None) -> str:
        low, high = sorted(axis.get_view_interval())
        if value <= 0 or low <= 0 or high / low > 100:
            return ""
        leading = value / 10 ** np.floor(np.log10(value) + 1e-9)
        return (
            label(value)
            if min(abs(leading - 2), abs(leading - 5)) < 1e-6
            else ""
        )

    axis.set_minor_formatter(FuncFormatter(minor))


def _axes(
    ax: Axes | None,
    size: tuple[float, float] = (6.0, 4.0),
    *,
    title: str | None = None,
) -> Axes:
    """Return ``ax`` (or the axes of a new figure of ``size`` inches) in the house style."""
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(
        True, color=_STYLE["grid.color"], linewidth=_STYLE["grid.linewidth"]
    )
    ax.set_axisbelow(True)
    if title is not None:
        # wrap a title wider than the axes' share of the figure (0.775 of
        # its width by default), at about 9.6 characters of 12 pt per inch
        inches = ax.get_position().width / 0.775 * ax.figure.get_figwidth()
        ax.set_title(_wrap(title, max(24, int(9.6 * inches))))
    return ax


def _wrap(text: str, width: int = 22) -> str:
    """Wrap a legend or direct label to lines of at most ``width`` characters."""
    lines = str(text).splitlines() or [""]
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False) or line
        for line in lines
    )


def _legend_outside(ax: Axes, handles: Sequence | None = None) -> None:
    """Put the legend to the right of the axes, where it cannot cover data."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    labels = [_wrap(h.get_label()) for h in handles]
    ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
    )


def _label_ends(ax: Axes, lines: Sequence[Line2D], gap: float = 15.0) -> None:
    """Label each line directly, in its colour, just right of its last point.

    Labels closer than ``gap`` points are pushed apart, so none overlaps
    another; they sit right of the data, so none covers it.
    """
    ax.figure.canvas.draw()  # settle the layout, so positions are final
    to_points = 72.0 / ax.figure.dpi
    ends = sorted(
        (
            (
                ax.transData.transform(
                    (line.get_xdata()[-1], line.get_ydata()[-1])
                )[1]
                * to_points,
                line,
            )
            for line in lines
        ),
        key=lambda item: item[0],
    )
    placed: list[float] = []
    for y, line in ends:
        target = max(y, placed[-1] + gap) if placed else y
        placed.append(target)
        ax.annotate(
            _wrap(line.get_label(), 26),
            (line.get_xdata()[-1], line.get_ydata()[-1]),
            xytext=(6, target - y),
            textcoords="offset points",
            va="center",
            color=line.get_color(),
            annotation_clip=False,
        )


def _series(
    x: np.ndarray, series: Mapping[str, Sequence[float]], what: str
) -> Iterator[tuple[str, np.ndarray, str]]:
    """Check and yield ``(name, values, colour)`` for each series: one positive value per x."""
    if x.size == 0 or np.any(x <= 0):
        raise ValueError(
            f"the x values for {what} must be non-empty and positive"
        )
    if not series:
        raise ValueError(f"{what} must hold at least one series")
    names = list(series)
    for name, color in zip(names, colors_for(names)):
        y = np.asarray(series[name], dtype=float)
        if y.shape != x.shape or np.any(~(y > 0)):
            raise ValueError(
                f"{what}[{name!r}] must hold one positive value per x"
            )
        yield name, y, color


def plot_timing_bars(
    seconds: Mapping[str, float],
    *,
    title: str,
    ideal: float | None = None,
    ideal_label: str = "ideal",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of wall-clock time, one per label, with the ideal time as a dashed line.

    The bars lie on their side so that long labels stay readable; the ideal
    line is labelled directly, in an empty band above the first bar.

    Args:
        seconds: label -> measured seconds, drawn top to bottom in the mapping's order.
        title: the figure's title.
        ideal: the time a perfect parallel run would take, or ``None``.
        ideal_label: the text beside the ideal line.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: ``seconds`` is empty or holds a negative time.
        TypeError: a time is not a real number.
    """
    if not seconds:
        raise ValueError("seconds must hold at least one bar")
    labels = list(seconds)
    values = [
        check_real(f"seconds[{label!r}]", seconds[label], minimum=0.0)
        for label in labels
    ]
    if ideal is not None:
        ideal = check_real("ideal", ideal, minimum=0.0)
    ax = _axes(ax, (5.0, 3.6), title=title)
    rows = np.arange(len(labels))
    bars = ax.barh(rows, values, height=0.65, color=colors_for(labels))
    ax.bar_label(bars, labels=[format_duration(v) for v in values], padding=3)
    ax.set_yticks(rows, [_wrap(label, 16) for label in labels])
    ax.grid(False, axis="y")
    right = max(values + [ideal or 0.0]) * 1.22
    ax.set_xlim(0, right)
    ax.set_ylim(
        len(labels) - 0.5, -1.05
    )  # first bar on top, an empty band above it
    if ideal is not None:
        ax.axvline(ideal, label=ideal_label, **IDEAL_STYLE)
        left = ideal < 0.55 * right
        ax.annotate(
            ideal_label,
            (ideal, -0.75),
            xytext=(4 if left else -4, 0),
            textcoords="offset points",
            ha="left" if left else "right",
            va="center",
            color="#444444",
        )
    _ticks(ax.xaxis, format_duration)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.set_xlabel("wall-clock time")
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
        raise ValueError(
            "workers and speedups must be non-empty and of the same length"
        )
    ax = _axes(ax, title=title)
    grid = np.arange(1, int(n.max()) + 1)
    ax.plot(
        grid,
        np.minimum(grid, cores),
        label=f"ideal: min(workers, {cores} CPUs)",
        **IDEAL_STYLE,
    )
    if amdahl_fraction is not None:
        curve = amdahl_speedup(amdahl_fraction, np.minimum(grid, cores))
        ax.plot(
            grid,
            curve,
            ":",
            color=PURPLE,
            linewidth=2,
            label=f"Amdahl fit, p = {amdahl_fraction:.3f}",
        )
    ax.plot(n, s, "o-", color=COLORS["processes"], label="measured")
    ax.axvline(cores, color="0.8", linewidth=1)
    # every count up to 8; past that, whole numbers that do not collide
    if len(grid) <= 8:
        ax.set_xticks(grid)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.set_xlabel("worker processes")
    ax.set_ylabel("speedup over serial (×)")
    ax.set_ylim(0, max(float(s.max()), float(cores)) * 1.15)
    _legend_outside(ax)
    return ax


def _limit(p: float) -> str:
    """Return Amdahl's limit ``1 / (1 - p)`` as text (infinite when p = 1)."""
    p = check_real("p", p, minimum=0.0, maximum=1.0)
    return "none" if p == 1.0 else f"{1.0 / (1.0 - p):.0f}×"


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
    ax = _axes(ax, title="Amdahl's law: the serial fraction caps the speedup")
    grid = np.unique(np.geomspace(1, max_workers, 200).round().astype(int))
    lines = ax.plot(grid, grid, label="ideal: S = n", **IDEAL_STYLE)
    for i, p in enumerate(fractions):
        label = f"p = {p:g}, limit {_limit(p)}"
        lines += ax.plot(
            grid,
            amdahl_speedup(p, grid),
            color=NEUTRAL[i % len(NEUTRAL)],
            label=label,
        )
    if highlight is not None:
        p, n = highlight
        s = amdahl_speedup(p, n)
        ax.plot([n], [s], "o", color="black", zorder=5)
        ax.annotate(
            f"{s:.2f}× on {n} cores",
            (n, s),
            textcoords="offset points",
            xytext=(6, -14),
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    _ticks(ax.xaxis)
    _ticks(ax.yaxis)
    ax.set_xlabel("cores, n (log scale)")
    ax.set_ylabel("speedup S (×, log scale)")
    _label_ends(ax, lines)
    return ax


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
            compute time per task divided by the workers), in µs, drawn as
            a dashed line; or ``None``.
        ax: axes to draw on; a new figure when ``None``.

    Raises:
        ValueError: no API, a series whose length differs from
            ``chunksizes``, a chunksize below 1 or a cost that is not positive.
    """
    sizes = np.asarray(chunksizes, dtype=float)
    if sizes.size == 0 or sizes.min() < 1:
        raise ValueError("chunksizes must be non-empty and each >= 1")
    if ideal is not None:
        ideal = check_real(
            "ideal", ideal, minimum=0.0, inclusive_minimum=False
        )
    ax = _axes(ax, title=title)
    for api, costs, color in _series(sizes, microseconds, "microseconds"):
        ax.plot(sizes, 1e-6 * costs, "o-", color=color, label=api)
    if ideal is not None:
        label = f"ideal: compute per task / workers = {format_duration(1e-6 * ideal)}"
        ax.axhline(1e-6 * ideal, label=label, **IDEAL_STYLE)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _ticks(ax.xaxis, log=True)
    _ticks(ax.yaxis, format_duration, log=True)
    ax.set_xlabel("chunksize (tasks per message, log scale)")
    ax.set_ylabel("time per task (µs to ms, log scale)")
    _legend_outside(ax)
    return ax


def plot_start_costs(
    timings: Sequence,
    *,
    title: str,
    reference: tuple[str, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A dot plot of the time to start and join one process, by start method.

    Each run is a dot, in the method's colour; the median is a black bar
    across the dots, labelled with its value. The y axis is logarithmic,
    because the methods differ by orders of magnitude, so the figure shows
    dots and no bars (a bar's length means nothing on a log axis).

    Args:
        timings: :class:`~multicore_guide.timing.Timing` objects, one per
            method, labelled with the method's name (as ``start_batch`` gives).
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
    medians = [t.median for t in timings]
    ax = _axes(ax, (5.5, 3.8), title=title)
    spread = np.random.default_rng(0)  # a fixed jitter, the same every run
    for i, (timing, color) in enumerate(zip(timings, colors_for(labels))):
        runs = np.asarray(timing.seconds, dtype=float)
        x = i + spread.uniform(-0.12, 0.12, runs.size)
        ax.plot(
            x,
            runs,
            "o",
            color=color,
            alpha=0.75,
            markersize=5,
            label=f"{timing.label}: each run",
        )
        ax.plot(
            [i - 0.25, i + 0.25],
            [medians[i]] * 2,
            color="black",
            linewidth=2.2,
        )
        ax.annotate(
            format_duration(medians[i]),
            (i + 0.27, medians[i]),
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
        )
    floor = min(medians + [min(t.best for t in timings)])
    if reference is not None:
        name, seconds = reference
        seconds = check_real(
            "reference seconds", seconds, minimum=0.0, inclusive_minimum=False
        )
        ax.axhline(seconds, label=name, **IDEAL_STYLE)
        ax.annotate(
            f"{name}: {format_duration(seconds)}",
            (1.0, seconds),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            color="#444444",
        )
        floor = min(floor, seconds)
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, max(max(t.seconds) for t in timings) * 3)
    ax.set_xlim(-0.6, len(labels) - 0.1)
    ax.set_xticks(range(len(labels)), labels)
    ax.grid(False, axis="x")
    _ticks(ax.yaxis, format_duration, log=True)
    ax.set_xlabel("start method")
    ax.set_ylabel("start + join one process (log scale)")
    handles = [
        Line2D(
            [], [], marker="o", linestyle="", color="0.5", label="each run"
        ),
        Line2D([], [], color="black", linewidth=2.2, label="median"),
    ]
    _legend_outside(ax, handles)
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
    if sizes.size and sizes.min() < 1:
        raise ValueError("chunksizes must be >= 1 and times > 0")
    ((_, times, _),) = _series(sizes, {"measured": seconds}, "seconds")
    ax = _axes(ax, title=title)
    ax.plot(sizes, times, "o-", color=COLORS["processes"], label="measured")
    best = int(np.argmin(times))
    ax.plot(
        [sizes[best]],
        [times[best]],
        "o",
        color=ORANGE,
        markersize=10,
        zorder=5,
        label=f"fastest: chunksize {int(sizes[best])}",
    )
    if ideal is not None:
        ideal = check_real(
            "ideal", ideal, minimum=0.0, inclusive_minimum=False
        )
        ax.axhline(
            ideal,
            label=f"ideal: compute time / workers = {format_duration(ideal)}",
            **IDEAL_STYLE,
        )
    if default_chunksize is not None:
        default_chunksize = check_int(
            "default_chunksize", default_chunksize, minimum=1
        )
        label = f"Pool's default: {default_chunksize}"
        ax.axvline(
            default_chunksize,
            color=PURPLE,
            linestyle=":",
            linewidth=2,
            label=label,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    _ticks(ax.xaxis, log=True)
    _ticks(ax.yaxis, format_duration, log=True)
    ax.set_xlabel("chunksize (tasks per message, log scale)")
    ax.set_ylabel("wall-clock time of the map (log scale)")
    _legend_outside(ax)
    return ax


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
    checked = list(_series(x, rates, "rates"))
    ax = _axes(ax, title=title)
    for name, y, color in checked:
        ax.plot(x, y, "o-", color=color, label=name)
    if bandwidth is not None:
        bandwidth = check_real(
            "bandwidth", bandwidth, minimum=0.0, inclusive_minimum=False
        )
        grid = np.geomspace(x.min(), x.max(), 50)
        ax.plot(
            grid,
            bandwidth / grid,
            label=f"{bandwidth / 1e6:,.0f} MB/s ceiling",
            **IDEAL_STYLE,
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(x)
    _ticks(ax.xaxis, _bytes_label)
    ax.xaxis.set_minor_formatter(NullFormatter())
    _ticks(ax.yaxis, log=True)
    ax.set_xlabel("message size (bytes, log scale)")
    ax.set_ylabel("messages per second (log scale)")
    _legend_outside(ax)
    return ax


def plot_escape_counts(
    counts: np.ndarray,
    *,
    region: Sequence[float],
    title: str,
    ax: Axes | None = None,
) -> Axes:
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
        raise ValueError(
            "counts must be 2-D and region must be (re_min, re_max, im_min, im_max)"
        )
    ax = _axes(ax, (6.0, 4.6), title=title)
    ax.grid(False)  # no grid over an image
    # a logarithmic colour scale shows the bands far from the set;
    # magma is perceptually uniform and readable in grey
    image = ax.imshow(
        np.log1p(counts), extent=tuple(region), cmap="magma", origin="upper"
    )
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    bar.set_label("log(1 + escape iteration)")
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    return ax


def plot_workload_speedups(
    speedups: Mapping[str, Mapping[str, float]],
    *,
    cores: int,
    title: str,
    ax: Axes | None = None,
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
        raise ValueError(
            "every workload must name the same, non-empty list of variants"
        )
    ax = _axes(
        ax, (6.0, 0.4 * len(workloads) * len(variants) + 2.0), title=title
    )
    height = 0.8 / len(variants)
    top = 0.0
    for i, (variant, color) in enumerate(zip(variants, colors_for(variants))):
        values = [
            check_real(
                f"speedups[{w!r}][{variant!r}]",
                speedups[w][variant],
                minimum=0.0,
                inclusive_minimum=False,
            )
            for w in workloads
        ]
        top = max([top, *values])
        positions = (
            np.arange(len(workloads)) + (i - (len(variants) - 1) / 2) * height
        )
        bars = ax.barh(
            positions, values, height=height, color=color, label=variant
        )
        ax.bar_label(bars, fmt="%.2f×", padding=3)
    ax.axvline(cores, label=f"ideal: {cores}× on {cores} cores", **IDEAL_STYLE)
    ax.set_yticks(np.arange(len(workloads)), [_wrap(w, 16) for w in workloads])
    ax.grid(False, axis="y")
    ax.invert_yaxis()
    ax.set_xlim(0, max(top, cores) * 1.3)
    ax.set_xlabel("speedup over the serial loop (×)")
    _legend_outside(ax)
    return ax


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
    checked = list(_series(x, seconds, "seconds"))
    ax = _axes(ax, title=title)
    handles = []
    for name, y, color in checked:
        (line,) = ax.plot(x, y, "o-", color=color, label=name)
        ax.plot(
            x,
            y[-1] * x / x[-1],
            ":",
            color=color,
            linewidth=1.6,
            alpha=0.8,
            label=f"{name}: proportional to size",
        )
        handles.append(line)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(x)
    _ticks(ax.xaxis, _bytes_label if bytes_axis else _number)
    ax.xaxis.set_minor_formatter(NullFormatter())
    _ticks(ax.yaxis, format_duration, log=True)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("wall-clock time (log scale)")
    _label_ends(ax, handles)
    # one note explains every dotted line
    ax.text(
        0.02,
        0.98,
        "dotted: proportional to size",
        transform=ax.transAxes,
        va="top",
        color="#444444",
    )
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
    slower than the loop. The x axis (task length) is logarithmic.

    Raises:
        ValueError: no series, a series whose length differs from
            ``task_seconds``, or a length or speedup that is not positive.
        TypeError: ``workers`` is not an int.
    """
    workers = check_int("workers", workers, minimum=1)
    x = np.asarray(task_seconds, dtype=float)
    checked = list(_series(x, speedups, "speedups"))
    ax = _axes(ax, title=title)
    top = float(workers)
    for name, y, color in checked:
        ax.plot(x, y, "o-", color=color, label=name)
        top = max(top, float(y.max()))
    ax.axhline(
        workers, label=f"ideal: {workers}× on {workers} workers", **IDEAL_STYLE
    )
    ax.axhline(
        1.0,
        color=BLACK,
        linewidth=1.2,
        label="break-even: as fast as the loop",
    )
    ax.axhspan(
        0, 1.0, color=BLACK, alpha=0.05, linewidth=0
    )  # slower than the loop
    ax.set_xscale("log")
    _ticks(ax.xaxis, format_duration)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0, top * 1.2)
    ax.set_xlabel("length of one task (µs to ms, log scale)")
    ax.set_ylabel("speedup over the serial loop (×)")
    _legend_outside(ax)
    return ax
