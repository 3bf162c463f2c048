"""Chapter 9, Use cases: batch files, a fractal, and serial against pooled runs.

- Batch processing of many small files (:func:`write_readings`,
  :func:`summarize_file`, :func:`merge_summaries`): readings are integers
  (milli-degrees), so every sum is exact and the merged report is the same
  whatever order the files were processed in.
- The Mandelbrot set a block of rows at a time (:func:`mandelbrot_rows`):
  every pixel goes through the same floating-point operations whichever
  block holds it, so the stacked blocks equal the whole image bit for bit.
- Serial against parallel, with a new pool and with a warm one
  (:func:`time_serial_and_pools`): a script that runs one job pays for
  starting its pool every time; a long-lived program pays once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import operator
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import numpy as np

from .checks import check_bounds, check_int, check_real
from .machine import get_context
from .measuring import run_map, speedup
from .timing import Timing, measure_rounds

__all__ = [
    "HEADER",
    "REGION",
    "STATIONS",
    "hash_file",
    "mandelbrot_grid",
    "mandelbrot_rows",
    "merge_summaries",
    "speedups_over_serial",
    "summarize_file",
    "time_serial_and_pools",
    "write_readings",
]


HEADER = ("station", "minute", "reading_mC")


STATIONS = ("north", "south", "east", "west", "summit")


def write_readings(
    directory: str | os.PathLike, n_files: int, rows_per_file: int, seed: int
) -> list[Path]:
    """Write ``n_files`` CSV files of ``rows_per_file`` readings each into
    ``directory``.

    Each file has the header :data:`HEADER`; each row names a station from
    :data:`STATIONS`, a minute and an integer reading in milli-degrees
    Celsius. File ``k`` draws its rows from the ``k``-th child of
    ``numpy.random.SeedSequence(seed)``, so the same arguments always write
    the same bytes.

    Returns:
        The paths written, sorted by name.

    Raises:
        TypeError: a count or ``seed`` is not an int.
        ValueError: a count is below 1, ``seed`` is negative, or
            ``directory`` is not an existing directory.
    """
    import numpy as np

    n_files = check_int("n_files", n_files, minimum=1)
    rows_per_file = check_int("rows_per_file", rows_per_file, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory must exist, got {str(directory)!r}")
    paths = []
    for index, child in enumerate(np.random.SeedSequence(seed).spawn(n_files)):
        rng = np.random.default_rng(child)
        stations = rng.integers(0, len(STATIONS), rows_per_file)
        readings = (
            rng.normal(12_000, 6_000, rows_per_file).round().astype(np.int64)
        )
        lines = [",".join(HEADER)]
        lines += [
            f"{STATIONS[s]},{minute},{r}"
            for minute, (s, r) in enumerate(
                zip(stations.tolist(), readings.tolist())
            )
        ]
        path = directory / f"readings_{index:04d}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def summarize_file(path: str | os.PathLike) -> dict:
    """Read one readings file; return its SHA-256, row count and per-station
    totals.

    Returns:
        ``{"name": file name, "sha256": hex digest of the bytes, "rows": int,
        "count": {station: rows}, "total": {station: sum of readings},
        "low": lowest reading, "high": highest reading}``, with the stations
        in sorted order.

    Raises:
        TypeError: ``path`` is not a string or path.
        FileNotFoundError: there is no such file.
        ValueError: the header is not :data:`HEADER`, a row does not have
            three fields, or a reading is not an integer.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a str or path, got {type(path).__name__}"
        )
    path = Path(path)
    data = path.read_bytes()
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    header = tuple(next(rows, ()))
    if header != HEADER:
        raise ValueError(f"{path.name}: header must be {HEADER}, got {header}")
    count: dict[str, int] = {}
    total: dict[str, int] = {}
    low = high = None
    for line_number, row in enumerate(rows, start=2):
        if len(row) != 3:
            raise ValueError(
                f"{path.name}, line {line_number}: "
                f"expected 3 fields, got {len(row)}"
            )
        station, reading = row[0], int(row[2])
        count[station] = count.get(station, 0) + 1
        total[station] = total.get(station, 0) + reading
        low = reading if low is None or reading < low else low
        high = reading if high is None or reading > high else high
    return {
        "name": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": sum(count.values()),
        "count": dict(sorted(count.items())),
        "total": dict(sorted(total.items())),
        "low": low,
        "high": high,
    }


def hash_file(path: str | os.PathLike) -> str:
    """Return the SHA-256 hex digest of the file at ``path``.

    ``hashlib`` releases the GIL while it hashes a large buffer, so threads
    can run this in parallel as well as processes can.

    Raises:
        TypeError: ``path`` is not a string or path.
        FileNotFoundError: there is no such file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a str or path, got {type(path).__name__}"
        )
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def merge_summaries(summaries: Iterable[dict]) -> dict:
    """Combine per-file summaries from :func:`summarize_file` into one report.

    The summaries may come in any order: they are sorted by file name
    first, so the combined digest (a SHA-256 over the files' digests in
    name order) does not depend on which process finished first.

    Returns:
        ``{"files": int, "rows": int, "mean_C": {station: mean in degrees,
        rounded to 3 places}, "low_C": float, "high_C": float, "digest":
        hex}``.

    Raises:
        ValueError: ``summaries`` is empty or names a file twice.
        KeyError: a summary lacks a field.
    """
    ordered = sorted(summaries, key=lambda s: s["name"])
    if not ordered:
        raise ValueError("summaries must hold at least one file's summary")
    names = [s["name"] for s in ordered]
    if len(set(names)) != len(names):
        raise ValueError("summaries name the same file more than once")
    count: dict[str, int] = {}
    total: dict[str, int] = {}
    digest = hashlib.sha256()
    for summary in ordered:
        digest.update(bytes.fromhex(summary["sha256"]))
        for station, n in summary["count"].items():
            count[station] = count.get(station, 0) + n
            total[station] = total.get(station, 0) + summary["total"][station]
    lows = [s["low"] for s in ordered if s["low"] is not None]
    highs = [s["high"] for s in ordered if s["high"] is not None]
    return {
        "files": len(ordered),
        "rows": sum(s["rows"] for s in ordered),
        "mean_C": {
            k: round(total[k] / count[k] / 1000, 3) for k in sorted(count)
        },
        "low_C": min(lows) / 1000 if lows else None,
        "high_C": max(highs) / 1000 if highs else None,
        "digest": digest.hexdigest(),
    }


# (real min, real max, imaginary min, imaginary max): the whole set in view
REGION = (-2.2, 0.8, -1.2, 1.2)


def mandelbrot_grid(
    rows: tuple[int, int],
    *,
    width: int,
    height: int,
    region: Sequence[float] = REGION,
) -> tuple[np.ndarray, np.ndarray]:
    """The real and imaginary parts of the pixels in rows ``(start, stop)``.

    The grid is the whole image's, sliced to the block, so that a pixel's
    coordinates do not depend on how the image was cut. Row 0 is the top
    of the image (the largest imaginary part).

    Returns:
        ``(real, imag)``: ``width`` real parts and ``stop - start``
        imaginary parts, as float64 arrays.

    Raises:
        TypeError: a size is not an int, or ``rows`` is not a pair of ints.
        ValueError: a size is below 1, the rows fall outside
            ``[0, height]``, or ``region`` is not (re_min, re_max, im_min,
            im_max) with min < max on both axes.
    """
    width = check_int("width", width, minimum=1)
    height = check_int("height", height, minimum=1)
    start, stop = check_bounds("rows", rows)
    if stop > height:
        raise ValueError(
            "rows must satisfy 0 <= start <= stop <= height, "
            f"got {rows} for height {height}"
        )
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
    real = np.linspace(re_min, re_max, width)
    imag = np.linspace(im_max, im_min, height)[start:stop]
    return real, imag


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
    max_iter = check_int("max_iter", max_iter, minimum=1)
    if max_iter > np.iinfo(np.uint16).max:
        raise ValueError(f"max_iter must be <= 65535, got {max_iter}")
    real, imag = mandelbrot_grid(
        rows, width=width, height=height, region=region
    )
    c_re = np.broadcast_to(real, (imag.size, width)).ravel().copy()
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
    return counts.reshape(imag.size, width)


def time_serial_and_pools(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    repeat: int = 3,
    threads: bool = False,
    same: Callable[[list, list], bool] = operator.eq,
) -> dict[str, Timing]:
    """Time ``[fn(x) for x in items]`` serially and on ``workers`` processes.

    The jobs, each timed once per round for ``repeat`` rounds:

    - ``"serial"``: a plain loop;
    - ``"threads"`` (only with ``threads=True``): a ``ThreadPoolExecutor``;
    - ``"new pool"``: a ``ProcessPoolExecutor`` started and shut down inside
      the timing, as a script that runs once would;
    - ``"warm pool"``: ``map`` on one ``ProcessPoolExecutor`` that was
      started, and ran ``fn`` once per worker, before the clock started.

    Returns:
        A dict from job name to :class:`~multicore_guide.timing.Timing`, in
        the order above; each ``result`` is the list of answers.

    Raises:
        TypeError, ValueError: bad arguments, as for
            :func:`multicore_guide.measuring.run_map` and
            :func:`multicore_guide.timing.measure_rounds`; empty ``items``.
        RuntimeError: a parallel job's answers are not ``same`` as the serial ones.
    """
    items = list(items)
    if not items:
        raise ValueError("items must not be empty")
    workers = check_int("workers", workers, minimum=1)
    if not callable(same):
        raise TypeError(f"same must be callable, got {type(same).__name__}")
    ctx = context or get_context()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        # start every worker and let it import what fn needs, untimed
        list(pool.map(fn, items[:workers], timeout=600))
        jobs: dict[str, Callable[[], Any]] = {
            "serial": partial(run_map, "serial", fn, items)
        }
        if threads:
            jobs["threads"] = partial(run_map, "threads", fn, items, workers)
        jobs["new pool"] = partial(
            run_map, "processes", fn, items, workers, context=ctx
        )
        jobs["warm pool"] = lambda: list(pool.map(fn, items, timeout=600))
        timings = measure_rounds(jobs, repeat=repeat)
    serial = timings["serial"].result
    for name, timing in timings.items():
        if name != "serial" and not same(timing.result, serial):
            raise RuntimeError(
                f"the {name!r} run returned a different result from the serial run"
            )
    return timings


def speedups_over_serial(timings: dict[str, Timing]) -> dict[str, float]:
    """Return each non-serial job's speedup, median serial time over its median time.

    ``timings`` is what :func:`time_serial_and_pools` returns (or any dict
    of :class:`~multicore_guide.timing.Timing` with a ``"serial"`` entry).

    Raises:
        KeyError: ``timings`` has no ``"serial"`` entry.
        ValueError: a timing has no runs.
    """
    serial = timings["serial"].median
    return {
        name: speedup(serial, timing.median)
        for name, timing in timings.items()
        if name != "serial"
    }
