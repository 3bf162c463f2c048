"""The pool-behaviour tasks: right answers, clear errors, and usable from spawn and forkserver pools."""

import os
import queue
from concurrent.futures import ProcessPoolExecutor

import pytest

from multicore_guide import tasks, workers


@pytest.fixture
def table():
    """Load a small table in this process, and remove it afterwards."""
    tasks.load_prime_table(10_000)
    yield
    tasks._PRIME_TABLE = None


@pytest.mark.parametrize("block", [(0, 10), (0, 100), (2, 3), (90, 97), (97, 98), (0, 10_000), (5, 5)])
def test_table_counts_agree_with_trial_division(table, block):
    assert tasks.count_primes_from_table(block) == workers.count_primes_block(block)


def test_smallest_table():
    tasks.load_prime_table(2)
    try:
        assert tasks.count_primes_from_table((0, 2)) == 0
    finally:
        tasks._PRIME_TABLE = None


def test_no_table_is_a_clear_error():
    tasks._PRIME_TABLE = None
    with pytest.raises(RuntimeError, match="initializer"):
        tasks.count_primes_from_table((0, 10))


@pytest.mark.parametrize(
    "block, error",
    [([0, 10], TypeError), ((0,), TypeError), ((0.5, 10), TypeError), ((-1, 10), ValueError),
     ((10, 5), ValueError), ((0, 10_001), ValueError)],
)
def test_bad_blocks_raise(table, block, error):
    with pytest.raises(error):
        tasks.count_primes_from_table(block)


@pytest.mark.parametrize("limit, error", [(1, ValueError), (2.0, TypeError), (True, TypeError)])
def test_bad_limit_raises(limit, error):
    with pytest.raises(error):
        tasks.load_prime_table(limit)


def test_worker_pid_names_this_process():
    assert tasks.worker_pid("x") == ("x", os.getpid())


def test_put_result_puts_index_and_answer():
    box = queue.Queue()
    tasks.put_result(box, 3, workers.square, 7)
    assert box.get_nowait() == (3, 49)


def test_put_result_lets_the_error_through_and_puts_nothing():
    box = queue.Queue()
    with pytest.raises(ValueError):
        tasks.put_result(box, 0, workers.count_primes_block, (10, 5))
    assert box.empty()


@pytest.mark.parametrize(
    "args, error",
    [((queue.Queue(), -1, abs, 1), ValueError), ((queue.Queue(), 0.0, abs, 1), TypeError),
     ((queue.Queue(), 0, "abs", 1), TypeError), (([], 0, abs, 1), TypeError)],
)
def test_put_result_bad_input_raises(args, error):
    with pytest.raises(error):
        tasks.put_result(*args)


def test_initializer_runs_in_each_child(child_context):
    blocks = workers.split_range(0, 20_000, 8)
    with ProcessPoolExecutor(2, mp_context=child_context, initializer=tasks.load_prime_table,
                             initargs=(20_000,)) as pool:
        counts = list(pool.map(tasks.count_primes_from_table, blocks, timeout=60))
    assert counts == [workers.count_primes_block(b) for b in blocks]


def test_child_without_initializer_reports_it(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        future = pool.submit(tasks.count_primes_from_table, (0, 10))
        with pytest.raises(RuntimeError, match="initializer"):
            future.result(timeout=60)


def test_worker_pid_in_children(child_context):
    with ProcessPoolExecutor(2, mp_context=child_context) as pool:
        pairs = list(pool.map(tasks.worker_pid, range(6), timeout=60))
    assert [item for item, _ in pairs] == list(range(6))
    assert os.getpid() not in {pid for _, pid in pairs}


def test_put_result_as_a_process_target(child_context):
    box = child_context.Queue()
    child = child_context.Process(target=tasks.put_result, args=(box, 2, workers.cube, 3))
    child.start()
    try:
        assert box.get(timeout=60) == (2, 27)
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0
