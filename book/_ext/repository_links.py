"""Make the repository URL of `_config.yml` available to the book's pages.

Jupyter Book turns `repository: url:` into the theme option `repository_url` (which also
drives the Colab launch buttons). This extension exposes that same value to MyST pages as
substitution ``{{ repository_url }}`` (the URL, as a link), so no page spells it out again.

Registered in ``_config.yml`` under ``sphinx: local_extensions:``.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError


def _add_substitutions(app: Sphinx, config: Config) -> None:
    url = (config.html_theme_options or {}).get("repository_url", "").rstrip("/")
    if not url:
        raise ExtensionError("repository_links: set `repository: url:` in _config.yml")
    substitutions = dict(config.myst_substitutions or {})
    substitutions.setdefault("repository_url", f"<{url}>")
    config.myst_substitutions = substitutions


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_substitutions, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
