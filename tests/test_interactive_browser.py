"""The interactive figures, driven in headless Chromium the way a reader drives them.

Each figure is saved as a standalone page in `tmp_path` and opened from a file:// URL. The test
moves the pointer, presses keys and sets sliders, then checks that (a) the page shows no error
and asks for nothing from the network, (b) the numbers it shows equal Python's for the same
inputs (the KL to 3 decimals; the decoded image within one grey level of the PyTorch decoder)
and (c) the picture changes when the input does. A screenshot of every figure in two states,
and one in the dark theme, is saved to `_build/screenshots/interactive_*.png`.

The `drive_*` functions take a Playwright page and a CSS selector of one figure, so the book's
browser test can drive the figures on the built chapter pages too:
`from test_interactive_browser import drive_kl_explorer, watch_page`.
"""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import torch

import vaelib
from vaelib.interactive import beta_explorer, kl_explorer, latent_explorer
from vaelib.interactive.decoder_export import torch_decode

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT_DIR = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
GREY = 1 / 255  # one grey level

# --------------------------------------------------------------------------- helpers


def watch_page(page) -> list[str]:
    """Record every problem a reader could meet on `page`: script errors, console errors,
    failed requests and any request to the network (blocked). Returns the (growing) list."""
    problems: list[str] = []

    def route(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https") and parts.hostname not in ("127.0.0.1", "localhost"):
            problems.append(f"request to the network (blocked): {route.request.url}")
            route.abort()
        else:
            route.continue_()

    page.route("**/*", route)
    page.on("pageerror", lambda error: problems.append(f"uncaught script error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console error: {msg.text}") if msg.type == "error" else None,
    )
    return problems


def figure_ready(page, root: str) -> bool:
    """Whether the figure's script ran to the end (`data-vf-state="ready"` on its root)."""
    return page.locator(root).get_attribute("data-vf-state") == "ready"


def _text(page, root: str, key: str) -> str:
    return page.locator(f'{root} [data-vf="{key}"]').inner_text()


def drive_kl_explorer(page, root: str = ".vaelib-kl-explorer", settings=((1.0, 0.5),)) -> list:
    """Set the μ and σ sliders to each (μ, σ) in turn; return what the page shows for each:
    {"mu", "sigma", "offset", "sharpness", "kl"} as displayed (floats) and the q curve's path."""
    seen = []
    for mu, sigma in settings:
        page.locator(f'{root} input[name="mu"]').fill(f"{mu:.2f}")
        page.locator(f'{root} input[name="sigma"]').fill(f"{sigma:.2f}")
        shown = {key: float(_text(page, root, key)) for key in ("mu", "sigma")}
        shown |= {key: float(_text(page, root, key)) for key in ("offset", "sharpness", "kl")}
        shown["curve"] = page.locator(f"{root} path.vf-curve-q").get_attribute("d")
        seen.append(shown)
    return seen


def _latent_state(page, root: str) -> dict:
    state = page.locator(root).evaluate(
        """root => {
            const canvas = root.querySelector("canvas.vf-pixels");
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            return {
                z: root.dataset.z,
                text: root.querySelector("output.vf-z").textContent,
                grey: Array.from(pixels.data.filter((_, i) => i % 4 === 0)),
                size: [canvas.height, canvas.width],
                plane: root.querySelector("canvas.vf-plane").toDataURL(),
            };
        }"""
    )
    state["z"] = tuple(float(v) for v in state["z"].split(","))
    state["grey"] = np.array(state["grey"], dtype=np.float64).reshape(state["size"]) / 255
    return state


def drive_latent_explorer(page, root: str = ".vaelib-latent-explorer", points=((0.5, 0.5),)):
    """Move the pointer to each point, given as fractions (x, y) of the latent plane's box; return
    for each {"z": exact z, "text": the z shown, "grey": the drawn image in [0, 1], "plane"}."""
    box = page.locator(f"{root} canvas.vf-plane").bounding_box()
    seen = []
    for fx, fy in points:
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        seen.append(_latent_state(page, root))
    return seen


def drive_latent_keys(page, root: str = ".vaelib-latent-explorer", keys=("Home",)) -> list:
    """Focus the latent plane and press each key in turn; return the state after each."""
    page.locator(f"{root} canvas.vf-plane").focus()
    seen = []
    for key in keys:
        page.keyboard.press(key)
        seen.append(_latent_state(page, root))
    return seen


def drive_beta_explorer(page, root: str = ".vaelib-beta-explorer", indices=(0,)) -> list:
    """Set the β slider to each index; return what the page shows: β, active units, R, D, the
    two images' sources and the index of the highlighted rate–distortion point."""
    seen = []
    for index in indices:
        page.locator(f'{root} input[name="beta"]').fill(str(index))
        shown = {key: _text(page, root, key) for key in ("beta", "active", "rate", "distortion")}
        for key in ("samples", "reconstructions"):
            shown[key] = page.locator(f'{root} img[data-vf="{key}"]').get_attribute("src")
        selected = page.locator(f"{root} circle.vf-selected")
        shown["selected"] = [
            int(i) for i in selected.evaluate_all("cs => cs.map(c => c.dataset.index)")
        ]
        seen.append(shown)
    return seen


def screenshot(page, root: str, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"interactive_{name}.png"
    page.locator(root).screenshot(path=str(path))
    return path


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium; fails (never skips) when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The Python package `playwright` is missing", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_figure(browser, tmp_path):
    """open_figure(fig, theme=None) → (page, problems): the figure as a standalone file:// page."""
    contexts = []

    def open_(figure, theme=None, color_scheme="light"):
        context = browser.new_context(
            viewport={"width": 1000, "height": 900}, color_scheme=color_scheme
        )
        contexts.append(context)
        page = context.new_page()
        problems = watch_page(page)
        path = figure.save(tmp_path / f"{figure.kind}-{theme}-{color_scheme}.html", theme=theme)
        page.goto(path.as_uri(), wait_until="load")
        assert figure_ready(page, f"#{figure.id}"), problems
        return page, problems

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def vae_2d():
    """A random-weight VAE of the real size (784-400-2), with the last layer scaled up so that
    its logits span about ±10, as a trained decoder's do: a fair test of the quantisation."""
    torch.manual_seed(0)
    model = vaelib.VAE(vaelib.MLPConfig(latent_dim=2)).eval()
    with torch.no_grad():
        model.decoder[2].weight.mul_(8)
    return model


# --------------------------------------------------------------------------- KL explorer


def test_kl_explorer_shows_the_closed_form_kl_and_its_parts(open_figure):
    page, problems = open_figure(kl_explorer())
    root = ".vaelib-kl-explorer"
    screenshot(page, root, "kl_explorer_1")
    settings = [(0.0, 1.0), (1.0, 0.1), (-2.5, 2.0), (0.37, 0.63)]
    seen = drive_kl_explorer(page, root, settings)
    screenshot(page, root, "kl_explorer_2")
    for (mu, sigma), shown in zip(settings, seen):
        assert (shown["mu"], shown["sigma"]) == (mu, sigma)
        logvar = torch.tensor([[2 * math.log(sigma)]], dtype=torch.float64)
        kl = vaelib.gaussian_kl(torch.tensor([[mu]], dtype=torch.float64), logvar).item()
        offset, sharpness = 0.5 * mu**2, 0.5 * (sigma**2 - 1 - math.log(sigma**2))
        assert shown["kl"] == pytest.approx(kl, abs=5e-4 + 1e-12)
        assert shown["offset"] == pytest.approx(offset, abs=5e-4 + 1e-12)
        assert shown["sharpness"] == pytest.approx(sharpness, abs=5e-4 + 1e-12)
    assert seen[0]["kl"] == 0.0  # q = p
    assert len({shown["curve"] for shown in seen}) == len(seen), "the q curve did not move"
    assert not problems


def test_kl_explorer_sliders_work_from_the_keyboard(open_figure):
    page, problems = open_figure(kl_explorer(mu=0.0, sigma=1.0))
    root = ".vaelib-kl-explorer"
    page.locator(f'{root} input[name="mu"]').focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert float(_text(page, root, "mu")) == pytest.approx(0.1)
    assert float(_text(page, root, "kl")) == pytest.approx(0.005, abs=5e-4)  # ½ · 0.1²
    assert page.locator(f'{root} input[name="mu"]').get_attribute("aria-valuetext") == "μ = 0.10"
    assert not problems


# --------------------------------------------------------------------------- latent explorer


def _codes(n=4000):
    generator = torch.Generator().manual_seed(1)
    return 1.3 * torch.randn(n, 2, generator=generator), torch.randint(
        0, 10, (n,), generator=generator
    )


def test_latent_explorer_decodes_like_the_pytorch_decoder(open_figure, vae_2d):
    codes, labels = _codes()
    figure = latent_explorer(vae_2d, codes, labels)
    page, problems = open_figure(figure)
    root = ".vaelib-latent-explorer"
    screenshot(page, root, "latent_explorer_1")
    points = [(0.45, 0.5), (0.2, 0.25), (0.8, 0.7), (0.6, 0.15), (0.3, 0.85)]
    seen = drive_latent_explorer(page, root, points)
    screenshot(page, root, "latent_explorer_2")
    for shown in seen:
        z = np.array(shown["z"])
        assert shown["text"] == f"z = ({z[0]:.2f}, {z[1]:.2f})".replace("-0.00", "0.00")
        pytorch = torch_decode(vae_2d, z[None])[0]
        assert np.abs(shown["grey"] - pytorch).max() <= GREY + 1e-9, "page ≠ PyTorch decoder"
        python = np.round(255 * figure.decode(z)) / 255  # what the page should have drawn
        assert np.abs(shown["grey"] - python).max() <= GREY + 1e-9
        assert (shown["grey"] == python).mean() > 0.99
    assert len({s["z"] for s in seen}) == len(seen)
    for a, b in zip(seen, seen[1:]):
        assert np.abs(a["grey"] - b["grey"]).max() > 10 * GREY, "the image did not change"
        assert a["plane"] != b["plane"], "the marker on the plane did not move"
    assert not problems


@pytest.mark.parametrize("precision", ["int8", "float32"])
def test_latent_explorer_page_decodes_every_precision_as_python_does(
    open_figure, vae_2d, precision
):
    figure = latent_explorer(vae_2d, *_codes(500), precision=precision)
    page, problems = open_figure(figure)
    for shown in drive_latent_explorer(page, points=[(0.3, 0.4), (0.7, 0.6)]):
        python = np.round(255 * figure.decode(np.array(shown["z"]))) / 255
        assert np.abs(shown["grey"] - python).max() <= GREY + 1e-9
    assert not problems


def test_latent_explorer_arrow_keys_move_z(open_figure, vae_2d):
    page, problems = open_figure(latent_explorer(vae_2d, *_codes(500)))
    home, right, up, far = drive_latent_keys(
        page, keys=("Home", "ArrowRight", "ArrowUp", "Shift+ArrowLeft")
    )
    assert home["z"] == (0.0, 0.0) and home["text"] == "z = (0.00, 0.00)"
    assert right["z"] == pytest.approx((0.1, 0.0))
    assert up["z"] == pytest.approx((0.1, 0.1))
    assert far["z"] == pytest.approx((-0.4, 0.1))
    assert far["text"] == "z = (-0.40, 0.10)"
    assert not np.array_equal(home["grey"], far["grey"])
    assert not problems


# --------------------------------------------------------------------------- β explorer


def test_beta_explorer_switches_to_the_chosen_beta(open_figure):
    betas = [0, 0.5, 1, 4, 16]
    generator = torch.Generator().manual_seed(0)
    samples = torch.rand(5, 16, 1, 28, 28, generator=generator)
    reconstructions = torch.rand(5, 8, 1, 28, 28, generator=generator)
    originals = torch.rand(8, 1, 28, 28, generator=generator)
    rates, distortions = [40.0, 30.5, 25.2, 10.0, 2.0], [70.0, 75.0, 80.3, 95.0, 120.0]
    figure = beta_explorer(
        betas, samples, reconstructions, originals, [20, 20, 18, 9, 3], rates, distortions,
        latent_dim=20,
    )  # fmt: skip
    page, problems = open_figure(figure)
    root = ".vaelib-beta-explorer"
    first = drive_beta_explorer(page, root, [2])[0]
    screenshot(page, root, "beta_explorer_1")
    seen = drive_beta_explorer(page, root, range(5))
    screenshot(page, root, "beta_explorer_2")
    assert first == seen[2]  # the page starts at β = 1
    for i, shown in enumerate(seen):
        assert shown["beta"] == f"{betas[i]:g}"
        assert shown["active"] == f"{[20, 20, 18, 9, 3][i]} of 20"
        assert (shown["rate"], shown["distortion"]) == (f"{rates[i]:.1f}", f"{distortions[i]:.1f}")
        assert shown["selected"] == [i]
        assert shown["samples"].startswith("data:image/png;base64,")
    assert len({s["samples"] for s in seen}) == len({s["reconstructions"] for s in seen}) == 5
    assert not problems


# --------------------------------------------------------------------------- themes


@pytest.mark.parametrize("how", ["book theme", "system setting"])
def test_figures_follow_the_dark_theme(open_figure, vae_2d, how):
    light_page, _ = open_figure(kl_explorer(), theme="light")
    light = light_page.locator(".vaelib-fig").evaluate("e => getComputedStyle(e).backgroundColor")
    for figure in (kl_explorer(), latent_explorer(vae_2d, *_codes(500))):
        if how == "book theme":  # <html data-theme="dark">, whatever the system says
            page, problems = open_figure(figure, theme="dark", color_scheme="light")
        else:  # no theme stated: prefers-color-scheme decides
            page, problems = open_figure(figure, theme=None, color_scheme="dark")
        root = page.locator(".vaelib-fig")
        assert root.evaluate("e => getComputedStyle(e).backgroundColor") != light
        if how == "book theme":
            screenshot(page, ".vaelib-fig", f"{figure.kind.replace('-', '_')}_dark")
        assert not problems
