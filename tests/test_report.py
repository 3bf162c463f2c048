"""multicore_guide.report: tables (say() is tested in tests/book/test_prose.py)."""

import pytest

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
