"""Coordinating processes: the jobs of the chapter of that name.

Each function here runs in a child process and uses one synchronisation
primitive of :mod:`multiprocessing`: a ``Lock`` around a shared counter, an
``Event`` that tells every worker to stop, a ``Barrier`` between phases, a
``Semaphore`` that limits how many workers use a resource at once, and a
``Condition`` that hands items from a producer to consumers. Every wait has
a timeout, and a wait that times out raises :class:`TimeoutError` instead
of hanging. The children report what they saw (counts, timestamps from
:func:`time.monotonic`, which every process on a machine shares on Linux
and macOS) so that the parent can check that the coordination worked.
:func:`max_inside` and :func:`phases_in_order` are those checks.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .workers import count_primes

__all__ = [
    "add_to_counter",
    "consume_items",
    "hold_lock",
    "init_resource",
    "max_inside",
    "phases_in_order",
    "produce_items",
    "run_phases",
    "take_two_locks",
    "use_resource",
    "work_until_stopped",
]


# the longest any primitive waits in these jobs, in seconds
WAIT = 10.0


# the Semaphore a pool worker got from its initializer (init_resource)
_resource: Any = None


def add_to_counter(
    counter: Any,
    n: int,
    lock: Any = None,
    start: Any = None,
    timeout: float = WAIT,
) -> None:
    """Add 1 to ``counter.value`` ``n`` times, under ``lock`` if given.

    ``counter.value += 1`` reads the value, adds one and writes it back;
    a second process can write between the read and the write, and one
    of the two additions is lost. Holding ``lock`` makes the three steps
    one.

    Args:
        counter: a shared value (``ctx.RawValue("q", 0)``).
        n: how many times to add 1.
        lock: a ``ctx.Lock()`` to hold around each addition, or ``None``.
        start: a ``ctx.Barrier`` that all the workers wait at before they
            begin, so that they run at the same time; or ``None``.
        timeout: the longest wait for the lock or the barrier, in seconds.

    Raises:
        TimeoutError: the lock was not free within ``timeout``.
        threading.BrokenBarrierError: the barrier wait timed out.
    """
    if start is not None:
        start.wait(timeout=timeout)
    for _ in range(n):
        if lock is None:
            counter.value += 1
            continue
        if not lock.acquire(timeout=timeout):
            raise TimeoutError("the counter's lock stayed taken")
        try:
            counter.value += 1
        finally:
            lock.release()


def work_until_stopped(
    stop: Any, results: Any, name: int, block: int = 2_000, limit: float = WAIT
) -> None:
    """Count primes block by block until ``stop`` is set; report them.

    Between two blocks the worker looks at the event; a block takes a few
    milliseconds, so the worker stops soon after the event is set.

    Args:
        stop: a ``ctx.Event()``; set it to stop the worker.
        results: a ``ctx.Queue()``; gets ``(name, blocks done, primes
            found, time.monotonic() when the worker saw the event)``.
        name: the worker's number, returned with its results.
        block: how many numbers each block covers.
        limit: stop anyway after this many seconds (a safety bound).
    """
    deadline = time.monotonic() + limit
    blocks = primes = 0
    while not stop.is_set() and time.monotonic() < deadline:
        primes += count_primes(blocks * block, (blocks + 1) * block)
        blocks += 1
    results.put((name, blocks, primes, time.monotonic()))


def run_phases(
    barrier: Any,
    results: Any,
    name: int,
    phases: int = 3,
    seconds: float = 0.05,
) -> None:
    """Work through ``phases`` phases, waiting at ``barrier`` after each.

    Worker ``name`` spends ``seconds * (name + 1)`` in each phase, so the
    workers finish a phase at different times; the barrier holds the fast
    ones until the slowest is done. With ``barrier=None`` nobody waits.

    Args:
        barrier: a ``ctx.Barrier(parties)`` shared by all workers, or
            ``None``.
        results: a ``ctx.Queue()``; gets one list of ``(phase, "start" or
            "end", name, time.monotonic())`` records per worker.
        name: the worker's number.
        phases: how many phases to run.
        seconds: the fastest worker's time per phase.

    Raises:
        threading.BrokenBarrierError: a wait timed out (after ``WAIT``
            seconds) or another worker broke the barrier.
    """
    records = []
    for phase in range(phases):
        records.append((phase, "start", name, time.monotonic()))
        time.sleep(seconds * (name + 1))  # this worker's share of the phase
        records.append((phase, "end", name, time.monotonic()))
        if barrier is not None:
            barrier.wait(timeout=WAIT)
    results.put(records)


def phases_in_order(records: Iterable[tuple[int, str, int, float]]) -> bool:
    """Return True if no phase started before every worker ended the last.

    Args:
        records: ``(phase, "start" or "end", worker, time)`` tuples, as
            :func:`run_phases` reports them.
    """
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    for phase, what, _name, when in records:
        if what == "start":
            starts[phase] = min(when, starts.get(phase, when))
        else:
            ends[phase] = max(when, ends.get(phase, when))
    return all(starts[p] >= ends[p - 1] for p in starts if p - 1 in ends)


def init_resource(semaphore: Any) -> None:
    """Pool initializer: keep ``semaphore`` for :func:`use_resource`."""
    global _resource
    _resource = semaphore


def use_resource(task: int, seconds: float = 0.1) -> tuple[int, float, float]:
    """Use the limited resource for ``seconds``, once the semaphore allows.

    Runs in a pool worker whose initializer was :func:`init_resource`.

    Args:
        task: the task's number, returned with the times.
        seconds: how long the task holds its place.

    Returns:
        ``(task, enter, leave)``: when it got its place and when it gave it
        up, from :func:`time.monotonic`.

    Raises:
        TimeoutError: no place came free within ``WAIT`` seconds.
        RuntimeError: the worker has no semaphore (no initializer).
    """
    if _resource is None:
        raise RuntimeError("start the pool with initializer=init_resource")
    if not _resource.acquire(timeout=WAIT):
        raise TimeoutError("no place came free")
    try:
        enter = time.monotonic()
        time.sleep(seconds)  # the work that needs the resource
        leave = time.monotonic()
    finally:
        _resource.release()
    return task, enter, leave


def max_inside(intervals: Iterable[tuple[Any, float, float]]) -> int:
    """Return the most intervals ``(label, enter, leave)`` open at once.

    An interval that ends at the moment another begins does not overlap it.
    """
    events = []
    for _label, enter, leave in intervals:
        events.append((enter, 1))
        events.append((leave, -1))
    inside = peak = 0
    for _when, step in sorted(events):  # at equal times, leaving comes first
        inside += step
        peak = max(peak, inside)
    return peak


def produce_items(
    condition: Any,
    slot: Any,
    items: int,
    consumers: int,
    timeout: float = WAIT,
) -> None:
    """Hand ``0 .. items - 1``, then one ``-1`` per consumer, through ``slot``.

    ``slot`` holds one item: ``slot[0]`` is the item, ``slot[1]`` is 1 while
    it waits to be taken. The producer waits on ``condition`` until the slot
    is empty, fills it, and wakes the consumers.

    Args:
        condition: a ``ctx.Condition()`` shared with the consumers.
        slot: a ``ctx.RawArray("q", 2)`` shared with the consumers.
        items: how many items to hand over.
        consumers: how many consumers to send the stop item ``-1`` to.
        timeout: the longest wait for an empty slot, in seconds.

    Raises:
        TimeoutError: the slot stayed full for ``timeout`` seconds.
    """
    for item in [*range(items), *[-1] * consumers]:
        with condition:
            if not condition.wait_for(lambda: slot[1] == 0, timeout=timeout):
                raise TimeoutError("nobody took the last item")
            slot[0], slot[1] = item, 1
            condition.notify_all()


def consume_items(
    condition: Any, slot: Any, results: Any, name: int, timeout: float = WAIT
) -> None:
    """Take items from ``slot`` until the stop item ``-1``; report them.

    Args:
        condition: the producer's ``ctx.Condition()``.
        slot: the producer's ``ctx.RawArray("q", 2)``.
        results: a ``ctx.Queue()``; gets ``(name, list of items taken)``.
        name: the consumer's number.
        timeout: the longest wait for an item, in seconds.

    Raises:
        TimeoutError: no item came within ``timeout`` seconds.
    """
    taken = []
    while True:
        with condition:
            if not condition.wait_for(lambda: slot[1] == 1, timeout=timeout):
                raise TimeoutError("no item came")
            item = slot[0]
            slot[1] = 0
            condition.notify_all()
        if item == -1:
            break
        taken.append(item)
    results.put((name, taken))


def hold_lock(lock: Any, holding: Any, seconds: float) -> None:
    """Take ``lock``, set the event ``holding``, keep the lock ``seconds``.

    Raises:
        TimeoutError: the lock was not free within ``WAIT`` seconds.
    """
    if not lock.acquire(timeout=WAIT):
        raise TimeoutError("the lock stayed taken")
    try:
        holding.set()
        time.sleep(seconds)
    finally:
        lock.release()


def take_two_locks(
    first: Any,
    second: Any,
    start: Any,
    results: Any,
    name: str,
    hold: float = 0.2,
    timeout: float = 1.0,
) -> None:
    """Take ``first``, then ``second``, each with a bounded wait.

    The workers meet at ``start`` (a ``ctx.Barrier``), so they begin
    together. Holding ``first``, a worker pauses ``hold`` seconds, then
    tries ``second`` for up to ``timeout`` seconds. A worker that fails
    keeps ``first`` another ``hold`` seconds before it lets go, so that two
    workers stuck on each other both see the failure.

    Args:
        results: a ``ctx.Queue()``; gets ``(name, True if the worker got
            both locks)``.
        name: the worker's name.
    """
    start.wait(timeout=WAIT)
    if not first.acquire(timeout=timeout):
        results.put((name, False))
        return
    try:
        time.sleep(hold)
        got = second.acquire(timeout=timeout)
        if got:
            second.release()
        else:
            time.sleep(hold)
    finally:
        first.release()
    results.put((name, got))
