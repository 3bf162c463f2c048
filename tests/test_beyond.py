"""Dask helpers, joblib's array worker and the runtime checks of Part V."""

import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from multicore_guide import bigarrays, distributed, runtimes, workers


def test_count_primes_with_any_executor(child_context):
    with ThreadPoolExecutor(2) as threads:
        assert distributed.count_primes_with(threads, 10_000, 5) == 1_229
    with ProcessPoolExecutor(2, mp_context=child_context) as pool:
        assert distributed.count_primes_with(pool, 10_000, 5) == 1_229


def test_count_primes_with_checks_arguments():
    with pytest.raises(TypeError):
        distributed.count_primes_with(object(), 10, 1)
    with ThreadPoolExecutor(1) as threads:
        with pytest.raises(ValueError):
            distributed.count_primes_with(threads, 10, 0)
        with pytest.raises(TypeError):
            distributed.count_primes_with(threads, 10.0, 1)


def test_dask_processes_on_loopback():
    from distributed import Client

    with distributed.dask_processes(1, timeout=30) as dask:
        assert dask.address.startswith("tcp://127.0.0.1:")
        with Client(dask.address, timeout=30) as client:
            client.wait_for_workers(1, timeout=30)
            assert distributed.count_primes_with(client.get_executor(), 1_000, 4) == 168
            client.shutdown()
        assert "scheduler" in dask.log("scheduler").lower()
        with pytest.raises(ValueError):
            dask.log("nanny")
    assert dask.all_exited()


def test_dask_processes_stop_without_shutdown():
    # the safety net: leaving the block without client.shutdown() still ends everything
    with distributed.dask_processes(1, timeout=5) as dask:
        pass
    assert dask.all_exited()


def test_dask_processes_checks_arguments():
    with pytest.raises(ValueError):
        with distributed.dask_processes(0):
            pass
    with pytest.raises(ValueError):
        with distributed.dask_processes(1, timeout=0):
            pass


def test_array_summary():
    array = np.arange(10, dtype=float)
    assert bigarrays.array_summary(array) == ("ndarray", False, 45.0)
    with pytest.raises(TypeError):
        bigarrays.array_summary([1, 2])


def test_array_summary_sees_a_memmap(tmp_path):
    mapped = np.memmap(tmp_path / "a.bin", dtype=float, mode="w+", shape=(4,))
    mapped[:] = 1.0
    assert bigarrays.array_summary(mapped) == ("memmap", True, 4.0)
    del mapped


def test_array_summary_in_children(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        assert pool.submit(bigarrays.array_summary, np.ones(3)).result(timeout=60) == ("ndarray", False, 3.0)


def test_runtime_support_is_consistent():
    support = runtimes.runtime_support()
    assert support["processes (ProcessPoolExecutor)"] == "available"
    assert len(support) == 3
    assert all(v == "available" or v.startswith(("available", "skipped: ")) for v in support.values())
    interpreters = support["interpreters (InterpreterPoolExecutor)"]
    assert (interpreters == "available") == runtimes.interpreter_pool_available()
    if not runtimes.free_threaded_build():
        assert runtimes.gil_enabled()


def test_map_on_interpreters():
    with pytest.raises(TypeError):
        runtimes.map_on_interpreters(None, [1], 1)
    with pytest.raises(ValueError):
        runtimes.map_on_interpreters(workers.square, [1], 0)
    if runtimes.interpreter_pool_available():
        assert runtimes.map_on_interpreters(workers.square, [1, 2, 3], 2) == [1, 4, 9]
    else:
        with pytest.raises(RuntimeError, match="3.14"):
            runtimes.map_on_interpreters(workers.square, [1], 1)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="checks the message of older Pythons")
def test_skip_messages_name_the_version():
    support = runtimes.runtime_support()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert version in support["interpreters (InterpreterPoolExecutor)"]


def test_joblib_scope_leaves_nothing_behind():
    import multiprocessing
    import os

    from joblib import Parallel, delayed

    big = np.ones(300_000)  # 2.4 MB: above joblib's 1 MB memory-mapping threshold
    with bigarrays.joblib_scope(2) as folder:
        summaries = Parallel()(delayed(bigarrays.array_summary)(big) for _ in range(3))
        assert os.path.isdir(folder)
    assert summaries == [("memmap", True, 300_000.0)] * 3
    assert not os.path.exists(folder)
    assert not [p for p in multiprocessing.active_children() if "Loky" in type(p).__name__]


def test_joblib_scope_checks_n_jobs():
    with pytest.raises(ValueError):
        with bigarrays.joblib_scope(0):
            pass
