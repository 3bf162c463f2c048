"""Speedup arithmetic, Amdahl's law, the scaling runs, batch starts and timed maps."""

import math
import time

import numpy as np
import pytest

from multicore_guide import measuring, workers


def test_amdahl_limits():
    assert measuring.amdahl_speedup(0.0, 64) == 1.0
    assert measuring.amdahl_speedup(1.0, 64) == 64.0
    # p = 0.95 can never pass 20x however many cores
    assert measuring.amdahl_speedup(0.95, 10**9) == pytest.approx(
        20.0, rel=1e-6
    )


def test_amdahl_accepts_arrays():
    values = measuring.amdahl_speedup(0.5, np.array([1, 2, 4]))
    assert np.allclose(values, [1.0, 4 / 3, 1.6])


def test_fit_amdahl_recovers_the_fraction():
    counts = [1, 2, 4, 8, 16]
    measured = [measuring.amdahl_speedup(0.83, n) for n in counts]
    assert measuring.fit_amdahl(counts, measured) == pytest.approx(0.83)


def test_fit_amdahl_clips_to_the_unit_interval():
    assert measuring.fit_amdahl([2, 4], [2.5, 5.0]) == 1.0


def test_speedup_and_efficiency():
    assert measuring.speedup(4.0, 2.0) == 2.0
    assert measuring.efficiency(1.8, 2) == pytest.approx(0.9)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: measuring.amdahl_speedup(1.5, 4), ValueError),
        (lambda: measuring.amdahl_speedup(0.5, 0), ValueError),
        (lambda: measuring.amdahl_speedup(0.5, [0, 2]), ValueError),
        (lambda: measuring.fit_amdahl([1], [1.0]), ValueError),
        (lambda: measuring.fit_amdahl([2, 4], [1.0]), ValueError),
        (lambda: measuring.speedup(0.0, 1.0), ValueError),
        (lambda: measuring.efficiency(1.0, 0), ValueError),
        (lambda: measuring.run_map("gpu", abs, [1]), ValueError),
        (lambda: measuring.run_map("serial", abs, [1], 0), ValueError),
        (lambda: measuring.run_map("serial", 3, [1]), TypeError),
        (lambda: measuring.measure_scaling(abs, [1], []), ValueError),
        (lambda: measuring.measure_scaling(abs, [1], [2, 2]), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


@pytest.mark.parametrize("kind", measuring.WAYS)
def test_run_map_gives_the_same_answer_every_way(kind):
    blocks = workers.split_range(0, 5_000, 6)
    assert measuring.run_map(kind, workers.count_primes_block, blocks, 2) == [
        workers.count_primes_block(b) for b in blocks
    ]


def test_measure_scaling_checks_and_reports(child_context):
    blocks = workers.split_range(0, 2_000, 4)
    result = measuring.measure_scaling(
        workers.count_primes_block,
        blocks,
        [1, 2],
        context=child_context,
        repeat=1,
    )
    assert result.workers == [1, 2]
    assert sum(result.serial.result) == 303
    assert len(result.speedups) == 2 and all(s > 0 for s in result.speedups)
    assert [row["workers"] for row in result.rows()] == [1, 2]
    assert all(
        math.isclose(e, s / n)
        for e, s, n in zip(
            result.efficiencies, result.speedups, result.workers
        )
    )


def test_time_each_way_times_every_way_on_the_same_items():
    timings = measuring.time_each_way(workers.square, [1, 2, 3], 2, repeat=1)
    assert list(timings) == list(measuring.WAYS)
    assert all(t.result == [1, 4, 9] and t.runs == 1 for t in timings.values())


class RecordingContext:
    """A context whose processes note when each ``start()`` began and each ``join()`` ended."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.children = []  # one RecordedProcess per Process() call

    def get_start_method(self):
        return self.ctx.get_start_method()

    def Process(self, *args, **kwargs):
        child = RecordedProcess(self.ctx.Process(*args, **kwargs))
        self.children.append(child)
        return child


class RecordedProcess:
    """Stands in for a Process (which must stay picklable): times ``start`` and ``join``, passes on the rest."""

    def __init__(self, process):
        self.process = process
        self.started = self.joined = None

    def start(self):
        self.started = time.perf_counter()
        self.process.start()

    def join(self, timeout=None):
        self.process.join(timeout)
        self.joined = time.perf_counter()

    def __getattr__(self, name):
        return getattr(self.process, name)


def test_start_batch_starts_one_child_by_default(child_context):
    recording = RecordingContext(child_context)
    timing = measuring.start_batch(recording, repeat=2, warmup=1)
    assert timing.label == child_context.get_start_method()
    assert timing.runs == 2
    # one child per run, warm-up included, each started, run to the end and joined
    assert len(recording.children) == 3
    assert [child.exitcode for child in recording.children] == [0, 0, 0]
    # each timed run holds the whole of its child's start and join: the warm-up child is not timed
    for seconds, child in zip(timing.seconds, recording.children[1:]):
        assert seconds >= child.joined - child.started


@pytest.mark.parametrize(
    "n_tasks, n_workers, expected",
    [
        (0, 2, 0),
        (1, 2, 1),
        (8, 2, 1),
        (9, 2, 2),
        (20_000, 2, 2_500),
        (100, 3, 9),
    ],
)
def test_pool_default_chunksize_follows_cpython(n_tasks, n_workers, expected):
    assert measuring.pool_default_chunksize(n_tasks, n_workers) == expected


@pytest.mark.parametrize("api", measuring.MAP_WAYS)
@pytest.mark.parametrize("chunksize", [None, 1, 7])
def test_time_map_returns_the_answers_in_order(api, chunksize, child_context):
    items = list(range(50))
    timing = measuring.time_map(
        api,
        workers.square,
        items,
        workers=2,
        chunksize=chunksize,
        context=child_context,
        repeat=1,
    )
    assert timing.result == [n * n for n in items]
    assert timing.runs == 1


@pytest.mark.parametrize(
    "call, error",
    [
        (
            lambda: measuring.time_map("Pool.imap", abs, [1], workers=1),
            ValueError,
        ),
        (
            lambda: measuring.time_map("Pool.map", abs, [], workers=1),
            ValueError,
        ),
        (
            lambda: measuring.time_map("Pool.map", abs, [1], workers=0),
            ValueError,
        ),
        (
            lambda: measuring.time_map(
                "Pool.map", abs, [1], workers=1, chunksize=0
            ),
            ValueError,
        ),
        (lambda: measuring.pool_default_chunksize(-1, 2), ValueError),
        (lambda: measuring.start_batch(repeat=0), ValueError),
    ],
)
def test_bad_map_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_start_batch_times_each_batch(child_context):
    recording = RecordingContext(child_context)
    timing = measuring.start_batch(recording, workers=2, repeat=2, warmup=1)
    assert timing.label == f"{child_context.get_start_method()} x 2"
    assert timing.runs == 2
    # two children per batch, warm-up batch included, each run to the end
    assert len(recording.children) == 6
    assert [child.exitcode for child in recording.children] == [0] * 6
    # a batch starts both children before it joins either, and its timing holds all of it
    batches = [recording.children[i : i + 2] for i in (2, 4)]
    for seconds, batch in zip(timing.seconds, batches):
        assert max(c.started for c in batch) < min(c.joined for c in batch)
        assert seconds >= max(c.joined for c in batch) - min(
            c.started for c in batch
        )
