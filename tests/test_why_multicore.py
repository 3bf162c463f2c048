"""The Amdahl explorer of chapter 2: its sliders, and the curves it draws."""

import matplotlib

matplotlib.use("agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from multicore_guide.why_multicore import amdahl_explorer  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_explorer_has_three_sliders():
    box = amdahl_explorer(0.8, 4, 32, fixed_cost=0.1)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == [
        "parallel p",
        "cores n",
        "fixed cost c",
    ]
    assert (
        sliders[0].value == 0.8
        and sliders[1].value == 4
        and sliders[2].value == 0.1
    )


def test_explorer_draws_the_fixed_cost_curve_below_amdahl():
    from multicore_guide.why_multicore import _draw

    _, ax = plt.subplots()
    _draw(ax, 0.9, 4, 0.1, 32)
    curves = {
        line.get_label(): line.get_ydata()
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    }
    amdahl, with_cost = (
        curves["p = 0.9, limit 10×"],
        curves["p = 0.9 with fixed cost c = 0.1"],
    )
    assert with_cost[0] == pytest.approx(
        1 / 1.1
    )  # one core: slower than the loop
    assert all(with_cost < amdahl)
    _, plain = plt.subplots()
    _draw(plain, 0.9, 4, 0.0, 32)
    assert len(plain.get_lines()) < len(ax.get_lines())
