"""Sentences whose numbers come from the run: :func:`say`.

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
``tests/test_prose.py`` renders them again: a number changed by hand in a
stored output no longer matches, and the test fails.
"""

from __future__ import annotations

import numbers
import string
from typing import Any

__all__ = ["MEASURED_CLASS", "METADATA_KEY", "render", "say"]

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
    raise TypeError(f"say() takes numbers and strings, got {type(value).__name__}")


def render(template: str, values: dict[str, Any]) -> str:
    """Return ``template`` with each ``{name:spec}`` filled in and wrapped in a measured span.

    Only plain names are allowed in the fields (no ``{a.b}``, ``{a[0]}`` or
    ``!r``), and every name must be given, and used.

    Raises:
        TypeError: ``template`` is not a string, or a value is not a number or a string.
        ValueError: a field is not a plain name, a name has no value, or a value is unused.
    """
    if not isinstance(template, str):
        raise TypeError(f"template must be a str, got {type(template).__name__}")
    parts: list[str] = []
    used: set[str] = set()
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if name is None:
            continue
        if not name.isidentifier() or conversion is not None:
            raise ValueError(f"say() fields are plain names with an optional format, got {{{name}}}")
        if name not in values:
            raise ValueError(f"no value for {{{name}}} in say()")
        used.add(name)
        text = format(_plain(values[name]), spec or "")
        parts.append(f'<span class="{MEASURED_CLASS}">{text}</span>')
    unused = sorted(set(values) - used)
    if unused:
        raise ValueError(f"say() got values that the sentence does not use: {unused}")
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
