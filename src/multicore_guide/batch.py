"""Batch processing of many small files: write them, summarise each, merge.

:func:`write_readings` makes a directory of CSV files of made-up sensor
readings. :func:`summarize_file` reads one file, hashes its bytes, parses
it and adds up its readings per station; it is the function a pool maps
over the paths. :func:`merge_summaries` combines the per-file summaries
into one report, in the parent.

Readings are integers (milli-degrees), so every sum is exact and the merged
report is the same whatever order the files were processed in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable
from pathlib import Path

from ._checks import check_int

__all__ = [
    "HEADER",
    "STATIONS",
    "hash_file",
    "merge_summaries",
    "summarize_file",
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
