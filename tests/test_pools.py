"""The pool-demonstration workers: right answers in spawn and forkserver pools, clear errors."""

import os
from functools import partial

import pytest

from multicore_guide import pools
from multicore_guide.workers import worker_pid


def test_initializer_sets_the_offset_in_every_worker(child_context):
    with child_context.Pool(
        2, initializer=pools.set_offset, initargs=(100,)
    ) as pool:
        assert pool.map_async(pools.add_offset, range(6)).get(timeout=60) == [
            100 + n for n in range(6)
        ]


def test_add_offset_without_initializer_raises(child_context):
    with child_context.Pool(1) as pool:
        with pytest.raises(RuntimeError, match="initializer"):
            pool.apply_async(pools.add_offset, (1,)).get(timeout=60)


def test_burn_in_worker_returns_the_checksum_and_the_pid():
    from multicore_guide.workers import burn_cpu

    assert pools.burn_in_worker(1_000) == (burn_cpu(1_000), os.getpid())


def test_burn_in_worker_runs_a_whole_chunk_in_one_process(child_context):
    with child_context.Pool(2) as pool:
        pairs = pool.map_async(
            pools.burn_in_worker, [10] * 8, chunksize=4
        ).get(timeout=60)
    assert [checksum for checksum, _ in pairs] == [
        pools.burn_in_worker(10)[0]
    ] * 8
    assert (
        len({pid for _, pid in pairs[:4]}) == 1
        and len({pid for _, pid in pairs[4:]}) == 1
    )
    assert os.getpid() not in {pid for _, pid in pairs}


def test_maxtasksperchild_replaces_workers(child_context):
    with child_context.Pool(1, maxtasksperchild=2) as pool:
        pids = pool.map_async(worker_pid, range(6), chunksize=1).get(
            timeout=60
        )
    assert len(set(pids)) == 3


def test_maxtasksperchild_counts_a_chunk_as_one_task(child_context):
    # 6 items in chunks of 3 are 2 tasks: one worker, limit 2, never replaced
    with child_context.Pool(1, maxtasksperchild=2) as pool:
        pids = pool.map_async(worker_pid, range(6), chunksize=3).get(
            timeout=60
        )
    assert len(set(pids)) == 1


def test_a_dying_worker_leaves_pool_map_waiting(child_context):
    import multiprocessing

    from multicore_guide.failures import die_on

    with child_context.Pool(2) as pool:
        pending = pool.map_async(
            partial(die_on, fatal=3), range(5), chunksize=1
        )
        with pytest.raises(multiprocessing.TimeoutError):
            pending.get(timeout=1)  # every other task ends in milliseconds
        pool.terminate()


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: pools.set_offset("1"), TypeError),
        (lambda: pools.add_offset("1"), TypeError),
        (lambda: pools.burn_in_worker(1.5), TypeError),
        (lambda: pools.burn_in_worker(-1), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()
