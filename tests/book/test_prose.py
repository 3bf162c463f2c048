"""Numbers in the prose: measured ones come from their cell, and nobody types them by hand.

1. :func:`multicore_guide.report.say` renders a sentence from a template and
   values; its cell keeps both in the output's metadata. Rendering them
   again must give the stored sentence exactly, so a number changed by hand
   in a stored output fails here.
2. A markdown cell must not hold a number that looks measured: a number with
   a unit of time, size, rate or ratio, or a decimal with two or more
   places. A number of that kind may stand in the prose only where its
   paragraph cites a source ({cite}), or where ``tests/book/prose_numbers.txt``
   lists it with the reason it is not a measurement (an input the cell
   sets, a documented constant).
"""

import json
import re
from pathlib import Path

import pytest

from multicore_guide.report import MEASURED_CLASS, METADATA_KEY, render

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9]*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
ALLOWED_FILE = Path(__file__).resolve().parent / "prose_numbers.txt"

UNIT = (
    r"(?:s|ms|µs|us|ns|×|x|%|MB/s|GB/s|MiB/s|GiB/s|MiB|GiB|KiB|kB|MB|GB|times)"
)
WITH_UNIT = re.compile(
    r"(?<![\w.$/-])\d+(?:[.,]\d+)*\s?" + UNIT + r"(?![\w/])"
)
DECIMAL = re.compile(r"(?<![\w.$/-])\d+\.\d{2,}(?![\w.])")
# Python versions are not measurements
VERSION = re.compile(r"^3\.\d{1,2}$")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def prose_only(markdown):
    """Markdown without code, inline code, math and directive option lines."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]*\$", " ", text)
    return re.sub(r"^:\w[\w-]*:.*$", " ", text, flags=re.M)


def allowed():
    """(notebook, phrase) pairs from tests/book/prose_numbers.txt: `NN_name.ipynb | phrase | reason`."""
    pairs = set()
    for line in ALLOWED_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, phrase, reason = (part.strip() for part in line.split("|"))
        assert reason, (
            f"tests/book/prose_numbers.txt gives no reason for {phrase!r}"
        )
        pairs.add((name, phrase))
    return pairs


def typed_numbers(notebook):
    """Each number that looks measured in the notebook's markdown, with the words around it."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for paragraph in re.split(
            r"\n\s*\n", prose_only("".join(cell["source"]))
        ):
            if "{cite}" in paragraph:
                continue
            flat = " ".join(paragraph.split())
            for pattern in (WITH_UNIT, DECIMAL):
                for match in pattern.finditer(flat):
                    if not VERSION.match(match.group(0)):
                        found.append(
                            (
                                match.group(0),
                                flat[
                                    max(0, match.start() - 40) : match.end()
                                    + 20
                                ],
                            )
                        )
    return found


def said(notebook):
    """Every (cell, output) pair that say() produced."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(METADATA_KEY, {})
            if "template" in meta:  # listing() outputs carry "listing"
                yield cell, output


def test_render_wraps_each_value_and_checks_the_fields():
    text = render(
        "ran {speedup:.2f}x faster on {n} workers", {"speedup": 1.5678, "n": 2}
    )
    assert text == (
        f'ran <span class="{MEASURED_CLASS}">1.57</span>x faster on '
        f'<span class="{MEASURED_CLASS}">2</span> workers'
    )
    with pytest.raises(ValueError, match="no value"):
        render("{missing}", {})
    with pytest.raises(ValueError, match="does not use"):
        render("nothing", {"extra": 1})
    with pytest.raises(ValueError, match="plain names"):
        render("{a[0]}", {"a": 1})
    with pytest.raises(TypeError):
        render("{a}", {"a": [1, 2]})


def test_numpy_values_are_stored_as_plain_numbers():
    np = pytest.importorskip("numpy")
    assert (
        render(
            "{x:.1f} and {n}", {"x": np.float64(2.25), "n": np.int64(3)}
        ).count(MEASURED_CLASS)
        == 2
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_sentences_match_their_values(path):
    for cell, output in said(load(path)):
        meta = output["metadata"][METADATA_KEY]
        stored = "".join(output["data"]["text/markdown"])
        assert render(meta["template"], meta["values"]) == stored, (
            f"a sentence in {path.name} differs from what its values render to: was it edited by hand?"
        )
        tags = set(cell["metadata"].get("tags", []))
        assert "remove-input" in tags, (
            f"a say() cell in {path.name} shows its code in the book"
        )
        assert cell["metadata"].get("jupyter", {}).get("source_hidden"), (
            f"a say() cell in {path.name} is not collapsed in JupyterLab"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_measured_number_is_typed_into_the_prose(path):
    ok = allowed()
    typed = [
        (number, context)
        for number, context in typed_numbers(load(path))
        if not any(
            name == path.name and phrase in context for name, phrase in ok
        )
    ]
    assert not typed, (
        f"{path.name}: numbers typed into the prose; take them from the cell with say(), "
        "cite a source, or list them in tests/book/prose_numbers.txt with a reason:\n"
        + "\n".join(
            f"  {number!r} in ...{context}..." for number, context in typed
        )
    )
