"""The Mandelbrot set, computed a block of rows at a time.

Each pixel is computed on its own, so an image can be cut into blocks of
rows, the blocks computed in any process in any order, and stacked again:
the result is the same array, bit for bit, because every pixel goes through
the same floating-point operations whichever block holds it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import check_int, check_real

__all__ = ["REGION", "mandelbrot_rows"]

# (real min, real max, imaginary min, imaginary max): the whole set in view
REGION = (-2.2, 0.8, -1.2, 1.2)


def _check_region(
    region: Sequence[float],
) -> tuple[float, float, float, float]:
    """Return ``region`` as four floats with min < max on both axes, or raise."""
    if len(region) != 4:
        raise ValueError(
            f"region must be (re_min, re_max, im_min, im_max), got {region!r}"
        )
    re_min, re_max, im_min, im_max = (
        check_real("region value", v) for v in region
    )
    if not (re_min < re_max and im_min < im_max):
        raise ValueError(
            f"region must have min < max on both axes, got {region!r}"
        )
    return re_min, re_max, im_min, im_max


def mandelbrot_rows(
    rows: tuple[int, int],
    *,
    width: int,
    height: int,
    max_iter: int,
    region: Sequence[float] = REGION,
) -> np.ndarray:
    """Escape counts for rows ``rows = (start, stop)`` of a ``height`` by
    ``width`` image.

    Row 0 is the top of the image (the largest imaginary part). A pixel's
    count is the first iteration at which ``|z| > 2``, or ``max_iter`` if
    it never escapes: those pixels belong to the set as far as we can tell.
    Only the pixels that have not escaped yet are iterated, so rows that
    cross the set cost more than rows far from it.

    Returns:
        A ``uint16`` array of shape ``(stop - start, width)``.

    Raises:
        TypeError: a size is not an int, or ``rows`` is not a pair of ints.
        ValueError: a size is below 1, ``max_iter`` exceeds 65535, the rows
            fall outside ``[0, height]``, or ``region`` is malformed.
    """
    width = check_int("width", width, minimum=1)
    height = check_int("height", height, minimum=1)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    if max_iter > np.iinfo(np.uint16).max:
        raise ValueError(f"max_iter must be <= 65535, got {max_iter}")
    if not isinstance(rows, tuple) or len(rows) != 2:
        raise TypeError(f"rows must be a (start, stop) tuple, got {rows!r}")
    start = check_int("rows[0]", rows[0], minimum=0)
    stop = check_int("rows[1]", rows[1], minimum=0)
    if not start <= stop <= height:
        raise ValueError(
            f"rows must satisfy 0 <= start <= stop <= height, got {rows} for height {height}"
        )
    re_min, re_max, im_min, im_max = _check_region(region)

    # the whole image's grid, then this block's slice of it, so that a pixel's
    # coordinates do not depend on how the image was cut
    real = np.linspace(re_min, re_max, width)
    imag = np.linspace(im_max, im_min, height)[start:stop]
    c_re = np.broadcast_to(real, (stop - start, width)).ravel().copy()
    c_im = np.repeat(imag, width)
    counts = np.full(c_re.size, max_iter, dtype=np.uint16)
    alive = np.arange(c_re.size)
    z_re = np.zeros_like(c_re)
    z_im = np.zeros_like(c_re)
    for step in range(max_iter):
        # real arithmetic, one rounding per operation: the same bits in any
        # block
        re2, im2 = z_re * z_re, z_im * z_im
        z_im = 2.0 * z_re * z_im + c_im
        z_re = re2 - im2 + c_re
        escaped = z_re * z_re + z_im * z_im > 4.0
        if escaped.any():
            counts[alive[escaped]] = step
            stay = ~escaped
            alive, z_re, z_im = alive[stay], z_re[stay], z_im[stay]
            c_re, c_im = c_re[stay], c_im[stay]
            if alive.size == 0:
                break
    return counts.reshape(stop - start, width)
