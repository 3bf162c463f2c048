"""Chapter 10's module: the cost sweeps, the BLAS thread limits and the model of a map's overhead; no timing is asserted."""

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from multicore_guide import measuring, overhead
from multicore_guide.timing import Timing


def test_echo_and_pickle_round_trip_return_equal_values():
    value = {"a": [1, 2.5, "x"], "b": (None, b"bytes")}
    assert overhead.echo(value) is value
    assert overhead.pickle_round_trip(value) == value
    array = np.arange(10.0)
    assert np.array_equal(overhead.pickle_round_trip(array), array)


def test_measure_transfer_returns_one_timing_per_size(child_context):
    transfer = overhead.measure_transfer(
        [8, 1024], context=child_context, repeat=1
    )
    assert transfer.nbytes == [8, 1024]
    assert [t.runs for t in transfer.pickled] == [1, 1]
    assert [t.runs for t in transfer.pool] == [1, 1]
    assert [row["bytes"] for row in transfer.rows()] == [8, 1024]


def test_calibrate_burn_scales_with_the_target(monkeypatch):
    """With the probe's time fixed, the count is proportional to the target, and never below 1."""
    probes = []

    def fixed_measure(fn, probe, **kwargs):
        probes.append(probe)
        return Timing(
            "burn_cpu", [0.01, 0.01, 0.01]
        )  # 20,000 iterations take 10 ms

    monkeypatch.setattr(overhead, "measure", fixed_measure)
    assert overhead.calibrate_burn(1e-3, probe=20_000) == 2_000
    assert overhead.calibrate_burn(1e-2, probe=20_000) == 20_000
    assert overhead.calibrate_burn(0.5, probe=20_000) == 1_000_000
    assert overhead.calibrate_burn(1e-9, probe=20_000) == 1
    assert probes == [20_000] * 4


def test_calibrate_burn_counts_what_burn_cpu_does_here():
    """Measured for real, ten times the target gives about ten times the count (the clock is noisy)."""
    short = overhead.calibrate_burn(0.005, probe=20_000)
    long = overhead.calibrate_burn(0.05, probe=20_000)
    assert 2 < long / short < 50


def test_measure_granularity_checks_answers_and_counts_tasks(child_context):
    grain = overhead.measure_granularity(
        [1e-4, 1e-3],
        workers=2,
        total_seconds=0.002,
        context=child_context,
        repeat=1,
    )
    assert grain.workers == 2
    # 2 ms of work: 20 tasks of 100 µs; 2 tasks of 1 ms, raised to two per worker
    assert grain.tasks == [20, 4]
    assert set(grain.timings) == {"serial", "executor.map", "Pool.map"}
    assert all(len(ts) == 2 for ts in grain.timings.values())
    assert len(grain.speedups("Pool.map")) == 2
    assert len(grain.rows()) == 2


def make_granularity(speedups):
    """A Granularity whose executor.map speedups are ``speedups`` (serial 1 s each)."""
    from multicore_guide.timing import Timing

    lengths = [1e-5, 1e-4, 1e-3, 1e-2][: len(speedups)]
    serial = [Timing("serial", [1.0]) for _ in lengths]
    parallel = [Timing("executor.map", [1.0 / s]) for s in speedups]
    return overhead.Granularity(
        lengths,
        [4] * len(lengths),
        {"serial": serial, "executor.map": parallel},
        2,
    )


@pytest.mark.parametrize(
    "speedups, expected",
    [
        ([0.1, 0.5, 1.2, 1.8], 1e-3),
        ([1.1, 1.5, 1.9, 1.9], 1e-5),
        ([0.1, 0.2, 0.5, 0.9], None),
        ([0.5, 1.2, 0.9, 1.5], 1e-2),
    ],
)
def test_crossover_is_the_shortest_length_that_always_wins(speedups, expected):
    assert make_granularity(speedups).crossover("executor.map") == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: measuring.start_batch(workers=0),
        lambda: overhead.measure_transfer([]),
        lambda: overhead.measure_transfer([4]),
        lambda: overhead.calibrate_burn(0),
        lambda: overhead.measure_granularity([], workers=1),
        lambda: overhead.measure_granularity([1e-3], workers=0),
        lambda: overhead.measure_granularity([-1.0], workers=1),
    ],
)
def test_bad_overhead_input_raises(call):
    with pytest.raises((TypeError, ValueError)):
        call()


def test_pickle_round_trip_refuses_what_pickle_refuses():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        overhead.pickle_round_trip(lambda: None)


def test_matmul_checksum_is_reproducible():
    assert overhead.matmul_checksum((20, 3)) == overhead.matmul_checksum(
        (20, 3)
    )
    assert overhead.matmul_checksum((20, 3)) != overhead.matmul_checksum(
        (20, 4)
    )


def test_blas_threads_reports_numpy_blas():
    import numpy  # noqa: F401  (loads the BLAS)

    reported = overhead.blas_threads()
    assert reported, "NumPy is imported, so at least one BLAS must be reported"
    assert reported == sorted(reported)
    assert all(
        isinstance(name, str)
        and name
        and isinstance(threads, int)
        and threads >= 1
        for name, threads in reported
    )


def test_limit_in_a_worker_holds(child_context):
    with ProcessPoolExecutor(
        1,
        mp_context=child_context,
        initializer=overhead.limit_blas_threads,
        initargs=(1,),
    ) as pool:
        reported = pool.submit(overhead.blas_threads).result(timeout=60)
        product = pool.submit(overhead.matmul_checksum, (30, 1)).result(
            timeout=60
        )
    assert reported, "the worker imports NumPy, so it must report a BLAS"
    assert [threads for _, threads in reported] == [1] * len(reported)
    assert product == pytest.approx(overhead.matmul_checksum((30, 1)))


def test_a_worker_without_the_limit_keeps_its_default(
    child_context, monkeypatch
):
    """The limit above is the initializer's doing: a worker without it reports what this process does."""
    # a new process reads these at start; Dask's nanny sets them in the process
    # that starts a LocalCluster, so a test that ran one earlier would leak them
    for variable in (
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
    ):
        monkeypatch.delenv(variable, raising=False)
    default = overhead.blas_threads()
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        reported = pool.submit(overhead.blas_threads).result(timeout=60)
    assert reported == default


def test_measure_blas_split_labels_and_agrees(child_context):
    result = overhead.measure_blas_split(
        [(1, 1), (2, 1)],
        [(20, s) for s in range(4)],
        context=child_context,
        repeat=1,
    )
    assert list(result["timings"]) == [
        "1 process x 1 thread",
        "2 processes x 1 thread",
    ]
    assert [t.runs for t in result["timings"].values()] == [1, 1]
    expected = [
        overhead.matmul_checksum(task) for task in [(20, s) for s in range(4)]
    ]
    for timing in result["timings"].values():
        assert timing.result == pytest.approx(expected, rel=1e-9)
    for label, processes in [
        ("1 process x 1 thread", 1),
        ("2 processes x 1 thread", 2),
    ]:
        reported = result["threads"][label]
        assert len(reported) == processes
        assert all(
            pairs and [threads for _, threads in pairs] == [1] * len(pairs)
            for pairs in reported
        )


def test_measure_blas_split_runs_one_pool_at_a_time(
    child_context, monkeypatch
):
    """Each split is timed on its own pool, and that pool is gone before the next one starts."""
    import concurrent.futures

    alive, most = [0], [0]
    real = concurrent.futures.ProcessPoolExecutor

    class Counted(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            alive[0] += 1
            most[0] = max(most[0], alive[0])

        def shutdown(self, *args, **kwargs):
            super().shutdown(*args, **kwargs)
            alive[0] -= 1

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    overhead.measure_blas_split(
        [(1, 1), (2, 1), (1, 2)], [(10, 0)], context=child_context, repeat=1
    )
    assert most[0] == 1 and alive[0] == 0


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: overhead.matmul_checksum([3, 1]), TypeError),
        (lambda: overhead.matmul_checksum((0, 1)), ValueError),
        (lambda: overhead.matmul_checksum((3, -1)), ValueError),
        (lambda: overhead.limit_blas_threads(0), ValueError),
        (lambda: overhead.measure_blas_split([], [(3, 1)]), ValueError),
        (lambda: overhead.measure_blas_split([(0, 1)], [(3, 1)]), ValueError),
    ],
)
def test_bad_blas_input_raises(call, error):
    with pytest.raises(error):
        call()


# the model of a map's wall time, and its explorer


def test_model_adds_start_chunks_and_work():
    # 10 tasks of 1 s, chunks of 3: 4 chunks, the busiest of 2 workers
    # runs 2 of them (6 tasks); start 0.5 s a worker, 0.1 s a chunk
    seconds = overhead.predict_map_seconds(
        10, 1.0, workers=2, chunksize=3, chunk_cost=0.1, start_per_worker=0.5
    )
    assert seconds == pytest.approx(2 * 0.5 + 2 * 0.1 + 6 * 1.0)
    assert overhead.predict_speedup(
        10, 1.0, workers=2, chunksize=3, chunk_cost=0.1, start_per_worker=0.5
    ) == pytest.approx(10 / 7.2)


def test_model_without_costs_is_the_even_split():
    assert overhead.predict_map_seconds(
        8, 0.25, workers=4, chunk_cost=0.0
    ) == pytest.approx(0.5)
    assert overhead.predict_speedup(
        8, 0.25, workers=4, chunk_cost=0.0
    ) == pytest.approx(4.0)
    # more workers than chunks: the extra workers idle
    assert overhead.predict_speedup(
        4, 1.0, workers=8, chunksize=2, chunk_cost=0.0
    ) == pytest.approx(2.0)
    # the last chunk is short: the busiest worker never runs more than n
    assert overhead.predict_map_seconds(
        5, 1.0, workers=1, chunksize=4, chunk_cost=0.0
    ) == pytest.approx(5.0)


def test_chunking_pays_the_chunk_cost_fewer_times():
    one = overhead.predict_speedup(1000, 1e-5, workers=2, chunk_cost=1e-4)
    chunked = overhead.predict_speedup(
        1000, 1e-5, workers=2, chunksize=100, chunk_cost=1e-4
    )
    assert one < 1.0 < chunked < 2.0


def test_chunk_cost_from_map_inverts_the_model():
    seconds = overhead.predict_map_seconds(
        101, 2e-5, workers=2, chunk_cost=3e-4
    )
    assert overhead.chunk_cost_from_map(
        seconds, 101, 2e-5, workers=2
    ) == pytest.approx(3e-4)
    # a map faster than its work alone: the cost is 0, not negative
    assert overhead.chunk_cost_from_map(0.001, 100, 1e-3, workers=2) == 0.0


@pytest.mark.parametrize(
    "call, error",
    [
        (
            lambda: overhead.predict_map_seconds(
                0, 1.0, workers=1, chunk_cost=0.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1, -1.0, workers=1, chunk_cost=0.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1, 1.0, workers=0, chunk_cost=0.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1, 1.0, workers=1, chunksize=0, chunk_cost=0.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1, 1.0, workers=1, chunk_cost=-1.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1, 1.0, workers=1, chunk_cost=0.0, start_per_worker=-1.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1.5, 1.0, workers=1, chunk_cost=0.0
            ),
            TypeError,
        ),
        (
            lambda: overhead.predict_map_seconds(
                1, "1", workers=1, chunk_cost=0.0
            ),
            TypeError,
        ),
        (
            lambda: overhead.predict_speedup(
                1, 0.0, workers=1, chunk_cost=0.0
            ),
            ValueError,
        ),
        (
            lambda: overhead.chunk_cost_from_map(-1.0, 1, 1.0, workers=1),
            ValueError,
        ),
        (
            lambda: overhead.chunk_cost_from_map(1.0, 1, 1.0, workers=True),
            TypeError,
        ),
    ],
)
def test_bad_model_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_explorer_has_three_sliders():
    import matplotlib

    matplotlib.use("agg")  # draws off screen
    import matplotlib.pyplot as plt

    box = overhead.overhead_explorer(
        chunk_cost=1e-4,
        start_per_worker=0.01,
        task_seconds=1e-3,
        chunksize=8,
        workers=3,
        max_workers=6,
    )
    sliders = box.children[0].children
    assert [s.description for s in sliders] == [
        "task length (s)",
        "chunksize",
        "workers",
    ]
    assert [s.value for s in sliders] == [pytest.approx(1e-3), 8, 3]
    assert sliders[2].max == 6
    plt.close("all")


def test_explorer_draws_the_model_and_marks_the_chosen_length():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    overhead._draw_overhead(
        ax, 1e-4, 50, 2, n_tasks=1000, chunk_cost=1e-4, start_per_worker=0.0
    )
    curves = {
        line.get_label(): line.get_ydata()
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    }
    chunked, single = (
        curves["model, chunksize 50"],
        curves["model, chunksize 1"],
    )
    assert all(np.asarray(chunked) >= np.asarray(single))
    point = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert point[0].get_ydata()[0] == pytest.approx(
        overhead.predict_speedup(
            1000, 1e-4, workers=2, chunksize=50, chunk_cost=1e-4
        )
    )
    ax.figure.canvas.draw()  # the static figure draws
    _, plain = plt.subplots()
    overhead._draw_overhead(
        plain, 1e-4, 1, 2, n_tasks=10, chunk_cost=0.0, start_per_worker=0.0
    )
    assert "model, chunksize 1" in [l.get_label() for l in plain.get_lines()]
    assert len(plain.get_lines()) < len(ax.get_lines())
    plt.close("all")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"workers": 5, "max_workers": 4},
        {"chunksize": 300, "max_chunksize": 256},
        {"task_seconds": 2.0},
        {"chunk_cost": -1.0},
        {"start_per_worker": -1.0},
    ],
)
def test_bad_explorer_input_raises(kwargs):
    args = {"chunk_cost": 1e-4, "start_per_worker": 0.01, **kwargs}
    with pytest.raises(ValueError):
        overhead.overhead_explorer(**args)
