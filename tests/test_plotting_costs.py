"""The cost and granularity figures: titles, units, the proportional and ideal lines, bad input."""

import matplotlib

matplotlib.use("agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from multicore_guide import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_cost_by_size_draws_a_proportional_line_per_series():
    ax = plotting.plot_cost_by_size([1, 2, 4], {"fork": [0.001, 0.002, 0.004]}, title="t", xlabel="processes")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["fork", "fork: proportional to size"]
    assert "time" in ax.get_ylabel() and ax.get_title() == "t"
    # durations read as durations, and each series is labelled at its end
    assert ax.yaxis.get_major_formatter()(0.01, 0) == "10 ms"
    assert "fork" in [text.get_text() for text in ax.texts]


def test_cost_by_size_bytes_axis():
    ax = plotting.plot_cost_by_size([1024, 2**20], {"a": [1e-4, 1e-2]}, title="t", xlabel="bytes", bytes_axis=True)
    assert ax.get_xscale() == "log"


def test_granularity_has_ideal_and_break_even():
    ax = plotting.plot_granularity([1e-5, 1e-3], {"Pool.map": [0.5, 1.8]}, workers=2, title="g")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "Pool.map" in labels
    assert any(label.startswith("ideal") for label in labels)
    assert any(label.startswith("break-even") for label in labels)
    assert "µs" in ax.get_xlabel()


@pytest.mark.parametrize(
    "call",
    [
        lambda: plotting.plot_cost_by_size([], {"a": []}, title="t", xlabel="x"),
        lambda: plotting.plot_cost_by_size([1, 2], {}, title="t", xlabel="x"),
        lambda: plotting.plot_cost_by_size([1, 2], {"a": [1.0]}, title="t", xlabel="x"),
        lambda: plotting.plot_cost_by_size([1, 2], {"a": [1.0, 0.0]}, title="t", xlabel="x"),
        lambda: plotting.plot_granularity([1e-3], {"a": [1.0]}, workers=0, title="g"),
        lambda: plotting.plot_granularity([], {"a": []}, workers=1, title="g"),
        lambda: plotting.plot_granularity([1e-3], {}, workers=1, title="g"),
        lambda: plotting.plot_granularity([1e-3], {"a": [1.0, 2.0]}, workers=1, title="g"),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()
