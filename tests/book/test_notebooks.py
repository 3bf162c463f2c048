"""Checks of the notebooks themselves, read as JSON.

nbval compares only cells that have an execution count, so a notebook saved
without outputs would pass it silently. These checks make sure every
notebook is fully executed, in order, follows the chapter skeleton, appears
in the table of contents, and never leans on the default start method.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

from multicore_guide.report import listed_lines

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("[0-9]*.ipynb"))
IDS = [path.name for path in NOTEBOOKS]

# a pool or process built straight from the multiprocessing module uses the default start method
DEFAULT_CONTEXT_CALL = re.compile(
    r"\b(?:multiprocessing|mp)\.(?:Pool|Process|Queue|Manager|SimpleQueue|Pipe)\("
)
PROCESS_POOL = re.compile(r"ProcessPoolExecutor\(")
POOL_USE = re.compile(
    r"\b(?:Pool|Process|ProcessPoolExecutor)\(|\.(?:map|submit|imap\w*|starmap\w*|apply_async)\("
)


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook):
    return [
        cell
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and "".join(cell["source"]).strip()
    ]


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def toc_entries():
    """Every file named in _toc.yml (comments are not entries), root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]
    for part in toc.get("parts", []):
        entries += [chapter["file"] for chapter in part.get("chapters", [])]
    return entries


def markdown_text(notebook):
    return "\n".join(
        "".join(c["source"])
        for c in notebook["cells"]
        if c["cell_type"] == "markdown"
    )


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ holds no chapter notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_code_cell_ran_in_order(path):
    counts = [cell["execution_count"] for cell in code_cells(load(path))]
    assert None not in counts, (
        f"{counts.count(None)} code cell(s) have no execution count; run `make execute`"
    )
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts} are not 1..n; run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_tagged_cells_raise(path):
    for cell in code_cells(load(path)):
        errors = [
            out for out in cell["outputs"] if out["output_type"] == "error"
        ]
        if errors:
            assert "raises-exception" in tags(cell), (
                f"untagged cell raised {errors[0]['ename']}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_skeleton(path):
    text = markdown_text(load(path)).lower()
    for section in (
        "learning objectives",
        "## key takeaways",
        "## exercises",
        "{exercise}",
        "{solution-start}",
    ):
        assert section in text, f"no '{section}' in {path.name}"
    assert text.count("{solution-start}") == text.count("{solution-end}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_in_the_table_of_contents(path):
    assert f"book/{path.stem}" in toc_entries()


def test_every_toc_entry_exists():
    for entry in toc_entries():
        assert any(
            (ROOT / f"{entry}{suffix}").exists()
            for suffix in (".ipynb", ".md")
        ), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_default_start_method(path):
    for cell in code_cells(load(path)):
        source = "".join(cell["source"])
        assert "set_start_method" not in source, (
            "notebooks choose a context; they never set the global default"
        )
        assert "sys.path" not in source, (
            "the package is installed; notebooks never change sys.path"
        )
        assert not DEFAULT_CONTEXT_CALL.search(source), (
            f"uses the default context: {source[:80]!r}"
        )
        if PROCESS_POOL.search(source) and "raises-exception" not in tags(
            cell
        ):
            assert "mp_context=" in source, (
                f"ProcessPoolExecutor without mp_context: {source[:80]!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_children_run_only_imported_functions(path):
    """Children run functions from the package, except in a cell that shows
    the failure on purpose: tagged raises-exception when it raises, or
    shows-failure when it catches the error and reports it."""
    cells = code_cells(load(path))
    on_purpose = {"raises-exception", "shows-failure"}
    defined = set()
    for cell in cells:
        if not on_purpose & set(tags(cell)):
            defined |= set(
                re.findall(r"^def (\w+)\(", "".join(cell["source"]), re.M)
            )
    for cell in cells:
        source = "".join(cell["source"])
        if on_purpose & set(tags(cell)) or not POOL_USE.search(source):
            continue
        passed = {
            name for name in defined if re.search(rf"\b{name}\b", source)
        }
        assert not passed, (
            f"notebook-defined {sorted(passed)} handed to a process; import it from multicore_guide"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solutions_stay_hidden_in_jupyterlab(path):
    """A solution's code cells are collapsed in JupyterLab, as the book folds them into a dropdown."""
    inside, shown = False, []
    for cell in load(path)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            inside = ("{solution-start}" in source) or (
                inside and "{solution-end}" not in source
            )
        elif inside:
            hidden = cell["metadata"].get("jupyter", {})
            if not (
                hidden.get("source_hidden") and hidden.get("outputs_hidden")
            ):
                shown.append(source.splitlines()[0] if source else "(empty)")
    assert not shown, f"solution cells not collapsed in JupyterLab: {shown}"


LISTING_WIDTH = 79


def listing_calls(nb):
    """(cell, path, options) for each listing() call in the notebook's code cells."""
    import ast

    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "listing" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None)
            if name == "listing":
                path = ast.literal_eval(node.args[0])
                options = {
                    k.arg: ast.literal_eval(k.value) for k in node.keywords
                }
                yield cell, path, options
            elif name == "listing_tabs":
                path, tabs = map(ast.literal_eval, node.args)
                for names in tabs.values():
                    for pyobject in names:
                        yield cell, path, {"pyobject": pyobject}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_listed_source_fits_the_page(path):
    """A listing at most 79 columns wide fits the book's text column at desktop width, unwrapped."""
    wide = []
    for _, target, options in listing_calls(load(path)):
        for line in listed_lines(target, **options):
            if len(line) > LISTING_WIDTH:
                wide.append(
                    f"{target} ({options}): {len(line)} columns: {line.strip()[:50]}"
                )
    assert not wide, (
        f"{path.name}: listings wider than {LISTING_WIDTH} columns:\n  "
        + "\n  ".join(wide)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_listings_read_the_same_in_jupyterlab(path):
    """JupyterLab cannot render Sphinx's literalinclude, so listings are cells.

    Each listing() cell hides its input in the book (remove-input) and in
    JupyterLab (source_hidden), is tagged "listing" (the book's CSS keeps
    its lines unwrapped), and its stored output is the listed code.
    """
    nb = load(path)
    raw = [
        "".join(c["source"])[:60]
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        and "{literalinclude}" in "".join(c["source"])
    ]
    assert not raw, f"{path.name}: literalinclude in markdown: {raw}"
    for cell, target, options in listing_calls(nb):
        tags = cell["metadata"].get("tags", [])
        assert "remove-input" in tags and "listing" in tags, target
        assert cell["metadata"].get("jupyter", {}).get("source_hidden"), target
        shown = "".join(
            "".join(o.get("data", {}).get("text/markdown", ""))
            for o in cell["outputs"]
        )
        code = "\n".join(listed_lines(target, **options))
        assert code in shown, (
            f"{path.name}: stale listing of {target} {options}"
        )
