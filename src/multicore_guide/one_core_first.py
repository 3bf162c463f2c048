"""One core first: the same jobs as a pure-Python loop, for comparison.

The book's vectorised workers (:func:`multicore_guide.workers.
count_hits_in_circle` and :func:`multicore_guide.use_cases.mandelbrot_rows`)
do their arithmetic in NumPy. The functions here do the same arithmetic one
number at a time in Python, and give the same answers bit for bit:

- :func:`count_hits_python` draws its points from the same generator, in
  the same order, as ``count_hits_in_circle``, and only the test runs in a
  Python loop; the same seed therefore gives the same count.
- :func:`mandelbrot_rows_python` iterates each pixel with the same
  floating-point operations, in the same order, as ``mandelbrot_rows``.

Every function is module-level, so that a process pool can run it under
any start method.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from .checks import check_int, check_real
from .use_cases import REGION, mandelbrot_grid
from .workers import random_points

__all__ = [
    "count_hits_python",
    "mandelbrot_rows_python",
    "warm_up",
]


def count_hits_python(
    n_samples: int, seed: int | np.random.SeedSequence
) -> int:
    """Count random points in the quarter circle, testing them in a loop.

    The points come from :func:`~multicore_guide.workers.random_points`,
    exactly as in ``count_hits_in_circle``; only the test
    ``x*x + y*y <= 1`` runs one point at a time, in Python. The same seed
    gives the same count.

    Raises:
        TypeError: ``n_samples`` is not an int, or ``seed`` is neither an
            int nor a ``SeedSequence``.
        ValueError: ``n_samples < 1`` or ``seed`` is negative.
    """
    hits = 0
    for x_block, y_block in random_points(n_samples, seed):
        xs, ys = x_block.tolist(), y_block.tolist()  # Python floats
        for x, y in zip(xs, ys):
            if x * x + y * y <= 1.0:
                hits += 1
    return hits


def mandelbrot_rows_python(
    rows: tuple[int, int],
    *,
    width: int,
    height: int,
    max_iter: int,
    region: Sequence[float] = REGION,
) -> list[list[int]]:
    """Escape counts for rows ``(start, stop)``, one pixel at a time.

    The grid and every operation are those of ``mandelbrot_rows``, so
    ``np.array(result)`` equals its array exactly.

    Raises:
        TypeError: a size is not an int, or ``rows`` is not a pair of ints.
        ValueError: a size is below 1, the rows fall outside
            ``[0, height]``, or ``region`` is malformed.
    """
    max_iter = check_int("max_iter", max_iter, minimum=1)
    real, imag = mandelbrot_grid(
        rows, width=width, height=height, region=region
    )
    reals, imags = real.tolist(), imag.tolist()  # Python floats: same values
    image = []
    for c_im in imags:
        row = []
        for c_re in reals:
            z_re = z_im = 0.0
            count = max_iter
            for step in range(max_iter):
                re2, im2 = z_re * z_re, z_im * z_im
                z_im = 2.0 * z_re * z_im + c_im
                z_re = re2 - im2 + c_re
                if z_re * z_re + z_im * z_im > 4.0:
                    count = step
                    break
            row.append(count)
        image.append(row)
    return image


def warm_up(seconds: float = 0.05) -> int:
    """Import NumPy, sleep ``seconds`` and return this process's PID.

    Mapped once per worker before a timing, it starts the workers and
    loads NumPy in each, so that the timing measures the work alone. The
    sleep keeps one worker from taking every call.

    Raises:
        TypeError: ``seconds`` is not a real number.
        ValueError: ``seconds`` is negative.
    """
    seconds = check_real("seconds", seconds, minimum=0.0)
    np.zeros(1)  # NumPy is loaded, and used once
    time.sleep(seconds)
    return os.getpid()
