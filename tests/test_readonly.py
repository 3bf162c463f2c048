"""Tests for multicore_guide.readonly: smaps parsing, the fork child, memmap workers."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from multicore_guide.machine import get_context
from multicore_guide.readonly import (
    copied_pages,
    has_smaps,
    measure_in_fork,
    memmap_block_sum,
    read_smaps,
    square_block_into,
    touch,
)

needs_linux = pytest.mark.skipif(
    not has_smaps() or "fork" not in multiprocessing.get_all_start_methods(),
    reason="needs fork and /proc/self/smaps_rollup (Linux)",
)

SAMPLE = """\
55d0c0a00000-7ffd5a3f2000 ---p 00000000 00:00 0                  [rollup]
Rss:               81236 kB
Pss:               40118 kB
Private_Dirty:      1200 kB
Swap:                  0 kB
"""


def test_read_smaps_parses_kb_fields(tmp_path):
    path = tmp_path / "smaps_rollup"
    path.write_text(SAMPLE)
    assert read_smaps(path) == {
        "Rss": 81236,
        "Pss": 40118,
        "Private_Dirty": 1200,
        "Swap": 0,
    }


def test_copied_pages_counts_growth_in_pages():
    import os

    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    assert (
        copied_pages(
            {"Private_Dirty": 100}, {"Private_Dirty": 100 + 10 * page_kb}
        )
        == 10
    )
    assert copied_pages({"Private_Dirty": 100}, {"Private_Dirty": 50}) == 0


def test_touch_answers():
    data = list(range(1000))
    assert touch(data, "iterate") == 1000
    assert touch(data, "nothing") == 1000
    assert touch(data, "collect") == 1000
    assert touch(np.arange(10), "numpy-sum") == 45
    with pytest.raises(ValueError):
        touch(data, "sort")


def test_measure_in_fork_rejects_unknown_action():
    with pytest.raises(ValueError):
        measure_in_fork([1, 2], "sort")


@needs_linux
def test_iterating_copies_pages_and_numpy_does_not():
    ints = list(range(10**6, 10**6 + 300_000))
    array = np.arange(10**6, 10**6 + 300_000, dtype=np.int64)
    iterated = measure_in_fork(ints, "iterate")
    summed = measure_in_fork(array, "numpy-sum")
    assert iterated["answer"] == len(ints)
    assert summed["answer"] == sum(ints)
    # 300,000 ints of 32 bytes fill about 2,300 pages of 4 kB
    assert iterated["pages"] > 1000
    assert iterated["pages"] > 5 * summed["pages"]
    assert set(iterated["after"]) >= {"Rss", "Pss", "Private_Dirty"}


@needs_linux
def test_freeze_spares_pages_from_collection_only():
    rows = [[i] for i in range(200_000)]
    collected = measure_in_fork(rows, "collect")
    frozen = measure_in_fork(rows, "collect", freeze=True)
    iterated_frozen = measure_in_fork(rows, "iterate", freeze=True)
    assert collected["pages"] > 5 * frozen["pages"]
    assert iterated_frozen["pages"] > 5 * frozen["pages"]
    import gc

    assert gc.get_freeze_count() == 0  # the parent unfroze


def _write(path, values):
    mm = np.memmap(path, dtype=np.int64, mode="w+", shape=values.shape)
    mm[:] = values
    mm.flush()
    del mm


def test_memmap_block_sum_in_process(tmp_path):
    values = np.arange(1000, dtype=np.int64)
    path = tmp_path / "values.bin"
    _write(path, values)
    assert memmap_block_sum(str(path), 1000, 10, 20) == sum(range(10, 20))


def test_memmap_workers_match_serial(tmp_path):
    values = np.arange(10_000, dtype=np.int64)
    source, target = tmp_path / "values.bin", tmp_path / "squares.bin"
    _write(source, values)
    _write(target, np.zeros_like(values))
    blocks = [(a, a + 2500) for a in range(0, 10_000, 2500)]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context()) as pool:
        sums = list(
            pool.map(
                memmap_block_sum,
                [str(source)] * 4,
                [10_000] * 4,
                *zip(*blocks),
                timeout=60,
            )
        )
        written = list(
            pool.map(
                square_block_into,
                [str(source)] * 4,
                [str(target)] * 4,
                [10_000] * 4,
                *zip(*blocks),
                timeout=60,
            )
        )
    assert sum(sums) == int(values.sum())
    assert written == [2500] * 4
    squares = np.memmap(target, dtype=np.int64, mode="r", shape=(10_000,))
    assert np.array_equal(squares, values**2)
