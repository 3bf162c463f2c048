"""The timing helper: structured results, and errors for bad input."""

import time
from functools import partial

import pytest

from multicore_guide.timing import Timing, measure, measure_rounds, timer


def test_measure_records_each_run_and_the_result():
    timing = measure(sum, [1, 2, 3], repeat=4, warmup=1)
    assert timing.runs == 4
    assert timing.result == 6
    assert timing.label == "sum"
    assert all(s >= 0 for s in timing.seconds)
    assert timing.best <= timing.median


def test_measure_sees_a_sleep():
    timing = measure(time.sleep, 0.02, repeat=2, label="nap")
    assert timing.best >= 0.02
    assert str(timing).startswith("nap: ")


def test_timer_times_a_block():
    with timer("block") as t:
        time.sleep(0.01)
    assert t.runs == 1 and t.median >= 0.01


def test_timer_records_even_when_the_block_raises():
    with pytest.raises(KeyError):
        with timer() as t:
            raise KeyError("boom")
    assert t.runs == 1


def test_an_empty_timing_has_no_median():
    empty = Timing("nothing")
    assert str(empty) == "nothing: not timed yet"
    with pytest.raises(ValueError):
        empty.median


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"repeat": 0}, ValueError),
        ({"warmup": -1}, ValueError),
        ({"repeat": 1.5}, TypeError),
    ],
)
def test_measure_rejects_bad_counts(kwargs, error):
    with pytest.raises(error):
        measure(sum, [1], **kwargs)


def test_measure_rejects_a_non_callable():
    with pytest.raises(TypeError):
        measure(42)


def test_timer_rejects_a_non_string_label():
    with pytest.raises(TypeError):
        with timer(3):
            pass


def test_measure_rounds_interleaves_the_jobs():
    calls = []
    jobs = {name: partial(calls.append, name) for name in ("a", "b")}
    timings = measure_rounds(jobs, repeat=3)
    assert calls == ["a", "b"] * 3
    assert list(timings) == ["a", "b"] and all(
        t.runs == 3 for t in timings.values()
    )


@pytest.mark.parametrize(
    "jobs, repeat, error",
    [
        ({}, 1, ValueError),
        ({"a": 1}, 1, TypeError),
        ({"a": list}, 0, ValueError),
    ],
)
def test_measure_rounds_rejects_bad_input(jobs, repeat, error):
    with pytest.raises(error):
        measure_rounds(jobs, repeat=repeat)
