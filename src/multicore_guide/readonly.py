"""Sharing read-only data with child processes without copying it.

Three routes, measured in the chapter "Sharing read-only data without
copying":

* fork's copy-on-write: :func:`measure_in_fork` starts a fork child that
  reads the data it inherited, and reports how many of its memory pages the
  child had to copy (from Linux's ``/proc/self/smaps_rollup``);
* ``gc.freeze()`` before the fork, which keeps the child's garbage
  collections away from the inherited objects;
* ``np.memmap`` of a file, which every start method can use:
  :func:`memmap_block_sum` and :func:`square_block_into` open the file by
  name in the worker.

Every function a child runs lives here, so that spawn and forkserver
children can import it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "ACTIONS",
    "SMAPS",
    "copied_pages",
    "has_smaps",
    "measure_in_fork",
    "memmap_block_sum",
    "read_smaps",
    "square_block_into",
    "touch",
]


SMAPS = Path("/proc/self/smaps_rollup")


# what the fork child does to the inherited data between its two readings
ACTIONS = ("nothing", "iterate", "numpy-sum", "collect")


def has_smaps() -> bool:
    """Return True where ``/proc/self/smaps_rollup`` exists (Linux 4.14+)."""
    return SMAPS.exists()


def read_smaps(path: Path | str = SMAPS) -> dict[str, int]:
    """Return the fields of an ``smaps_rollup`` file in kB, e.g.
    ``{"Rss": 81234, "Pss": 40000, "Private_Dirty": 1200, ...}``.

    Lines without a ``kB`` value (the header line) are skipped.
    """
    fields: dict[str, int] = {}
    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].endswith(":") and parts[2] == "kB":
            fields[parts[0][:-1]] = int(parts[1])
    return fields


def copied_pages(before: dict[str, int], after: dict[str, int]) -> int:
    """Return how many pages became private and dirty between two readings."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    return max(0, after["Private_Dirty"] - before["Private_Dirty"]) // page_kb


def touch(data: Any, action: str) -> int:
    """Do ``action`` to ``data`` and return a number that depends on it.

    ``"iterate"`` loops over the items (each one's reference count goes up
    and down); ``"numpy-sum"`` sums an array; ``"collect"`` runs a full
    garbage collection; ``"nothing"`` does nothing. The answer is
    ``len(data)`` (``sum`` for ``"numpy-sum"``), for checking.
    """
    if action == "iterate":
        count = 0
        for _item in data:  # each item's refcount is written, twice
            count += 1
        return count
    if action == "numpy-sum":
        return int(data.sum())
    if action == "collect":
        gc.collect()
        return len(data)
    if action == "nothing":
        return len(data)
    raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")


def _child(data: Any, action: str, conn: Any) -> None:
    """Run in the fork child: read smaps, touch the data, read smaps again."""
    try:
        before = read_smaps()
        answer = touch(data, action)
        after = read_smaps()
        conn.send(
            {
                "answer": answer,
                "pages": copied_pages(before, after),
                "before": before,
                "after": after,
            }
        )
    finally:
        conn.close()


def measure_in_fork(
    data: Any,
    action: str = "iterate",
    *,
    freeze: bool = False,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """Fork a child that does ``action`` to ``data``; return what it measured.

    The result has ``answer`` (from :func:`touch`), ``pages`` (pages the
    child copied while it worked) and the two smaps readings. With
    ``freeze=True`` the parent calls ``gc.freeze()`` just before the fork
    and ``gc.unfreeze()`` just after.

    Raises:
        ValueError: ``action`` is not one of :data:`ACTIONS`.
        TimeoutError: the child did not answer within ``timeout`` seconds.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
    ctx = multiprocessing.get_context("fork")  # copy-on-write needs fork
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(data, action, sender))
    if freeze:
        gc.freeze()  # every tracked object moves to the permanent generation
    try:
        with warnings.catch_warnings():  # 3.12+: "process is multi-threaded"
            warnings.simplefilter("ignore", DeprecationWarning)
            child.start()
    finally:
        if freeze:
            gc.unfreeze()  # the parent's own collections see them again
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise TimeoutError(f"the fork child did not answer in {timeout} s")
        return receiver.recv()
    finally:
        receiver.close()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join(timeout)


def memmap_block_sum(path: str, length: int, start: int, stop: int) -> int:
    """Open the int64 file at ``path`` as a memmap; return the sum of a block.

    The worker gets the file's name, not its data: it maps the file and
    reads ``[start, stop)`` only.
    """
    values = np.memmap(path, dtype=np.int64, mode="r", shape=(length,))
    return int(values[start:stop].sum())


def square_block_into(
    source: str, target: str, length: int, start: int, stop: int
) -> int:
    """Write the squares of ``source[start:stop]`` into ``target``'s block.

    Both are int64 files of ``length`` values; ``target`` must exist. Each
    worker writes its own block, so no two write the same bytes. Returns the
    number of values written.
    """
    src = np.memmap(source, dtype=np.int64, mode="r", shape=(length,))
    out = np.memmap(target, dtype=np.int64, mode="r+", shape=(length,))
    out[start:stop] = src[start:stop] ** 2
    out.flush()  # the parent reads the file after the worker returns
    return stop - start
