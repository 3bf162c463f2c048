"""The overhead measurements return honest, correct results and reject bad input."""

import time

import pytest

from multicore_guide import overhead, workers


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


def test_start_cost_times_each_start(child_context):
    recording = RecordingContext(child_context)
    timing = overhead.start_cost(recording, repeat=2, warmup=1)
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
    [(0, 2, 0), (1, 2, 1), (8, 2, 1), (9, 2, 2), (20_000, 2, 2_500), (100, 3, 9)],
)
def test_pool_default_chunksize_follows_cpython(n_tasks, n_workers, expected):
    assert overhead.pool_default_chunksize(n_tasks, n_workers) == expected


@pytest.mark.parametrize("api", overhead.MAP_APIS)
@pytest.mark.parametrize("chunksize", [None, 1, 7])
def test_time_map_returns_the_answers_in_order(api, chunksize, child_context):
    items = list(range(50))
    timing = overhead.time_map(
        api, workers.square, items, workers=2, chunksize=chunksize, context=child_context, repeat=1
    )
    assert timing.result == [n * n for n in items]
    assert timing.runs == 1


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: overhead.time_map("Pool.imap", abs, [1], workers=1), ValueError),
        (lambda: overhead.time_map("Pool.map", abs, [], workers=1), ValueError),
        (lambda: overhead.time_map("Pool.map", abs, [1], workers=0), ValueError),
        (lambda: overhead.time_map("Pool.map", abs, [1], workers=1, chunksize=0), ValueError),
        (lambda: overhead.pool_default_chunksize(-1, 2), ValueError),
        (lambda: overhead.start_cost(repeat=0), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()
