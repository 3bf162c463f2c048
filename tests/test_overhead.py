"""The overhead measurements return honest, correct results and reject bad input."""

import pytest

from multicore_guide import overhead, workers


def test_start_cost_times_each_start(child_context):
    timing = overhead.start_cost(child_context, repeat=2)
    assert timing.label == child_context.get_start_method()
    assert timing.runs == 2 and timing.best > 0


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
