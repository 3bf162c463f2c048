"""The machine module: cores, contexts, and starting and joining children."""

import os
import subprocess
import sys
import time

import pytest

from multicore_guide.machine import (
    available_methods,
    core_counts,
    describe_machine,
    get_context,
    group_gone,
    join_all,
    peak_rss_bytes,
    start_all,
    usable_cores,
)

POSIX = hasattr(os, "killpg")
LINUX = sys.platform == "linux"


def test_get_context_is_explicit_and_portable():
    ctx = get_context()
    assert ctx.get_start_method() in ("forkserver", "spawn")
    assert get_context("spawn").get_start_method() == "spawn"
    assert "spawn" in available_methods()
    # the same order on every version (3.14 lists the default first)
    if sys.platform == "linux":
        # also after joblib has registered its own methods, as 3.14 lists them
        import joblib  # noqa: F401  (registers loky's start methods)

        assert available_methods() == ["fork", "spawn", "forkserver"]


@pytest.mark.parametrize(
    "method, error", [("threads", ValueError), (3, TypeError)]
)
def test_get_context_rejects_unknown_methods(method, error):
    with pytest.raises(error):
        get_context(method)


def test_machine_description_names_python_and_cores():
    assert "CPython" in describe_machine() or "PyPy" in describe_machine()
    assert usable_cores() >= 1
    assert "os.cpu_count()" in core_counts()


def test_join_all_returns_the_exit_codes(child_context):
    children = [
        child_context.Process(target=time.sleep, args=(0.01,))
        for _ in range(3)
    ]
    start_all(children)
    assert join_all(children, 30) == [0, 0, 0]


def test_join_all_kills_a_late_child_and_raises(child_context):
    child = child_context.Process(target=time.sleep, args=(60,))
    start_all([child])
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="killed"):
        join_all([child], 0.2)
    assert not child.is_alive()
    assert time.monotonic() - started < 15  # not the child's 60 s


def test_join_all_shares_one_deadline(child_context):
    children = [
        child_context.Process(target=time.sleep, args=(60,)) for _ in range(3)
    ]
    start_all(children)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="3 process"):
        join_all(children, 1.0)
    # three children, one deadline: well under three times the timeout
    assert time.monotonic() - started < 2.5
    assert not any(child.is_alive() for child in children)


def test_join_all_reports_a_failed_child(child_context):
    child = child_context.Process(target=sys.exit, args=(3,))
    start_all([child])
    with pytest.raises(RuntimeError, match=r"exit codes \[3\]"):
        join_all([child], 30)
    child = child_context.Process(target=sys.exit, args=(3,))
    start_all([child])
    assert join_all([child], 30, check=False) == [3]


def test_join_all_rejects_a_negative_timeout():
    with pytest.raises(ValueError):
        join_all([], -1)


@pytest.mark.skipif(not POSIX, reason="process groups are POSIX only")
def test_group_gone_sees_a_live_group_and_its_end():
    with pytest.raises(ValueError):
        group_gone(0, 1)
    with pytest.raises(ValueError):
        group_gone(1, -1)
    leader = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        start_new_session=True,
    )
    try:
        assert group_gone(leader.pid, 0.2) is False  # alive: not gone
    finally:
        leader.kill()
        leader.wait(30)  # reaped: a zombie would still count as a member
    assert group_gone(leader.pid, 5) is True
    with (
        open("/proc/sys/kernel/pid_max")
        if LINUX
        else open(os.devnull) as pid_max
    ):
        text = pid_max.read().strip()
    if text:  # no process can have an id above pid_max
        assert group_gone(int(text) + 1, 0) is True


@pytest.mark.skipif(sys.platform == "win32", reason="no resource module")
def test_peak_rss_bytes_is_a_plausible_byte_count():
    own = peak_rss_bytes()
    assert 10 * 2**20 < own < 2**40  # an interpreter: tens of MiB, not TiB
    assert peak_rss_bytes("children") >= 0
    with pytest.raises(ValueError):
        peak_rss_bytes("parent")
