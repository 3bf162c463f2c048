"""Dask helpers, joblib's array worker and the runtime checks of chapter 13."""

import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from multicore_guide import beyond


def test_count_primes_with_any_executor(child_context):
    with ThreadPoolExecutor(2) as threads:
        assert beyond.count_primes_with(threads, 10_000, 5) == 1_229
    with ProcessPoolExecutor(2, mp_context=child_context) as pool:
        assert beyond.count_primes_with(pool, 10_000, 5) == 1_229


def test_count_primes_with_checks_arguments():
    with pytest.raises(TypeError):
        beyond.count_primes_with(object(), 10, 1)
    with ThreadPoolExecutor(1) as threads:
        with pytest.raises(ValueError):
            beyond.count_primes_with(threads, 10, 0)
        with pytest.raises(TypeError):
            beyond.count_primes_with(threads, 10.0, 1)


@pytest.mark.slow  # a Dask cluster: several processes
def test_dask_processes_on_loopback():
    from distributed import Client

    with beyond.dask_processes(1, timeout=30) as dask:
        assert dask.address.startswith("tcp://127.0.0.1:")
        with Client(dask.address, timeout=30) as client:
            client.wait_for_workers(1, timeout=30)
            assert (
                beyond.count_primes_with(client.get_executor(), 1_000, 4)
                == 168
            )
            client.shutdown()
        assert "scheduler" in dask.log("scheduler").lower()
        with pytest.raises(ValueError):
            dask.log("nanny")
    assert dask.all_exited()


@pytest.mark.slow  # a Dask cluster: several processes
def test_dask_processes_stop_without_shutdown():
    # the safety net: leaving the block without client.shutdown() still ends everything
    with beyond.dask_processes(1, timeout=5) as dask:
        pass
    assert dask.all_exited()


def test_dask_processes_checks_arguments():
    with pytest.raises(ValueError):
        with beyond.dask_processes(0):
            pass
    with pytest.raises(ValueError):
        with beyond.dask_processes(1, timeout=0):
            pass


def test_array_summary():
    array = np.arange(10, dtype=float)
    assert beyond.array_summary(array) == ("ndarray", False, 45.0)
    with pytest.raises(TypeError):
        beyond.array_summary([1, 2])


def test_array_summary_sees_a_memmap(tmp_path):
    mapped = np.memmap(tmp_path / "a.bin", dtype=float, mode="w+", shape=(4,))
    mapped[:] = 1.0
    assert beyond.array_summary(mapped) == ("memmap", True, 4.0)
    del mapped


def test_array_summary_in_children(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        assert pool.submit(beyond.array_summary, np.ones(3)).result(
            timeout=60
        ) == ("ndarray", False, 3.0)


def test_runtime_support_is_consistent():
    support = beyond.runtime_support()
    assert support["processes (ProcessPoolExecutor)"] == "available"
    assert len(support) == 3
    assert all(
        v == "available" or v.startswith(("available", "skipped: "))
        for v in support.values()
    )
    interpreters = support["interpreters (InterpreterPoolExecutor)"]
    assert (interpreters == "available") == beyond.interpreter_pool_available()
    if not beyond.free_threaded_build():
        assert beyond.gil_enabled()


@pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="checks the message of older Pythons"
)
def test_skip_messages_name_the_version():
    support = beyond.runtime_support()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert version in support["interpreters (InterpreterPoolExecutor)"]


def test_joblib_scope_leaves_nothing_behind():
    import multiprocessing
    import os

    from joblib import Parallel, delayed

    big = np.ones(
        300_000
    )  # 2.4 MB: above joblib's 1 MB memory-mapping threshold
    with beyond.joblib_scope(2) as folder:
        summaries = Parallel()(
            delayed(beyond.array_summary)(big) for _ in range(3)
        )
        assert os.path.isdir(folder)
    assert summaries == [("memmap", True, 300_000.0)] * 3
    assert not os.path.exists(folder)
    assert not [
        p
        for p in multiprocessing.active_children()
        if "Loky" in type(p).__name__
    ]


def test_joblib_scope_checks_n_jobs():
    with pytest.raises(ValueError):
        with beyond.joblib_scope(0):
            pass


def test_joblib_folder_parent_follows_joblibs_rule(monkeypatch, tmp_path):
    import os

    monkeypatch.delenv("JOBLIB_TEMP_FOLDER", raising=False)

    class Stats:
        f_bsize = 4096

        def __init__(self, free):
            self.f_bavail = free // self.f_bsize

    # Docker's default /dev/shm: 64 MB, far below joblib's 2 GB threshold
    monkeypatch.setattr(os, "statvfs", lambda path: Stats(64 * 2**20))
    assert beyond.joblib_folder_parent("/dev/shm") is None
    monkeypatch.setattr(os, "statvfs", lambda path: Stats(3 * 10**9))
    assert beyond.joblib_folder_parent("/dev/shm") == "/dev/shm"
    monkeypatch.setenv("JOBLIB_TEMP_FOLDER", str(tmp_path))
    assert beyond.joblib_folder_parent("/dev/shm") == str(tmp_path)


def test_joblib_folder_parent_without_shm(monkeypatch, tmp_path):
    monkeypatch.delenv("JOBLIB_TEMP_FOLDER", raising=False)
    assert beyond.joblib_folder_parent(str(tmp_path / "missing")) is None


def test_joblib_scope_avoids_a_small_dev_shm(monkeypatch):
    import os
    import tempfile

    from joblib import Parallel, delayed

    monkeypatch.delenv("JOBLIB_TEMP_FOLDER", raising=False)
    real_statvfs = os.statvfs

    def small_shm(path):
        stats = real_statvfs(path)
        if os.path.abspath(path) == "/dev/shm":
            return os.statvfs_result(
                (
                    stats.f_bsize,
                    stats.f_frsize,
                    stats.f_blocks,
                    stats.f_bfree,
                    (64 * 2**20) // stats.f_bsize,
                    *tuple(stats)[5:],
                )
            )
        return stats

    monkeypatch.setattr(os, "statvfs", small_shm)
    big = np.ones(300_000)
    with beyond.joblib_scope(2) as folder:
        summaries = Parallel()(
            delayed(beyond.array_summary)(big) for _ in range(2)
        )
        assert os.path.dirname(folder) == tempfile.gettempdir()
    assert summaries == [("memmap", True, 300_000.0)] * 2
    assert not os.path.exists(folder)


def test_appended_works_in_place():
    items = [1, 2]
    assert beyond.appended(items, 3) is items
    assert items == [1, 2, 3]
    with pytest.raises(TypeError):
        beyond.appended((1, 2), 3)


@pytest.mark.skipif(
    sys.version_info < (3, 14), reason="concurrent.interpreters is new in 3.14"
)
def test_appended_in_an_interpreter_gets_a_copy():
    from concurrent import interpreters

    interp = interpreters.create()
    try:
        mine = [1, 2]
        theirs = interp.call(beyond.appended, mine, 3)
    finally:
        interp.close()
    assert mine == [1, 2] and theirs == [1, 2, 3]


def test_free_threading_compare_script_runs():
    from multicore_guide.scripts import run_example

    run = run_example("free_threading_compare.py", "20000", timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].endswith(
        f"free-threaded build: {beyond.free_threaded_build()}; "
        f"GIL enabled: {beyond.gil_enabled()}"
    )
    assert [line.split()[0] for line in lines[2:]] == [
        "serial",
        "threads",
        "processes",
    ]


def test_count_primes_dying_once_dies_then_counts(tmp_path, child_context):
    from concurrent.futures.process import BrokenProcessPool

    block = (0, 1_000)
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(
                beyond.count_primes_dying_once, block, str(tmp_path)
            ).result(timeout=60)
    assert beyond.runs_per_task(str(tmp_path)) == {"0-1000": 1}
    assert beyond.count_primes_dying_once(block, str(tmp_path)) == 168
    assert beyond.runs_per_task(str(tmp_path)) == {"0-1000": 2}


def test_runs_per_task_orders_blocks_by_start(tmp_path):
    for name, runs in (("10-20", 1), ("2-10", 3)):
        (tmp_path / f"{name}.runs").write_text("1\n" * runs)
    assert list(beyond.runs_per_task(str(tmp_path)).items()) == [
        ("2-10", 3),
        ("10-20", 1),
    ]


@pytest.mark.slow  # a Dask cluster: several processes
def test_dask_reruns_a_task_whose_worker_died(tmp_path):
    from distributed import Client, LocalCluster

    blocks = [(0, 1_000), (1_000, 2_000)]
    with (
        beyond.quiet_dask_logs(),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        counts = list(
            client.get_executor().map(
                beyond.count_primes_dying_once,
                blocks,
                [str(tmp_path)] * 2,
                timeout=60,
            )
        )
    assert counts == [168, 135]
    assert beyond.runs_per_task(str(tmp_path)) == {
        "0-1000": 2,
        "1000-2000": 2,
    }


def test_quiet_dask_logs_restores_the_level():
    import logging

    logger = logging.getLogger("distributed")
    before = logger.level
    with beyond.quiet_dask_logs():
        assert logger.level == logging.CRITICAL
    assert logger.level == before
