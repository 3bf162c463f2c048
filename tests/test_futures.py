"""Chapter 6's module: the prime table an initializer loads, used from spawn and forkserver pools."""

from concurrent.futures import ProcessPoolExecutor

import pytest

from multicore_guide import futures, workers


@pytest.fixture
def table():
    """Load a small table in this process, and remove it afterwards."""
    futures.load_prime_table(10_000)
    yield
    futures._PRIME_TABLE = None


@pytest.mark.parametrize(
    "block",
    [(0, 10), (0, 100), (2, 3), (90, 97), (97, 98), (0, 10_000), (5, 5)],
)
def test_table_counts_agree_with_trial_division(table, block):
    assert futures.count_primes_from_table(
        block
    ) == workers.count_primes_block(block)


def test_smallest_table():
    futures.load_prime_table(2)
    try:
        assert futures.count_primes_from_table((0, 2)) == 0
    finally:
        futures._PRIME_TABLE = None


def test_no_table_is_a_clear_error():
    futures._PRIME_TABLE = None
    with pytest.raises(RuntimeError, match="initializer"):
        futures.count_primes_from_table((0, 10))


@pytest.mark.parametrize(
    "block, error",
    [
        ([0, 10], TypeError),
        ((0,), TypeError),
        ((0.5, 10), TypeError),
        ((-1, 10), ValueError),
        ((10, 5), ValueError),
        ((0, 10_001), ValueError),
    ],
)
def test_bad_blocks_raise(table, block, error):
    with pytest.raises(error):
        futures.count_primes_from_table(block)


@pytest.mark.parametrize(
    "limit, error", [(1, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_bad_limit_raises(limit, error):
    with pytest.raises(error):
        futures.load_prime_table(limit)


def test_initializer_runs_in_each_child(child_context):
    blocks = workers.split_range(0, 20_000, 8)
    with ProcessPoolExecutor(
        2,
        mp_context=child_context,
        initializer=futures.load_prime_table,
        initargs=(20_000,),
    ) as pool:
        counts = list(
            pool.map(futures.count_primes_from_table, blocks, timeout=60)
        )
    assert counts == [workers.count_primes_block(b) for b in blocks]


def test_child_without_initializer_reports_it(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        future = pool.submit(futures.count_primes_from_table, (0, 10))
        with pytest.raises(RuntimeError, match="initializer"):
            future.result(timeout=60)
