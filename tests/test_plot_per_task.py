"""plot_per_task_cost draws one line per API, the ideal line, log axes, and rejects bad input."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from multicore_guide.plotting import plot_per_task_cost  # noqa: E402


def test_draws_each_api_and_the_ideal():
    ax = plot_per_task_cost([1, 10, 100], {"a": [50, 5, 1], "b": [20, 2, 0.5]}, title="t", ideal=0.2)
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
def test_bad_input_raises(chunksizes, series, ideal, error):
    with pytest.raises(error):
        plot_per_task_cost(chunksizes, series, title="t", ideal=ideal)
    plt.close("all")
