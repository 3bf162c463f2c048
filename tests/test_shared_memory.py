"""Sharing workers: exact answers with a lock, every way of sharing agrees, nothing left in /dev/shm."""

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.shared_memory import SharedMemory

import numpy as np
import pytest

from multicore_guide import shared_memory

SHM_DIR = "/dev/shm"


def still_there(name):
    """Whether the block ``name`` still exists; on Linux it is a file in /dev/shm."""
    return os.path.exists(os.path.join(SHM_DIR, name.lstrip("/")))


@pytest.fixture
def no_leak():
    """Yield a list for the names of the blocks a test creates; fail if one of them, or of sum_blocks's, is left.

    Only those names are checked, so a block that another program creates
    meanwhile cannot fail the test.
    """
    if not os.path.isdir(SHM_DIR):
        pytest.skip(f"no {SHM_DIR} to check on this platform")
    earlier = len(shared_memory.created_blocks())
    names = []
    yield names
    names += shared_memory.created_blocks()[earlier:]
    assert names, "the test created no block, so there was nothing to check"
    assert [n for n in names if still_there(n)] == []


def test_locked_counting_is_exact(child_context):
    total = shared_memory.count_with_processes(
        shared_memory.add_locked, workers=3, times=500, context=child_context
    )
    assert total == 1_500


def test_unlocked_counting_never_overshoots(child_context):
    total = shared_memory.count_with_processes(
        shared_memory.add_unlocked,
        workers=2,
        times=500,
        context=child_context,
    )
    assert 0 < total <= 1_000


def test_counting_on_a_given_counter(child_context):
    counter = child_context.Value("q", 10)
    assert (
        shared_memory.count_with_processes(
            shared_memory.add_locked,
            workers=1,
            times=5,
            context=child_context,
            counter=counter,
        )
        == 15
    )


def test_counting_reports_a_failing_child(child_context):
    with pytest.raises(RuntimeError, match="exit codes"):
        shared_memory.count_with_processes(
            shared_memory.add_locked,
            workers=1,
            times=1,
            context=child_context,
            counter=object(),
        )


def test_store_square_in_a_plain_dict():
    mapping = {}
    assert shared_memory.store_square(mapping, 4) == 4 and mapping == {4: 16}


def test_nested_update_is_lost_only_without_a_nested_proxy(child_context):
    with child_context.Manager() as manager:
        plain = manager.dict(log=[])
        nested = manager.dict(log=manager.list())
        with ProcessPoolExecutor(2, mp_context=child_context) as pool:
            for mapping in (plain, nested):
                list(
                    pool.map(
                        shared_memory.append_to_entry,
                        [mapping] * 3,
                        ["log"] * 3,
                        range(3),
                        timeout=60,
                    )
                )
        assert list(plain["log"]) == []
        assert sorted(nested["log"]) == [0, 1, 2]


@pytest.mark.parametrize("way", shared_memory.WAYS)
def test_every_way_gives_the_same_sums(way, child_context):
    data = np.random.default_rng(0).random(1_001)
    bounds = [(0, 500), (500, 1_001), (0, 0), (0, 1_001)]
    sums = shared_memory.sum_blocks(
        way, data, bounds, workers=2, context=child_context
    )
    assert sums == pytest.approx([data[a:b].sum() for a, b in bounds])


def test_sum_blocks_records_and_unlinks_its_block(child_context, no_leak):
    before = shared_memory.created_blocks()
    data = np.arange(4.0)
    assert shared_memory.sum_blocks(
        "shared_memory", data, [(0, 4)], workers=1, context=child_context
    ) == [6.0]
    after = shared_memory.created_blocks()
    assert after[: len(before)] == before and len(after) == len(before) + 1
    name = after[-1]
    assert name not in before
    with pytest.raises(FileNotFoundError):
        SharedMemory(name=name)
    for way in (
        "pickle",
        "Manager",
        "Array",
    ):  # only the shared_memory way creates a block
        shared_memory.sum_blocks(
            way, data, [(0, 4)], workers=1, context=child_context
        )
    assert shared_memory.created_blocks() == after


def test_shared_blocks_and_in_place_squares(child_context, no_leak):
    data = np.arange(6.0)
    shm = SharedMemory(create=True, size=data.nbytes)
    no_leak.append(shm.name)
    try:
        view = shared_memory.array_from_shm(shm, data.size)
        view[:] = data
        assert shared_memory.sum_shared_blocks(
            shm.name, 6, [(0, 3), (3, 6)], workers=2, context=child_context
        ) == [3.0, 12.0]
        with ProcessPoolExecutor(2, mp_context=child_context) as pool:
            done = list(
                pool.map(
                    shared_memory.square_in_shared_memory,
                    [shm.name] * 2,
                    [6] * 2,
                    [(0, 3), (3, 6)],
                    timeout=60,
                )
            )
        assert done == [3, 3]
        assert view.tolist() == (data**2).tolist()
        del view
    finally:
        shm.close()
        shm.unlink()


def test_whole_array_tasks():
    assert shared_memory.whole_array_tasks(5, 3) == [(0, 5)] * 3


def test_sum_in_array_needs_an_inherited_array():
    with pytest.raises(RuntimeError, match="no shared Array"):
        shared_memory._INHERITED.pop("array", None)
        shared_memory.sum_in_array((0, 1))


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: shared_memory.add_unlocked(None, -1), ValueError),
        (
            lambda: shared_memory.count_with_processes(
                shared_memory.add_locked, workers=0, times=1
            ),
            ValueError,
        ),
        (lambda: shared_memory.store_square({}, "a"), TypeError),
        (lambda: shared_memory.sum_of_block([1.0]), TypeError),
        (lambda: shared_memory.sum_through_proxy([1.0], (1, 0)), ValueError),
        (
            lambda: shared_memory.sum_in_shared_memory("x", 2, (0, 3)),
            ValueError,
        ),
        (
            lambda: shared_memory.sum_in_shared_memory(
                "psm_surely_missing", 2, (0, 1)
            ),
            FileNotFoundError,
        ),
        (
            lambda: shared_memory.square_in_shared_memory("x", 2, [0, 1]),
            TypeError,
        ),
        (lambda: shared_memory.whole_array_tasks(5, 0), ValueError),
        (
            lambda: shared_memory.sum_blocks(
                "zip", np.zeros(2), [(0, 1)], workers=1
            ),
            ValueError,
        ),
        (
            lambda: shared_memory.sum_blocks(
                "pickle", np.zeros(2, dtype=int), [(0, 1)], workers=1
            ),
            ValueError,
        ),
        (
            lambda: shared_memory.sum_blocks(
                "pickle", np.zeros(2), [], workers=1
            ),
            ValueError,
        ),
        (
            lambda: shared_memory.sum_blocks(
                "pickle", np.zeros(2), [(0, 3)], workers=1
            ),
            ValueError,
        ),
        (
            lambda: shared_memory.sum_blocks(
                "pickle", np.zeros(2), [(0, 1)], workers=0
            ),
            ValueError,
        ),
        (
            lambda: shared_memory.sum_shared_blocks("x", 2, [], workers=1),
            ValueError,
        ),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_array_from_shm_refuses_a_small_block(no_leak):
    shm = SharedMemory(create=True, size=16)
    no_leak.append(shm.name)
    try:
        with pytest.raises(ValueError):
            shared_memory.array_from_shm(shm, 3)
    finally:
        shm.close()
        shm.unlink()
