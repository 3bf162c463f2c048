"""Every figure has a title, labelled axes with units, and an ideal line."""

import matplotlib

matplotlib.use("agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from multicore_guide import plotting  # noqa: E402
from multicore_guide.explorers import amdahl_explorer  # noqa: E402
from multicore_guide.machine import core_counts, describe_machine, usable_cores  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labels_of(ax):
    return [line.get_label() for line in ax.get_lines()]


def test_timing_bars_have_units_and_ideal():
    ax = plotting.plot_timing_bars({"serial": 2.0, "processes": 1.1}, title="CPU-bound", ideal=1.0)
    assert ax.get_title() == "CPU-bound"
    assert "(s)" in ax.get_ylabel()
    assert "ideal" in labels_of(ax)
    assert len(ax.patches) == 2


def test_speedup_plot_draws_ideal_amdahl_and_measured():
    ax = plotting.plot_speedup([1, 2, 3, 4], [1.0, 1.9, 1.8, 1.85], cores=2, title="t", amdahl_fraction=0.95)
    names = labels_of(ax)
    assert any(n.startswith("ideal") for n in names)
    assert any(n.startswith("Amdahl") for n in names)
    assert "measured" in names
    assert "(×)" in ax.get_ylabel() and ax.get_xlabel()


def test_amdahl_curves_mark_a_point():
    ax = plotting.plot_amdahl_curves([0.5, 0.9], max_workers=16, highlight=(0.9, 8))
    assert "ideal: S = n" in labels_of(ax)
    assert ax.get_xscale() == "log"


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: plotting.plot_timing_bars({}, title="x"), ValueError),
        (lambda: plotting.plot_timing_bars({"a": -1.0}, title="x"), ValueError),
        (lambda: plotting.plot_timing_bars({"a": "1"}, title="x"), TypeError),
        (lambda: plotting.plot_speedup([1, 2], [1.0], cores=2, title="x"), ValueError),
        (lambda: plotting.plot_speedup([1], [1.0], cores=0, title="x"), ValueError),
        (lambda: plotting.plot_amdahl_curves([], max_workers=8), ValueError),
        (lambda: plotting.plot_amdahl_curves([1.2], max_workers=8), ValueError),
        (lambda: amdahl_explorer(cores=0), ValueError),
        (lambda: amdahl_explorer(parallel_fraction=2.0), ValueError),
        (lambda: amdahl_explorer(fixed_cost=-0.1), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_explorer_has_three_sliders():
    box = amdahl_explorer(0.8, 4, 32, fixed_cost=0.1)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["parallel p", "cores n", "fixed cost c"]
    assert sliders[0].value == 0.8 and sliders[1].value == 4 and sliders[2].value == 0.1


def test_explorer_draws_the_fixed_cost_curve_below_amdahl():
    from multicore_guide.explorers import _draw

    _, ax = plt.subplots()
    _draw(ax, 0.9, 4, 0.1, 32)
    curves = {line.get_label(): line.get_ydata() for line in ax.get_lines() if not line.get_label().startswith("_")}
    amdahl, with_cost = curves["p = 0.9, limit 10×"], curves["p = 0.9 with fixed cost c = 0.1"]
    assert with_cost[0] == pytest.approx(1 / 1.1)  # one core: slower than the loop
    assert all(with_cost < amdahl)
    _, plain = plt.subplots()
    _draw(plain, 0.9, 4, 0.0, 32)
    assert len(plain.get_lines()) < len(ax.get_lines())


def test_machine_description_names_python_and_cores():
    assert "CPython" in describe_machine() or "PyPy" in describe_machine()
    assert usable_cores() >= 1
    assert "os.cpu_count()" in core_counts()
