"""Every figure has a title, labelled axes with units, and an ideal line."""

import matplotlib

from multicore_guide import plotting  # noqa: E402
from multicore_guide.plotting import plot_per_task_cost  # noqa: E402

matplotlib.use("agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from multicore_guide.why_multicore import amdahl_explorer  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labels_of(ax):
    return [line.get_label() for line in ax.get_lines()]


def test_timing_bars_have_units_and_ideal():
    ax = plotting.plot_timing_bars(
        {"serial": 2.0, "processes": 1.1}, title="CPU-bound", ideal=1.0
    )
    assert ax.get_title() == "CPU-bound"
    assert "time" in ax.get_xlabel()
    assert ax.xaxis.get_major_formatter()(0.5, 0) == "500 ms"
    assert "ideal" in labels_of(ax)
    assert len(ax.patches) == 2


def test_speedup_plot_draws_ideal_amdahl_and_measured():
    ax = plotting.plot_speedup(
        [1, 2, 3, 4],
        [1.0, 1.9, 1.8, 1.85],
        cores=2,
        title="t",
        amdahl_fraction=0.95,
    )
    names = labels_of(ax)
    assert any(n.startswith("ideal") for n in names)
    assert any(n.startswith("Amdahl") for n in names)
    assert "measured" in names
    assert "(×)" in ax.get_ylabel() and ax.get_xlabel()


def test_amdahl_curves_mark_a_point():
    ax = plotting.plot_amdahl_curves(
        [0.5, 0.9], max_workers=16, highlight=(0.9, 8)
    )
    assert "ideal: S = n" in labels_of(ax)
    assert ax.get_xscale() == "log"


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: plotting.plot_timing_bars({}, title="x"), ValueError),
        (
            lambda: plotting.plot_timing_bars({"a": -1.0}, title="x"),
            ValueError,
        ),
        (lambda: plotting.plot_timing_bars({"a": "1"}, title="x"), TypeError),
        (
            lambda: plotting.plot_speedup([1, 2], [1.0], cores=2, title="x"),
            ValueError,
        ),
        (
            lambda: plotting.plot_speedup([1], [1.0], cores=0, title="x"),
            ValueError,
        ),
        (lambda: plotting.plot_amdahl_curves([], max_workers=8), ValueError),
        (
            lambda: plotting.plot_amdahl_curves([1.2], max_workers=8),
            ValueError,
        ),
        (lambda: amdahl_explorer(cores=0), ValueError),
        (lambda: amdahl_explorer(parallel_fraction=2.0), ValueError),
        (lambda: amdahl_explorer(fixed_cost=-0.1), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


# --- the house style (issue 13): every figure function, with plausible data ---

from matplotlib.patches import Rectangle  # noqa: E402

from multicore_guide.timing import Timing  # noqa: E402

FIGURES = {
    "timing_bars": lambda: plotting.plot_timing_bars(
        {"serial": 0.8, "threads": 0.7, "processes": 0.5}, title="t", ideal=0.4
    ),
    "speedup": lambda: plotting.plot_speedup(
        [1, 2, 4], [1.0, 1.8, 1.9], cores=2, title="t", amdahl_fraction=0.9
    ),
    "amdahl": lambda: plotting.plot_amdahl_curves([0.5, 0.9], max_workers=64),
    "per_task": lambda: plotting.plot_per_task_cost(
        [1, 10], {"a": [50, 5], "b": [20, 2]}, title="t", ideal=0.5
    ),
    "start_costs": lambda: plotting.plot_start_costs(
        [Timing("fork", [0.004, 0.005]), Timing("spawn", [0.04, 0.05])],
        title="t",
        reference=("a thread", 1e-4),
    ),
    "chunksize": lambda: plotting.plot_chunksize_sweep(
        [1, 10, 100], [1.0, 0.3, 0.2], title="t", ideal=0.1
    ),
    "throughput": lambda: plotting.plot_throughput(
        [16, 1024], {"Queue": [1e5, 5e4], "Pipe": [2e5, 6e4]}, title="t"
    ),
    "escape": lambda: plotting.plot_escape_counts(
        [[1, 2], [3, 4]], region=(-2, 1, -1, 1), title="t"
    ),
    "workloads": lambda: plotting.plot_workload_speedups(
        {"w": {"new pool": 1.2, "warm pool": 1.6}}, cores=2, title="t"
    ),
    "cost_by_size": lambda: plotting.plot_cost_by_size(
        [1, 2, 4],
        {"fork": [0.01, 0.02, 0.04], "spawn": [0.04, 0.05, 0.1]},
        title="t",
        xlabel="processes",
    ),
    "granularity": lambda: plotting.plot_granularity(
        [1e-5, 1e-3], {"Pool.map": [0.5, 1.8]}, workers=2, title="g"
    ),
}


def all_text(ax):
    """Every visible text artist of the figure: titles, labels, ticks, legends, annotations."""
    ax.figure.canvas.draw()
    found = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    found += [
        t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()
    ]
    legend = ax.get_legend()
    if legend is not None:
        found += legend.get_texts()
    return [t for t in found if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_house_style(name):
    ax = FIGURES[name]()
    assert (
        not ax.spines["top"].get_visible()
        and not ax.spines["right"].get_visible()
    )
    assert all(text.get_fontsize() >= 11 for text in all_text(ax)), name
    if ax.get_yscale() == "log" or ax.get_xscale() == "log":
        # a bar is a rectangle in data coordinates (a shaded band spans the axes instead)
        bars = [
            p
            for p in ax.patches
            if isinstance(p, Rectangle)
            and p.get_data_transform() == ax.transData
        ]
        assert not bars, f"{name} draws bars on a log axis"
    if name != "escape":
        assert ax.xaxis._major_tick_kw.get(
            "gridOn"
        ) or ax.yaxis._major_tick_kw.get("gridOn")


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_no_legend_covers_the_data(name):
    ax = FIGURES[name]()
    legend = ax.get_legend()
    if legend is None:
        return
    ax.figure.canvas.draw()
    box, axes_box = legend.get_window_extent(), ax.get_window_extent()
    assert not box.overlaps(axes_box), f"{name}'s legend lies on the axes"


def test_colours_follow_meaning_across_figures():
    bars = plotting.plot_timing_bars(
        {"serial": 1.0, "threads": 0.8, "processes": 0.5}, title="a"
    )
    other = plotting.plot_timing_bars(
        {"processes (ProcessPoolExecutor)": 0.5, "serial": 1.0}, title="b"
    )
    colour = {p.get_y(): p.get_facecolor() for p in bars.patches}
    first = [colour[y] for y in sorted(colour)]
    second = [
        p.get_facecolor()
        for p in sorted(other.patches, key=lambda p: p.get_y())
    ]
    assert second == [
        first[2],
        first[0],
    ]  # processes, then serial: same colours as before
    starts = plotting.plot_start_costs(
        [Timing("spawn", [0.04]), Timing("fork", [0.004])], title="s"
    )
    batches = plotting.plot_cost_by_size(
        [1, 2],
        {"fork": [0.01, 0.02], "spawn": [0.04, 0.05]},
        title="b",
        xlabel="n",
    )
    by_label = {
        line.get_label(): line.get_color() for line in batches.get_lines()
    }
    assert (
        by_label["fork"] == plotting.COLORS["fork"]
        and by_label["spawn"] == plotting.COLORS["spawn"]
    )
    assert {line.get_color() for line in starts.get_lines()} >= {
        plotting.COLORS["fork"],
        plotting.COLORS["spawn"],
    }


@pytest.mark.parametrize(
    "label, meaning",
    [
        ("processes (ProcessPoolExecutor)", "processes"),
        ("threads", "threads"),
        ("forkserver", "forkserver"),
        ("fork", "fork"),
        ("shared_memory, whole array", "shared_memory"),
        ("Array", "Array"),
        ("pickle.dumps + loads", "pickle"),
        ("serial loop", "serial"),
    ],
)
def test_color_for_matches_keywords(label, meaning):
    assert plotting.color_for(label) == plotting.COLORS[meaning]


def test_unknown_and_shared_meanings_get_distinct_neutral_colours():
    labels = [
        "1 process x 1 thread",
        "2 processes x 1 thread",
        "Queue",
        "Pipe",
    ]
    colours = plotting.colors_for(labels)
    assert len(set(colours)) == len(labels)
    assert set(colours) <= set(plotting.NEUTRAL)
    assert plotting.color_for("Queue", 1) == plotting.NEUTRAL[1]


def test_red_never_sits_next_to_green():
    red, green = "#D55E00", "#009E73"
    groups = [
        ["serial", "threads", "processes", "interpreters"],
        ["fork", "forkserver", "spawn"],
        ["pickle", "Manager", "Array", "shared_memory"],
    ]
    for labels in groups + [list(plotting.NEUTRAL)]:
        colours = (
            plotting.colors_for(labels) if labels[0][0] != "#" else labels
        )
        for a, b in zip(colours, colours[1:]):
            assert {a, b} != {red, green}
    assert red not in plotting.NEUTRAL


@pytest.mark.parametrize(
    "seconds, text",
    [
        (1e-5, "10 µs"),
        (1e-3, "1 ms"),
        (0.1, "100 ms"),
        (2.5, "2.5 s"),
        (0, "0"),
        (5e-8, "50 ns"),
    ],
)
def test_durations_read_as_durations(seconds, text):
    assert plotting.format_duration(seconds) == text


def test_time_axes_use_the_duration_formatter():
    ax = FIGURES["start_costs"]()
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "1 ms" in labels and "10 ms" in labels
    assert not any("10^" in s or "$" in s for s in labels)


def test_import_outside_ipython_sets_the_style_quietly():
    import matplotlib as mpl

    assert (
        mpl.rcParams["font.size"] >= 11
        and mpl.rcParams["legend.fontsize"] >= 11
    )
    assert not mpl.rcParams["axes.spines.top"]


def test_plot_start_costs_draws_dots_not_bars_on_a_log_axis():
    timings = [Timing("fork", [0.002, 0.003]), Timing("spawn", [0.05, 0.06])]
    ax = plotting.plot_start_costs(
        timings, title="t", reference=("a thread", 0.0001)
    )
    # bar length means nothing on a log axis: one dot per run instead
    assert (
        ax.get_yscale() == "log" and not ax.patches and ax.get_title() == "t"
    )
    dots = sum(
        len(line.get_xdata())
        for line in ax.lines
        if line.get_linestyle() in ("None", "", " ")
    )
    assert dots >= 4  # every run of both methods
    plt.close(ax.figure)
    with pytest.raises(ValueError):
        plotting.plot_start_costs([], title="t")


def test_plot_chunksize_sweep_marks_best_default_and_ideal():
    ax = plotting.plot_chunksize_sweep(
        [1, 10, 100],
        [1.0, 0.1, 0.2],
        title="t",
        ideal=0.05,
        default_chunksize=50,
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert "fastest: chunksize 10" in labels and "Pool's default: 50" in labels
    plt.close(ax.figure)
    for bad in (([], []), ([1, 2], [1.0]), ([0], [1.0]), ([1], [0.0])):
        with pytest.raises(ValueError):
            plotting.plot_chunksize_sweep(*bad, title="t")


def test_draws_each_api_and_the_ideal():
    ax = plot_per_task_cost(
        [1, 10, 100],
        {"a": [50, 5, 1], "b": [20, 2, 0.5]},
        title="t",
        ideal=0.2,
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["a", "b"] and labels[2].startswith("ideal")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() == "t" and "µs" in ax.get_ylabel()
    plt.close("all")


@pytest.mark.parametrize(
    "chunksizes, series, ideal, error",
    [
        ([], {"a": []}, None, ValueError),
        ([0, 1], {"a": [1, 1]}, None, ValueError),
        ([1, 2], {}, None, ValueError),
        ([1, 2], {"a": [1]}, None, ValueError),
        ([1, 2], {"a": [1, 0]}, None, ValueError),
        ([1, 2], {"a": [1, 1]}, -1.0, ValueError),
        ([1, 2], {"a": [1, 1]}, "x", TypeError),
    ],
)
def test_per_task_bad_input_raises(chunksizes, series, ideal, error):
    with pytest.raises(error):
        plot_per_task_cost(chunksizes, series, title="t", ideal=ideal)
    plt.close("all")


def test_cost_by_size_draws_a_proportional_line_per_series():
    ax = plotting.plot_cost_by_size(
        [1, 2, 4],
        {"fork": [0.001, 0.002, 0.004]},
        title="t",
        xlabel="processes",
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["fork", "fork: proportional to size"]
    assert "time" in ax.get_ylabel() and ax.get_title() == "t"
    # durations read as durations, and each series is labelled at its end
    assert ax.yaxis.get_major_formatter()(0.01, 0) == "10 ms"
    assert "fork" in [text.get_text() for text in ax.texts]


def test_cost_by_size_bytes_axis():
    ax = plotting.plot_cost_by_size(
        [1024, 2**20],
        {"a": [1e-4, 1e-2]},
        title="t",
        xlabel="bytes",
        bytes_axis=True,
    )
    assert ax.get_xscale() == "log"


def test_granularity_has_ideal_and_break_even():
    ax = plotting.plot_granularity(
        [1e-5, 1e-3], {"Pool.map": [0.5, 1.8]}, workers=2, title="g"
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert "Pool.map" in labels
    assert any(label.startswith("ideal") for label in labels)
    assert any(label.startswith("break-even") for label in labels)
    assert "µs" in ax.get_xlabel()


@pytest.mark.parametrize(
    "call",
    [
        lambda: plotting.plot_cost_by_size(
            [], {"a": []}, title="t", xlabel="x"
        ),
        lambda: plotting.plot_cost_by_size([1, 2], {}, title="t", xlabel="x"),
        lambda: plotting.plot_cost_by_size(
            [1, 2], {"a": [1.0]}, title="t", xlabel="x"
        ),
        lambda: plotting.plot_cost_by_size(
            [1, 2], {"a": [1.0, 0.0]}, title="t", xlabel="x"
        ),
        lambda: plotting.plot_granularity(
            [1e-3], {"a": [1.0]}, workers=0, title="g"
        ),
        lambda: plotting.plot_granularity([], {"a": []}, workers=1, title="g"),
        lambda: plotting.plot_granularity([1e-3], {}, workers=1, title="g"),
        lambda: plotting.plot_granularity(
            [1e-3], {"a": [1.0, 2.0]}, workers=1, title="g"
        ),
    ],
)
def test_cost_plots_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()
