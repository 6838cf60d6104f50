"""Execute chapters from a clean kernel, record what they ran with, and keep the pair in step.

    export VAELIB_DATA="$(cd .. && pwd)/shared/data"
    python tools/execute_chapters.py                          # every chapter
    python tools/execute_chapters.py notebooks/04_vae_mnist.py  # some chapters (.py or .ipynb)

For each chapter, in order:

1. `jupytext --sync` the pair, so that edits made in the `.py` twin reach the notebook;
2. run the notebook top to bottom in a fresh `python3` kernel started in `notebooks/` (nbclient
   stores each cell's outputs and timings), on the CPU unless `VAELIB_DEVICE` says otherwise,
   because the stored outputs are the CPU's, at realisation 0 (`VAELIB_SEED=0`), with every
   claim recorded as `tools/claims_ledger.py` records it;
3. ask the same kernel which Python, torch, torchvision, vaelib and device it used, and stamp
   them into the notebook's metadata (`metadata.vaelib_run`; jupytext keeps this out of the
   `.py` twin and preserves it in the notebook on every sync);
4. write the notebook and `jupytext --sync` it again, and put the claims' outcomes into the
   claims ledger as realisation 0 (`book/claims_ledger.json`, and its page `book/claims.md`).

Then it regenerates `book/versions.md` (`tools/versions_page.py`). A cell that raises stops the
run with the cell's error, and a claim that fails stops it after the last cell with the claims
that failed; either way that chapter's notebook is left as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claims_ledger  # noqa: E402  (the sibling scripts, importable once tools/ is on the path)
import versions_page  # noqa: E402

ROOT = versions_page.ROOT
# Run in the chapter's own kernel after its last cell, then removed from the notebook.
PROBE = """\
import json as _json, platform as _platform
import torch as _torch, torchvision as _torchvision, vaelib as _vaelib
_device = _torch.device(globals().get("DEVICE", _vaelib.pick_device()))
_name = _torch.cuda.get_device_name(_device) if _device.type == "cuda" else None
print(_json.dumps({
    "python": _platform.python_version(),
    "torch": _torch.__version__,
    "torchvision": _torchvision.__version__,
    "vaelib": _vaelib.__version__,
    "device": f"{_device.type} ({_name})" if _name else _device.type,
}))
"""


def notebook_path(argument: str) -> Path:
    """notebooks/NN_name.ipynb for a chapter named by its .py twin, its notebook or its stem."""
    path = Path(argument)
    if not path.suffix:
        path = ROOT / "notebooks" / path.name
    path = path.with_suffix(".ipynb").resolve()
    if not path.exists():
        raise SystemExit(f"no chapter notebook {path}: name one of {versions_page.chapters()}")
    return path


def sync(path: Path) -> None:
    """`jupytext --sync` the chapter's pair (the newer file's cells win; outputs stay)."""
    subprocess.run(["jupytext", "--sync", "--quiet", str(path)], check=True)


def execute(path: Path, timeout: int) -> tuple[nbformat.NotebookNode, dict]:
    """The notebook at `path`, run in a fresh kernel and stamped with what the kernel used,
    and the outcome of each of its claims (realisation 0, as `tools/claims_ledger.py` records
    them). A cell that raises stops the run; a claim that fails stops it after the last cell."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    try:
        result = claims_ledger.execute_recording(
            notebook, path.parent, seed=0, timeout=timeout, allow_errors=False
        )
    finally:
        probe = notebook.cells.pop()
    failed = [
        f"  {outcome['status']}: {text!r} {outcome.get('values') or outcome.get('error') or ''}"
        for text, outcome in zip(result["claims"], result["outcomes"])
        if outcome["status"] != "pass"
    ]
    if failed:
        raise SystemExit(
            f"{path.name}: claims that did not hold, notebook not written:\n" + "\n".join(failed)
        )
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
    notebook.metadata[versions_page.RECORD_KEY] = json.loads(text.strip().splitlines()[-1])
    return notebook, result


def execute_chapter(path: Path, timeout: int = 1800) -> nbformat.NotebookNode:
    """Sync, execute, stamp, write and sync again one chapter's pair, and record its claims at
    realisation 0 in the claims ledger; returns the notebook."""
    sync(path)
    notebook, result = execute(path, timeout)
    nbformat.write(notebook, path)
    sync(path)
    if path.resolve().parent == claims_ledger.ROOT / "notebooks":  # a chapter of the book
        ledger = claims_ledger.read_ledger()
        claims_ledger.merge(ledger, path.stem, 0, result)
        claims_ledger.write_ledger(ledger)
        claims_ledger.write_page(ledger)
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter files (default: every chapter)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    # The stored outputs are the CPU's; the kernel inherits this process's environment.
    os.environ.setdefault("VAELIB_DEVICE", "cpu")
    paths = [notebook_path(a) for a in args.chapters] or versions_page.chapters()
    for path in paths:
        print(f"executing {path.name} on {os.environ['VAELIB_DEVICE']}", flush=True)
        notebook = execute_chapter(path, args.timeout)
        seconds = sum(versions_page.cell_seconds(notebook))
        record = notebook.metadata[versions_page.RECORD_KEY]
        print(f"  {versions_page.format_seconds(seconds)}, {record}", flush=True)
    print(f"wrote {versions_page.write().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
