"""The versions page (`book/versions.md`) is generated from the notebooks and matches them, and
`tools/execute_chapters.py` records what a chapter ran with without touching its `.py` twin."""

from __future__ import annotations

import importlib.util
import json
import platform
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import torch
import yaml

import vaelib

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str):
    sys.path.insert(0, str(ROOT / "tools"))  # execute_chapters imports its sibling
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return module


versions_page = _tool("versions_page")


def _cell(source: str, start: str | None = None, end: str | None = None) -> dict:
    metadata = {}
    if start:
        metadata["execution"] = {"iopub.execute_input": start, "shell.execute_reply": end}
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": []}


def test_the_versions_page_matches_the_notebooks():
    page = ROOT / versions_page.PAGE
    assert page.exists(), "book/versions.md is missing: run python tools/versions_page.py"
    assert page.read_text() == versions_page.render(), (
        "book/versions.md does not match the notebooks: run python tools/versions_page.py "
        "(or execute the chapters with python tools/execute_chapters.py)"
    )


def test_the_versions_page_lists_every_chapter_and_is_in_the_back_matter():
    text = (ROOT / versions_page.PAGE).read_text()
    for path in versions_page.chapters():
        assert f"{{doc}}`/notebooks/{path.stem}`" in text
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    back_matter = next(part for part in toc["parts"] if part["caption"] == "Back matter")
    assert {"file": "book/versions"} in back_matter["chapters"]


def test_the_run_time_is_the_sum_of_the_cells_timings():
    notebook = {
        "cells": [
            _cell("a", "2026-01-02T10:00:00.000Z", "2026-01-02T10:00:02.500Z"),
            _cell("b"),  # a cell that was never timed counts for nothing
            _cell("c", "2026-01-02T10:05:00.000Z", "2026-01-02T10:07:03.000Z"),
        ]
    }
    assert versions_page.cell_seconds(notebook) == [2.5, 123.0]
    assert versions_page.executed_on(notebook) == "2026-01-02"
    assert versions_page.format_seconds(2.5) == "2 s"
    assert versions_page.format_seconds(125.5) == "2 min 06 s"


def test_a_chapter_executed_without_the_script_says_not_recorded(tmp_path):
    (tmp_path / "notebooks").mkdir()
    notebook = {
        "cells": [_cell("x")],
        "metadata": {"language_info": {"version": "3.11.7"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "notebooks" / "01_untimed.ipynb").write_text(json.dumps(notebook))
    row, seconds = versions_page.chapter_row(tmp_path / "notebooks" / "01_untimed.ipynb", tmp_path)
    assert row[0] == "{doc}`/notebooks/01_untimed`"
    assert row[1:] == ["not recorded", "3.11.7"] + ["not recorded"] * 5
    assert seconds is None
    assert "All chapters" not in versions_page.render(tmp_path)  # no total from partial times


def test_execute_chapters_stamps_versions_into_the_notebook_but_not_its_twin(tmp_path, monkeypatch):
    """A two-cell chapter, run by the script in a real kernel, as the maintainer would."""
    execute_chapters = _tool("execute_chapters")
    monkeypatch.setenv("VAELIB_DEVICE", "cpu")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "jupytext.toml", folder)
    chapter = nbformat.v4.new_notebook()
    chapter.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    chapter.cells = [
        nbformat.v4.new_code_cell("import vaelib\n\nDEVICE = vaelib.pick_device()"),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ]
    notebook_path, twin = folder / "01_tiny.ipynb", folder / "01_tiny.py"
    jupytext.write(chapter, notebook_path)
    jupytext.write(chapter, twin, fmt="py:percent")

    execute_chapters.execute_chapter(notebook_path, timeout=120)

    stored = nbformat.read(notebook_path, as_version=4)
    assert [cell.execution_count for cell in stored.cells] == [1, 2], "the probe cell was kept"
    assert stored.cells[1].outputs[0]["text"] == "42\n"
    assert stored.metadata[versions_page.RECORD_KEY] == {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": __import__("torchvision").__version__,
        "vaelib": vaelib.__version__,
        "device": "cpu",
    }
    assert versions_page.RECORD_KEY not in twin.read_text(), "the record leaked into the twin"
    assert len(versions_page.cell_seconds(stored)) == 2

    # An edit of the twin, synced the usual way, keeps the record in the notebook.
    twin.write_text(twin.read_text() + "\n# %%\nprint('edited')\n")
    execute_chapters.sync(twin)
    assert nbformat.read(notebook_path, as_version=4).metadata[versions_page.RECORD_KEY]

    row = next(line for line in versions_page.render(tmp_path).splitlines() if "01_tiny" in line)
    assert f"| {torch.__version__} |" in row and "| cpu |" in row, row


@pytest.mark.parametrize("name", ["versions_page", "execute_chapters", "set_repository_url"])
def test_each_tool_explains_itself(name):
    assert _tool(name).__doc__.strip()
