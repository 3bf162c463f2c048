"""Chapter 7, Choosing an API: one job written with each standard-library API.

Each function here is short on purpose: the book shows them side by side,
so that the reader sees what each API asks of the programmer. Every one
returns the answers in the order of ``items``, bounds every wait, and
leaves no process behind when it returns.

The chapter's decision flowchart is data here too: :data:`DECISION_TREE`
holds its questions and leaves, :func:`decide` follows a set of answers to
a leaf, and :func:`draw_decision_tree` draws it.
"""

from __future__ import annotations

import concurrent.futures
import queue
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Any

from .checks import check_int, check_real
from .machine import get_context

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DECISION_ROOT",
    "DECISION_TREE",
    "Leaf",
    "Question",
    "count_draws",
    "decide",
    "draw_decision_tree",
    "map_with_interpreter_executor",
    "map_with_pool",
    "map_with_process_executor",
    "map_with_processes",
    "map_with_thread_executor",
    "put_result",
]


def put_result(
    queue: Any, index: int, fn: Callable[[Any], Any], argument: Any
) -> None:
    """Put ``(index, fn(argument))`` on ``queue``: a ``Process`` target that
    hands
    back an answer.

    ``index`` lets the parent put answers back in order, since processes
    finish in any order. If ``fn`` raises, the exception propagates and
    nothing is put on the queue, so the parent's bounded ``get`` times out
    and the child's exit code is 1.

    Raises:
        TypeError: ``index`` is not an int, ``fn`` is not callable, or
            ``queue`` has no ``put`` method.
        ValueError: ``index`` is negative.
        Exception: whatever ``fn(argument)`` raises.
    """
    index = check_int("index", index, minimum=0)
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not callable(getattr(queue, "put", None)):
        raise TypeError(
            f"queue must have a put method, got {type(queue).__name__}"
        )
    queue.put((index, fn(argument)))


def map_with_processes(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    context: BaseContext | None = None,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, each item in its own
    ``Process``.

    ``fn`` runs inside :func:`multicore_guide.choosing.put_result`, which puts
    ``(index, answer)`` on a queue; the parent reads every answer before it
    joins, since a child whose queued data has not been read cannot exit.

    This is the guide's Example 1 pattern, made to return: the code it takes
    to collect answers and notice a failed child is the price of the
    low-level API.

    Raises:
        TypeError, ValueError: ``items`` is empty or ``timeout`` is not
            positive.
        RuntimeError: a child failed, or the answers were not all in after
            ``timeout`` seconds.
    """
    items = list(items)
    if not items:
        raise ValueError("items must not be empty")
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    ctx = context or get_context()
    answers = ctx.Queue()
    children = [
        ctx.Process(target=put_result, args=(answers, i, fn, item))
        for i, item in enumerate(items)
    ]
    for child in children:
        child.start()
    deadline = time.monotonic() + timeout
    pairs: dict[int, Any] = {}
    try:
        while len(pairs) < len(items):
            try:
                index, answer = answers.get(timeout=0.05)
                pairs[index] = answer
            except queue.Empty:
                # nobody else watches the children: a failure must be noticed
                # here
                failed = [
                    c.exitcode for c in children if c.exitcode not in (None, 0)
                ]
                if failed or time.monotonic() > deadline:
                    missing = len(items) - len(pairs)
                    raise RuntimeError(
                        f"{missing} answers missing; "
                        f"failed children's exit codes: {failed}"
                    ) from None
    except BaseException:
        for child in children:
            child.terminate()
        raise
    finally:
        for child in children:
            child.join(timeout=timeout)
    return [pairs[i] for i in range(len(items))]


def map_with_pool(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    chunksize: int | None = None,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``multiprocessing.Pool.map``.

    ``chunksize=None`` keeps the pool's own default (about four chunks per
    worker). ``map_async(...).get(timeout)`` is ``map`` with a bound.

    Raises:
        TypeError, ValueError: ``workers`` or ``chunksize`` is not a positive
            int.
        multiprocessing.TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    if chunksize is not None:
        # Pool.map_async accepts 0: it never calls fn and returns [None] * n
        chunksize = check_int("chunksize", chunksize, minimum=1)
    ctx = context or get_context()
    with ctx.Pool(workers) as pool:
        return pool.map_async(fn, items, chunksize).get(timeout=timeout)


def map_with_process_executor(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    context: BaseContext | None = None,
    chunksize: int = 1,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``ProcessPoolExecutor.map``.

    ``chunksize=1`` is the executor's own default.

    Raises:
        TypeError, ValueError: ``workers`` or ``chunksize`` is not a positive
            int.
        TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    chunksize = check_int("chunksize", chunksize, minimum=1)
    with ProcessPoolExecutor(
        workers, mp_context=context or get_context()
    ) as pool:
        return list(pool.map(fn, items, chunksize=chunksize, timeout=timeout))


def map_with_thread_executor(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``ThreadPoolExecutor.map``.

    The threads share this process, its memory and, in a standard build,
    its GIL; nothing is pickled, and no start method is involved.

    Raises:
        TypeError, ValueError: ``workers`` is not a positive int.
        TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items, timeout=timeout))


def map_with_interpreter_executor(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Return ``[fn(item) for item in items]``, computed by
    ``InterpreterPoolExecutor.map`` (3.14+).

    Each worker is a thread that runs its own interpreter with its own GIL,
    inside this process.

    Raises:
        TypeError, ValueError: ``workers`` is not a positive int.
        RuntimeError: this Python has no ``InterpreterPoolExecutor``.
        TimeoutError: the answers took longer than ``timeout``.
    """
    workers = check_int("workers", workers, minimum=1)
    executor = getattr(concurrent.futures, "InterpreterPoolExecutor", None)
    if executor is None:
        raise RuntimeError(
            "InterpreterPoolExecutor needs Python 3.14 or newer"
        )
    with executor(workers) as pool:
        return list(pool.map(fn, items, timeout=timeout))


def count_draws(items: Iterable[Any], drawn: list[int]) -> Iterator[Any]:
    """Yield each of ``items``, first appending its index to ``drawn``.

    Runs in the parent: hand the generator to a ``map`` and read
    ``len(drawn)`` to see how many inputs the map has taken so far, whether
    or not its answers have been read. Only indexes are kept, never items.

    Raises:
        TypeError: ``drawn`` has no ``append`` method (when the first item
            is drawn).
    """
    for index, item in enumerate(items):
        drawn.append(index)
        yield item


# The decision flowchart: which route to take for a job, as data, and its
# drawing. Each question's ``yes`` and ``no`` name another node of the tree.


@dataclass(frozen=True)
class Question:
    """A yes-or-no question of the flowchart.

    ``yes`` and ``no`` are the keys, in :data:`DECISION_TREE`, of the node
    each answer leads to.
    """

    text: str
    yes: str
    no: str


@dataclass(frozen=True)
class Leaf:
    """An answer of the flowchart: a route, and the chapters that teach it.

    ``chapters`` holds the chapters' file names without ``book/`` (such as
    ``"05_pools"``); ``meaning`` is the key of
    :data:`multicore_guide.plotting.COLORS` that colours the box, or ``None``
    for a neutral colour.
    """

    route: str
    chapters: tuple[str, ...]
    meaning: str | None = None

    @property
    def chapter_text(self) -> str:
        """Return the chapters as the book numbers them: "chapters 5, 6"."""
        numbers = [str(int(name.split("_", 1)[0])) for name in self.chapters]
        word = "chapter" if len(numbers) == 1 else "chapters"
        return f"{word} {', '.join(numbers)}"


DECISION_ROOT = "cpu_bound"


DECISION_TREE: dict[str, Question | Leaf] = {
    "cpu_bound": Question(
        "Is the job CPU-bound, rather than waiting on I/O?",
        yes="one_core",
        no="threads_for_io",
    ),
    "threads_for_io": Leaf(
        "Threads or asyncio: both overlap the waiting",
        ("14_asyncio",),
        "threads",
    ),
    "one_core": Question(
        "Can one core go faster still: NumPy, or a loop compiled "
        "with Numba or Cython?",
        yes="one_core_first",
        no="machines",
    ),
    "one_core_first": Leaf(
        "One core first: vectorise or compile, check the answer, then "
        "come back",
        ("19_one_core_first",),
        "serial",
    ),
    "machines": Question(
        "Does the job need more than one machine?",
        yes="dask",
        no="free_threaded",
    ),
    "dask": Leaf(
        "Dask: workers on a cluster of machines", ("13_beyond",), None
    ),
    "free_threaded": Question(
        "Can threads run it in parallel: a free-threaded build, or "
        "Numba or Cython code that releases the GIL?",
        yes="free_threads",
        no="importable",
    ),
    "free_threads": Leaf(
        "Threads (ThreadPoolExecutor): a free-threaded build, or code "
        "that releases the GIL",
        ("13_beyond", "19_one_core_first"),
        "threads",
    ),
    "importable": Question(
        "Is the function in a module (not only a notebook), with "
        "picklable arguments and results?",
        yes="large_arrays",
        no="move_to_module",
    ),
    "move_to_module": Leaf(
        "Move the function to a module, then come back",
        ("04_start_methods",),
        None,
    ),
    "large_arrays": Question(
        "Are there large arrays that every worker needs?",
        yes="share_arrays",
        no="process_pool",
    ),
    "share_arrays": Leaf(
        "A process pool with shared_memory or np.memmap",
        ("11_shared_memory", "18_readonly"),
        "shared_memory",
    ),
    "process_pool": Leaf(
        "ProcessPoolExecutor or Pool, with a chunksize",
        ("05_pools", "06_futures"),
        "processes",
    ),
}


def decide(
    answers: Mapping[str, bool],
    tree: Mapping[str, Question | Leaf] = DECISION_TREE,
    root: str = DECISION_ROOT,
) -> Leaf:
    """Return the leaf that ``answers`` (question key -> ``True`` for yes)
    lead to.

    Raises:
        KeyError: a question on the way has no answer in ``answers``, or
            a branch names a node that ``tree`` lacks.
        ValueError: the walk comes back to a node it has passed.
    """
    key, seen = root, set()
    while isinstance(node := tree[key], Question):
        if key in seen:
            raise ValueError(f"the tree loops back to {key!r}")
        seen.add(key)
        key = node.yes if answers[key] else node.no
    return node


def _spine(
    tree: Mapping[str, Question | Leaf], root: str
) -> list[tuple[str, str, bool]]:
    """Return ``(question, leaf beside it, answer to it)`` down the tree.

    The flowchart is drawn as a column of questions, each with the leaf of
    one answer beside it, while the other answer leads down to the next
    question; below the last question comes the leaf of its "no", in a
    last row whose question is ``""``.

    Raises:
        ValueError: a question leads to two questions, or the tree loops.
    """
    rows: list[tuple[str, str, bool]] = []
    key = root
    while isinstance(node := tree[key], Question):
        if len(rows) >= len(tree):
            raise ValueError(f"the tree loops back to {key!r}")
        if isinstance(tree[node.yes], Leaf):
            rows.append((key, node.yes, True))
            key = node.no
        elif isinstance(tree[node.no], Leaf):
            rows.append((key, node.no, False))
            key = node.yes
        else:
            raise ValueError(
                f"question {key!r} leads to two questions; the chart "
                "draws one column of questions"
            )
    rows.append(("", key, False))
    return rows


def draw_decision_tree(
    tree: Mapping[str, Question | Leaf] = DECISION_TREE,
    root: str = DECISION_ROOT,
    *,
    title: str = "Which route for a parallel job?",
) -> Axes:
    """Draw the flowchart of ``tree`` from ``root`` on a new figure, and
    return its axes.

    Questions stand in a column on the left, in white boxes; each has the
    leaf of one answer on its right, in a box tinted with the colour of its
    meaning (``COLORS[leaf.meaning]``, black when it has none), and its
    other answer leads down. Every arrow is labelled
    "yes" or "no". One axes unit is one inch, so that the boxes keep their
    shape; text is 11 pt.

    Raises:
        ValueError: a question leads to two questions, or the tree loops.
        KeyError: a branch names a node that ``tree`` lacks, or a leaf's
            meaning is not a key of ``COLORS``.
    """
    # imported here, so that the child processes that import this module
    # for put_result do not pay for importing matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from .plotting import COLORS, NEUTRAL

    rows = _spine(tree, root)
    width, pitch, box_h, top = 7.4, 1.2, 0.9, 0.15
    question_x, question_w = 1.7, 3.1  # centre and width, inches
    leaf_x, leaf_w = 5.6, 3.3
    height = top + len(rows) * pitch
    figure = plt.figure(figsize=(width, height + 0.45))
    ax = figure.add_axes((0.0, 0.0, 1.0, height / (height + 0.45)))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.set_title(title)
    ink = "#333333"

    def box(x: float, y: float, w: float, text: str, color: str | None):
        # a pale tint of the colour behind the text; black, the neutral
        # colour, only a trace of it
        tint = 0.07 if color == NEUTRAL[-1] else 0.2
        face = (1, 1, 1, 1) if color is None else (*to_rgb(color), tint)
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - box_h / 2),
                w,
                box_h,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=face,
                edgecolor=ink if color is None else color,
                linewidth=1.2 if color is None else 2.0,
            )
        )
        ax.text(x, y, text, ha="center", va="center", color=ink)

    def arrow(start, end, label: str, offset: tuple[float, float]):
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=12,
                color=ink,
                linewidth=1.2,
                shrinkA=0,
                shrinkB=0,
            )
        )
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.annotate(
            label,
            middle,
            xytext=offset,
            textcoords="offset points",
            ha="left" if offset[0] else "center",
            va="center" if offset[0] else "bottom",
            color=ink,
        )

    for row, (question, leaf_key, side_answer) in enumerate(rows):
        y = height - top - pitch * (row + 0.5)
        leaf = tree[leaf_key]
        leaf_text = _wrap_leaf(leaf, 31)
        color = COLORS[leaf.meaning] if leaf.meaning else NEUTRAL[-1]
        if not question:  # the last leaf, below the last question
            box(question_x, y, question_w, _wrap_leaf(leaf, 29), color)
            continue
        box(question_x, y, question_w, _fill(tree[question].text, 30), None)
        box(leaf_x, y, leaf_w, leaf_text, color)
        arrow(
            (question_x + question_w / 2, y),
            (leaf_x - leaf_w / 2, y),
            "yes" if side_answer else "no",
            (0, 3),
        )
        arrow(
            (question_x, y - box_h / 2),
            (question_x, y - pitch + box_h / 2),
            "no" if side_answer else "yes",
            (5, 0),
        )
    return ax


def _fill(text: str, width: int) -> str:
    """Wrap ``text`` to lines of at most ``width`` characters."""
    return textwrap.fill(text, width, break_long_words=False)


def _wrap_leaf(leaf: Leaf, width: int) -> str:
    """Return a leaf's text: its route, wrapped, then its chapters."""
    return f"{_fill(leaf.route, width)}\n({leaf.chapter_text})"
