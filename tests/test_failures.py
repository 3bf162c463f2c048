"""Workers that fail on purpose, crash recovery, and the Ctrl-C script."""

import logging
import logging.handlers
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

import pytest

from multicore_guide import failures, graceful

LINUX = sys.platform.startswith("linux")


def test_reciprocal_and_its_errors():
    assert failures.reciprocal(4) == 0.25
    with pytest.raises(ZeroDivisionError):
        failures.reciprocal(0)
    with pytest.raises(TypeError):
        failures.reciprocal("4")


def test_die_on_returns_square_when_not_fatal():
    assert failures.die_on(5, 13) == 25
    with pytest.raises(TypeError):
        failures.die_on(5.0, 13)
    with pytest.raises(TypeError):
        failures.die_on(5, None)


def test_kill_self_rejects_bad_signals():
    with pytest.raises(TypeError):
        failures.kill_self("KILL")
    with pytest.raises(ValueError):
        failures.kill_self(0)
    with pytest.raises(ValueError):
        failures.kill_self(10_000)


def test_logged_square_logs_one_record(caplog):
    with caplog.at_level(logging.INFO, logger=failures.LOGGER_NAME):
        assert failures.logged_square(7) == 49
    assert [r.getMessage() for r in caplog.records] == ["squared 7"]
    with pytest.raises(TypeError):
        failures.logged_square(7.5)


def test_init_worker_logging_rejects_non_queues():
    with pytest.raises(TypeError):
        failures.init_worker_logging([])
    with pytest.raises(TypeError):
        failures.init_worker_logging(__import__("queue").Queue(), level="INFO")


def test_allocate_mib_checks_its_input():
    assert failures.allocate_mib(1) == 1
    assert failures.allocate_mib(0) == 0
    with pytest.raises(ValueError):
        failures.allocate_mib(-1)
    with pytest.raises(TypeError):
        failures.allocate_mib(1.5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS in KiB is Linux's convention")
def test_a_worker_reports_its_own_peak_memory(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        pool.submit(failures.allocate_mib, 160).result(timeout=60)
        peak = pool.submit(failures.peak_rss_mib).result(timeout=60)
    # the peak is a high-water mark: it holds at least the 160 MiB block
    assert 160 <= peak < 1024


def test_cap_address_space_checks_its_input():
    with pytest.raises(ValueError):
        failures.cap_address_space(0)
    with pytest.raises(TypeError):
        failures.cap_address_space("256")


def test_exceptions_come_back_from_children(child_context):
    with ProcessPoolExecutor(2, mp_context=child_context) as pool:
        future = pool.submit(failures.reciprocal, 0)
        assert isinstance(future.exception(timeout=60), ZeroDivisionError)
        assert pool.submit(failures.reciprocal, 2).result(timeout=60) == 0.5


def test_a_dying_worker_breaks_the_pool(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        assert pool.submit(failures.die_on, 3, 13).result(timeout=60) == 9
        crash = pool.submit(failures.die_on, 13, 13).exception(timeout=60)
    assert isinstance(crash, BrokenProcessPool)


def test_signal_exit_code(child_context):
    process = child_context.Process(target=failures.kill_self, args=(signal.SIGKILL,))
    process.start()
    process.join(timeout=60)
    assert process.exitcode == -signal.SIGKILL


def test_map_isolating_crashes_names_the_culprit(child_context):
    fn = partial(failures.die_on, fatal=4)
    results, crashed = failures.map_isolating_crashes(fn, range(7), workers=2, context=child_context)
    assert crashed == [4]
    assert results == {n: n * n for n in range(7) if n != 4}
    assert list(results) == [0, 1, 2, 3, 5, 6]


def test_map_isolating_crashes_lets_exceptions_through(child_context):
    with pytest.raises(ZeroDivisionError):
        failures.map_isolating_crashes(failures.reciprocal, [1, 0], context=child_context)


def test_map_isolating_crashes_checks_arguments():
    with pytest.raises(TypeError):
        failures.map_isolating_crashes(None, [1])
    with pytest.raises(ValueError):
        failures.map_isolating_crashes(failures.reciprocal, [1], workers=0)
    with pytest.raises(ValueError):
        failures.map_isolating_crashes(failures.reciprocal, [1], timeout=0)


def test_worker_logging_reaches_the_parent(child_context):
    queue = child_context.Queue()
    records = logging.handlers.BufferingHandler(capacity=100)
    listener = logging.handlers.QueueListener(queue, records)
    listener.start()
    try:
        with ProcessPoolExecutor(
            2, mp_context=child_context, initializer=failures.init_worker_logging, initargs=(queue,)
        ) as pool:
            assert list(pool.map(failures.logged_square, range(4))) == [0, 1, 4, 9]
    finally:
        listener.stop()
        queue.close()
        queue.join_thread()
    assert sorted(r.getMessage() for r in records.buffer) == [f"squared {n}" for n in range(4)]


@pytest.mark.skipif(not LINUX, reason="RLIMIT_AS is enforced on Linux only")
def test_capped_worker_raises_memory_error_and_survives(child_context):
    with ProcessPoolExecutor(
        1, mp_context=child_context, initializer=failures.cap_address_space, initargs=(256,)
    ) as pool:
        limit = pool.submit(failures.address_space_limit_mib).result(timeout=60)
        assert limit is not None and limit >= 256
        assert pool.submit(failures.allocate_mib, 32).result(timeout=60) == 32
        error = pool.submit(failures.allocate_mib, 4096).exception(timeout=60)
        assert isinstance(error, MemoryError)
        assert pool.submit(failures.allocate_mib, 32).result(timeout=60) == 32


def test_ignore_sigint_in_a_child(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context, initializer=failures.ignore_sigint) as pool:
        assert pool.submit(failures.reciprocal, 1).result(timeout=60) == 1.0


SCRIPT = [sys.executable, "-m", "multicore_guide.graceful", "--tasks", "12", "--seconds", "0.2"]


def test_clean_script_stops_on_ctrl_c():
    result = graceful.run_and_interrupt(SCRIPT, timeout=60)
    assert result.returncode == 130
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1] == "pool shut down cleanly; worker processes left: 0"
    assert result.group_empty


def test_naive_script_never_stops_cleanly_on_sigint():
    """Without the pattern, Ctrl-C ends the script badly, in one of two ways.

    Usually the parent finishes the queued tasks and dies of SIGINT with a
    KeyboardInterrupt traceback. Rarely (seen here under heavy load) a worker
    is interrupted while it holds the result queue's lock, dies holding it,
    and the pool hangs: run_and_interrupt then kills the group and raises
    TimeoutError. A clean exit never happens.
    """
    try:
        result = graceful.run_and_interrupt(SCRIPT + ["--naive"], timeout=20)
    except TimeoutError:
        return  # the hang, bounded and killed: the naive pattern's worst case
    assert result.returncode == -signal.SIGINT
    assert result.stderr.splitlines()[-1] == "KeyboardInterrupt"
    assert result.group_empty


def test_script_runs_to_the_end_without_ctrl_c():
    assert graceful.main(["--tasks", "2", "--seconds", "0.01"]) == 0
    assert graceful.main(["--tasks", "2", "--seconds", "0.01", "--naive"]) == 0


def test_run_and_interrupt_checks_arguments_and_times_out():
    with pytest.raises(TypeError):
        graceful.run_and_interrupt("python")
    with pytest.raises(ValueError):
        graceful.run_and_interrupt([])
    with pytest.raises(ValueError):
        graceful.run_and_interrupt([sys.executable], timeout=0)
    with pytest.raises(TimeoutError):
        graceful.run_and_interrupt([sys.executable, "-c", "print('not ready')"], timeout=5)


def test_group_gone():
    with pytest.raises(ValueError):
        graceful.group_gone(0, 1)
    with pytest.raises(ValueError):
        graceful.group_gone(1, -1)
    assert graceful.group_gone(2**22 + 12345, 0) in (True, False)
