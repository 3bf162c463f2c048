"""Sharing data between processes: counters, Manager proxies and one big array.

The workers here are module-level, so children of any start method can
import them. Three groups:

- counters in shared memory (``Value``), updated with and without the lock,
  to show a lost-update race and its cure;
- small jobs on ``Manager`` proxies (a dict, a list, a value), including the
  nested mutation that is silently lost;
- one job, "sum these slices of a big float64 array", done four ways, which
  differ only in how the array reaches the workers: pickled with each task,
  through a ``Manager`` list, in a ``multiprocessing.Array`` inherited at
  start, or in a ``shared_memory.SharedMemory`` block attached by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory
from multiprocessing.context import BaseContext
from multiprocessing.managers import SharedMemoryManager
from typing import Any

import numpy as np

from .checks import check_bounds, check_int
from .machine import get_context

__all__ = [
    "WAYS",
    "add_locked",
    "add_unlocked",
    "append_to_entry",
    "array_from_shm",
    "count_with_processes",
    "created_blocks",
    "square_in_shared_memory",
    "store_square",
    "sum_blocks",
    "sum_in_array",
    "sum_in_shared_memory",
    "sum_of_block",
    "sum_shared_blocks",
    "sum_through_proxy",
    "whole_array_tasks",
]


#: the four ways :func:`sum_blocks` can hand the array to its workers
WAYS = ("pickle", "Manager", "Array", "shared_memory")


_INHERITED: dict[str, Any] = {}  # set in each worker by _keep_array


_CREATED: list[
    str
] = []  # names of the blocks sum_blocks created in this process


def created_blocks() -> list[str]:
    """Return the names of the shared memory blocks :func:`sum_blocks` created in
    this process, oldest first.

    ``sum_blocks`` unlinks each one before it returns. The list lets a
    caller check, by name, that none of them is left (on Linux, that no
    file of that name remains in ``/dev/shm``) without looking at blocks
    that other programs own.
    """
    return list(_CREATED)


def add_unlocked(counter: Any, times: int) -> None:
    """Add 1 to ``counter.value`` ``times`` times, without taking its lock.

    ``counter.value += 1`` reads, adds and writes: two processes can read
    the same value, and one of the two writes is then lost.

    Raises:
        TypeError, ValueError: ``times`` is not a count.
    """
    times = check_int("times", times, minimum=0)
    for _ in range(times):
        counter.value += 1


def add_locked(counter: Any, times: int) -> None:
    """Add 1 to ``counter.value`` ``times`` times, each under
    ``counter.get_lock()``.

    Raises:
        TypeError, ValueError: ``times`` is not a count.
    """
    times = check_int("times", times, minimum=0)
    lock = counter.get_lock()
    for _ in range(times):
        with lock:
            counter.value += 1


def count_with_processes(
    worker: Any,
    *,
    workers: int,
    times: int,
    context: BaseContext | None = None,
    counter: Any = None,
    timeout: float = 60.0,
) -> int:
    """Start ``workers`` children that each run ``worker(counter, times)``;
    return the final count.

    The counter is ``counter`` if given (for example a ``Manager`` value
    proxy), else a new ``context.Value("q", 0)``: a 64-bit integer with a
    lock. It is handed to each child when it starts. Every child is joined.

    Raises:
        TypeError, ValueError: a count is out of range.
        RuntimeError: a child did not finish within ``timeout`` seconds
            (it is killed first) or exited with an error.
    """
    workers = check_int("workers", workers, minimum=1)
    times = check_int("times", times, minimum=0)
    ctx = context or get_context()
    if counter is None:
        counter = ctx.Value("q", 0)
    children = [
        ctx.Process(target=worker, args=(counter, times))
        for _ in range(workers)
    ]
    for child in children:
        child.start()
    try:
        for child in children:
            child.join(timeout=timeout)
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
                child.join(timeout=10)
    codes = [child.exitcode for child in children]
    if any(code != 0 for code in codes):
        raise RuntimeError(
            f"a child did not finish cleanly; exit codes {codes}"
        )
    return counter.value


def store_square(mapping: Any, key: int) -> int:
    """Store the square of ``key`` under ``key`` in ``mapping``; return ``key``.

    ``mapping`` is a dict or a dict proxy.

    Raises:
        TypeError: ``key`` is not an int.
    """
    key = check_int("key", key)
    mapping[key] = key * key
    return key


def append_to_entry(mapping: Any, key: str, value: Any) -> int:
    """Append ``value`` to the list held at ``mapping[key]``; return how long
    the parent will see it.

    With a dict proxy holding a plain list, ``mapping[key]`` is a *copy*
    fetched from the manager: the append changes the copy and is lost. With a
    dict proxy holding a list proxy, the append reaches the manager. The
    return value is the length that the manager holds afterwards.

    Raises:
        KeyError: ``mapping`` has no ``key``.
    """
    mapping[key].append(value)
    return len(mapping[key])


def sum_of_block(block: np.ndarray) -> float:
    """Return the sum of a 1-D float array that arrived pickled with the task.

    Raises:
        TypeError: ``block`` is not a NumPy array.
    """
    if not isinstance(block, np.ndarray):
        raise TypeError(
            f"block must be a numpy array, got {type(block).__name__}"
        )
    return float(block.sum())


def sum_through_proxy(proxy: Any, bounds: tuple[int, int]) -> float:
    """Return ``sum(proxy[start:stop])`` for a ``Manager`` list proxy; the slice
    travels pickled.

    Raises:
        TypeError, ValueError: ``bounds`` is not a ``(start, stop)`` pair of
            counts.
    """
    start, stop = check_bounds("bounds", bounds)
    return float(np.sum(proxy[start:stop]))


def _keep_array(raw: Any) -> None:
    """Pool initializer: keep the inherited shared ``Array`` for
    :func:`sum_in_array`."""
    _INHERITED["array"] = raw


def sum_in_array(bounds: tuple[int, int]) -> float:
    """Return the sum of ``array[start:stop]`` for the ``Array`` this worker
    inherited at start.

    The array is viewed with ``numpy.frombuffer``, so nothing is copied.

    Raises:
        TypeError, ValueError: ``bounds`` is not a ``(start, stop)`` pair of
            counts.
        RuntimeError: the worker was started without the array (see
            :func:`sum_blocks`).
    """
    start, stop = check_bounds("bounds", bounds)
    if "array" not in _INHERITED:
        raise RuntimeError(
            "this worker holds no shared Array; start it with _keep_array"
        )
    view = np.frombuffer(_INHERITED["array"], dtype=np.float64)
    return float(view[start:stop].sum())


def array_from_shm(shm: shared_memory.SharedMemory, length: int) -> np.ndarray:
    """Return a float64 NumPy array of ``length`` items over ``shm.buf``: no copy.

    Drop every such array before ``shm.close()``: a view still in use makes
    ``close`` raise ``BufferError``.

    Raises:
        TypeError, ValueError: ``length`` is not a count, or the block is too
            small.
    """
    length = check_int("length", length, minimum=0)
    if length * 8 > shm.size:
        raise ValueError(
            f"a block of {shm.size} bytes cannot hold {length} float64 values"
        )
    return np.ndarray((length,), dtype=np.float64, buffer=shm.buf)


def sum_in_shared_memory(
    name: str, length: int, bounds: tuple[int, int]
) -> float:
    """Attach the shared memory block ``name``, sum ``[start:stop]`` of its
    float64 array, detach.

    The worker closes its own mapping but never unlinks: the block belongs
    to whoever created it.

    Raises:
        TypeError, ValueError: ``length`` or ``bounds`` is out of range.
        FileNotFoundError: no block called ``name`` exists.
    """
    return _on_shared_slice(
        name, length, bounds, lambda part: float(part.sum())
    )


def square_in_shared_memory(
    name: str, length: int, bounds: tuple[int, int]
) -> int:
    """Square ``[start:stop]`` of the float64 array in the shared memory block
    ``name``, in place.

    Nothing travels back but the count of items changed: the parent sees
    the new values in its own view of the block.

    Returns:
        ``stop - start``.

    Raises:
        TypeError, ValueError: ``length`` or ``bounds`` is out of range.
        FileNotFoundError: no block called ``name`` exists.
    """
    return _on_shared_slice(
        name, length, bounds, lambda part: np.square(part, out=part).size
    )


def _on_shared_slice(name: str, length: int, bounds: Any, work: Any) -> Any:
    """Attach block ``name``, return ``work(array[start:stop])`` on its float64
    array, detach."""
    start, stop = check_bounds("bounds", bounds)
    if stop > length:
        raise ValueError(
            f"bounds {bounds} run past the array's {length} items"
        )
    shm = shared_memory.SharedMemory(name=name)
    try:
        view = array_from_shm(shm, length)
        answer = work(view[start:stop])
        del view  # every view must go before close()
        return answer
    finally:
        shm.close()


def whole_array_tasks(length: int, tasks: int) -> list[tuple[int, int]]:
    """Return ``tasks`` copies of ``(0, length)``: every task reads the whole
    array.

    Raises:
        TypeError, ValueError: a count is out of range.
    """
    length = check_int("length", length, minimum=0)
    tasks = check_int("tasks", tasks, minimum=1)
    return [(0, length)] * tasks


def sum_blocks(
    way: str,
    data: np.ndarray,
    bounds: Sequence[tuple[int, int]],
    *,
    workers: int,
    context: BaseContext | None = None,
    timeout: float = 600.0,
) -> list[float]:
    """Sum ``data[start:stop]`` for each pair in ``bounds`` on a fresh pool; share
    ``data`` as ``way`` says.

    ``way`` is one of :data:`WAYS`:

    - ``"pickle"``: each task carries its slice, pickled;
    - ``"Manager"``: the data goes into a ``Manager`` list; each task
      fetches its slice through the proxy;
    - ``"Array"``: the data is copied once into a lock-free shared
      ``Array``, which each worker inherits at start;
    - ``"shared_memory"``: the data is copied once into a
      ``SharedMemoryManager`` block, which each task attaches by name.

    Everything is built and torn down inside the call (pool, manager,
    shared memory), so a timing of it is end to end and nothing is left
    behind.

    Returns:
        One sum per pair in ``bounds``, in order.

    Raises:
        ValueError: an unknown ``way``, ``data`` that is not a 1-D float64
            array, empty ``bounds`` or bounds outside ``data``.
        TypeError, ValueError: ``workers`` is not a count.
    """
    if way not in WAYS:
        raise ValueError(f"way must be one of {WAYS}, got {way!r}")
    if (
        not isinstance(data, np.ndarray)
        or data.ndim != 1
        or data.dtype != np.float64
    ):
        raise ValueError("data must be a 1-D float64 numpy array")
    bounds = [check_bounds("bounds", pair) for pair in bounds]
    if not bounds:
        raise ValueError("bounds must hold at least one (start, stop) pair")
    if any(stop > data.size for _, stop in bounds):
        raise ValueError(f"bounds run past the array's {data.size} items")
    workers = check_int("workers", workers, minimum=1)
    ctx = context or get_context()
    if way == "Array":
        raw = ctx.Array("d", data.size, lock=False)
        np.frombuffer(raw, dtype=np.float64)[:] = data
        with _pool(workers, ctx, _keep_array, (raw,)) as pool:
            return list(pool.map(sum_in_array, bounds, timeout=timeout))
    with _pool(workers, ctx) as pool:
        if way == "pickle":
            blocks = (data[start:stop] for start, stop in bounds)
            return list(pool.map(sum_of_block, blocks, timeout=timeout))
        if way == "Manager":
            with ctx.Manager() as manager:
                proxy = manager.list(data.tolist())
                futures = [
                    pool.submit(sum_through_proxy, proxy, pair)
                    for pair in bounds
                ]
                return [future.result(timeout=timeout) for future in futures]
        with SharedMemoryManager(ctx=ctx) as smm:
            shm = smm.SharedMemory(size=max(data.nbytes, 1))
            _CREATED.append(shm.name)
            view = array_from_shm(shm, data.size)
            view[:] = data
            del view
            try:
                return _sum_by_name(pool, shm.name, data.size, bounds, timeout)
            finally:
                shm.close()


def sum_shared_blocks(
    name: str,
    length: int,
    bounds: Sequence[tuple[int, int]],
    *,
    workers: int,
    context: BaseContext | None = None,
    timeout: float = 600.0,
) -> list[float]:
    """Sum ``[start:stop]`` of the float64 array in the shared memory block
    ``name``, for each pair in ``bounds``.

    The array is already in shared memory (it was built there), so nothing
    is copied: each task attaches by name. A fresh pool does the work.

    Returns:
        One sum per pair in ``bounds``, in order.

    Raises:
        TypeError, ValueError: a count or a pair is out of range, or ``bounds``
            is empty.
        FileNotFoundError: no block called ``name`` exists.
    """
    length = check_int("length", length, minimum=0)
    bounds = [check_bounds("bounds", pair) for pair in bounds]
    if not bounds:
        raise ValueError("bounds must hold at least one (start, stop) pair")
    workers = check_int("workers", workers, minimum=1)
    with _pool(workers, context or get_context()) as pool:
        return _sum_by_name(pool, name, length, bounds, timeout)


def _sum_by_name(
    pool: ProcessPoolExecutor,
    name: str,
    length: int,
    bounds: list,
    timeout: float,
) -> list[float]:
    """Submit one :func:`sum_in_shared_memory` task per pair in ``bounds``; return
    the sums in order."""
    tasks = [
        pool.submit(sum_in_shared_memory, name, length, pair)
        for pair in bounds
    ]
    return [task.result(timeout=timeout) for task in tasks]


def _pool(
    workers: int,
    ctx: BaseContext,
    initializer: Any = None,
    initargs: tuple = (),
) -> ProcessPoolExecutor:
    """Return a ``ProcessPoolExecutor`` of ``workers`` built from ``ctx``."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=initializer,
        initargs=initargs,
    )
