"""Run a small Python program in a fresh interpreter and keep what it printed.

Some behaviour belongs to a whole program rather than to a cell: the
``if __name__ == "__main__":`` guard, what happens at interpreter exit, the
default start method of a new interpreter, the warnings it prints. The
book's example scripts live in the package's ``examples/`` folder,
package data that is never imported; these functions run them with
``subprocess.run`` under a timeout, so a cell that calls them cannot hang.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_real
from .timing import timer

__all__ = [
    "ScriptRun",
    "example_path",
    "exception_lines",
    "plain_text",
    "run_example",
    "run_python",
    "stderr_to_file",
]


EXAMPLES = Path(__file__).resolve().parent / "examples"


# the escape codes with which Python 3.13 and newer colour a traceback: a
# child inherits FORCE_COLOR=1 from the Jupyter kernel, which ipykernel sets
_COLOUR_CODE = re.compile(r"\x1b\[[0-9;]*m")


# "SomeError: message", or a warning's "path.py:12: SomeWarning: message"
_EXCEPTION_LINE = re.compile(
    r"^(?:\S.*?:\d+: )?([A-Za-z_][\w.]*(?:Error|Exception|Warning|Pool)):[ \t]*(.*)$"
)


@dataclass
class ScriptRun:
    """What a finished interpreter left behind.

    Attributes:
        args: the arguments after the interpreter's path.
        returncode: the exit code (negative: killed by that signal).
        stdout: everything written to standard output.
        stderr: everything written to standard error.
        seconds: the wall-clock time of the whole run.
    """

    args: list[str]
    returncode: int
    stdout: str
    stderr: str = field(repr=False)
    seconds: float = field(default=0.0, repr=False)

    def exceptions(self, *, warnings: bool = False) -> list[str]:
        """The distinct exception lines in ``stderr`` (see :func:`exception_lines`)."""
        return exception_lines(self.stderr, warnings=warnings)


def plain_text(text: str) -> str:
    """Return ``text`` without the colour escape codes of a 3.13+ traceback.

    Raises:
        TypeError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _COLOUR_CODE.sub("", text)


def exception_lines(text: str, *, warnings: bool = False) -> list[str]:
    """Return each distinct ``Name: message`` line of a traceback text, in order.

    A traceback ends with a line such as ``RuntimeError: message``; when
    the message starts on the next line (as multiprocessing's bootstrapping
    error does), its first paragraph, joined into one line, stands in. Lines naming
    a ``...Warning`` are kept only with ``warnings=True``. The full
    tracebacks, with their file paths and line numbers, differ between
    Python versions; these lines do not. Colour codes are removed first.

    Raises:
        TypeError: ``text`` is not a string.
    """
    lines = plain_text(text).splitlines()
    found: list[str] = []
    for index, line in enumerate(lines):
        match = _EXCEPTION_LINE.match(line)
        if match is None:
            continue
        name, message = match.groups()
        if name.endswith("Warning") and not warnings:
            continue
        if not message:
            message = _first_paragraph(lines[index + 1 :])
        entry = f"{name}: {message}".strip()
        if entry not in found:
            found.append(entry)
    return found


@dataclass
class CapturedText:
    """What a :func:`stderr_to_file` block wrote; ``text`` is set at its end."""

    text: str = ""


@contextmanager
def stderr_to_file() -> Iterator[CapturedText]:
    """Point this process's file descriptor 2 at a temporary file for the block.

    A child process started inside the block inherits descriptor 2, so its
    standard error (a traceback, say) goes to the file, not wherever the
    parent's goes: a notebook kernel may relay it, or leave it in the
    terminal that started Jupyter. When the block ends, descriptor 2 is
    restored and the yielded object's ``text`` holds what was written.
    Python code in a kernel writes to ``sys.stderr``, which does not go
    through descriptor 2 there; only what the process writes to the
    descriptor itself lands in the file.
    """
    captured = CapturedText()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as file:
        os.dup2(file.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            file.seek(0)
            captured.text = file.read().decode("utf-8", errors="replace")


def _first_paragraph(lines: list[str]) -> str:
    """Join the first run of non-blank lines into one line."""
    paragraph: list[str] = []
    for line in lines:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    return " ".join(paragraph)


def example_path(name: str) -> Path:
    """Return the path of the example script ``name`` (e.g. ``"fork_with_threads.py"``).

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: there is no such script.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    path = EXAMPLES / name
    if (
        path.suffix != ".py"
        or path.name.startswith("_")
        or path.parent != EXAMPLES
        or not path.is_file()
    ):
        choices = sorted(p.name for p in EXAMPLES.glob("[!_]*.py"))
        raise ValueError(
            f"no example script {name!r}; choose one of {choices}"
        )
    return path


def run_python(
    args: list[str], *, python: str | None = None, timeout: float = 60.0
) -> ScriptRun:
    """Run ``python *args`` in a fresh interpreter, capture its output, and return it.

    ``python`` defaults to the interpreter running this code. The run is
    killed after ``timeout`` seconds.

    Raises:
        TypeError: ``args`` is not a list of strings.
        ValueError: ``timeout`` is not positive.
        subprocess.TimeoutExpired: the run took longer than ``timeout``.
    """
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise TypeError("args must be a list of str")
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    command = [python or sys.executable, *args]
    with timer("run") as elapsed:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return ScriptRun(
        args, done.returncode, done.stdout, done.stderr, elapsed.median
    )


def run_example(
    name: str,
    *args: str,
    warnings: str | None = None,
    as_command: bool = False,
    python: str | None = None,
    timeout: float = 60.0,
) -> ScriptRun:
    """Run the example script ``name`` with ``args`` in a fresh interpreter.

    ``warnings`` is passed on as ``-W warnings`` (e.g. ``"always"``).
    With ``as_command=True`` the script's text is run with ``python -c``,
    so that its main module has no file, as a notebook's has none.

    Raises:
        TypeError, ValueError: as for :func:`example_path` and :func:`run_python`.
        subprocess.TimeoutExpired: the run took longer than ``timeout``.
    """
    path = example_path(name)
    options = ["-W", warnings] if warnings is not None else []
    target = (
        ["-c", path.read_text(encoding="utf-8")] if as_command else [str(path)]
    )
    return run_python(
        [*options, *target, *map(str, args)], python=python, timeout=timeout
    )
