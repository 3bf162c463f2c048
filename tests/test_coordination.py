"""The jobs of the chapter "Coordinating processes", run in real processes."""

import threading
import time

import pytest

from multicore_guide import coordination as co
from multicore_guide.machine import get_context, join_all, start_all

CTX = get_context()


_start = start_all


def _join(procs):
    join_all(procs, timeout=20)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def test_the_lock_keeps_the_counter_exact():
    counter, lock, start = CTX.RawValue("q", 0), CTX.Lock(), CTX.Barrier(2)
    procs = [
        CTX.Process(
            target=co.add_to_counter, args=(counter, 20_000, lock, start)
        )
        for _ in range(2)
    ]
    _start(procs)
    _join(procs)
    assert counter.value == 40_000


def test_add_to_counter_without_lock_counts_in_one_process():
    counter = CTX.RawValue("q", 0)
    co.add_to_counter(counter, 500)
    assert counter.value == 500


def test_add_to_counter_times_out_on_a_taken_lock():
    counter, lock = CTX.RawValue("q", 0), CTX.Lock()
    lock.acquire()
    try:
        with pytest.raises(TimeoutError):
            co.add_to_counter(counter, 1, lock, timeout=0.05)
        with pytest.raises(threading.BrokenBarrierError):
            co.add_to_counter(counter, 1, None, CTX.Barrier(2), timeout=0.05)
    finally:
        lock.release()
    assert counter.value == 0


def test_every_worker_stops_soon_after_the_event():
    stop, results = CTX.Event(), CTX.Queue()
    procs = [
        CTX.Process(target=co.work_until_stopped, args=(stop, results, i))
        for i in range(2)
    ]
    _start(procs)
    time.sleep(0.5)
    stop.set()
    set_at = time.monotonic()
    got = sorted(results.get(timeout=10) for _ in procs)
    _join(procs)
    assert [name for name, *_ in got] == [0, 1]
    assert all(blocks >= 1 and primes > 0 for _, blocks, primes, _ in got)
    assert all(seen - set_at < 1.0 for *_, seen in got)


def test_a_set_event_stops_work_until_stopped_at_once():
    stop, results = CTX.Event(), CTX.Queue()
    stop.set()
    co.work_until_stopped(stop, results, 7)
    assert results.get(timeout=5)[:3] == (7, 0, 0)


def _phases(barrier, workers=3):
    results = CTX.Queue()
    procs = [
        CTX.Process(target=co.run_phases, args=(barrier, results, i, 3, 0.03))
        for i in range(workers)
    ]
    _start(procs)
    records = [r for _ in procs for r in results.get(timeout=20)]
    _join(procs)
    return records


def test_with_a_barrier_no_phase_starts_early():
    records = _phases(CTX.Barrier(3))
    assert len(records) == 3 * 3 * 2
    assert co.phases_in_order(records)


def test_without_a_barrier_phases_overlap():
    assert not co.phases_in_order(_phases(None))


def test_phases_in_order_on_made_up_records():
    ok = [
        (0, "start", 0, 0.0),
        (0, "end", 0, 1.0),
        (0, "start", 1, 0.0),
        (0, "end", 1, 2.0),
        (1, "start", 0, 2.5),
        (1, "start", 1, 2.0),
    ]
    assert co.phases_in_order(ok)
    early = ok + [(1, "start", 1, 1.5)]
    assert not co.phases_in_order(early)


def test_max_inside():
    assert co.max_inside([]) == 0
    assert (
        co.max_inside([("a", 0, 1), ("b", 1, 2)]) == 1
    )  # touching: no overlap
    assert co.max_inside([("a", 0, 2), ("b", 1, 3), ("c", 1.5, 4)]) == 3
    assert co.max_inside([("a", 0, 2), ("b", 1, 3), ("c", 2.5, 4)]) == 2


def test_the_semaphore_limits_the_pool():
    semaphore = CTX.Semaphore(2)
    with CTX.Pool(
        4, initializer=co.init_resource, initargs=(semaphore,)
    ) as pool:
        spans = pool.starmap_async(
            co.use_resource, [(i, 0.05) for i in range(8)]
        ).get(timeout=30)
    assert sorted(task for task, *_ in spans) == list(range(8))
    assert 1 <= co.max_inside(spans) <= 2


def test_use_resource_needs_the_initializer(monkeypatch):
    monkeypatch.setattr(co, "_resource", None)
    with pytest.raises(RuntimeError):
        co.use_resource(0, 0)


def test_use_resource_times_out(monkeypatch):
    semaphore = CTX.Semaphore(0)
    monkeypatch.setattr(co, "_resource", semaphore)
    monkeypatch.setattr(co, "WAIT", 0.05)
    with pytest.raises(TimeoutError):
        co.use_resource(0, 0)


def test_a_semaphore_cannot_be_a_pool_task_argument():
    semaphore = CTX.Semaphore(1)
    with CTX.Pool(1) as pool:
        with pytest.raises(RuntimeError):
            pool.apply_async(co.init_resource, (semaphore,)).get(timeout=10)


def test_the_condition_hands_every_item_once():
    condition, slot, results = (
        CTX.Condition(),
        CTX.RawArray("q", 2),
        CTX.Queue(),
    )
    procs = [
        CTX.Process(
            target=co.consume_items, args=(condition, slot, results, i)
        )
        for i in range(2)
    ]
    procs.append(
        CTX.Process(target=co.produce_items, args=(condition, slot, 100, 2))
    )
    _start(procs)
    got = [results.get(timeout=20) for _ in range(2)]
    _join(procs)
    assert sorted(item for _, taken in got for item in taken) == list(
        range(100)
    )


def test_produce_items_times_out_without_consumers():
    condition, slot = CTX.Condition(), CTX.RawArray("q", 2)
    with pytest.raises(TimeoutError):
        co.produce_items(condition, slot, 2, 1, timeout=0.05)
    assert list(slot) == [0, 1]  # the first item waits in the slot


def test_consume_items_times_out_without_a_producer():
    condition, slot, results = (
        CTX.Condition(),
        CTX.RawArray("q", 2),
        CTX.Queue(),
    )
    with pytest.raises(TimeoutError):
        co.consume_items(condition, slot, results, 0, timeout=0.05)


def test_a_bounded_acquire_returns_false_while_a_child_holds_the_lock():
    lock, holding = CTX.Lock(), CTX.Event()
    child = CTX.Process(target=co.hold_lock, args=(lock, holding, 0.5))
    child.start()
    assert holding.wait(timeout=10)
    assert lock.acquire(timeout=0.05) is False
    _join([child])
    assert lock.acquire(timeout=1)
    lock.release()


def _two(order):
    a, b = CTX.Lock(), CTX.Lock()
    start, results = CTX.Barrier(2), CTX.Queue()
    locks = {"A": (a, b), "B": (b, a) if order == "opposite" else (a, b)}
    procs = [
        CTX.Process(
            target=co.take_two_locks,
            args=(*locks[n], start, results, n, 0.1, 0.5),
        )
        for n in "AB"
    ]
    _start(procs)
    got = sorted(results.get(timeout=20) for _ in procs)
    _join(procs)
    return got


def test_opposite_order_makes_both_time_out():
    assert _two("opposite") == [("A", False), ("B", False)]


def test_the_same_order_lets_both_finish():
    assert _two("same") == [("A", True), ("B", True)]
