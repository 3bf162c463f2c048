"""The cost sweeps: right answers, honest bookkeeping, clear errors; no timing is asserted."""

import pickle

import numpy as np
import pytest
from test_overhead import RecordingContext

from multicore_guide import costs
from multicore_guide.timing import Timing


def test_start_batch_times_each_batch(child_context):
    recording = RecordingContext(child_context)
    timing = costs.start_batch(recording, processes=2, repeat=2, warmup=1)
    assert timing.label == f"{child_context.get_start_method()} x 2"
    assert timing.runs == 2
    # two children per batch, warm-up batch included, each run to the end
    assert len(recording.children) == 6
    assert [child.exitcode for child in recording.children] == [0] * 6
    # a batch starts both children before it joins either, and its timing holds all of it
    batches = [recording.children[i : i + 2] for i in (2, 4)]
    for seconds, batch in zip(timing.seconds, batches):
        assert max(c.started for c in batch) < min(c.joined for c in batch)
        assert seconds >= max(c.joined for c in batch) - min(c.started for c in batch)


def test_echo_and_pickle_round_trip_return_equal_values():
    value = {"a": [1, 2.5, "x"], "b": (None, b"bytes")}
    assert costs.echo(value) is value
    assert costs.pickle_round_trip(value) == value
    array = np.arange(10.0)
    assert np.array_equal(costs.pickle_round_trip(array), array)


def test_measure_transfer_returns_one_timing_per_size(child_context):
    transfer = costs.measure_transfer([8, 1024], context=child_context, repeat=1)
    assert transfer.nbytes == [8, 1024]
    assert [t.runs for t in transfer.pickled] == [1, 1]
    assert [t.runs for t in transfer.pool] == [1, 1]
    assert [row["bytes"] for row in transfer.rows()] == [8, 1024]


def test_calibrate_burn_scales_with_the_target(monkeypatch):
    """With the probe's time fixed, the count is proportional to the target, and never below 1."""
    probes = []

    def fixed_measure(fn, probe, **kwargs):
        probes.append(probe)
        return Timing("burn_cpu", [0.01, 0.01, 0.01])  # 20,000 iterations take 10 ms

    monkeypatch.setattr(costs, "measure", fixed_measure)
    assert costs.calibrate_burn(1e-3, probe=20_000) == 2_000
    assert costs.calibrate_burn(1e-2, probe=20_000) == 20_000
    assert costs.calibrate_burn(0.5, probe=20_000) == 1_000_000
    assert costs.calibrate_burn(1e-9, probe=20_000) == 1
    assert probes == [20_000] * 4


def test_calibrate_burn_counts_what_burn_cpu_does_here():
    """Measured for real, ten times the target gives about ten times the count (the clock is noisy)."""
    short = costs.calibrate_burn(0.005, probe=20_000)
    long = costs.calibrate_burn(0.05, probe=20_000)
    assert 2 < long / short < 50


def test_measure_granularity_checks_answers_and_counts_tasks(child_context):
    grain = costs.measure_granularity([1e-4, 1e-3], workers=2, total_seconds=0.002, context=child_context, repeat=1)
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
    return costs.Granularity(lengths, [4] * len(lengths), {"serial": serial, "executor.map": parallel}, 2)


@pytest.mark.parametrize(
    "speedups, expected",
    [([0.1, 0.5, 1.2, 1.8], 1e-3), ([1.1, 1.5, 1.9, 1.9], 1e-5), ([0.1, 0.2, 0.5, 0.9], None), ([0.5, 1.2, 0.9, 1.5], 1e-2)],
)
def test_crossover_is_the_shortest_length_that_always_wins(speedups, expected):
    assert make_granularity(speedups).crossover("executor.map") == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: costs.start_batch(processes=0),
        lambda: costs.measure_transfer([]),
        lambda: costs.measure_transfer([4]),
        lambda: costs.calibrate_burn(0),
        lambda: costs.measure_granularity([], workers=1),
        lambda: costs.measure_granularity([1e-3], workers=0),
        lambda: costs.measure_granularity([-1.0], workers=1),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises((TypeError, ValueError)):
        call()


def test_pickle_round_trip_refuses_what_pickle_refuses():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        costs.pickle_round_trip(lambda: None)
