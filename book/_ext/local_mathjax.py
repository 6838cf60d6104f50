"""Serve MathJax 3 from the book itself instead of a CDN.

The PyPI package ``django-static-mathjax`` ships a complete MathJax 3 release
(the ``es5/`` directory: the combined components, the TeX extensions, the CHTML
web fonts, the menu and the accessibility modules).  This extension copies that
directory into ``_build/html/_static/mathjax/`` and points Sphinx's
``mathjax_path`` at the local ``tex-chtml.js``, so every equation of the book is
typeset with no network access, and a published copy of the site carries all
the files MathJax may ask for.

Registered in ``_config.yml`` under ``sphinx: local_extensions:``.
"""

from __future__ import annotations

import shutil
from importlib import util
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the copy lands, relative to the HTML output's ``_static`` folder.
STATIC_SUBDIR = "mathjax"
#: The combined component: TeX input, CommonHTML output, menu, a11y hooks.
ENTRY_POINT = "tex-chtml.js"


def mathjax_source_dir() -> Path:
    """Return the ``es5`` folder of the installed MathJax 3 distribution."""
    spec = util.find_spec("mathjax")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "static" / "mathjax" / "es5"
        if (candidate / ENTRY_POINT).is_file():
            return candidate
    raise ExtensionError(
        "local_mathjax: no local MathJax 3 found. Install it with "
        "`pip install django-static-mathjax` (see requirements.txt)."
    )


def _set_mathjax_path(app: Sphinx, config: Config) -> None:
    mathjax_source_dir()  # fail early, with a clear message, if it is missing
    # A relative path is resolved against _static/ by Sphinx's HTML builder.
    config.mathjax_path = f"{STATIC_SUBDIR}/{ENTRY_POINT}"


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / STATIC_SUBDIR
    shutil.copytree(mathjax_source_dir(), target, dirs_exist_ok=True)
    logger.info("local_mathjax: copied MathJax 3 to %s", target)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.mathjax")
    # Run after the other extensions' config-inited handlers (myst-nb, the theme).
    app.connect("config-inited", _set_mathjax_path, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
