"""The same map written with each API: same answers, in order, and clear failures."""

import concurrent.futures
import multiprocessing
import queue

import pytest

from multicore_guide import choosing, workers

ITEMS = [(0, 500), (500, 1_000), (1_000, 3_000), (3_000, 3_001), (7, 7)]
EXPECTED = [workers.count_primes_block(b) for b in ITEMS]


def test_processes(child_context):
    assert (
        choosing.map_with_processes(
            workers.count_primes_block, ITEMS, context=child_context
        )
        == EXPECTED
    )


@pytest.mark.parametrize("chunksize", [None, 1, 2])
def test_pool(child_context, chunksize):
    result = choosing.map_with_pool(
        workers.count_primes_block,
        ITEMS,
        2,
        context=child_context,
        chunksize=chunksize,
    )
    assert result == EXPECTED


@pytest.mark.parametrize("chunksize", [1, 3])
def test_process_executor(child_context, chunksize):
    result = choosing.map_with_process_executor(
        workers.count_primes_block,
        ITEMS,
        2,
        context=child_context,
        chunksize=chunksize,
    )
    assert result == EXPECTED


def test_thread_executor():
    assert (
        choosing.map_with_thread_executor(workers.count_primes_block, ITEMS, 3)
        == EXPECTED
    )


def test_interpreter_executor_or_a_clear_refusal():
    if hasattr(concurrent.futures, "InterpreterPoolExecutor"):
        assert (
            choosing.map_with_interpreter_executor(
                workers.count_primes_block, ITEMS, 2
            )
            == EXPECTED
        )
    else:
        with pytest.raises(RuntimeError, match="3.14"):
            choosing.map_with_interpreter_executor(
                workers.count_primes_block, ITEMS, 2
            )


def test_a_failing_child_is_reported_not_waited_for(child_context):
    with pytest.raises(RuntimeError, match="answers missing"):
        choosing.map_with_processes(
            workers.count_primes_block,
            [(0, 10), (10, 5)],
            context=child_context,
            timeout=30,
        )
    assert not multiprocessing.active_children()


def test_errors_in_pools_reach_the_caller(child_context):
    with pytest.raises(ValueError):
        choosing.map_with_pool(
            workers.count_primes_block, [(10, 5)], 1, context=child_context
        )
    with pytest.raises(ValueError):
        choosing.map_with_process_executor(
            workers.count_primes_block, [(10, 5)], 1, context=child_context
        )


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: choosing.map_with_processes(abs, []), ValueError),
        (lambda: choosing.map_with_processes(abs, [1], timeout=0), ValueError),
        (lambda: choosing.map_with_pool(abs, [1], 0), ValueError),
        (lambda: choosing.map_with_pool(abs, [1], 1, chunksize=0), ValueError),
        (
            lambda: choosing.map_with_pool(abs, [1], 1, chunksize=-2),
            ValueError,
        ),
        (
            lambda: choosing.map_with_pool(abs, [1], 1, chunksize=1.5),
            TypeError,
        ),
        (
            lambda: choosing.map_with_process_executor(
                abs, [1], 1, chunksize=0
            ),
            ValueError,
        ),
        (lambda: choosing.map_with_process_executor(abs, [1], 1.5), TypeError),
        (lambda: choosing.map_with_thread_executor(abs, [1], 0), ValueError),
        (
            lambda: choosing.map_with_interpreter_executor(abs, [1], 0),
            ValueError,
        ),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_count_draws_yields_every_item_and_counts_as_it_goes():
    drawn = []
    inputs = choosing.count_draws(iter("abc"), drawn)
    assert drawn == []
    assert next(inputs) == "a" and drawn == [0]
    assert list(inputs) == ["b", "c"] and drawn == [0, 1, 2]


def test_count_draws_shows_that_executor_map_reads_everything_at_once():
    import sys
    from concurrent.futures import ThreadPoolExecutor

    drawn = []
    with ThreadPoolExecutor(2) as pool:
        answers = pool.map(
            abs, choosing.count_draws(range(50), drawn), timeout=60
        )
        assert len(drawn) == 50
        assert list(answers) == list(range(50))
    if sys.version_info >= (3, 14):
        drawn = []
        with ThreadPoolExecutor(2) as pool:
            answers = pool.map(
                abs,
                choosing.count_draws(range(50), drawn),
                timeout=60,
                buffersize=3,
            )
            assert len(drawn) == 3
            assert list(answers) == list(range(50))


def test_put_result_puts_index_and_answer():
    box = queue.Queue()
    choosing.put_result(box, 3, workers.square, 7)
    assert box.get_nowait() == (3, 49)


def test_put_result_lets_the_error_through_and_puts_nothing():
    box = queue.Queue()
    with pytest.raises(ValueError):
        choosing.put_result(box, 0, workers.count_primes_block, (10, 5))
    assert box.empty()


@pytest.mark.parametrize(
    "args, error",
    [
        ((queue.Queue(), -1, abs, 1), ValueError),
        ((queue.Queue(), 0.0, abs, 1), TypeError),
        ((queue.Queue(), 0, "abs", 1), TypeError),
        (([], 0, abs, 1), TypeError),
    ],
)
def test_put_result_bad_input_raises(args, error):
    with pytest.raises(error):
        choosing.put_result(*args)


def test_put_result_as_a_process_target(child_context):
    box = child_context.Queue()
    child = child_context.Process(
        target=choosing.put_result, args=(box, 2, workers.cube, 3)
    )
    child.start()
    try:
        assert box.get(timeout=60) == (2, 27)
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0
