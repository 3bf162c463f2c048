"""The pool-demonstration workers: right answers in spawn and forkserver pools, clear errors."""

import os
from functools import partial

import pytest

from multicore_guide import pools


def test_initializer_sets_the_offset_in_every_worker(child_context):
    with child_context.Pool(2, initializer=pools.set_offset, initargs=(100,)) as pool:
        assert pool.map_async(pools.add_offset, range(6)).get(timeout=60) == [100 + n for n in range(6)]


def test_add_offset_without_initializer_raises(child_context):
    with child_context.Pool(1) as pool:
        with pytest.raises(RuntimeError, match="initializer"):
            pool.apply_async(pools.add_offset, (1,)).get(timeout=60)


def test_worker_pid_names_the_process():
    assert pools.worker_pid() == os.getpid() == pools.worker_pid("anything")


def test_maxtasksperchild_replaces_workers(child_context):
    with child_context.Pool(1, maxtasksperchild=2) as pool:
        pids = pool.map_async(pools.worker_pid, range(6), chunksize=1).get(timeout=60)
    assert len(set(pids)) == 3


def test_a_dying_worker_leaves_pool_map_waiting(child_context):
    import multiprocessing

    from multicore_guide.failures import die_on

    with child_context.Pool(2) as pool:
        pending = pool.map_async(partial(die_on, fatal=3), range(5), chunksize=1)
        with pytest.raises(multiprocessing.TimeoutError):
            pending.get(timeout=3)
        pool.terminate()


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: pools.set_offset("1"), TypeError),
        (lambda: pools.add_offset("1"), TypeError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()
