"""The same map written with each API: same answers, in order, and clear failures."""

import concurrent.futures
import multiprocessing

import pytest

from multicore_guide import apis, workers

ITEMS = [(0, 500), (500, 1_000), (1_000, 3_000), (3_000, 3_001), (7, 7)]
EXPECTED = [workers.count_primes_block(b) for b in ITEMS]


def test_processes(child_context):
    assert apis.map_with_processes(workers.count_primes_block, ITEMS, context=child_context) == EXPECTED


@pytest.mark.parametrize("chunksize", [None, 1, 2])
def test_pool(child_context, chunksize):
    result = apis.map_with_pool(workers.count_primes_block, ITEMS, 2, context=child_context, chunksize=chunksize)
    assert result == EXPECTED


@pytest.mark.parametrize("chunksize", [1, 3])
def test_process_executor(child_context, chunksize):
    result = apis.map_with_process_executor(
        workers.count_primes_block, ITEMS, 2, context=child_context, chunksize=chunksize
    )
    assert result == EXPECTED


def test_thread_executor():
    assert apis.map_with_thread_executor(workers.count_primes_block, ITEMS, 3) == EXPECTED


def test_interpreter_executor_or_a_clear_refusal():
    if hasattr(concurrent.futures, "InterpreterPoolExecutor"):
        assert apis.map_with_interpreter_executor(workers.count_primes_block, ITEMS, 2) == EXPECTED
    else:
        with pytest.raises(RuntimeError, match="3.14"):
            apis.map_with_interpreter_executor(workers.count_primes_block, ITEMS, 2)


def test_a_failing_child_is_reported_not_waited_for(child_context):
    with pytest.raises(RuntimeError, match="answers missing"):
        apis.map_with_processes(workers.count_primes_block, [(0, 10), (10, 5)], context=child_context, timeout=30)
    assert not multiprocessing.active_children()


def test_errors_in_pools_reach_the_caller(child_context):
    with pytest.raises(ValueError):
        apis.map_with_pool(workers.count_primes_block, [(10, 5)], 1, context=child_context)
    with pytest.raises(ValueError):
        apis.map_with_process_executor(workers.count_primes_block, [(10, 5)], 1, context=child_context)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: apis.map_with_processes(abs, []), ValueError),
        (lambda: apis.map_with_processes(abs, [1], timeout=0), ValueError),
        (lambda: apis.map_with_pool(abs, [1], 0), ValueError),
        (lambda: apis.map_with_pool(abs, [1], 1, chunksize=0), ValueError),
        (lambda: apis.map_with_pool(abs, [1], 1, chunksize=-2), ValueError),
        (lambda: apis.map_with_pool(abs, [1], 1, chunksize=1.5), TypeError),
        (lambda: apis.map_with_process_executor(abs, [1], 1, chunksize=0), ValueError),
        (lambda: apis.map_with_process_executor(abs, [1], 1.5), TypeError),
        (lambda: apis.map_with_thread_executor(abs, [1], 0), ValueError),
        (lambda: apis.map_with_interpreter_executor(abs, [1], 0), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_count_draws_yields_every_item_and_counts_as_it_goes():
    drawn = []
    inputs = apis.count_draws(iter("abc"), drawn)
    assert drawn == []
    assert next(inputs) == "a" and drawn == [0]
    assert list(inputs) == ["b", "c"] and drawn == [0, 1, 2]


def test_count_draws_shows_that_executor_map_reads_everything_at_once():
    import sys
    from concurrent.futures import ThreadPoolExecutor

    drawn = []
    with ThreadPoolExecutor(2) as pool:
        answers = pool.map(abs, apis.count_draws(range(50), drawn), timeout=60)
        assert len(drawn) == 50
        assert list(answers) == list(range(50))
    if sys.version_info >= (3, 14):
        drawn = []
        with ThreadPoolExecutor(2) as pool:
            answers = pool.map(abs, apis.count_draws(range(50), drawn), timeout=60, buffersize=3)
            assert len(drawn) == 3
            assert list(answers) == list(range(50))
