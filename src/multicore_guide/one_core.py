"""One core first: the same jobs as a pure-Python loop, for comparison.

The book's vectorised workers (:func:`multicore_guide.workers.
count_hits_in_circle` and :func:`multicore_guide.fractals.mandelbrot_rows`)
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

from ._checks import check_int, check_real
from .fractals import REGION, _check_region

__all__ = ["count_hits_python", "mandelbrot_rows_python", "warm_up"]

# the block size count_hits_in_circle draws in: the same draws, in order
_DRAW = 1_000_000


def count_hits_python(
    n_samples: int, seed: int | np.random.SeedSequence
) -> int:
    """Count random points in the quarter circle, testing them in a loop.

    The points come from ``numpy.random.default_rng(seed)`` exactly as in
    ``count_hits_in_circle``; only the test ``x*x + y*y <= 1`` runs one
    point at a time, in Python. The same seed gives the same count.

    Raises:
        TypeError: ``n_samples`` is not an int, or ``seed`` is neither an
            int nor a ``SeedSequence``.
        ValueError: ``n_samples < 1`` or ``seed`` is negative.
    """
    n_samples = check_int("n_samples", n_samples, minimum=1)
    if not isinstance(seed, np.random.SeedSequence):
        seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    hits = 0
    left = n_samples
    while left > 0:
        size = min(_DRAW, left)
        xs = rng.random(size).tolist()  # Python floats: the same values
        ys = rng.random(size).tolist()
        for x, y in zip(xs, ys):
            if x * x + y * y <= 1.0:
                hits += 1
        left -= size
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
    width = check_int("width", width, minimum=1)
    height = check_int("height", height, minimum=1)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    if not isinstance(rows, tuple) or len(rows) != 2:
        raise TypeError(f"rows must be a (start, stop) tuple, got {rows!r}")
    start = check_int("rows[0]", rows[0], minimum=0)
    stop = check_int("rows[1]", rows[1], minimum=0)
    if not start <= stop <= height:
        raise ValueError(
            f"rows must satisfy 0 <= start <= stop <= height, "
            f"got {rows} for height {height}"
        )
    re_min, re_max, im_min, im_max = _check_region(region)
    reals = np.linspace(re_min, re_max, width).tolist()
    imags = np.linspace(im_max, im_min, height)[start:stop].tolist()
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
