"""Speedup arithmetic, Amdahl's law and the scaling runs."""

import math
import sys

import numpy as np
import pytest

from multicore_guide import scaling, workers
from multicore_guide.contexts import available_methods, get_context


def test_amdahl_limits():
    assert scaling.amdahl_speedup(0.0, 64) == 1.0
    assert scaling.amdahl_speedup(1.0, 64) == 64.0
    # p = 0.95 can never pass 20x however many cores
    assert scaling.amdahl_speedup(0.95, 10**9) == pytest.approx(20.0, rel=1e-6)


def test_amdahl_accepts_arrays():
    values = scaling.amdahl_speedup(0.5, np.array([1, 2, 4]))
    assert np.allclose(values, [1.0, 4 / 3, 1.6])


def test_fit_amdahl_recovers_the_fraction():
    counts = [1, 2, 4, 8, 16]
    measured = [scaling.amdahl_speedup(0.83, n) for n in counts]
    assert scaling.fit_amdahl(counts, measured) == pytest.approx(0.83)


def test_fit_amdahl_clips_to_the_unit_interval():
    assert scaling.fit_amdahl([2, 4], [2.5, 5.0]) == 1.0


def test_speedup_and_efficiency():
    assert scaling.speedup(4.0, 2.0) == 2.0
    assert scaling.efficiency(1.8, 2) == pytest.approx(0.9)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: scaling.amdahl_speedup(1.5, 4), ValueError),
        (lambda: scaling.amdahl_speedup(0.5, 0), ValueError),
        (lambda: scaling.amdahl_speedup(0.5, [0, 2]), ValueError),
        (lambda: scaling.fit_amdahl([1], [1.0]), ValueError),
        (lambda: scaling.fit_amdahl([2, 4], [1.0]), ValueError),
        (lambda: scaling.speedup(0.0, 1.0), ValueError),
        (lambda: scaling.efficiency(1.0, 0), ValueError),
        (lambda: scaling.run_map("gpu", abs, [1]), ValueError),
        (lambda: scaling.run_map("serial", abs, [1], 0), ValueError),
        (lambda: scaling.run_map("serial", 3, [1]), TypeError),
        (lambda: scaling.measure_scaling(abs, [1], []), ValueError),
        (lambda: scaling.measure_scaling(abs, [1], [2, 2]), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


@pytest.mark.parametrize("kind", scaling.KINDS)
def test_run_map_gives_the_same_answer_every_way(kind):
    blocks = workers.split_range(0, 5_000, 6)
    assert scaling.run_map(kind, workers.count_primes_block, blocks, 2) == [
        workers.count_primes_block(b) for b in blocks
    ]


def test_measure_scaling_checks_and_reports(child_context):
    blocks = workers.split_range(0, 2_000, 4)
    result = scaling.measure_scaling(workers.count_primes_block, blocks, [1, 2], context=child_context, repeat=1)
    assert result.workers == [1, 2]
    assert sum(result.serial.result) == 303
    assert len(result.speedups) == 2 and all(s > 0 for s in result.speedups)
    assert [row["workers"] for row in result.rows()] == [1, 2]
    assert all(math.isclose(e, s / n) for e, s, n in zip(result.efficiencies, result.speedups, result.workers))


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


@pytest.mark.parametrize("method, error", [("threads", ValueError), (3, TypeError)])
def test_get_context_rejects_unknown_methods(method, error):
    with pytest.raises(error):
        get_context(method)


def test_time_each_kind_times_every_kind_on_the_same_items():
    timings = scaling.time_each_kind(workers.square, [1, 2, 3], 2, repeat=1)
    assert list(timings) == list(scaling.KINDS)
    assert all(t.result == [1, 4, 9] and t.runs == 1 for t in timings.values())
