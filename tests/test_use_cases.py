"""The use-case workers: the Mandelbrot blocks, the batch of files, and the serial-against-pool timing."""

import hashlib
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import matplotlib

matplotlib.use("agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from multicore_guide import plotting, use_cases  # noqa: E402
from multicore_guide.timing import Timing  # noqa: E402
from multicore_guide.workers import split_range  # noqa: E402

SMALL = {"width": 60, "height": 40, "max_iter": 50}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- fractals ---------------------------------------------------------------


def test_mandelbrot_known_points():
    image = use_cases.mandelbrot_rows(
        (0, 3), width=3, height=3, max_iter=100, region=(-1.0, 1.0, -1.0, 1.0)
    )
    # the middle pixel is c = 0, inside the set; the corners c = -1 +- i and 1 +- i escape quickly
    assert image[1, 1] == 100
    assert image[0, 2] < 5 and image[2, 2] < 5
    assert image.dtype == np.uint16 and image.shape == (3, 3)


def test_mandelbrot_is_symmetric_about_the_real_axis():
    image = use_cases.mandelbrot_rows(
        (0, 41), width=50, height=41, max_iter=60
    )
    assert np.array_equal(image, image[::-1])


@pytest.mark.parametrize("parts", [1, 3, 7, 40])
def test_mandelbrot_blocks_stack_into_the_whole_image(parts):
    whole = use_cases.mandelbrot_rows((0, 40), **SMALL)
    pieces = [
        use_cases.mandelbrot_rows(block, **SMALL)
        for block in split_range(0, 40, parts)
    ]
    assert np.array_equal(np.vstack(pieces), whole)


def test_mandelbrot_in_spawn_and_forkserver_pools(child_context):
    rows = partial(use_cases.mandelbrot_rows, **SMALL)
    blocks = split_range(0, 40, 4)
    with ProcessPoolExecutor(2, mp_context=child_context) as pool:
        parallel = list(pool.map(rows, blocks, timeout=60))
    assert np.array_equal(np.vstack(parallel), rows((0, 40)))


@pytest.mark.parametrize(
    "rows, kwargs, error",
    [
        ((0, 5), {"width": 0, "height": 5, "max_iter": 5}, ValueError),
        ((0, 5), {"width": 5, "height": 5, "max_iter": 70_000}, ValueError),
        ((0, 6), {"width": 5, "height": 5, "max_iter": 5}, ValueError),
        ((3, 2), {"width": 5, "height": 5, "max_iter": 5}, ValueError),
        ([0, 5], {"width": 5, "height": 5, "max_iter": 5}, TypeError),
        ((0, 5), {"width": 5.0, "height": 5, "max_iter": 5}, TypeError),
        (
            (0, 5),
            {"width": 5, "height": 5, "max_iter": 5, "region": (1, 0, 0, 1)},
            ValueError,
        ),
        (
            (0, 5),
            {"width": 5, "height": 5, "max_iter": 5, "region": (0, 1)},
            ValueError,
        ),
    ],
)
def test_mandelbrot_rejects_bad_arguments(rows, kwargs, error):
    with pytest.raises(error):
        use_cases.mandelbrot_rows(rows, **kwargs)


# --- batch of files -----------------------------------------------------------


def test_write_readings_is_reproducible(tmp_path):
    first = use_cases.write_readings(tmp_path / ".", 3, 20, seed=1)
    again_dir = tmp_path / "again"
    again_dir.mkdir()
    again = use_cases.write_readings(again_dir, 3, 20, seed=1)
    assert [p.name for p in first] == [
        "readings_0000.csv",
        "readings_0001.csv",
        "readings_0002.csv",
    ]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    lines = first[0].read_text().splitlines()
    assert lines[0] == ",".join(use_cases.HEADER) and len(lines) == 21


def test_summarize_file_by_hand(tmp_path):
    path = tmp_path / "one.csv"
    text = (
        "station,minute,reading_mC\nnorth,0,1000\nsouth,1,-500\nnorth,2,2500\n"
    )
    path.write_text(text)
    summary = use_cases.summarize_file(str(path))
    assert summary == {
        "name": "one.csv",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "rows": 3,
        "count": {"north": 2, "south": 1},
        "total": {"north": 3500, "south": -500},
        "low": -500,
        "high": 2500,
    }
    assert use_cases.hash_file(path) == summary["sha256"]


def test_summarize_file_rejects_bad_input(tmp_path):
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("x,y,z\n")
    short_row = tmp_path / "b.csv"
    short_row.write_text("station,minute,reading_mC\nnorth,1\n")
    not_int = tmp_path / "c.csv"
    not_int.write_text("station,minute,reading_mC\nnorth,1,warm\n")
    for path in (bad_header, short_row, not_int):
        with pytest.raises(ValueError):
            use_cases.summarize_file(path)
    with pytest.raises(TypeError):
        use_cases.summarize_file(3)
    with pytest.raises(TypeError):
        use_cases.hash_file(None)
    with pytest.raises(FileNotFoundError):
        use_cases.summarize_file(tmp_path / "missing.csv")


def test_write_readings_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        use_cases.write_readings(tmp_path / "absent", 1, 1, 0)
    with pytest.raises(ValueError):
        use_cases.write_readings(tmp_path, 0, 1, 0)
    with pytest.raises(TypeError):
        use_cases.write_readings(tmp_path, 1, 1, 0.5)


def test_merge_is_independent_of_order(tmp_path):
    paths = use_cases.write_readings(tmp_path, 6, 50, seed=3)
    summaries = [use_cases.summarize_file(p) for p in paths]
    merged = use_cases.merge_summaries(summaries)
    assert merged == use_cases.merge_summaries(reversed(summaries))
    assert merged["files"] == 6 and merged["rows"] == 300
    assert set(merged["mean_C"]) <= set(use_cases.STATIONS)
    with pytest.raises(ValueError):
        use_cases.merge_summaries([])
    with pytest.raises(ValueError):
        use_cases.merge_summaries(summaries + summaries[:1])


def test_summarize_file_in_spawn_and_forkserver_pools(child_context, tmp_path):
    paths = use_cases.write_readings(tmp_path, 4, 30, seed=5)
    with ProcessPoolExecutor(2, mp_context=child_context) as pool:
        parallel = list(pool.map(use_cases.summarize_file, paths, timeout=60))
        hashes = list(pool.map(use_cases.hash_file, paths, timeout=60))
    assert parallel == [use_cases.summarize_file(p) for p in paths]
    assert hashes == [s["sha256"] for s in parallel]


# --- serial against pools -------------------------------------------------------


def test_time_serial_and_pools_runs_every_kind(child_context):
    timings = use_cases.time_serial_and_pools(
        abs, [-1, -2, 3], 2, context=child_context, repeat=1, threads=True
    )
    assert list(timings) == ["serial", "threads", "new pool", "warm pool"]
    assert all(t.result == [1, 2, 3] and t.runs == 1 for t in timings.values())
    ratios = use_cases.speedups_over_serial(timings)
    serial = timings["serial"].seconds[0]
    assert ratios == {
        kind: serial / timings[kind].seconds[0]
        for kind in ["threads", "new pool", "warm pool"]
    }


def test_time_serial_and_pools_raises_on_a_different_answer(child_context):
    with pytest.raises(RuntimeError, match="different result"):
        use_cases.time_serial_and_pools(
            abs,
            [1],
            1,
            context=child_context,
            repeat=1,
            same=lambda a, b: False,
        )


def test_time_serial_and_pools_rejects_bad_arguments():
    with pytest.raises(ValueError):
        use_cases.time_serial_and_pools(abs, [], 1)
    with pytest.raises(TypeError):
        use_cases.time_serial_and_pools(abs, [1], 1, same="eq")
    with pytest.raises(ValueError):
        use_cases.time_serial_and_pools(abs, [1], 0)


def test_speedups_over_serial():
    timings = {
        "serial": Timing("serial", [2.0]),
        "pool": Timing("pool", [0.5]),
    }
    assert use_cases.speedups_over_serial(timings) == {"pool": 4.0}
    with pytest.raises(KeyError):
        use_cases.speedups_over_serial({"pool": Timing("pool", [1.0])})


# --- figures ----------------------------------------------------------------------


def test_throughput_plot_has_log_axes_and_a_ceiling():
    ax = plotting.plot_throughput(
        [16, 1024],
        {"Queue": [1e5, 5e4], "Pipe": [2e5, 6e4]},
        title="t",
        bandwidth=1e8,
    )
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()][-1].endswith(
        "ceiling"
    )
    assert "bytes" in ax.get_xlabel() and "per second" in ax.get_ylabel()
    with pytest.raises(ValueError):
        plotting.plot_throughput([16], {"Queue": [1.0, 2.0]}, title="t")
    with pytest.raises(ValueError):
        plotting.plot_throughput([0], {"Queue": [1.0]}, title="t")
    with pytest.raises(ValueError):
        plotting.plot_throughput([16], {}, title="t")


def test_escape_count_plot_shows_the_plane():
    image = use_cases.mandelbrot_rows((0, 40), **SMALL)
    ax = plotting.plot_escape_counts(
        image, region=use_cases.REGION, title="set"
    )
    assert (
        ax.get_title() == "set"
        and "real" in ax.get_xlabel()
        and "imaginary" in ax.get_ylabel()
    )
    assert ax.get_xlim() == pytest.approx(use_cases.REGION[:2])
    with pytest.raises(ValueError):
        plotting.plot_escape_counts(
            np.zeros(3), region=use_cases.REGION, title="t"
        )


def test_workload_speedups_plot_groups_bars_beside_the_ideal():
    data = {
        "a": {"new pool": 1.2, "warm pool": 1.8},
        "b": {"new pool": 1.5, "warm pool": 1.9},
    }
    ax = plotting.plot_workload_speedups(data, cores=2, title="t")
    assert len(ax.patches) == 4
    assert any(line.get_label().startswith("ideal") for line in ax.get_lines())
    assert "(×)" in ax.get_xlabel()
    with pytest.raises(ValueError):
        plotting.plot_workload_speedups({}, cores=2, title="t")
    with pytest.raises(ValueError):
        plotting.plot_workload_speedups(
            {"a": {"x": 1.0}, "b": {"y": 1.0}}, cores=2, title="t"
        )
    with pytest.raises(ValueError):
        plotting.plot_workload_speedups({"a": {"x": 0.0}}, cores=2, title="t")
