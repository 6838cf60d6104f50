"""The book builds without a single Sphinx warning, and every page is clean in a real browser.

The module builds the book once (`jupyter-book build . --all -W -n --keep-going`, into `_build/`
at the repository root; the stored notebook outputs are rendered, nothing is executed), serves
`_build/html/` on 127.0.0.1, and opens every HTML page in headless Debian Chromium, driven by
Playwright. A page fails on:

- a request to any host other than the local server (it is aborted and recorded: the book must
  work offline, MathJax and fonts included), a request that failed, or an HTTP error status;
- an uncaught script error, or an error on the console;
- an image that did not load (`naturalWidth == 0`);
- math that MathJax did not typeset: every `.math` element must hold an `mjx-container`, no
  MathJax error box may appear, and no raw `\\(`, `\\[` or `$$` may be left in the text;
- a code line cut off at the page's edge: at 1280 px no `pre` (code cell, listing of vaelib's
  source, printed output) may be wider than its box (`_static/code-lines.css` wraps them).

The interactive figures of chapters 3, 6 and 8 are then driven on their built pages as a reader
would (sliders set, pointer moved): the numbers they show must equal Python's and the picture
must change with the input; a screenshot of each in two states is saved.

Each chapter page must also carry an "open in Colab" link built from `repository:` in
`_config.yml`. A full-page screenshot of every page is saved to `_build/screenshots/`.

Needs Chromium at /usr/bin/chromium (`bash .ci/install_system_packages.sh`) and the `playwright`
Python package; it never downloads a browser of its own.
"""

from __future__ import annotations

import functools
import http.server
import math
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
SCREENSHOT_DIR = BUILD_DIR / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
BUILD_TIMEOUT_S = 1200
PAGE_TIMEOUT_MS = 60_000

# Runs in the page once it has loaded: waits for MathJax's first typesetting pass and for
# every image (lazy ones included), then reports what a reader would see.
INSPECT_PAGE_JS = r"""
async () => {
  for (const img of document.images) { img.loading = "eager"; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all(Array.from(document.images, (img) => img.decode().catch(() => null)));
  await document.fonts.ready;

  const mathNodes = Array.from(document.querySelectorAll(".math"));
  const untypeset = mathNodes
    .filter((el) => !el.querySelector("mjx-container"))
    .map((el) => el.textContent.trim().slice(0, 80));
  const mathErrors = Array.from(
    document.querySelectorAll("mjx-merror"),
    (el) => (el.getAttribute("data-mjx-error") || el.textContent).slice(0, 80));

  // The text a reader sees, without code listings (where TeX may legitimately appear).
  const main = (document.querySelector("main") || document.body).cloneNode(true);
  main.querySelectorAll("pre, code, script, style, textarea, mjx-container, mjx-assistive-mml")
      .forEach((el) => el.remove());
  const text = main.textContent;
  const rawTex = ["\\(", "\\)", "\\[", "\\]", "$$"].filter((d) => text.includes(d));

  // Code lines cut off at the page's edge: a listing, code cell or output whose text is wider
  // than its box (the reader would have to scroll sideways to read the end of the line).
  const cutCode = Array.from(document.querySelectorAll("main pre"))
    .filter((pre) => pre.clientWidth > 0 && pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => pre.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a))
      .slice(0, 80));

  const brokenImages = Array.from(document.images)
    .filter((img) => !img.complete || img.naturalWidth === 0)
    .map((img) => img.currentSrc || img.src);

  return {
    mathNodes: mathNodes.length,
    mjxContainers: document.querySelectorAll("mjx-container").length,
    untypeset, mathErrors, rawTex, brokenImages, cutCode,
    links: Array.from(document.querySelectorAll("a[href]"), (a) => a.href),
  };
}
"""


# --------------------------------------------------------------------------- building


def _jupyter_book(*args: str) -> list[str]:
    """The `jupyter-book` command of the interpreter running the tests."""
    return [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", *args]


@pytest.fixture(scope="module")
def built_book() -> Path:
    """Build the whole book from scratch, with every Sphinx warning an error."""
    # No stale pages or cached doctrees from an earlier build may hide or add anything.
    for stale in (HTML_DIR, BUILD_DIR / ".doctrees", SCREENSHOT_DIR):
        shutil.rmtree(stale, ignore_errors=True)
    started = time.monotonic()
    result = subprocess.run(
        _jupyter_book("build", str(ROOT), "--all", "-W", "-n", "--keep-going"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    log = result.stdout + result.stderr
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "build.log").write_text(log)
    warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert result.returncode == 0 and not warnings, (
        f"jupyter-book build failed (exit {result.returncode}); warnings/errors:\n"
        + "\n".join(warnings or log.splitlines()[-40:])
    )
    print(f"book built in {time.monotonic() - started:.1f} s")
    return HTML_DIR


def _toc_docnames() -> list[str]:
    """Every document named in _toc.yml (root included), e.g. 'notebooks/01_autoencoder'."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def _colab_prefix() -> str:
    """Where the Colab button of a chapter points to, from `repository:` in _config.yml."""
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    parts = urlsplit(repository["url"])
    assert parts.netloc == "github.com", "the Colab button needs a GitHub repository URL"
    owner_repo = parts.path.strip("/").removesuffix(".git")
    path_to_book = (repository.get("path_to_book") or "").strip("/")
    prefix = f"https://colab.research.google.com/github/{owner_repo}/blob/{repository['branch']}/"
    return prefix + (f"{path_to_book}/" if path_to_book else "")


def _pages(html_dir: Path) -> list[str]:
    """Every HTML page of the built site, relative to html_dir ('notebooks/01_autoencoder.html')."""
    return sorted(
        path.relative_to(html_dir).as_posix()
        for path in html_dir.rglob("*.html")
        if not path.relative_to(html_dir).parts[0].startswith("_")
    )


# --------------------------------------------------------------------------- serving


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def site_url(built_book: Path):
    """Serve the built HTML on an ephemeral local port."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium; fails (never skips) when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser check cannot run. "
            "Install it with `bash .ci/install_system_packages.sh` (apt-get install -y chromium).",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "The Python package `playwright` is missing: `pip install -r requirements.txt`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


# --------------------------------------------------------------------------- checking


def _inspect(browser, url: str, screenshot: Path) -> tuple[list[str], dict]:
    """Open one page; return the problems found on it and what the page reported."""
    from playwright.sync_api import Error as PlaywrightError

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)

    def route(route):
        host = urlsplit(route.request.url).hostname
        if urlsplit(route.request.url).scheme in ("http", "https") and host not in LOCAL_HOSTS:
            problems.append(f"request to a remote host (blocked): {route.request.url}")
            route.abort()
        else:
            route.continue_()

    def on_response(response):
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.route("**/*", route)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"uncaught script error: {error}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console error: {msg.text}") if msg.type == "error" else None,
    )
    try:
        page.goto(url, wait_until="load")
        # The site's root index.html is a redirect to the landing page: inspect where it lands.
        for attempt in range(3):
            try:
                page.wait_for_load_state("networkidle")
                report = page.evaluate(INSPECT_PAGE_JS)
                break
            except PlaywrightError as error:
                if "context was destroyed" not in str(error) or attempt == 2:
                    raise
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(screenshot), full_page=True)
    finally:
        context.close()

    if report["mathNodes"] and not report["mjxContainers"]:
        problems.append(f"{report['mathNodes']} math elements but nothing typeset by MathJax")
    problems += [f"math not typeset: {tex!r}" for tex in report["untypeset"]]
    problems += [f"MathJax error: {error!r}" for error in report["mathErrors"]]
    problems += [f"raw TeX delimiter left in the text: {d!r}" for d in report["rawTex"]]
    problems += [f"image did not load: {src}" for src in report["brokenImages"]]
    problems += [f"code line cut off at 1280 px: {line!r}" for line in report["cutCode"]]
    return problems, report


def test_book_builds_without_warnings(built_book: Path):
    assert (built_book / "index.html").is_file()
    missing = [doc for doc in _toc_docnames() if not (built_book / f"{doc}.html").is_file()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


def test_no_page_links_remote_assets(built_book: Path):
    """A static check: no script, stylesheet or image is loaded from another site."""
    remote = re.compile(
        r"<(?:script|img|iframe)[^>]*\ssrc=\"(?:https?:)?//|<link[^>]*\shref=\"(?:https?:)?//"
    )
    offenders = {
        page: remote.findall((built_book / page).read_text(encoding="utf-8"))
        for page in _pages(built_book)
    }
    assert not {page: hits for page, hits in offenders.items() if hits}


def test_every_page_is_clean_in_chromium(built_book: Path, site_url: str, browser):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    colab_prefix = _colab_prefix()
    chapters = {f"{doc}.html" for doc in _toc_docnames() if doc.startswith("notebooks/")}
    pages = _pages(built_book)
    assert chapters <= set(pages)

    failures: dict[str, list[str]] = {}
    math_pages = 0
    for page in pages:
        shot = SCREENSHOT_DIR / (page.removesuffix(".html").replace("/", "__") + ".png")
        problems, report = _inspect(browser, site_url + page, shot)
        math_pages += bool(report["mathNodes"])
        if page in chapters:
            notebook = page.removesuffix(".html") + ".ipynb"
            if colab_prefix + notebook not in report["links"]:
                problems.append(f"no 'open in Colab' link to {colab_prefix + notebook}")
        if problems:
            failures[page] = problems

    report_lines = [f"{page}:\n  " + "\n  ".join(probs) for page, probs in failures.items()]
    assert not failures, f"{len(failures)} of {len(pages)} pages have problems:\n" + "\n".join(
        report_lines
    )
    assert math_pages > 0, "no page has any math: the MathJax check tested nothing"


# --------------------------------------------------------------------------- interactive figures
# The chapters' interactive figures, driven on the built pages the way a reader drives them
# (the drivers live in test_interactive_browser.py, which also checks each figure standalone).


@pytest.fixture
def chapter_page(site_url: str, browser):
    """chapter_page(doc, root) → (page, problems): a built chapter, its figure `root` ready."""
    from test_interactive_browser import figure_ready, watch_page

    contexts = []

    def open_page(doc: str, root: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        problems = watch_page(page)
        page.goto(f"{site_url}{doc}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        assert page.locator(root).count() == 1, f"{doc}: expected one {root} figure"
        page.locator(root).scroll_into_view_if_needed()
        assert figure_ready(page, root), f"{doc}: the {root} figure's script did not run"
        return page, problems

    yield open_page
    for context in contexts:
        context.close()


def _figure_data(page, root: str) -> dict:
    from vaelib.interactive import figure_data

    return figure_data(page.locator(f"{root} script").text_content())


def test_kl_explorer_on_chapter_3_shows_the_closed_form_kl(chapter_page):
    from test_interactive_browser import drive_kl_explorer, screenshot

    root = ".vaelib-kl-explorer"
    page, problems = chapter_page("notebooks/03_kl_derivation", root)
    screenshot(page, root, "book_kl_explorer_1")
    seen = drive_kl_explorer(page, root, settings=((0.0, 1.0), (1.0, 0.5), (-1.5, 2.0)))
    screenshot(page, root, "book_kl_explorer_2")
    for shown in seen:
        mu, sigma = shown["mu"], shown["sigma"]  # what the page used, as it shows them
        offset, sharpness = mu**2 / 2, (sigma**2 - 1 - math.log(sigma**2)) / 2
        assert shown["offset"] == pytest.approx(offset, abs=5e-4 + 1e-9)
        assert shown["sharpness"] == pytest.approx(sharpness, abs=5e-4 + 1e-9)
        assert shown["kl"] == pytest.approx(offset + sharpness, abs=5e-4 + 1e-9)
    assert seen[0]["kl"] == 0.0, "q = N(0, 1) is the prior: its KL is 0"
    assert len({s["curve"] for s in seen}) == len(seen), "the plotted q did not change"
    assert not problems


def test_latent_explorer_on_chapter_8_decodes_with_the_chapters_decoder(chapter_page):
    from test_interactive_browser import GREY, drive_latent_explorer, screenshot

    from vaelib.interactive import ExportedDecoder

    root = ".vaelib-latent-explorer"
    page, problems = chapter_page("notebooks/08_latent_space", root)
    # The decoder the chapter embedded (within half a grey level of its PyTorch decoder: the
    # chapter asserts that), decoded here in Python for the z the page reports.
    decoder = ExportedDecoder.from_payload(_figure_data(page, root)["decoder"])
    screenshot(page, root, "book_latent_explorer_1")
    seen = drive_latent_explorer(page, root, points=((0.5, 0.5), (0.2, 0.3), (0.75, 0.8)))
    screenshot(page, root, "book_latent_explorer_2")
    for shown in seen:
        python = decoder.decode(np.array(shown["z"]))
        assert np.abs(shown["grey"] - python).max() <= GREY, "page ≠ the chapter's decoder"
    for a, b in zip(seen, seen[1:]):
        assert np.abs(a["grey"] - b["grey"]).max() > 10 * GREY, "the image did not change"
    assert not problems


def test_beta_explorer_on_chapter_6_switches_between_the_sweeps_models(chapter_page):
    from test_interactive_browser import drive_beta_explorer, screenshot

    root = ".vaelib-beta-explorer"
    page, problems = chapter_page("notebooks/06_beta_landscape", root)
    states = _figure_data(page, root)["states"]
    screenshot(page, root, "book_beta_explorer_1")
    seen = drive_beta_explorer(page, root, indices=range(len(states)))
    screenshot(page, root, "book_beta_explorer_2")
    for index, (shown, state) in enumerate(zip(seen, states)):
        for key in ("beta", "active", "rate", "distortion", "samples", "reconstructions"):
            assert shown[key] == state[key], f"β index {index}: {key} shown ≠ the chapter's"
        assert shown["selected"] == [index], "the highlighted (R, D) point is not the chosen β"
    assert len({s["samples"] for s in seen}) == len(seen), "the samples did not change with β"
    assert not problems


def test_hidden_cells_of_chapter_1_are_folded_and_open_on_a_click(site_url: str, browser):
    """Cells tagged `hide-cell` (the exercises' solutions) show a toggle, not their code."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(f"{site_url}notebooks/01_autoencoder.html", wait_until="load")
        folded = page.locator(".cell.tag_hide-cell")
        assert folded.count() >= 1, "chapter 1 has cells tagged hide-cell"
        for k in range(folded.count()):
            cell = folded.nth(k)
            code = cell.locator(".cell_input")
            assert not code.is_visible(), f"hidden cell {k} shows its code before a click"
            cell.locator("summary").first.click()
            assert code.is_visible(), f"hidden cell {k} does not open on a click"
    finally:
        context.close()
