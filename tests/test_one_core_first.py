"""The pure-Python twins of the chapter "One core first"."""

import os

import numpy as np
import pytest

from multicore_guide.machine import get_context
from multicore_guide.one_core_first import (
    count_hits_python,
    mandelbrot_rows_python,
    warm_up,
)
from multicore_guide.use_cases import mandelbrot_rows
from multicore_guide.workers import count_hits_in_circle


@pytest.mark.parametrize("n_samples", [1, 7, 10_000, 1_000_001])
def test_the_loop_counts_what_numpy_counts(n_samples):
    seed = np.random.SeedSequence(19).spawn(1)[0]
    assert count_hits_python(n_samples, seed) == count_hits_in_circle(
        n_samples, seed
    )


def test_an_int_seed_works_too_and_repeats():
    assert (
        count_hits_python(5_000, 3)
        == count_hits_python(5_000, 3)
        == count_hits_in_circle(5_000, 3)
    )


def test_different_seeds_give_different_streams():
    first, second = np.random.SeedSequence(1).spawn(2)
    assert count_hits_python(10_000, first) != count_hits_python(
        10_000, second
    )


def test_the_count_estimates_pi():
    assert abs(4 * count_hits_python(200_000, 5) / 200_000 - np.pi) < 0.02


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10"])
def test_bad_sample_counts_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        count_hits_python(bad, 0)


@pytest.mark.parametrize("bad", [-1, 1.0, "seed"])
def test_bad_seeds_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        count_hits_python(10, bad)


@pytest.mark.parametrize("rows", [(0, 30), (0, 0), (7, 19), (29, 30)])
def test_the_python_mandelbrot_equals_numpys(rows):
    size = dict(width=41, height=30, max_iter=60)
    python = np.array(
        mandelbrot_rows_python(rows, **size), dtype=np.uint16
    ).reshape(rows[1] - rows[0], 41)
    assert np.array_equal(python, mandelbrot_rows(rows, **size))


def test_the_python_mandelbrot_has_points_in_and_out_of_the_set():
    image = np.array(
        mandelbrot_rows_python((0, 20), width=30, height=20, max_iter=50)
    )
    assert image.max() == 50 and image.min() < 5


@pytest.mark.parametrize("rows", [(0, 31), (5, 4), [0, 3], (-1, 2)])
def test_the_python_mandelbrot_refuses_bad_rows(rows):
    with pytest.raises((TypeError, ValueError)):
        mandelbrot_rows_python(rows, width=10, height=30, max_iter=10)


def test_the_python_mandelbrot_refuses_a_bad_region():
    with pytest.raises(ValueError):
        mandelbrot_rows_python(
            (0, 2), width=4, height=2, max_iter=5, region=(1, 0, 0, 1)
        )


def test_warm_up_returns_the_workers_pid():
    assert warm_up(0) == os.getpid()
    with pytest.raises(ValueError):
        warm_up(-1)


def test_the_functions_run_in_a_pool_and_agree():
    seeds = np.random.SeedSequence(7).spawn(4)
    jobs = [(20_000, s) for s in seeds]
    with get_context("spawn").Pool(2) as pool:
        pids = pool.map(warm_up, [0.05, 0.05])
        in_pool = pool.starmap(count_hits_python, jobs)
        vectorised = pool.starmap(count_hits_in_circle, jobs)
    assert all(pid != os.getpid() for pid in pids)
    assert (
        in_pool == vectorised == [count_hits_in_circle(*job) for job in jobs]
    )
