"""The self-contained HTML wrapper shared by the interactive figures.

An interactive figure is one `<div>` holding its markup, a `<style>` and one inline `<script>`:
no CDN, no require.js, no kernel and no network. The script is a closure that finds its own
root element, so two figures on a page share no JavaScript names. The same HTML works as a
notebook cell's output (Jupyter, Colab), on a page of the built book and as a standalone file.

The HTML is a pure function of the figure's data: the root's id is a hash of the content, so
re-running a notebook reproduces its output byte for byte (nbval compares `text/html`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path

import numpy as np

NO_JS_MESSAGE = (
    "This interactive figure needs JavaScript (in Jupyter: a trusted notebook). "
    "The static figure beside it shows the same result."
)


class InteractiveFigure:
    """A figure that runs in the reader's browser: HTML and JavaScript in one string.

    A notebook shows it by returning it as a cell's last expression (`_repr_html_`); `save`
    writes it as a standalone page. Its text form (`repr`) is a fixed sentence, so that a stored
    notebook output does not change from run to run.
    """

    def __init__(self, kind: str, title: str, html_fragment: str, figure_id: str):
        self.kind = kind  # e.g. "kl-explorer"
        self.title = title
        self.html = html_fragment  # the whole figure: <div id=figure_id> … </div>
        self.id = figure_id

    @property
    def size_bytes(self) -> int:
        """Size of the figure's HTML in bytes (UTF-8): what it adds to a notebook or a page."""
        return len(self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<interactive figure: {self.title} (shown as HTML in Jupyter, Colab and the book)>"

    def save(self, path: str | Path, theme: str | None = None) -> Path:
        """Write the figure as a standalone HTML page and return its path.

        `theme`: None follows the reader's system setting; "light" or "dark" forces one, the way
        the book's theme switch does (`<html data-theme="dark">`).
        """
        if theme not in (None, "light", "dark"):
            raise ValueError(f"theme must be None, 'light' or 'dark', got {theme!r}")
        theme_attribute = f' data-theme="{theme}"' if theme else ""
        page = (
            f'<!DOCTYPE html>\n<html lang="en"{theme_attribute}>\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(self.title)}</title>\n"
            "<style>body { margin: 16px; background: #ffffff; }\n"
            "@media (prefers-color-scheme: dark) { body { background: #0d1117; } }\n"
            'html[data-theme="light"] body { background: #ffffff; }\n'
            'html[data-theme="dark"] body { background: #0d1117; }</style>\n'
            f"</head>\n<body>\n{self.html}\n</body>\n</html>\n"
        )
        path = Path(path)
        path.write_text(page, encoding="utf-8")
        return path


def asset(name: str) -> str:
    """The text of a file shipped in `vaelib/interactive/` (a `.js` or `.css` file)."""
    return resources.files("vaelib.interactive").joinpath(name).read_text(encoding="utf-8")


def to_base64(array: np.ndarray, dtype: str) -> str:
    """Little-endian bytes of `array` as `dtype` ("float32", "float16", "int8", "uint8"), base64."""
    little_endian = np.dtype(dtype).newbyteorder("<")
    return base64.b64encode(np.ascontiguousarray(array, dtype=little_endian).tobytes()).decode()


def script_json(data: object) -> str:
    """`data` as a JSON literal that is safe inside a <script> element (no `</script>`)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def figure_data(fragment: str) -> dict:
    """The data a figure's HTML hands to its script (the inverse of `build_figure`'s embedding).

    `fragment`: the figure's HTML, or a page's text holding exactly one figure.
    """
    match = re.search(r"function \(root\) \{ init\(root, (\{.*\})\); \}\);", fragment)
    if match is None:
        raise ValueError("fragment holds no vaelib interactive figure")
    return json.loads(match[1])


def build_figure(kind: str, title: str, body: str, data: object, script: str) -> InteractiveFigure:
    """Wrap a figure's markup, data and script into one self-contained `InteractiveFigure`.

    `body`: the figure's HTML (escaped by the caller). `data`: JSON-able, handed to the script's
    `init(root, data)`. `script`: the name of a `.js` file of this package defining `init`.
    """
    payload = script_json(data)
    digest = hashlib.sha256("\n".join((kind, title, body, payload)).encode()).hexdigest()
    figure_id = f"vaelib-{kind}-{digest[:12]}"
    code = (
        "(function () {\n'use strict';\n"
        + asset("common.js")
        + asset(script)
        + f"vfStart({json.dumps(figure_id)}, function (root) {{ init(root, {payload}); }});\n"
        + "})();"
    )
    fragment = (
        f'<div class="vaelib-fig vaelib-{kind}" id="{figure_id}" data-vaelib-fig="{figure_id}" '
        f'role="group" aria-label="{html.escape(title)}">\n'
        f"<style>\n{asset('style.css')}</style>\n"
        f'<p class="vf-title">{html.escape(title)}</p>\n'
        f"{body}\n"
        f'<p class="vf-nojs">{NO_JS_MESSAGE}</p>\n'
        f"<script>\n{code}\n</script>\n"
        "</div>"
    )
    return InteractiveFigure(kind, title, fragment, figure_id)


def check_finite_numbers(values: object, name: str) -> list[float]:
    """Return `values` (a sequence or 1-D tensor/array of numbers) as a list of finite floats."""
    array = np.asarray(values.tolist() if hasattr(values, "tolist") else values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers, got {array.tolist()}")
    return array.tolist()
