"""The workers: right answers, clear errors, and safe to send to spawn and forkserver children."""

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from multicore_guide import workers

# the prime-counting function pi(x) at a few known points
KNOWN_PRIME_COUNTS = {
    10: 4,
    100: 25,
    1_000: 168,
    10_000: 1_229,
    100_000: 9_592,
}


@pytest.mark.parametrize("stop, expected", KNOWN_PRIME_COUNTS.items())
def test_count_primes_matches_known_values(stop, expected):
    assert workers.count_primes(0, stop) == expected


def test_is_prime_small_numbers():
    primes = [n for n in range(30) if workers.is_prime(n)]
    assert primes == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 24])
def test_split_range_covers_range_once(parts):
    blocks = workers.split_range(5, 1_005, parts)
    assert len(blocks) == parts
    assert blocks[0][0] == 5 and blocks[-1][1] == 1_005
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
    sizes = [stop - start for start, stop in blocks]
    assert max(sizes) - min(sizes) <= 1


def test_blocks_add_up_to_the_whole():
    blocks = workers.split_range(0, 20_000, 7)
    assert sum(
        map(workers.count_primes_block, blocks)
    ) == workers.count_primes(0, 20_000)


def test_square_and_cube_return_values():
    assert [workers.square(n) for n in range(1, 6)] == [1, 4, 9, 16, 25]
    assert [workers.cube(n) for n in range(1, 6)] == [1, 8, 27, 64, 125]


def test_pi_is_reproducible_and_close():
    first = workers.count_hits_in_circle(200_000, 42)
    assert first == workers.count_hits_in_circle(200_000, 42)
    assert abs(4 * first / 200_000 - np.pi) < 0.02


def test_pi_accepts_a_spawned_seed_sequence():
    child = np.random.SeedSequence(7).spawn(2)[1]
    again = np.random.SeedSequence(7).spawn(2)[1]
    assert workers.count_hits_in_circle(
        50_000, child
    ) == workers.count_hits_in_circle(50_000, again)


def test_pi_splits_into_more_slices_than_one():
    # 2.5 million samples cross the one-million slice boundary twice
    hits = workers.count_hits_in_circle(2_500_000, 3)
    assert 0.78 < hits / 2_500_000 < 0.79


def test_burn_cpu_is_deterministic():
    assert workers.burn_cpu(1_000) == workers.burn_cpu(1_000)
    assert workers.burn_cpu(0) == 0


def test_io_like_task_returns_its_argument():
    assert workers.io_like_task(0.01) == 0.01


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: workers.count_primes(-1, 10), ValueError),
        (lambda: workers.count_primes(10, 5), ValueError),
        (lambda: workers.count_primes(0, 10.5), TypeError),
        (lambda: workers.count_primes(True, 10), TypeError),
        (lambda: workers.count_primes_block([0, 10]), TypeError),
        (lambda: workers.split_range(0, 10, 0), ValueError),
        (lambda: workers.split_range(10, 0, 2), ValueError),
        (lambda: workers.count_hits_in_circle(0, 1), ValueError),
        (lambda: workers.count_hits_in_circle(10, -1), ValueError),
        (lambda: workers.count_hits_in_circle(10, "seed"), TypeError),
        (lambda: workers.burn_cpu(-5), ValueError),
        (lambda: workers.io_like_task(-0.1), ValueError),
        (lambda: workers.io_like_task("1"), TypeError),
        (lambda: workers.square("3"), TypeError),
        (lambda: workers.cube(None), TypeError),
        (lambda: workers.is_prime(2.0), TypeError),
    ],
)
def test_bad_input_raises_a_clear_error(call, error):
    with pytest.raises(error):
        call()


def test_every_worker_runs_in_a_child_that_imports_it(child_context):
    jobs = [
        (workers.square, 7, 49),
        (workers.cube, 3, 27),
        (workers.count_primes_block, (0, 1_000), 168),
        (workers.burn_cpu, 100, workers.burn_cpu(100)),
        (workers.io_like_task, 0.0, 0.0),
        (
            workers.count_hits_in_circle,
            10_000,
            workers.count_hits_in_circle(10_000, 5),
        ),
    ]
    with ProcessPoolExecutor(max_workers=2, mp_context=child_context) as pool:
        futures = [
            pool.submit(fn, arg, 5)
            if fn is workers.count_hits_in_circle
            else pool.submit(fn, arg)
            for fn, arg, _ in jobs
        ]
        results = [future.result(timeout=60) for future in futures]
    assert results == [expected for _, _, expected in jobs]


def test_pool_map_in_a_child_importing_context(child_context):
    blocks = workers.split_range(0, 10_000, 8)
    with child_context.Pool(2) as pool:
        counts = pool.map_async(workers.count_primes_block, blocks).get(
            timeout=60
        )
    assert sum(counts) == 1_229


def test_worker_pid_names_the_process():
    assert (
        workers.worker_pid() == os.getpid() == workers.worker_pid("anything")
    )
