"""A reader opens the chapters in JupyterLab, as the README says: `jupyter lab` at the root of the
repository, then a chapter's `.ipynb`, which shows its stored outputs.

The module starts `jupyter lab` (the one `requirements.txt` installs) on a free port of
127.0.0.1, serving a copy of `notebooks/`, and talks to it as the JupyterLab front end does,
through the server's REST API (`/api/contents`):

- every chapter's `.ipynb` opens as a notebook with its stored outputs, and its `.py` twin opens
  as the same notebook (jupytext's contents manager reads the inputs from the `.py` and the
  outputs from the paired `.ipynb`);
- saving the chapter from JupyterLab writes both twins;
- the lab page loads, with jupytext's extension (the "Jupytext Notebook" viewer of `.py` files).

Nothing is executed; no kernel is started.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
START_TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A running `jupyter lab` server and the requests a front end sends it."""

    def __init__(self, url: str, token: str, root: Path):
        self.url, self.token, self.root = url, token, root

    def request(self, method: str, path: str, body: dict | None = None) -> bytes:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()

    def open_notebook(self, path: str) -> nbformat.NotebookNode:
        """The notebook the front end shows for `path`, as its Notebook viewer requests it."""
        model = json.loads(self.request("GET", f"/api/contents/{path}?type=notebook&content=1"))
        assert model["type"] == "notebook", f"{path} opened as a {model['type']}, not a notebook"
        return nbformat.from_dict(model["content"])

    def save_notebook(self, path: str, notebook: nbformat.NotebookNode) -> None:
        self.request("PUT", f"/api/contents/{path}", {"type": "notebook", "content": notebook})


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader")
    # The chapters as a reader's clone holds them (copy2 keeps the times jupytext compares).
    shutil.copytree(ROOT / "notebooks", root / "notebooks", copy_function=shutil.copy2)
    port, token = _free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_TOKEN"}
    env["JUPYTER_RUNTIME_DIR"] = str(root / ".runtime")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:  # CI runs as root, which jupyter refuses without being told
        command.append("--allow-root")
    log = (root / "server.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                lab.request("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        f"jupyter lab did not start:\n{(root / 'server.log').read_text()[-3000:]}"
                    )
                time.sleep(0.5)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_there_are_chapters():
    assert CHAPTERS, "no chapters found in notebooks/"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_opens_with_its_stored_outputs(lab, chapter):
    twin = chapter.with_suffix(".py")
    code = [cell.source for cell in _code_cells(jupytext.read(twin))]  # what the reader edits
    # The outputs stored with each cell (tests/test_notebooks.py checks that the twins agree).
    stored = {c.source: c.outputs for c in _code_cells(nbformat.read(chapter, as_version=4))}
    for name in (chapter.name, twin.name):  # either twin opens the chapter
        shown = _code_cells(lab.open_notebook(f"notebooks/{name}"))
        assert [cell.source for cell in shown] == code, f"{name} opens with other code"
        for cell in shown:
            if cell.source in stored:
                assert cell.outputs == stored[cell.source], (
                    f"{name} shows other outputs than {chapter.name} stores for {cell.source!r}"
                )
        images = [o for cell in shown for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"{name} opened without the figures stored in {chapter.name}"
        assert sum(bool(cell.outputs) for cell in shown) >= len(shown) / 2, (
            f"{name} opened with most of its cells' outputs missing"
        )


def test_saving_a_chapter_in_jupyterlab_writes_both_twins(lab):
    chapter = CHAPTERS[0]
    path = f"notebooks/{chapter.name}"
    notebook = lab.open_notebook(path)
    mark = "A reader's note, saved from JupyterLab."
    notebook.cells.append(nbformat.v4.new_markdown_cell(mark))
    lab.save_notebook(path, notebook)

    on_disk = lab.root / "notebooks" / chapter.name
    assert nbformat.read(on_disk, as_version=4).cells[-1].source == mark
    twin = on_disk.with_suffix(".py")
    assert mark in twin.read_text(), "saving the .ipynb did not update its .py twin"
    assert jupytext.read(twin).cells[-1].source == mark
    saved = nbformat.read(on_disk, as_version=4)
    assert [c.outputs for c in _code_cells(saved)] == [c.outputs for c in _code_cells(notebook)]


def test_the_lab_page_loads_with_jupytexts_extension(lab):
    page = lab.request("GET", f"/lab?token={lab.token}").decode()
    assert "jupyterlab-jupytext" in page, "jupytext's JupyterLab extension is not installed"
