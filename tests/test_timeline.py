"""The task timeline and the CPU sampler of the chapter "Watching a run"."""

import os
import subprocess
import sys
import time
from functools import partial

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from multicore_guide.machine import get_context  # noqa: E402
from multicore_guide.timeline import (  # noqa: E402
    CpuSampler,
    Task,
    Timeline,
    plot_timeline,
    plot_timelines,
    split_records,
    timed_call,
)
from multicore_guide.workers import burn_cpu, square  # noqa: E402


def _records(spans):
    """Records as timed_call returns them: (result, pid, start, end), origin 100."""
    return [
        (index, pid, 100 + start, 100 + end)
        for index, (pid, start, end) in enumerate(spans)
    ]


def test_timed_call_returns_the_result_the_pid_and_an_ordered_span():
    before = time.monotonic()
    result, pid, start, end = timed_call(square, 7)
    after = time.monotonic()
    assert result == 49
    assert pid == os.getpid()
    assert before <= start <= end <= after


def test_split_records_keeps_the_order_and_shifts_the_times():
    results, timeline = split_records(
        _records([(1, 0.5, 1.0), (2, 0.6, 0.9)]), origin=100, finished=101.5
    )
    assert results == [0, 1]
    assert timeline.tasks[0] == Task(0, 1, 0.5, 1.0)
    assert timeline.finished == pytest.approx(1.5)
    assert timeline.workers == 2
    assert timeline.pids() == [1, 2]
    assert timeline.first_start() == pytest.approx(0.5)


def test_rows_busy_and_idle_share():
    _, timeline = split_records(
        _records([(1, 0.0, 1.0), (1, 1.0, 2.0), (2, 0.0, 1.0)]),
        origin=100,
        finished=102,
    )
    assert timeline.tasks_per_worker() == [2, 1]
    assert timeline.busy() == pytest.approx([2.0, 1.0])
    assert timeline.idle_share(2) == pytest.approx(0.25)
    assert timeline.finishes() == pytest.approx([2.0, 1.0])


def test_finishes_follow_the_order_of_the_pids():
    _, timeline = split_records(
        _records([(7, 0.5, 3.0), (4, 0.0, 1.0), (4, 1.0, 1.5)]),
        origin=100,
        finished=103,
    )
    assert timeline.pids() == [4, 7]
    assert timeline.finishes() == pytest.approx([1.5, 3.0])


def test_check_accepts_a_sound_run():
    _, timeline = split_records(
        _records([(1, 0.0, 1.0), (1, 1.0, 2.0), (2, 0.1, 1.5)]),
        origin=100,
        finished=2.5 + 100,
    )
    timeline.check(3)


def test_check_finds_a_missing_task():
    _, timeline = split_records(
        _records([(1, 0.0, 1.0)]), origin=100, finished=102
    )
    with pytest.raises(AssertionError):
        timeline.check(2)


def test_check_finds_a_repeated_task():
    timeline = Timeline(
        [Task(0, 1, 0.0, 1.0), Task(0, 2, 0.0, 1.0)], finished=2.0
    )
    with pytest.raises(AssertionError):
        timeline.check(2)


def test_check_finds_two_tasks_overlapping_on_one_worker():
    _, timeline = split_records(
        _records([(1, 0.0, 1.0), (1, 0.5, 1.5)]), origin=100, finished=102
    )
    with pytest.raises(AssertionError):
        timeline.check(2)


def test_check_finds_a_task_after_the_last_result():
    _, timeline = split_records(
        _records([(1, 0.0, 3.0)]), origin=100, finished=102
    )
    with pytest.raises(AssertionError):
        timeline.check(1)


def test_chunks_stay_together():
    together = [(1, 0, 1), (1, 1, 2), (2, 0, 1), (2, 1, 2)]
    _, timeline = split_records(_records(together), origin=100, finished=103)
    assert timeline.chunks_stay_together(2)
    assert not timeline.chunks_stay_together(4)
    split = [(1, 0, 1), (2, 0, 1)]
    _, timeline = split_records(_records(split), origin=100, finished=103)
    assert not timeline.chunks_stay_together(2)


def test_split_records_rejects_a_bad_origin():
    with pytest.raises(TypeError):
        split_records([], origin="now")


def test_a_real_pool_gives_a_sound_timeline():
    items = [20_000] * 8
    origin = time.monotonic()
    with get_context().Pool(2) as pool:
        records = pool.map_async(partial(timed_call, burn_cpu), items, 2).get(
            timeout=60
        )
    results, timeline = split_records(records, origin=origin)
    assert results == [burn_cpu(20_000)] * 8
    timeline.check(8)
    assert timeline.chunks_stay_together(2)
    assert os.getpid() not in timeline.pids()
    assert 1 <= timeline.workers <= 2


def test_the_cpu_sampler_samples_every_core():
    origin = time.monotonic()
    with CpuSampler(origin, interval=0.02) as cpu:
        time.sleep(0.2)
    assert len(cpu.times) >= 2
    assert len(cpu.times) == len(cpu.percent)
    assert all(len(p) == len(cpu.percent[0]) for p in cpu.percent)
    assert all(0.0 <= x <= 100.0 for p in cpu.percent for x in p)
    assert cpu.times == sorted(cpu.times) and cpu.times[0] > 0


def test_the_cpu_sampler_rejects_a_tiny_interval():
    with pytest.raises(ValueError):
        CpuSampler(0.0, interval=0.001)


def test_the_plots_draw_one_row_per_worker():
    _, timeline = split_records(
        _records([(1, 0.0, 1.0), (2, 0.0, 1.0), (3, 0.2, 0.8)]),
        origin=100,
        finished=101.2,
    )
    cpu = CpuSampler(0.0)
    cpu.times, cpu.percent = [0.1, 0.5], [[50.0, 100.0], [100.0, 0.0]]
    ax = plot_timeline(timeline, title="t", cpu=cpu, sizes=[1, 2, 3])
    fig = ax.figure
    assert len(fig.axes) == 2
    assert len(ax.get_yticks()) == 3
    plt.close(fig)
    fig = plot_timelines(
        {"a": timeline, "b": timeline}, title="two runs"
    ).figure
    assert len(fig.axes) == 2
    plt.close(fig)


def test_the_workers_do_not_import_matplotlib():
    code = "import sys, multicore_guide.timeline; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "False", out.stderr


def test_bars_lose_their_edges_only_when_too_narrow_to_show_them():
    def edges(spans, finished):
        _, timeline = split_records(
            _records(spans), origin=100, finished=100 + finished
        )
        ax = plot_timeline(timeline, title="t")
        widths = {float(c.get_linewidth()[0]) for c in ax.collections}
        plt.close(ax.figure)
        return widths

    assert edges([(1, 0.0, 0.5), (1, 0.5, 1.0)], 1.0) == {0.6}
    tiny = [(1, i * 1e-4, (i + 1) * 1e-4) for i in range(100)]
    assert edges(tiny, 1.0) == {0.0}


def test_ragged_end_is_the_spread_of_the_last_ends():
    _, timeline = split_records(
        _records([(1, 0.0, 1.0), (2, 0.0, 0.25), (2, 0.25, 0.5)]),
        origin=100,
        finished=101.0,
    )
    assert timeline.ragged_end() == pytest.approx(0.5)
