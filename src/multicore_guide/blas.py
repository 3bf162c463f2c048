"""NumPy's BLAS threads inside worker processes, and how to limit them.

NumPy hands matrix products to a BLAS library (OpenBLAS, MKL, ...) that
starts its own threads, by default one per core. A pool of one process
per core, each running a BLAS with one thread per core, asks for
cores x cores threads: oversubscription. ``threadpoolctl`` reads and
sets those thread counts at run time; :func:`limit_blas_threads` is the
pool initializer that applies a limit in each worker.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import check_int

__all__ = [
    "blas_threads",
    "limit_blas_threads",
    "matmul_checksum",
    "measure_blas_split",
]

_LIMITS: list[Any] = []  # keeps each worker's threadpool_limits object alive


def limit_blas_threads(threads: int) -> None:
    """Pool initializer: cap every BLAS thread pool in this process at
    ``threads``.

    Raises:
        TypeError, ValueError: ``threads`` is not a count of at least 1.
    """
    from threadpoolctl import threadpool_limits

    threads = check_int("threads", threads, minimum=1)
    _LIMITS.append(threadpool_limits(limits=threads, user_api="blas"))


def blas_threads(_: Any = None) -> list[tuple[str, int]]:
    """Return ``(library, threads)`` for each BLAS library loaded in this process,
    sorted.

    The ignored argument lets ``map`` call it once per worker.
    """
    from threadpoolctl import threadpool_info

    return sorted(
        (pool["internal_api"], pool["num_threads"])
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    )


def matmul_checksum(task: tuple[int, int]) -> float:
    """Multiply two random ``size x size`` matrices drawn from ``seed``; return
    the product's sum.

    ``task`` is ``(size, seed)``. The product runs in NumPy's BLAS, with as
    many threads as the BLAS is allowed in this process.

    Raises:
        TypeError: ``task`` is not a pair of ints.
        ValueError: ``size < 1`` or ``seed < 0``.
    """
    if not isinstance(task, tuple) or len(task) != 2:
        raise TypeError(f"task must be a (size, seed) tuple, got {task!r}")
    size = check_int("size", task[0], minimum=1)
    seed = check_int("seed", task[1], minimum=0)
    rng = np.random.default_rng(seed)
    a = rng.random((size, size))
    b = rng.random((size, size))
    return float((a @ b).sum())


def measure_blas_split(
    splits: list[tuple[int, int]],
    tasks: list[tuple[int, int]],
    *,
    context: Any = None,
    repeat: int = 3,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Time the same matrix products on pools that split the cores differently.

    Each ``(processes, threads)`` pair in ``splits`` gets a pool of
    ``processes`` workers whose BLAS is limited to ``threads`` threads by
    :func:`limit_blas_threads`. The splits are timed one after the other,
    each on its own pool, and that pool is shut down before the next one
    starts: OpenBLAS threads spin for a while after each product, so a pool
    left alive would take cores from the split being timed. Each pool runs
    one untimed ``map(matmul_checksum, tasks)`` to warm up, then ``repeat``
    timed ones; the start of the pools is not timed.

    Returns:
        ``{"timings": {label: Timing}, "threads": {label: blas_threads() of
        each worker}}``,
        with labels such as ``"2 processes x 1 thread"``.

    Raises:
        TypeError, ValueError: a count is out of range or ``splits``/``tasks``
            is empty.
        RuntimeError: two splits gave answers that differ by more than
            rounding.
    """
    from concurrent.futures import ProcessPoolExecutor

    from .contexts import get_context
    from .timing import measure

    if not splits or not tasks:
        raise ValueError("splits and tasks must not be empty")
    checked = [
        (
            check_int("processes", p, minimum=1),
            check_int("threads", t, minimum=1),
        )
        for p, t in splits
    ]
    repeat = check_int("repeat", repeat, minimum=1)
    ctx = context or get_context()
    timings, threads = {}, {}
    for processes, limit in checked:
        label = f"{processes} process{'es' if processes > 1 else ''} x {limit} thread{'s' if limit > 1 else ''}"
        with ProcessPoolExecutor(
            processes,
            mp_context=ctx,
            initializer=limit_blas_threads,
            initargs=(limit,),
        ) as pool:
            threads[label] = list(
                pool.map(blas_threads, range(processes), timeout=timeout)
            )
            timings[label] = measure(
                lambda: list(
                    pool.map(matmul_checksum, tasks, timeout=timeout)
                ),
                repeat=repeat,
                warmup=1,
                label=label,
            )
    first = next(iter(timings.values())).result
    for timing in timings.values():
        if not np.allclose(timing.result, first, rtol=1e-9):
            raise RuntimeError(f"{timing.label} gave different products")
    return {"timings": timings, "threads": threads}
