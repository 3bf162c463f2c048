"""The built book, read in a real browser with the network switched off.

Headless Chromium (Debian's `chromium` package, driven by Playwright for
Python; `playwright install` is never needed) opens every page named in
_toc.yml from _build/html over file://, while every http(s) request is
blocked. Each page must show: every chapter in the navigation, no broken image
or link, math rendered by MathJax, saved widget state drawn as widgets, and no
JavaScript error beyond Jupyter Book's known noise (KNOWN_NOISE). A full-page
screenshot of each page goes to _build/screenshots/.

Run by `make browser` (part of `make test`) after the strict build. Without
Chromium or Playwright the module is skipped with one line of reason, except
under CI=true, where a missing browser is a failure.
"""

import os
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Chromium's flags for a quiet, headless, offline run as root in a container
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# console errors that Jupyter Book 1 itself causes, harmless to the reader:
# sphinx-thebe's configuration script is added to each page twice, so its
# second `const THEBE_JS_URL` is a SyntaxError (Thebe is off in _config.yml,
# nothing uses the value); pydata-sphinx-theme logs the theme mode that a
# fresh browser profile has not stored yet
KNOWN_NOISE = (
    "Identifier 'THEBE_JS_URL' has already been declared",
    "Got invalid theme mode",
)


def _missing(reason):
    """Skip the module with one line of reason, or fail under CI=true."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def _chromium():
    for candidate in (
        os.environ.get("CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    _missing("Playwright for Python is not installed (pip install playwright)")

CHROMIUM = _chromium()
if CHROMIUM is None:  # pragma: no cover - depends on the machine
    _missing(
        "no Chromium found (Debian: apt-get install chromium chromium-driver, or set CHROMIUM=/path)"
    )


def _toc_files():
    """Every file named in _toc.yml, root first, nested sections included."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

    def walk(entries, depth):
        for entry in entries or []:
            if "file" in entry:
                yield entry["file"], depth
            yield from walk(entry.get("sections"), depth + 1)
            yield from walk(entry.get("chapters"), depth)

    files = [(toc["root"], 0)]
    files += list(walk(toc.get("chapters"), 0))
    for part in toc.get("parts", []):
        files += list(walk(part.get("chapters"), 0))
    return files


TOC = _toc_files()
PAGES = [name for name, _ in TOC]
TOP_LEVEL = [name for name, depth in TOC if depth == 0]


def _html(docname):
    return HTML / f"{docname}.html"


def _local_path(url):
    """The file a file:// URL names, without query or fragment."""
    return Path(unquote(urlsplit(url).path))


@pytest.fixture(scope="module")
def browser_context():
    if not (HTML / "index.html").exists():
        pytest.fail(
            f"no built book in {HTML}; run `make book` first", pytrace=False
        )
    SHOTS.mkdir(parents=True, exist_ok=True)
    blocked = []

    def block(route):
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            lambda url: url.startswith(("http://", "https://")), block
        )
        try:
            yield context, blocked
        finally:
            context.close()
            browser.close()


def _open(context, url):
    """Open url; return the page and lists that collect its errors."""
    page = context.new_page()
    errors, failed = [], []
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error" and errors.append(f"console: {msg.text}")
        ),
    )
    page.on(
        "requestfailed",
        lambda req: failed.append(f"{req.url} ({req.failure})"),
    )
    page.goto(url, wait_until="load", timeout=30_000)
    return page, errors, failed


WAIT_FOR_MATH = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
}"""

WIDGETS_DRAWN = """() => {
    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]');
    const drawn = [...document.querySelectorAll('.widget-subarea')]
        .filter(el => el.getBoundingClientRect().height > 0);
    return drawn.length >= views.length;
}"""

PAGE_FACTS = """async () => {
    // images below the fold are lazy: load them all before judging them
    const images = [...document.images];
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.decode().catch(() => null)));
    const broken = images.filter(img => !img.complete || img.naturalWidth === 0)
        .map(img => img.currentSrc || img.src || img.alt);

    const nav = document.querySelector('nav.bd-docs-nav');
    const navLinks = nav ? [...nav.querySelectorAll('a.reference.internal')] : [];
    const visible = el => el.getClientRects().length > 0 && !el.closest('details:not([open])');
    const sidebar = document.querySelector('.bd-sidebar-primary');

    const rawMath = [];
    const walker = document.createTreeWalker(
        document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
    const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest(skip) && /\\\\[()\\[\\]]|\\$\\$/.test(node.data)) {
            rawMath.push(node.data.trim().slice(0, 80));
        }
    }

    const links = [...document.querySelectorAll('a[href], link[href], script[src]')]
        .map(el => el.href || el.src).filter(u => u.startsWith('file:'));

    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]');
    const widgetText = [...document.querySelectorAll('.widget-subarea')]
        .map(el => el.innerText).join('\\n');
    return {
        title: document.title,
        broken,
        navHrefs: navLinks.map(a => a.href.split('#')[0]),
        visibleNavHrefs: navLinks.filter(visible).map(a => a.href.split('#')[0]),
        sidebarHrefs: sidebar ? [...sidebar.querySelectorAll('a[href]')].map(a => a.href.split('#')[0]) : [],
        mathSource: document.querySelectorAll('.math').length,
        mathRendered: document.querySelectorAll('mjx-container').length,
        mathErrors: document.querySelectorAll('mjx-merror').length,
        rawMath,
        links,
        widgetViews: views.length,
        widgetState: document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-state+json"]').length,
        widgetsDrawn: [...document.querySelectorAll('.widget-subarea')]
            .filter(el => el.getBoundingClientRect().height > 0
                          && el.querySelector('.jupyter-widgets, .lm-Widget')).length,
        widgetError: /Error displaying widget|Could not (load|find)/.test(widgetText),
    };
}"""


def test_every_toc_page_was_built():
    missing = [name for name in PAGES if not _html(name).exists()]
    assert not missing, f"pages in _toc.yml with no HTML in {HTML}: {missing}"


def test_front_page_redirects_to_the_root(browser_context):
    context, _ = browser_context
    page, errors, _ = _open(context, (HTML / "index.html").as_uri())
    try:
        page.wait_for_url(_html(PAGES[0]).as_uri() + "*", timeout=10_000)
    finally:
        page.close()


@pytest.mark.parametrize("docname", PAGES)
def test_page_reads_offline(browser_context, docname):
    context, blocked = browser_context
    already_blocked = len(blocked)
    start = time.perf_counter()
    page, errors, failed = _open(context, _html(docname).as_uri())
    problems = []
    try:
        page.evaluate(WAIT_FOR_MATH)
        try:
            page.wait_for_function(WIDGETS_DRAWN, timeout=20_000)
        except Exception:  # reported below through the facts
            pass
        facts = page.evaluate(PAGE_FACTS)
        shot = SHOTS / f"{docname.replace('/', '_')}.png"
        # finish the theme's CSS transitions (the sidebar slides in), which a
        # busy machine can otherwise catch halfway
        page.screenshot(path=str(shot), full_page=True, animations="disabled")
    finally:
        page.close()

    # every chapter is in the navigation; the top-level ones can be seen
    nav = set(facts["navHrefs"]) | set(facts["sidebarHrefs"])
    for name in PAGES:
        url = _html(name).as_uri()
        if url not in nav and name != docname:
            problems.append(f"{name} is not in the navigation")
        elif (
            name in TOP_LEVEL[1:]
            and url not in facts["visibleNavHrefs"]
            and name != docname
        ):
            problems.append(f"{name} is in the navigation but hidden")

    if facts["broken"]:
        problems.append(f"broken images: {facts['broken']}")
    dead = sorted(
        {
            str(_local_path(u))
            for u in facts["links"]
            if not _local_path(u).exists()
        }
    )
    if dead:
        problems.append(f"links to missing files: {dead}")

    if facts["mathSource"] and facts["mathRendered"] < facts["mathSource"]:
        problems.append(
            f"MathJax rendered {facts['mathRendered']} of {facts['mathSource']} math elements"
        )
    if facts["mathErrors"]:
        problems.append(f"{facts['mathErrors']} MathJax errors (mjx-merror)")
    if facts["rawMath"]:
        problems.append(f"raw TeX left in the text: {facts['rawMath'][:3]}")

    if facts["widgetViews"]:
        if not facts["widgetState"]:
            problems.append(
                "widget views but no saved widget state; run `make execute`"
            )
        if facts["widgetsDrawn"] < facts["widgetViews"]:
            problems.append(
                f"{facts['widgetViews']} widget views, {facts['widgetsDrawn']} drawn"
            )
        if facts["widgetError"]:
            problems.append("a widget shows an error instead of its view")

    real_errors = [
        e for e in errors if not any(noise in e for noise in KNOWN_NOISE)
    ]
    if real_errors:
        problems.append(f"JavaScript errors: {real_errors}")
    new_blocked = blocked[already_blocked:]
    if new_blocked:
        problems.append(
            f"the page asked the network for: {sorted(set(new_blocked))}"
        )
    lost = [f for f in failed if not f.startswith(("http://", "https://"))]
    if lost:
        problems.append(f"failed requests: {lost}")

    elapsed = time.perf_counter() - start
    assert not problems, (
        f"{docname} ({elapsed:.1f} s, screenshot {shot}):\n  "
        + "\n  ".join(problems)
    )


LAYOUT_FACTS = """() => {
    const main = document.querySelector('main') || document.body;
    const shown = el => el.getClientRects().length > 0 && !el.closest('details:not([open])');
    const overflows = el => el.scrollWidth > el.clientWidth + 1;
    const describe = el => (el.innerText || '').trim().split('\\n')[0].slice(0, 60);
    // a cell's input, and a listing of the package's source (a cell tagged
    // "listing", whose output is the code), are source listings
    const isSource = el => !!el.closest('.tag_listing')
        || (!!el.closest('.cell_input, div[class*="highlight-"]:not(.output)')
            && !el.closest('.cell_output'));
    const blocks = [...main.querySelectorAll('pre, table')].filter(shown);
    const wide = blocks.filter(overflows).map(el => ({source: isSource(el), text: describe(el)}));
    const images = [...main.querySelectorAll('img')].filter(img => !img.closest('.widget-subarea'));
    const uncaptioned = images.filter(img => !img.closest('figure')?.querySelector('figcaption'))
        .map(img => img.alt || img.src.split('/').pop());
    const noAlt = images.filter(img => !img.alt || /^[.\\/\\w-]*[0-9a-f]{16,}\\.(png|svg|jpe?g)$/.test(img.alt))
        .map(img => img.src.split('/').pop());
    const outputs = [...main.querySelectorAll('.cell_output')].filter(shown);
    const tracebacks = outputs.filter(el => /Traceback \\(most recent call last\\)/.test(el.innerText))
        .map(describe);
    const paths = /(^|[\\s'"(])\\/(root|work|opt)\\//;
    const machinePaths = [...main.querySelectorAll('.cell_output, p, li, td')].filter(shown)
        .filter(el => paths.test(el.innerText)).map(describe);
    return {
        pageWide: document.documentElement.scrollWidth > window.innerWidth + 1,
        wide, uncaptioned, noAlt, tracebacks, machinePaths,
    };
}"""


@pytest.mark.parametrize("width", [1280, 400], ids=["desktop", "phone"])
@pytest.mark.parametrize("docname", PAGES)
def test_page_layout(browser_context, docname, width):
    """Nothing overflows, every figure has a caption and alt text, no machine paths, no open traceback.

    At desktop width no code or output block scrolls sideways. At phone width
    (400 px) source listings may scroll, because code is never wrapped; the
    page itself, outputs, tables and prose must fit.
    """
    context, _ = browser_context
    page, _, _ = _open(context, _html(docname).as_uri())
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(WAIT_FOR_MATH)
        facts = page.evaluate(LAYOUT_FACTS)
        if width < 1280:
            page.screenshot(
                path=str(SHOTS / f"{docname.replace('/', '_')}-{width}px.png"),
                full_page=False,
            )
    finally:
        page.close()
    problems = []
    if facts["pageWide"]:
        problems.append("the page is wider than the window")
    wide = [w for w in facts["wide"] if width >= 1280 or not w["source"]]
    if wide:
        problems.append(
            f"blocks that scroll sideways: {[w['text'] for w in wide]}"
        )
    if width >= 1280:
        if facts["uncaptioned"]:
            problems.append(
                f"figures without a caption: {facts['uncaptioned']}"
            )
        if facts["noAlt"]:
            problems.append(f"images without real alt text: {facts['noAlt']}")
        if facts["tracebacks"]:
            problems.append(
                f"tracebacks outside a collapsed block: {facts['tracebacks']}"
            )
        if facts["machinePaths"]:
            problems.append(
                f"build-machine paths shown: {facts['machinePaths']}"
            )
    assert not problems, f"{docname} at {width} px:\n  " + "\n  ".join(
        problems
    )
