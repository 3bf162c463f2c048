"""Results shown as prose, tables and listings: :func:`say`, :func:`table`, :func:`listing`.

A number measured in a cell and typed into the prose goes stale the next
time the notebook runs. Instead, a chapter writes such a sentence with
:func:`say`, in a cell right after the measurement::

    say("Two workers ran the job {speedup:.2f} times as fast as the loop.",
        speedup=scaling.speedups[0])

The cell's output is the sentence, as Markdown (MyST), so it reads as prose
both in the built book (the cell's input is removed, tag ``remove-input``)
and in JupyterLab (the input is collapsed, ``jupyter.source_hidden``).
Each value is wrapped in ``<span class="measured">``: the nbval sanitizer
masks exactly those spans, so the rest of the sentence is still compared.
The output's metadata keeps the template and the values, and
``tests/book/test_prose.py`` renders them again: a number changed by hand
in a stored output no longer matches, and the test fails.

:func:`listing` shows lines of the package's own source, as a highlighted
code block, in the same way: the cell's input is hidden, and the output
is the code. A listing is therefore the code that runs, it reads the same
in the built book and in JupyterLab (which cannot render Sphinx's
``literalinclude``), and nbval compares it with the source on every run.
"""

from __future__ import annotations

import ast
import html
import numbers
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "MEASURED_CLASS",
    "METADATA_KEY",
    "Table",
    "listed_lines",
    "listing",
    "listing_tabs",
    "render",
    "say",
    "table",
]


# the class of the span around each value; the sanitizer masks these spans
MEASURED_CLASS = "measured"


# where the template and the values are kept in the output's metadata
METADATA_KEY = "multicore_guide"


_FORMATTER = string.Formatter()


def _plain(value: Any) -> Any:
    """Return ``value`` as JSON can store it: a Python int, float, str or bool."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(
        f"say() takes numbers and strings, got {type(value).__name__}"
    )


def render(template: str, values: dict[str, Any]) -> str:
    """Return ``template`` with each ``{name:spec}`` filled in and wrapped in a measured span.

    Only plain names are allowed in the fields (no ``{a.b}``, ``{a[0]}`` or
    ``!r``), and every name must be given, and used.

    Raises:
        TypeError: ``template`` is not a string, or a value is not a number or a string.
        ValueError: a field is not a plain name, a name has no value, or a value is unused.
    """
    if not isinstance(template, str):
        raise TypeError(
            f"template must be a str, got {type(template).__name__}"
        )
    parts: list[str] = []
    used: set[str] = set()
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if name is None:
            continue
        if not name.isidentifier() or conversion is not None:
            raise ValueError(
                f"say() fields are plain names with an optional format, got {{{name}}}"
            )
        if name not in values:
            raise ValueError(f"no value for {{{name}}} in say()")
        used.add(name)
        text = format(_plain(values[name]), spec or "")
        parts.append(f'<span class="{MEASURED_CLASS}">{text}</span>')
    unused = sorted(set(values) - used)
    if unused:
        raise ValueError(
            f"say() got values that the sentence does not use: {unused}"
        )
    return "".join(parts)


def say(template: str, /, **values: Any) -> None:
    """Show a sentence whose numbers come from this run, as Markdown.

    Args:
        template: the sentence, MyST Markdown with ``str.format`` fields,
            e.g. ``"{speedup:.2f}"``. Braces that belong to the Markdown
            are doubled, as in any format string: ``{{doc}}`08_ipc```.
        values: one number or string for each field.

    Raises:
        TypeError, ValueError: as for :func:`render`.
    """
    from IPython.display import display

    markdown = render(template, values)
    plain = {name: _plain(value) for name, value in values.items()}
    display(
        {"text/markdown": markdown},
        raw=True,
        metadata={METADATA_KEY: {"template": template, "values": plain}},
    )


# the package's own folder: listings show files below it, and nothing else
PACKAGE = Path(__file__).resolve().parent


def listed_lines(
    path: str,
    *,
    pyobject: str | None = None,
    start_at: str | None = None,
    end_at: str | None = None,
    end_before: str | None = None,
    dedent: int = 0,
) -> list[str]:
    """Return the lines of ``path`` (relative to the package) that a listing shows.

    The options work as Sphinx's ``literalinclude`` does: ``pyobject``
    (``"f"`` or ``"Class.method"``) narrows the file to one definition,
    with its decorators; then the first line containing ``start_at`` is
    the first line shown, and the first line after it containing
    ``end_at`` the last (``end_before``: the line before it); ``dedent``
    removes that many columns of indentation.

    Raises:
        ValueError: ``path`` leaves the package, or an anchor is not found.
        FileNotFoundError: there is no such file.
    """
    file = (PACKAGE / path).resolve()
    if PACKAGE not in file.parents:
        raise ValueError(f"path must name a file in the package, got {path!r}")
    lines = file.read_text(encoding="utf-8").splitlines()
    if pyobject is not None:
        body: list[ast.stmt] = ast.parse("\n".join(lines)).body
        node: Any = None
        for name in pyobject.split("."):
            node = next(
                (n for n in body if getattr(n, "name", None) == name), None
            )
            if node is None:
                raise ValueError(f"{path} defines no {pyobject!r}")
            body = getattr(node, "body", [])
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        lines = lines[first - 1 : node.end_lineno]

    def find(text: str, after: int = 0) -> int:
        for index in range(after, len(lines)):
            if text in lines[index]:
                return index
        raise ValueError(f"{path}: no line contains {text!r}")

    if start_at is not None:
        lines = lines[find(start_at) :]
    if end_at is not None:
        lines = lines[: find(end_at) + 1]
    if end_before is not None:
        lines = lines[: find(end_before)]
    if dedent:
        for line in lines:
            if line.strip() and not line.startswith(" " * dedent):
                raise ValueError(
                    f"{path}: cannot dedent {line!r} by {dedent} columns"
                )
        lines = [line[dedent:] for line in lines]
    return lines


def listing(path: str, **options: Any) -> None:
    """Show lines of the package's source as a highlighted code block.

    ``path`` is relative to the package (``"workers.py"``,
    ``"examples/guide_example2_guarded.py"``); the options are those of
    :func:`listed_lines`. Python files are highlighted as Python, others
    as plain text.

    Raises:
        ValueError, FileNotFoundError: as for :func:`listed_lines`.
    """
    from IPython.display import display

    code = "\n".join(listed_lines(path, **options))
    language = "python" if path.endswith(".py") else "text"
    fence = "````" if "```" in code else "```"
    display(
        {"text/markdown": f"{fence}{language}\n{code}\n{fence}\n"},
        raw=True,
        metadata={METADATA_KEY: {"listing": path}},
    )


def listing_tabs(path: str, tabs: Mapping[str, Sequence[str]]) -> None:
    """Show whole definitions of one file side by side, one tab each.

    ``tabs`` maps a tab's title to the names (``pyobject``) of the
    functions or classes it lists, in order. The output is a MyST tab set,
    which the built book and JupyterLab (with jupyterlab-myst) both render.

    Raises:
        ValueError, FileNotFoundError: as for :func:`listed_lines`.
    """
    from IPython.display import display

    parts = ["::::{tab-set}"]
    for title, names in tabs.items():
        parts.append(f":::{{tab-item}} {title}")
        for name in names:
            code = "\n".join(listed_lines(path, pyobject=name))
            parts.append(f"```python\n{code}\n```")
        parts.append(":::")
    parts.append("::::")
    display(
        {"text/markdown": "\n".join(parts) + "\n"},
        raw=True,
        metadata={METADATA_KEY: {"listing": path}},
    )


class Table:
    """Rows of results, shown as a real table: HTML in a notebook, aligned text elsewhere.

    Build one with :func:`table`. Numbers are formatted with the format
    spec given for their column, so the table shows rounded values with
    their units in the headers.
    """

    def __init__(
        self, headers: list[str], cells: list[list[str]], numeric: list[bool]
    ) -> None:
        self.headers = headers
        self.cells = cells
        self.numeric = numeric

    def _repr_html_(self) -> str:
        def align(i: int) -> str:
            return (
                ' style="text-align: right"'
                if self.numeric[i]
                else ' style="text-align: left"'
            )

        head = "".join(
            f"<th{align(i)}>{html.escape(h)}</th>"
            for i, h in enumerate(self.headers)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td{align(i)}>{html.escape(c)}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in self.cells
        )
        return f'<table class="mg-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self) -> str:
        widths = [
            max([len(h)] + [len(row[i]) for row in self.cells])
            for i, h in enumerate(self.headers)
        ]

        def line(values: list[str]) -> str:
            return "  ".join(
                v.rjust(w) if self.numeric[i] else v.ljust(w)
                for i, (v, w) in enumerate(zip(values, widths))
            ).rstrip()

        return "\n".join(
            [line(self.headers), line(["-" * w for w in widths])]
            + [line(r) for r in self.cells]
        )


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
) -> Table:
    """Return ``rows`` (a list of dicts) as a :class:`Table`.

    Args:
        rows: one dict per row; every row has the same keys.
        columns: key -> header, in the order to show, e.g.
            ``{"workers": "workers", "seconds": "time (s)"}``; all keys when ``None``.
        formats: key -> format spec for that column, e.g. ``{"seconds": ".3f"}``;
            other numbers are shown with ``str``.

    Raises:
        TypeError: ``rows`` is not a sequence of mappings.
        ValueError: ``rows`` is empty, or a row lacks a column.
    """
    if (
        isinstance(rows, Mapping)
        or not isinstance(rows, Sequence)
        or not all(isinstance(r, Mapping) for r in rows)
    ):
        raise TypeError("rows must be a sequence of mappings")
    if not rows:
        raise ValueError("rows must hold at least one row")
    columns = (
        dict(columns) if columns is not None else {key: key for key in rows[0]}
    )
    formats = dict(formats or {})
    cells = []
    for row in rows:
        missing = [key for key in columns if key not in row]
        if missing:
            raise ValueError(f"a row lacks the columns {missing}")
        cells.append(
            [
                format(row[key], formats.get(key, ""))
                if formats.get(key)
                else str(row[key])
                for key in columns
            ]
        )
    numeric = [
        all(
            isinstance(row[key], numbers.Real)
            and not isinstance(row[key], bool)
            for row in rows
        )
        for key in columns
    ]
    return Table(list(columns.values()), cells, numeric)
