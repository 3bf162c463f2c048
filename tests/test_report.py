"""multicore_guide.report: tables and listings (say() is tested in tests/book/test_prose.py)."""

import pytest

from multicore_guide import report
from multicore_guide.report import table


def test_table_rounds_orders_and_labels_columns():
    t = table(
        [
            {"n": 1, "s": 0.12345, "kind": "loop"},
            {"n": 2, "s": 0.0625, "kind": "pool"},
        ],
        columns={"kind": "way", "n": "workers", "s": "time (s)"},
        formats={"s": ".3f"},
    )
    assert t.headers == ["way", "workers", "time (s)"]
    assert t.cells == [["loop", "1", "0.123"], ["pool", "2", "0.062"]]
    assert t.numeric == [False, True, True]
    assert repr(t).splitlines() == [
        "way   workers  time (s)",
        "----  -------  --------",
        "loop        1     0.123",
        "pool        2     0.062",
    ]
    html = t._repr_html_()
    assert html.count("<tr>") == 3 and "<th" in html and "time (s)" in html


def test_table_escapes_html_and_checks_its_rows():
    assert "&lt;b&gt;" in table([{"x": "<b>"}])._repr_html_()
    with pytest.raises(ValueError):
        table([])
    with pytest.raises(ValueError, match="lacks"):
        table([{"a": 1}], columns={"b": "B"})
    with pytest.raises(TypeError):
        table({"a": 1})


def test_listed_lines_narrows_like_literalinclude():
    lines = report.listed_lines(
        "workers.py", pyobject="count_primes", start_at="return", dedent=4
    )
    assert lines == [
        "return sum(1 for n in range(start, stop) if is_prime(n))"
    ]
    whole = report.listed_lines("workers.py", pyobject="square")
    assert whole[0].startswith("def square(") and "return" in whole[-1]
    method = report.listed_lines("timing.py", pyobject="Timing.median")
    assert method[0].strip().startswith(("@property", "def median"))


def test_listed_lines_end_options():
    at = report.listed_lines(
        "workers.py",
        pyobject="random_points",
        start_at="rng =",
        end_at="left -= size",
    )
    before = report.listed_lines(
        "workers.py",
        pyobject="random_points",
        start_at="rng =",
        end_before="left -= size",
    )
    assert at[-1].strip() == "left -= size" and at[:-1] == before


def test_listed_lines_reads_example_scripts():
    lines = report.listed_lines("examples/guide_example2_guarded.py")
    assert any('if __name__ == "__main__":' in line for line in lines)


@pytest.mark.parametrize(
    "path, options, error",
    [
        ("../../README.md", {}, ValueError),
        ("workers.py", {"pyobject": "no_such_function"}, ValueError),
        ("workers.py", {"start_at": "no such text anywhere"}, ValueError),
        ("workers.py", {"pyobject": "square", "dedent": 8}, ValueError),
        ("no_such_module.py", {}, FileNotFoundError),
    ],
)
def test_listed_lines_rejects_what_it_cannot_show(path, options, error):
    with pytest.raises(error):
        report.listed_lines(path, **options)


def test_listing_displays_a_python_code_block(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "IPython.display.display",
        lambda data, **kwargs: shown.append((data, kwargs)),
    )
    report.listing("workers.py", pyobject="square")
    ((data, kwargs),) = shown
    text = data["text/markdown"]
    assert text.startswith("```python\ndef square(") and text.endswith("```\n")
    assert kwargs["metadata"][report.METADATA_KEY] == {"listing": "workers.py"}


def test_listing_tabs_puts_each_definition_in_its_tab(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "IPython.display.display",
        lambda data, **kwargs: shown.append(data["text/markdown"]),
    )
    report.listing_tabs(
        "workers.py", {"Square": ["square"], "Both": ["square", "cube"]}
    )
    (text,) = shown
    assert text.startswith("::::{tab-set}\n:::{tab-item} Square\n```python\n")
    assert text.count(":::{tab-item}") == 2
    assert text.count("def square(") == 2 and text.count("def cube(") == 1
    assert text.rstrip().endswith("::::")
