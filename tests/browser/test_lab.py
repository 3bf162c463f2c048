"""Each chapter in JupyterLab, as a reader who runs `make lab` sees it.

The server is started by the same command as `make lab` (LAB_COMMAND, which
the Makefile passes in), on 127.0.0.1 with a random port and token. For each
chapter, headless Chromium opens the notebook and checks that the MyST in its
markdown cells is rendered by jupyterlab-myst: no raw directive or role text
(`:::{`, a code fence with a directive, `{cite}`, `{term}`, `{doc}`) is
visible. Screenshots of the first screen and of the first exercise go to
_build/screenshots/lab/.

Run by `make browser`. Without Chromium or Playwright the module is skipped
with one line of reason, except under CI=true, where it fails.
"""

import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .test_book import CHROMIUM, CHROMIUM_ARGS, ROOT

SHOTS = ROOT / "_build" / "screenshots" / "lab"
NOTEBOOKS = sorted(p.name for p in (ROOT / "book").glob("[0-9]*.ipynb"))
RAW_MYST = (":::{", "```{", "{cite}`", "{term}`", "{doc}`", "{ref}`")
# the command `make lab` runs, less the options that the test adds
DEFAULT_LAB = f"{Path(sys.executable).parent / 'jupyter'} lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=book"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listings(name):
    """The first non-blank line of each listing the notebook shows."""
    import json

    sys.path.insert(0, str(ROOT / "tests" / "book"))
    from test_notebooks import listing_calls  # noqa: E402

    from multicore_guide.report import listed_lines

    notebook = json.loads((ROOT / "book" / name).read_text(encoding="utf-8"))
    return [
        next(line.strip() for line in listed_lines(path, **options) if line.strip())
        for _, path, options in listing_calls(notebook)
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1; yields its base URL and token."""
    port, token = _free_port(), secrets.token_hex(16)
    settings = tmp_path_factory.mktemp("lab-settings")
    # render every cell at once, so that every markdown cell can be read
    tracker = (
        settings
        / "@jupyterlab"
        / "notebook-extension"
        / "tracker.jupyterlab-settings"
    )
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}\n', encoding="utf-8")
    command = shlex.split(os.environ.get("LAB_COMMAND", DEFAULT_LAB)) + [
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        f"--ServerApp.token={token}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    log = open(tmp_path_factory.mktemp("lab-log") / "lab.log", "w")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(
                    f"{url}/api/status?token={token}", timeout=2
                )
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not start; see {log.name}",
                        pytrace=False,
                    )
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_reads_as_in_the_book(lab, page, name):
    url, token = lab
    # ?reset: a fresh workspace, so that only this notebook is open
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}", timeout=60_000)
    cells = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell"
    page.wait_for_selector(cells, timeout=60_000)
    # jupyterlab-myst renders each markdown cell into a .myst element
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{cells}')].every(c => c.querySelector('.myst'))",
        timeout=30_000,
    )
    time.sleep(1)
    stem = name.removesuffix(".ipynb")
    page.screenshot(path=str(SHOTS / f"{stem}.png"))
    texts = page.eval_on_selector_all(
        cells, "cells => cells.map(c => c.innerText)"
    )
    raw = [t for t in texts if any(marker in t for marker in RAW_MYST)]
    assert not raw, (
        f"{name}: raw MyST is visible in JupyterLab:\n"
        + "\n---\n".join(t[:300] for t in raw)
    )
    # each listing of the package's source shows its code as the output of
    # a cell whose input is collapsed (Sphinx's literalinclude, which
    # JupyterLab cannot render, is not used)
    expected = _listings(name)
    outputs = page.eval_on_selector_all(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output",
        # textContent: a listing in a tab that is not open is there too
        "outs => outs.map(o => o.textContent)",
    )
    missing = [
        first for first in expected if not any(first in o for o in outputs)
    ]
    assert not missing, f"{name}: listings not shown: {missing}"
    listing = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output pre"
    ).first
    if expected and listing.count():
        listing.scroll_into_view_if_needed()
        time.sleep(0.5)
        page.screenshot(path=str(SHOTS / f"{stem}-listing.png"))
    exercise = page.locator(cells, has_text="Exercise 1").first
    if exercise.count():
        exercise.scroll_into_view_if_needed()
        time.sleep(0.5)
        page.screenshot(path=str(SHOTS / f"{stem}-exercise.png"))
