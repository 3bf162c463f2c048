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
    assert all(isinstance(name, str) and threads >= 1 for name, threads in reported)


def test_limit_in_a_worker_holds(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context, initializer=blas.limit_blas_threads, initargs=(1,)) as pool:
        reported = pool.submit(blas.blas_threads).result(timeout=60)
        product = pool.submit(blas.matmul_checksum, (30, 1)).result(timeout=60)
    assert all(threads == 1 for _, threads in reported)
    assert product == pytest.approx(blas.matmul_checksum((30, 1)))


def test_measure_blas_split_labels_and_agrees(child_context):
    result = blas.measure_blas_split([(1, 1), (2, 1)], [(20, s) for s in range(4)], context=child_context, repeat=1)
    assert list(result["timings"]) == ["1 process x 1 thread", "2 processes x 1 thread"]
    assert len(result["threads"]["2 processes x 1 thread"]) == 2


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
