"""Process targets: right answers, clean exits, signals, clear errors."""

import multiprocessing
import signal
import sys

import matplotlib

matplotlib.use("agg")

import pytest  # noqa: E402

from multicore_guide import processes  # noqa: E402


def test_square_number_puts_its_answer_on_the_queue():
    queue = multiprocessing.get_context("spawn").SimpleQueue()
    processes.square_number(7, queue, iterations=10)
    assert queue.get() == (7, 49)


def test_square_by_hand_collects_every_answer(child_context):
    assert processes.square_by_hand(
        [1, 2, 3, 4, 5], iterations=1_000, context=child_context
    ) == {
        1: 1,
        2: 4,
        3: 9,
        4: 16,
        5: 25,
    }
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: processes.square_by_hand([1, 1]), ValueError),
        (lambda: processes.square_by_hand([1.5]), TypeError),
        (lambda: processes.square_by_hand([1], iterations=-1), ValueError),
        (lambda: processes.square_by_hand([1], timeout=0), ValueError),
        (lambda: processes.square_number("2", None), TypeError),
        (lambda: processes.exit_with(256), ValueError),
        (lambda: processes.exit_with(-1), ValueError),
        (lambda: processes.ignore_sigterm_and_sleep(-1), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_exit_code_reaches_the_parent(child_context):
    child = child_context.Process(target=processes.exit_with, args=(3,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 3


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="terminate and kill are the same on Windows",
)
def test_terminate_is_ignored_and_kill_is_not(child_context):
    ready = child_context.Event()
    child = child_context.Process(
        target=processes.ignore_sigterm_and_sleep, args=(30, ready)
    )
    child.start()
    try:
        assert ready.wait(timeout=30)
        child.terminate()
        child.join(timeout=0.5)
        assert child.is_alive()
        child.kill()
        child.join(timeout=10)
        assert child.exitcode == -signal.SIGKILL
    finally:
        if child.is_alive():
            child.kill()
            child.join(timeout=10)


@pytest.mark.skipif(
    sys.platform == "win32", reason="terminate() runs no handler on Windows"
)
def test_sigterm_handler_runs_finally_and_sets_the_exit_code(child_context):
    ready, report = child_context.Event(), child_context.Queue()
    child = child_context.Process(
        target=processes.clean_up_on_sigterm, args=(30, ready, report)
    )
    child.start()
    try:
        assert ready.wait(timeout=30)
        child.terminate()
        assert report.get(timeout=30) == "cleaned up"
        child.join(timeout=30)
        assert child.exitcode == 128 + signal.SIGTERM
    finally:
        if child.is_alive():
            child.kill()
            child.join(timeout=10)


def test_clean_up_on_sigterm_rejects_a_negative_sleep():
    with pytest.raises(ValueError):
        processes.clean_up_on_sigterm(-1, None, None)
