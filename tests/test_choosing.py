"""The same map written with each API: same answers, in order, and clear failures;
and the decision flowchart, as data and as a drawing."""

import concurrent.futures
import multiprocessing
import pathlib
import queue

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from multicore_guide import choosing, workers  # noqa: E402
from multicore_guide.plotting import COLORS  # noqa: E402

ITEMS = [(0, 500), (500, 1_000), (1_000, 3_000), (3_000, 3_001), (7, 7)]
EXPECTED = [workers.count_primes_block(b) for b in ITEMS]


def test_processes(child_context):
    assert (
        choosing.map_with_processes(
            workers.count_primes_block, ITEMS, context=child_context
        )
        == EXPECTED
    )


@pytest.mark.parametrize("chunksize", [None, 1, 2])
def test_pool(child_context, chunksize):
    result = choosing.map_with_pool(
        workers.count_primes_block,
        ITEMS,
        2,
        context=child_context,
        chunksize=chunksize,
    )
    assert result == EXPECTED


@pytest.mark.parametrize("chunksize", [1, 3])
def test_process_executor(child_context, chunksize):
    result = choosing.map_with_process_executor(
        workers.count_primes_block,
        ITEMS,
        2,
        context=child_context,
        chunksize=chunksize,
    )
    assert result == EXPECTED


def test_thread_executor():
    assert (
        choosing.map_with_thread_executor(workers.count_primes_block, ITEMS, 3)
        == EXPECTED
    )


def test_interpreter_executor_or_a_clear_refusal():
    if hasattr(concurrent.futures, "InterpreterPoolExecutor"):
        assert (
            choosing.map_with_interpreter_executor(
                workers.count_primes_block, ITEMS, 2
            )
            == EXPECTED
        )
    else:
        with pytest.raises(RuntimeError, match="3.14"):
            choosing.map_with_interpreter_executor(
                workers.count_primes_block, ITEMS, 2
            )


def test_a_failing_child_is_reported_not_waited_for(child_context):
    with pytest.raises(RuntimeError, match="answers missing"):
        choosing.map_with_processes(
            workers.count_primes_block,
            [(0, 10), (10, 5)],
            context=child_context,
            timeout=30,
        )
    assert not multiprocessing.active_children()


def test_errors_in_pools_reach_the_caller(child_context):
    with pytest.raises(ValueError):
        choosing.map_with_pool(
            workers.count_primes_block, [(10, 5)], 1, context=child_context
        )
    with pytest.raises(ValueError):
        choosing.map_with_process_executor(
            workers.count_primes_block, [(10, 5)], 1, context=child_context
        )


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: choosing.map_with_processes(abs, []), ValueError),
        (lambda: choosing.map_with_processes(abs, [1], timeout=0), ValueError),
        (lambda: choosing.map_with_pool(abs, [1], 0), ValueError),
        (lambda: choosing.map_with_pool(abs, [1], 1, chunksize=0), ValueError),
        (
            lambda: choosing.map_with_pool(abs, [1], 1, chunksize=-2),
            ValueError,
        ),
        (
            lambda: choosing.map_with_pool(abs, [1], 1, chunksize=1.5),
            TypeError,
        ),
        (
            lambda: choosing.map_with_process_executor(
                abs, [1], 1, chunksize=0
            ),
            ValueError,
        ),
        (lambda: choosing.map_with_process_executor(abs, [1], 1.5), TypeError),
        (lambda: choosing.map_with_thread_executor(abs, [1], 0), ValueError),
        (
            lambda: choosing.map_with_interpreter_executor(abs, [1], 0),
            ValueError,
        ),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_count_draws_yields_every_item_and_counts_as_it_goes():
    drawn = []
    inputs = choosing.count_draws(iter("abc"), drawn)
    assert drawn == []
    assert next(inputs) == "a" and drawn == [0]
    assert list(inputs) == ["b", "c"] and drawn == [0, 1, 2]


def test_count_draws_shows_that_executor_map_reads_everything_at_once():
    import sys
    from concurrent.futures import ThreadPoolExecutor

    drawn = []
    with ThreadPoolExecutor(2) as pool:
        answers = pool.map(
            abs, choosing.count_draws(range(50), drawn), timeout=60
        )
        assert len(drawn) == 50
        assert list(answers) == list(range(50))
    if sys.version_info >= (3, 14):
        drawn = []
        with ThreadPoolExecutor(2) as pool:
            answers = pool.map(
                abs,
                choosing.count_draws(range(50), drawn),
                timeout=60,
                buffersize=3,
            )
            assert len(drawn) == 3
            assert list(answers) == list(range(50))


def test_put_result_puts_index_and_answer():
    box = queue.Queue()
    choosing.put_result(box, 3, workers.square, 7)
    assert box.get_nowait() == (3, 49)


def test_put_result_lets_the_error_through_and_puts_nothing():
    box = queue.Queue()
    with pytest.raises(ValueError):
        choosing.put_result(box, 0, workers.count_primes_block, (10, 5))
    assert box.empty()


@pytest.mark.parametrize(
    "args, error",
    [
        ((queue.Queue(), -1, abs, 1), ValueError),
        ((queue.Queue(), 0.0, abs, 1), TypeError),
        ((queue.Queue(), 0, "abs", 1), TypeError),
        (([], 0, abs, 1), TypeError),
    ],
)
def test_put_result_bad_input_raises(args, error):
    with pytest.raises(error):
        choosing.put_result(*args)


def test_put_result_as_a_process_target(child_context):
    box = child_context.Queue()
    child = child_context.Process(
        target=choosing.put_result, args=(box, 2, workers.cube, 3)
    )
    child.start()
    try:
        assert box.get(timeout=60) == (2, 27)
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0


# the decision flowchart

ROOT = pathlib.Path(__file__).resolve().parents[1]
TREE = choosing.DECISION_TREE
QUESTIONS = {k: n for k, n in TREE.items() if isinstance(n, choosing.Question)}
LEAVES = {k: n for k, n in TREE.items() if isinstance(n, choosing.Leaf)}


def numbered_chapters():
    """The numbered chapters of _toc.yml, in the order the book numbers them."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [
        chapter["file"]
        for part in toc["parts"]
        if part.get("numbered")
        for chapter in part["chapters"]
    ]


def paths_to_leaves(key=choosing.DECISION_ROOT, answers=None):
    """Yield (answers, leaf key) for every path from the root."""
    answers = answers or {}
    node = TREE[key]
    if isinstance(node, choosing.Leaf):
        yield answers, key
        return
    for answer, child in ((True, node.yes), (False, node.no)):
        yield from paths_to_leaves(child, {**answers, key: answer})


def test_every_question_has_two_branches_to_nodes_of_the_tree():
    assert QUESTIONS and LEAVES
    for key, question in QUESTIONS.items():
        assert question.yes in TREE and question.no in TREE, key
        assert question.yes != question.no, key
        assert question.text.endswith("?"), key


def test_every_node_is_reached_and_every_leaf_once():
    paths = list(paths_to_leaves())
    reached = sorted(leaf for _, leaf in paths)
    assert reached == sorted(LEAVES)
    asked = {key for answers, _ in paths for key in answers}
    assert asked == set(QUESTIONS)


def test_decide_follows_the_answers_to_each_leaf():
    for answers, leaf in paths_to_leaves():
        assert choosing.decide(answers) is TREE[leaf]


def test_decide_on_the_chapters_own_job():
    # the prime count: CPU-bound, already plain loops over small blocks,
    # one machine, a standard build, workers in the package, no big arrays
    job = {
        "cpu_bound": True,
        "one_core": False,
        "machines": False,
        "free_threaded": False,
        "importable": True,
        "large_arrays": False,
    }
    assert choosing.decide(job).chapters == ("05_pools", "06_futures")
    assert choosing.decide({"cpu_bound": False}).chapters == ("14_asyncio",)


def test_decide_raises_on_a_missing_answer_or_a_loop():
    with pytest.raises(KeyError):
        choosing.decide({"cpu_bound": True})
    loop = {"a": choosing.Question("a?", yes="a", no="a")}
    with pytest.raises(ValueError, match="loops"):
        choosing.decide({"a": True}, loop, "a")


def test_every_leaf_names_chapters_that_exist_with_that_number():
    chapters = numbered_chapters()
    for key, leaf in LEAVES.items():
        assert leaf.chapters, key
        for name in leaf.chapters:
            assert f"book/{name}" in chapters, (key, name)
            assert chapters.index(f"book/{name}") + 1 == int(name[:2])
        assert leaf.meaning is None or leaf.meaning in COLORS


def test_chapter_text_reads_as_the_book_numbers_chapters():
    assert LEAVES["process_pool"].chapter_text == "chapters 5, 6"
    assert LEAVES["one_core_first"].chapter_text == "chapter 19"


def test_the_compiled_routes_are_named():
    text = QUESTIONS["one_core"].text
    assert "Numba" in text and "Cython" in text
    # releasing the GIL is what lets threads run compiled code in parallel
    threads = QUESTIONS["free_threaded"].text
    assert "releases the GIL" in threads and "free-threaded" in threads
    assert "Numba" in threads and "Cython" in threads


@pytest.fixture(scope="module")
def chart():
    ax = choosing.draw_decision_tree()
    ax.figure.canvas.draw()
    yield ax
    plt.close(ax.figure)


def flat(text):
    return " ".join(text.split())


def test_the_chart_shows_every_question_and_leaf(chart):
    shown = [flat(t.get_text()) for t in chart.texts]
    for question in QUESTIONS.values():
        assert flat(question.text) in shown
    for leaf in LEAVES.values():
        assert f"{flat(leaf.route)} ({leaf.chapter_text})" in shown
    labels = [t for t in shown if t in ("yes", "no")]
    assert len(labels) == 2 * len(QUESTIONS)


def test_the_chart_text_is_at_least_11_points(chart):
    assert all(t.get_fontsize() >= 11 for t in chart.texts)
    assert chart.title.get_fontsize() >= 11


def boxes_and_texts(ax):
    renderer = ax.figure.canvas.get_renderer()
    boxes = [
        p.get_window_extent(renderer)
        for p in ax.patches
        if isinstance(p, FancyBboxPatch)
    ]
    texts = [t.get_window_extent(renderer) for t in ax.texts]
    return boxes, texts


def test_nothing_on_the_chart_overlaps(chart):
    boxes, texts = boxes_and_texts(chart)
    assert len(boxes) == len(TREE)
    for group in (boxes, texts):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                assert not a.overlaps(b), (a, b)
    # each text lies inside one box, or (a yes/no label) outside every box
    for text, extent in zip(chart.texts, texts):
        inside = [
            b
            for b in boxes
            if b.contains(extent.x0, extent.y0)
            and b.contains(extent.x1, extent.y1)
        ]
        if text.get_text() in ("yes", "no"):
            assert not any(extent.overlaps(b) for b in boxes)
        else:
            assert len(inside) == 1, text.get_text()


def test_the_chart_fits_in_the_figure(chart):
    figure = chart.figure.bbox
    renderer = chart.figure.canvas.get_renderer()
    for artist in [*chart.texts, chart.title]:
        extent = artist.get_window_extent(renderer)
        assert figure.x0 <= extent.x0 and extent.x1 <= figure.x1
        assert figure.y0 <= extent.y0 and extent.y1 <= figure.y1


def test_a_tree_with_two_questions_under_one_cannot_be_drawn():
    leaf = choosing.Leaf("x", ("05_pools",))
    tree = {
        "a": choosing.Question("a?", yes="b", no="c"),
        "b": choosing.Question("b?", yes="x", no="x"),
        "c": choosing.Question("c?", yes="x", no="x"),
        "x": leaf,
    }
    with pytest.raises(ValueError, match="two questions"):
        choosing.draw_decision_tree(tree, "a")
