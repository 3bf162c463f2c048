"""BLAS thread limits in workers, and the products they compute."""

from concurrent.futures import ProcessPoolExecutor

import pytest

from multicore_guide import blas


def test_matmul_checksum_is_reproducible():
    assert blas.matmul_checksum((20, 3)) == blas.matmul_checksum((20, 3))
    assert blas.matmul_checksum((20, 3)) != blas.matmul_checksum((20, 4))


def test_blas_threads_reports_numpy_blas():
    import numpy  # noqa: F401  (loads the BLAS)

    reported = blas.blas_threads()
    assert reported, "NumPy is imported, so at least one BLAS must be reported"
    assert reported == sorted(reported)
    assert all(isinstance(name, str) and name and isinstance(threads, int) and threads >= 1 for name, threads in reported)


def test_limit_in_a_worker_holds(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context, initializer=blas.limit_blas_threads, initargs=(1,)) as pool:
        reported = pool.submit(blas.blas_threads).result(timeout=60)
        product = pool.submit(blas.matmul_checksum, (30, 1)).result(timeout=60)
    assert reported, "the worker imports NumPy, so it must report a BLAS"
    assert [threads for _, threads in reported] == [1] * len(reported)
    assert product == pytest.approx(blas.matmul_checksum((30, 1)))


def test_a_worker_without_the_limit_keeps_its_default(child_context, monkeypatch):
    """The limit above is the initializer's doing: a worker without it reports what this process does."""
    # a new process reads these at start; Dask's nanny sets them in the process
    # that starts a LocalCluster, so a test that ran one earlier would leak them
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    default = blas.blas_threads()
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        reported = pool.submit(blas.blas_threads).result(timeout=60)
    assert reported == default


def test_measure_blas_split_labels_and_agrees(child_context):
    result = blas.measure_blas_split([(1, 1), (2, 1)], [(20, s) for s in range(4)], context=child_context, repeat=1)
    assert list(result["timings"]) == ["1 process x 1 thread", "2 processes x 1 thread"]
    assert [t.runs for t in result["timings"].values()] == [1, 1]
    expected = [blas.matmul_checksum(task) for task in [(20, s) for s in range(4)]]
    for timing in result["timings"].values():
        assert timing.result == pytest.approx(expected, rel=1e-9)
    for label, processes in [("1 process x 1 thread", 1), ("2 processes x 1 thread", 2)]:
        reported = result["threads"][label]
        assert len(reported) == processes
        assert all(pairs and [threads for _, threads in pairs] == [1] * len(pairs) for pairs in reported)


def test_measure_blas_split_runs_one_pool_at_a_time(child_context, monkeypatch):
    """Each split is timed on its own pool, and that pool is gone before the next one starts."""
    import concurrent.futures

    alive, most = [0], [0]
    real = concurrent.futures.ProcessPoolExecutor

    class Counted(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            alive[0] += 1
            most[0] = max(most[0], alive[0])

        def shutdown(self, *args, **kwargs):
            super().shutdown(*args, **kwargs)
            alive[0] -= 1

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    blas.measure_blas_split([(1, 1), (2, 1), (1, 2)], [(10, 0)], context=child_context, repeat=1)
    assert most[0] == 1 and alive[0] == 0


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: blas.matmul_checksum([3, 1]), TypeError),
        (lambda: blas.matmul_checksum((0, 1)), ValueError),
        (lambda: blas.matmul_checksum((3, -1)), ValueError),
        (lambda: blas.limit_blas_threads(0), ValueError),
        (lambda: blas.measure_blas_split([], [(3, 1)]), ValueError),
        (lambda: blas.measure_blas_split([(0, 1)], [(3, 1)]), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()
