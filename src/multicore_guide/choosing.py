"""Chapter 7, Choosing an API: one job written with each standard-library API.

Each function here is short on purpose: the book shows them side by side,
so that the reader sees what each API asks of the programmer. Every one
returns the answers in the order of ``items``, bounds every wait, and
leaves no process behind when it returns.
"""

from __future__ import annotations

import concurrent.futures
import queue
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

from .checks import check_int, check_real
from .machine import get_context

__all__ = [
    "count_draws",
    "map_with_interpreter_executor",
    "map_with_pool",
    "map_with_process_executor",
    "map_with_processes",
    "map_with_thread_executor",
    "put_result",
]


def put_result(
    queue: Any, index: int, fn: Callable[[Any], Any], argument: Any
) -> None:
    """Put ``(index, fn(argument))`` on ``queue``: a ``Process`` target that
    hands
    back an answer.

    ``index`` lets the parent put answers back in order, since processes
    finish in any order. If ``fn`` raises, the exception propagates and
    nothing is put on the queue, so the parent's bounded ``get`` times out
    and the child's exit code is 1.

    Raises:
        TypeError: ``index`` is not an int, ``fn`` is not callable, or
            ``queue`` has no ``put`` method.
        ValueError: ``index`` is negative.
        Exception: whatever ``fn(argument)`` raises.
    """
    index = check_int("index", index, minimum=0)
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not callable(getattr(queue, "put", None)):
        raise TypeError(
            f"queue must have a put method, got {type(queue).__name__}"
        )
    queue.put((index, fn(argument)))


def map_with_processes(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    context: BaseContext | None = None,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, each item in its own
    ``Process``.

    ``fn`` runs inside :func:`multicore_guide.choosing.put_result`, which puts
    ``(index, answer)`` on a queue; the parent reads every answer before it
    joins, since a child whose queued data has not been read cannot exit.

    This is the guide's Example 1 pattern, made to return: the code it takes
    to collect answers and notice a failed child is the price of the
    low-level API.

    Raises:
        TypeError, ValueError: ``items`` is empty or ``timeout`` is not
            positive.
        RuntimeError: a child failed, or the answers were not all in after
            ``timeout`` seconds.
    """
    items = list(items)
    if not items:
        raise ValueError("items must not be empty")
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    ctx = context or get_context()
    answers = ctx.Queue()
    children = [
        ctx.Process(target=put_result, args=(answers, i, fn, item))
        for i, item in enumerate(items)
    ]
    for child in children:
        child.start()
    deadline = time.monotonic() + timeout
    pairs: dict[int, Any] = {}
    try:
        while len(pairs) < len(items):
            try:
                index, answer = answers.get(timeout=0.05)
                pairs[index] = answer
            except queue.Empty:
                # nobody else watches the children: a failure must be noticed
                # here
                failed = [
                    c.exitcode for c in children if c.exitcode not in (None, 0)
                ]
                if failed or time.monotonic() > deadline:
                    missing = len(items) - len(pairs)
                    raise RuntimeError(
                        f"{missing} answers missing; "
                        f"failed children's exit codes: {failed}"
                    ) from None
    except BaseException:
        for child in children:
            child.terminate()
        raise
    finally:
        for child in children:
            child.join(timeout=timeout)
    return [pairs[i] for i in range(len(items))]


def map_with_pool(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    chunksize: int | None = None,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``multiprocessing.Pool.map``.

    ``chunksize=None`` keeps the pool's own default (about four chunks per
    worker). ``map_async(...).get(timeout)`` is ``map`` with a bound.

    Raises:
        TypeError, ValueError: ``workers`` or ``chunksize`` is not a positive
            int.
        multiprocessing.TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    if chunksize is not None:
        # Pool.map_async accepts 0: it never calls fn and returns [None] * n
        chunksize = check_int("chunksize", chunksize, minimum=1)
    ctx = context or get_context()
    with ctx.Pool(workers) as pool:
        return pool.map_async(fn, items, chunksize).get(timeout=timeout)


def map_with_process_executor(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    chunksize: int = 1,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``ProcessPoolExecutor.map``.

    ``chunksize=1`` is the executor's own default.

    Raises:
        TypeError, ValueError: ``workers`` or ``chunksize`` is not a positive
            int.
        TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    chunksize = check_int("chunksize", chunksize, minimum=1)
    with ProcessPoolExecutor(
        workers, mp_context=context or get_context()
    ) as pool:
        return list(pool.map(fn, items, chunksize=chunksize, timeout=timeout))


def map_with_thread_executor(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``ThreadPoolExecutor.map``.

    The threads share this process, its memory and, in a standard build,
    its GIL; nothing is pickled, and no start method is involved.

    Raises:
        TypeError, ValueError: ``workers`` is not a positive int.
        TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items, timeout=timeout))


def map_with_interpreter_executor(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``InterpreterPoolExecutor.map`` (3.14+).

    Each worker is a thread that runs its own interpreter with its own GIL,
    inside this process.

    Raises:
        TypeError, ValueError: ``workers`` is not a positive int.
        RuntimeError: this Python has no ``InterpreterPoolExecutor``.
        TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    executor = getattr(concurrent.futures, "InterpreterPoolExecutor", None)
    if executor is None:
        raise RuntimeError(
            "InterpreterPoolExecutor needs Python 3.14 or newer"
        )
    with executor(workers) as pool:
        return list(pool.map(fn, items, timeout=timeout))


def count_draws(items: Iterable[Any], drawn: list[int]) -> Iterator[Any]:
    """Yield each of ``items``, first appending its index to ``drawn``.

    Runs in the parent: hand the generator to a ``map`` and read
    ``len(drawn)`` to see how many inputs the map has taken so far, whether
    or not its answers have been read. Only indexes are kept, never items.

    Raises:
        TypeError: ``drawn`` has no ``append`` method (when the first item
            is drawn).
    """
    for index, item in enumerate(items):
        drawn.append(index)
        yield item
