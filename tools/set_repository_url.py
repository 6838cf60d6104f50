"""Write the repository URL of `_config.yml` into every chapter's Colab set-up cell.

The URL of the book's repository has one source of truth, `repository: url:` in `_config.yml`:
the book's Colab and repository buttons are built from it. The set-up cell of each chapter
installs `vaelib` from the same repository when the notebook runs in Colab, and Colab cannot
read `_config.yml`, so the cell spells the URL out (`"vaelib @ git+<url>"`). After changing the
URL in `_config.yml`, run

    python tools/set_repository_url.py

to rewrite it in every chapter, in both files of the pair (`NN_name.py` and `NN_name.ipynb`);
nothing else in the files changes, so the stored outputs stay valid. `--check` only reports
the chapters whose cell disagrees (exit status 1). `tests/test_colab_cell.py` fails until the
two agree.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# The requirement the set-up cell passes to pip; the same text in the .py and in the .ipynb's JSON.
REQUIREMENT = re.compile(r"vaelib @ git\+(?P<url>[^\s\"'\\]+)")


def config_url(root: Path = ROOT) -> str:
    """`repository: url:` of `<root>/_config.yml`, without a trailing slash."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    try:
        return config["repository"]["url"].rstrip("/")
    except (KeyError, TypeError, AttributeError) as error:
        raise SystemExit(f"{root / '_config.yml'} has no `repository: url:`") from error


def chapter_files(root: Path = ROOT) -> list[Path]:
    """Every chapter file, both twins: notebooks/NN_*.ipynb and notebooks/NN_*.py."""
    notebooks = root / "notebooks"
    return sorted(notebooks.glob("[0-9][0-9]_*.ipynb")) + sorted(notebooks.glob("[0-9][0-9]_*.py"))


def install_urls(text: str) -> list[str]:
    """The URLs of every `vaelib @ git+<url>` requirement in a chapter file's text."""
    return [match["url"] for match in REQUIREMENT.finditer(text)]


def with_url(text: str, url: str) -> str:
    """`text` with every `vaelib @ git+<old>` requirement pointing at `url` instead."""
    return REQUIREMENT.sub(lambda _: f"vaelib @ git+{url}", text)


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report disagreements, change nothing")
    args = parser.parse_args(argv)
    url = config_url(root)
    wrong = []
    # The .ipynb files first, then the .py twins: the twin ends up the newer file of each pair,
    # as after an edit of the twin, so `jupytext --sync` takes its cells (the same ones).
    for path in chapter_files(root):
        text = path.read_text()
        urls = install_urls(text)
        if not urls:
            raise SystemExit(f"{path}: no `vaelib @ git+<url>` requirement in its set-up cell")
        if set(urls) == {url}:
            continue
        wrong.append(path)
        if not args.check:
            path.write_text(with_url(text, url))
    verb = "disagree with" if args.check else "now install from"
    for path in wrong:
        print(f"{path.relative_to(root)}: {verb} {url}")
    return 1 if args.check and wrong else 0


if __name__ == "__main__":
    sys.exit(main())
