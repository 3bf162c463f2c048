"""The heartbeat and the marked job of the chapter "Parallel work from asyncio"."""

import asyncio
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from multicore_guide.asyncio_work import (
    Heartbeat,
    marker_pid,
    with_heartbeat,
    work_then_mark,
)
from multicore_guide.machine import get_context


async def _hold_the_loop(seconds):
    time.sleep(seconds)  # no await: the loop cannot run anything else
    return "held"


def test_a_blocking_coroutine_delays_the_heartbeat_by_its_length():
    seen = asyncio.run(with_heartbeat(_hold_the_loop(0.3), interval=0.01))
    assert isinstance(seen, Heartbeat)
    assert seen.result == "held"
    # the one tick that was asleep when the work began wakes after it
    assert seen.ticks == 1
    assert seen.worst >= 0.25


def test_an_awaiting_coroutine_lets_the_heartbeat_tick():
    seen = asyncio.run(
        with_heartbeat(asyncio.sleep(0.3, result="slept"), interval=0.01)
    )
    assert seen.result == "slept"
    assert seen.ticks >= 10  # about 30 on a quiet machine
    assert seen.worst < 0.2  # well below the 0.3 s that blocking costs


def test_to_thread_keeps_the_loop_free():
    seen = asyncio.run(
        with_heartbeat(asyncio.to_thread(time.sleep, 0.3), interval=0.01)
    )
    assert seen.result is None
    assert seen.ticks >= 10
    assert seen.worst < 0.2


def test_the_heartbeat_stops_when_the_work_fails():
    async def fail():
        await asyncio.sleep(0.05)
        raise ValueError("the work failed")

    async def main():
        with pytest.raises(ValueError, match="the work failed"):
            await with_heartbeat(fail(), interval=0.01)
        # nothing but this coroutine's own task is left on the loop
        return [
            t for t in asyncio.all_tasks() if t is not asyncio.current_task()
        ]

    assert asyncio.run(main()) == []


@pytest.mark.parametrize("interval", [0, -0.01, float("nan")])
def test_the_interval_must_be_positive(interval):
    async def main():
        work = asyncio.sleep(0)
        try:
            await with_heartbeat(work, interval=interval)
        finally:
            work.close()

    with pytest.raises(ValueError):
        asyncio.run(main())


def test_the_interval_must_be_a_number():
    async def main():
        work = asyncio.sleep(0)
        try:
            await with_heartbeat(work, interval="0.01")
        finally:
            work.close()

    with pytest.raises(TypeError):
        asyncio.run(main())


def test_work_then_mark_writes_its_pid_after_the_work(tmp_path):
    marker = tmp_path / "done"
    assert marker_pid(marker) is None
    start = time.perf_counter()
    assert work_then_mark(0.2, str(marker)) == 0.2
    assert time.perf_counter() - start >= 0.2
    assert marker_pid(marker) == os.getpid()
    assert marker_pid(str(marker)) == os.getpid()


def test_work_then_mark_checks_its_seconds(tmp_path):
    with pytest.raises(ValueError):
        work_then_mark(-1.0, str(tmp_path / "never"))
    with pytest.raises(TypeError):
        work_then_mark("1", str(tmp_path / "never"))
    assert marker_pid(tmp_path / "never") is None


def test_run_in_executor_runs_the_job_in_a_worker_process(tmp_path):
    marker = tmp_path / "done"

    async def main():
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(
            max_workers=1, mp_context=get_context("spawn")
        ) as pool:
            return await asyncio.wait_for(
                loop.run_in_executor(pool, work_then_mark, 0.1, str(marker)),
                timeout=60,
            )

    assert asyncio.run(main()) == 0.1
    pid = marker_pid(marker)
    assert pid is not None and pid != os.getpid()


def test_a_cancelled_future_does_not_stop_a_running_job(tmp_path):
    marker = tmp_path / "done"

    async def main():
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(
            max_workers=1, mp_context=get_context("spawn")
        ) as pool:
            await asyncio.wait_for(
                loop.run_in_executor(pool, os.getpid), timeout=60
            )
            job = loop.run_in_executor(pool, work_then_mark, 0.5, str(marker))
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(job, timeout=0.1)
            assert job.cancelled()
            assert marker_pid(marker) is None
        # leaving the block waited for the job, which ran to its end

    asyncio.run(main())
    assert marker_pid(marker) is not None
