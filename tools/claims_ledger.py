"""The claims ledger: run the chapters at several seeds and record how every claim fared.

Every `assert cond, "sentence"` in a chapter checks one claim of the prose. Run normally, the
first claim that fails stops the chapter, and it is checked on one realisation only (the seed
the chapter names). This tool runs chapters with every assert *recorded* instead of fatal, at
the realisations `VAELIB_SEED` selects (see `vaelib.seeding`), and keeps, for each claim and
each seed: passed, failed, raised an error, or not reached; and, where the assert compares
numbers (`a < b`, `lo <= x <= hi`), the values on both sides and the relative margin by which
it held (negative: by which it failed).

    export VAELIB_DATA=../shared/data
    python tools/claims_ledger.py --seeds 0 1 2 3 4          # every chapter, five realisations
    python tools/claims_ledger.py --seeds 3 notebooks/06_beta_landscape.py
    python tools/claims_ledger.py --check --seeds 1           # CI: fail if any claim fails
    python tools/claims_ledger.py --page                      # rewrite the page from the ledger

A run merges its results into `book/claims_ledger.json` (the ledger, kept in the repository)
and rewrites the book's page `book/claims.md` from it. `--check` writes nothing: it prints each
failing claim and a closing line `claims: N passed, N failed`, and exits 1 if any claim failed,
raised or was not reached. `tests/test_claims_ledger.py` fails when the ledger's claims are not
the chapters' current claims, when a recorded claim failed on some seed, or when the page is
out of date.

How a chapter runs: its cells are read from the `.py` twin (what is reviewed), every `assert`
statement is rewritten into a call that records the outcome and carries on, and the notebook is
executed in a fresh kernel in `notebooks/` with nbclient, on the CPU unless `VAELIB_DEVICE`
says otherwise. A cell that raises is recorded and the run goes on with the next cell, so one
broken claim does not hide the others. Nothing is written to the chapter's own files.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEDGER = Path("book") / "claims_ledger.json"
PAGE = Path("book") / "claims.md"
SEEDS_REQUIRED = (0, 1, 2, 3, 4)  # the realisations every claim must survive

# Defined in the chapter's kernel before its first cell: records each claim's outcome as one
# JSON line in the file named by the environment variable, and never raises.
RECORDER = r"""
import json as _claims_json, math as _claims_math, operator as _claims_op, os as _claims_os

class _ClaimsRecorder:
    _OPS = {"<": _claims_op.lt, "<=": _claims_op.le, ">": _claims_op.gt, ">=": _claims_op.ge,
            "==": _claims_op.eq, "!=": _claims_op.ne, "in": lambda a, b: a in b,
            "not in": lambda a, b: a not in b, "is": _claims_op.is_, "is not": _claims_op.is_not}

    def __init__(self, path):
        self._path = path

    def _write(self, record):
        with open(self._path, "a") as f:
            f.write(_claims_json.dumps(record) + "\n")

    @staticmethod
    def _number(value):
        try:
            if hasattr(value, "numel") and value.numel() != 1:
                return None
            if hasattr(value, "size") and not isinstance(value, (int, float)) and value.size != 1:
                return None
            number = float(value)
        except Exception:
            return None
        return number if _claims_math.isfinite(number) else None

    def truth(self, claim, value):
        try:
            ok = bool(value)
        except Exception as error:
            self._write({"id": claim, "status": "error", "error": repr(error)[:300]})
            return
        self._write({"id": claim, "status": "pass" if ok else "fail"})

    def compare(self, claim, operands, ops):
        try:
            ok, margin = True, None
            for left, op, right in zip(operands, ops, operands[1:]):
                ok = ok and bool(self._OPS[op](left, right))
                a, b = self._number(left), self._number(right)
                if a is None or b is None or op not in ("<", "<=", ">", ">="):
                    continue
                slack = (b - a) if op in ("<", "<=") else (a - b)
                scale = max(abs(a), abs(b))
                link = slack / scale if scale > 0 else slack
                margin = link if margin is None else min(margin, link)
        except Exception as error:
            self._write({"id": claim, "status": "error", "error": repr(error)[:300]})
            return
        values = [self._number(v) for v in operands]
        self._write({"id": claim, "status": "pass" if ok else "fail", "margin": margin,
                     "values": values})

__claims__ = _ClaimsRecorder(_claims_os.environ["VAELIB_CLAIMS_OUT"])
"""

_OP_NAMES = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


@dataclass(frozen=True)
class Claim:
    """One `assert` of a chapter: where it is and the sentence it checks."""

    cell: int  # index of the code cell among the chapter's cells
    line: int  # line of the assert in that cell (1-based)
    column: int
    text: str  # the assert's message: the claim, as the chapter words it


def chapters() -> list[Path]:
    """The chapters' `.py` twins, in book order."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def chapter_path(argument: str) -> Path:
    """notebooks/NN_name.py for a chapter named by its .py twin, its notebook or its stem."""
    path = Path(argument)
    if not path.suffix:
        path = ROOT / "notebooks" / path.name
    path = path.with_suffix(".py").resolve()
    if not path.exists():
        names = [p.stem for p in chapters()]
        raise SystemExit(f"no chapter {path}: name one of {names}")
    return path


def _claim_text(message: ast.expr | None) -> str:
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return message.value
    return "(no claim stated)" if message is None else ast.unparse(message)


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # a cell of magics; it holds no claim the chapters are allowed
        return None


def claims_of(cells: list) -> list[Claim]:
    """Every assert in the code cells, in reading order."""
    found = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or (tree := _parse(cell.source)) is None:
            continue
        asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        for node in sorted(asserts, key=lambda n: (n.lineno, n.col_offset)):
            found.append(Claim(index, node.lineno, node.col_offset, _claim_text(node.msg)))
    return found


def read_cells(path: Path) -> list:
    import jupytext

    return jupytext.read(path).cells


def chapter_claims(path: Path) -> list[str]:
    """The claims of the chapter whose `.py` twin is `path`, in reading order."""
    return [claim.text for claim in claims_of(read_cells(path))]


class _RecordClaims(ast.NodeTransformer):
    """Rewrites `assert test, msg` into `__claims__.compare(...)` or `__claims__.truth(...)`."""

    def __init__(self, ids: dict[tuple[int, int], int]):
        self.ids = ids

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        claim = ast.Constant(self.ids[(node.lineno, node.col_offset)])
        test = node.test
        recorder = ast.Name("__claims__", ast.Load())
        if isinstance(test, ast.Compare) and all(type(op) in _OP_NAMES for op in test.ops):
            operands = ast.List([test.left, *test.comparators], ast.Load())
            ops = ast.List([ast.Constant(_OP_NAMES[type(op)]) for op in test.ops], ast.Load())
            method = ast.Attribute(recorder, "compare", ast.Load())
            call = ast.Call(method, [claim, operands, ops], [])
        else:
            call = ast.Call(ast.Attribute(recorder, "truth", ast.Load()), [claim, test], [])
        return ast.copy_location(ast.Expr(call), node)


def recording_cells(cells: list, claims: list[Claim]) -> list:
    """Copies of `cells` in which each assert records its claim (numbered as in `claims`)."""
    import copy

    ids: dict[int, dict[tuple[int, int], int]] = {}
    for number, claim in enumerate(claims):
        ids.setdefault(claim.cell, {})[(claim.line, claim.column)] = number
    result = []
    for index, cell in enumerate(cells):
        cell = copy.deepcopy(cell)
        if index in ids:
            tree = ast.fix_missing_locations(_RecordClaims(ids[index]).visit(_parse(cell.source)))
            cell.source = ast.unparse(tree)
        result.append(cell)
    return result


def run_chapter(path: Path, seed: int, timeout: int = 1800) -> dict:
    """Run one chapter at realisation `seed`; return its claims' outcomes and the run's facts."""
    import nbformat
    from nbclient import NotebookClient

    cells = read_cells(path)
    claims = claims_of(cells)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(RECORDER)] + [
        cell for cell in recording_cells(cells, claims) if cell.cell_type == "code"
    ]
    errors = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "claims.jsonl"
        out.touch()
        environment = {"VAELIB_SEED": str(seed), "VAELIB_CLAIMS_OUT": str(out)}
        saved = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)  # the kernel inherits this process's environment
        os.environ.setdefault("VAELIB_DEVICE", "cpu")  # the stored outputs are the CPU's
        start = time.perf_counter()
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": str(path.parent)}},
            )
            client.execute()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    for number, cell in enumerate(notebook.cells[1:], start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {number}: {output['ename']}: {output['evalue'][:300]}")
    outcomes = [_combine([r for r in records if r["id"] == n]) for n in range(len(claims))]
    return {
        "claims": [claim.text for claim in claims],
        "outcomes": outcomes,
        "run": {
            "device": os.environ.get("VAELIB_DEVICE", "cpu"),
            "date": date.today().isoformat(),
            "seconds": round(seconds, 1),
            "errors": errors,
        },
    }


def _combine(records: list[dict]) -> dict:
    """One claim's outcome from its records (an assert in a loop records once per pass)."""
    if not records:
        return {"status": "not reached"}
    for status in ("error", "fail"):
        bad = [r for r in records if r["status"] == status]
        if bad:
            worst = {k: v for k, v in bad[0].items() if k != "id"}
            return worst | {"times": len(records)}
    margins = [r["margin"] for r in records if r.get("margin") is not None]
    outcome = {"status": "pass", "times": len(records)}
    if margins:
        smallest = min(range(len(margins)), key=margins.__getitem__)
        with_margin = [r for r in records if r.get("margin") is not None]
        outcome |= {"margin": margins[smallest], "values": with_margin[smallest]["values"]}
    return outcome


def run_key(seed: int, device: str) -> str:
    """The ledger's name for one run: the device type and the realisation, e.g. "cpu/3"."""
    return f"{device.split(':')[0]}/{seed}"


def read_ledger() -> dict:
    path = ROOT / LEDGER
    return json.loads(path.read_text()) if path.exists() else {"chapters": {}}


def merge(ledger: dict, name: str, seed: int, result: dict) -> None:
    """Put one chapter's run into the ledger; runs of an older set of claims are dropped."""
    entry = ledger["chapters"].get(name)
    if entry is None or [c["claim"] for c in entry["claims"]] != result["claims"]:
        entry = {"claims": [{"claim": text, "runs": {}} for text in result["claims"]], "runs": {}}
        ledger["chapters"][name] = entry
    key = run_key(seed, result["run"]["device"])
    entry["runs"][key] = result["run"]
    for claim, outcome in zip(entry["claims"], result["outcomes"]):
        claim["runs"][key] = _rounded(outcome)
    ledger["chapters"] = dict(sorted(ledger["chapters"].items()))


def _rounded(outcome: dict) -> dict:
    """Margins to 4 significant digits and values to 6, so the ledger's diffs stay readable."""
    outcome = dict(outcome)
    if outcome.get("margin") is not None:
        outcome["margin"] = float(f"{outcome['margin']:.4g}")
    if outcome.get("values") is not None:
        outcome["values"] = [None if v is None else float(f"{v:.6g}") for v in outcome["values"]]
    return outcome


def write_ledger(ledger: dict) -> Path:
    path = ROOT / LEDGER
    path.write_text(json.dumps(ledger, indent=1, ensure_ascii=False) + "\n")
    return path


# --- the book's page -------------------------------------------------------------------------

HEADER = """\
# Claims and seeds

Every sentence of this book that states a measured fact is checked by an `assert` when its
chapter runs. One run is one realisation of the chapter's experiments: its seeds fix the initial
weights, the batches and every random draw. A reader on another machine, or in Colab on a GPU,
gets another realisation, so a claim is only worth making if it holds on all of them.

The table below is the book's ledger of claims. `tools/claims_ledger.py` ran every chapter at
the realisations `VAELIB_SEED` = 0, 1, 2, 3 and 4 (the stored outputs are realisation 0), with
each assert recorded instead of fatal. For each claim it shows on how many of them it held, and
its smallest margin: for a comparison such as `a < b`, the slack (b − a) relative to the larger
of |a| and |b|, at the realisation where it was smallest (a margin of 0.05 means the claim held
by 5 %). A dash means the claim is not a comparison of two numbers.

% Generated by `python tools/claims_ledger.py --page` from book/claims_ledger.json; do not edit.
"""

_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|$#{}"})


def _held(claim: dict, keys: list[str]) -> str:
    passed = sum(claim["runs"].get(k, {}).get("status") == "pass" for k in keys)
    return f"{passed}/{len(keys)}"


def _margin(claim: dict, keys: list[str]) -> str:
    margins = [claim["runs"][k].get("margin") for k in keys if k in claim["runs"]]
    margins = [m for m in margins if m is not None]
    if not margins:
        return "–"
    smallest = min(margins)
    return f"{smallest:.0%}" if abs(smallest) >= 0.01 else f"{smallest:.1%}"


def page(ledger: dict) -> str:
    """The Markdown of `book/claims.md` for `ledger`."""
    lines = [HEADER]
    for name, entry in ledger["chapters"].items():
        keys = sorted(k for k in entry["runs"] if k.startswith("cpu/"))
        held = sum(_held(c, keys) == f"{len(keys)}/{len(keys)}" for c in entry["claims"])
        seeds = ", ".join(k.split("/")[1] for k in keys) or "none"
        lines.append(f"## [{name}](../notebooks/{name}.ipynb)\n")
        lines.append(
            f"{len(entry['claims'])} claims, run on the CPU at realisations {seeds}; "
            f"{held} held on every one.\n"
        )
        other = sorted(k for k in entry["runs"] if not k.startswith("cpu/"))
        if other:
            lines.append(f"Also run on: {', '.join(other)}.\n")
        lines.append("| # | claim | held | smallest margin |")
        lines.append("|---:|---|:---:|---:|")
        for number, claim in enumerate(entry["claims"], start=1):
            text = " ".join(claim["claim"].split()).translate(_ESCAPE)
            lines.append(f"| {number} | {text} | {_held(claim, keys)} | {_margin(claim, keys)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_page(ledger: dict) -> Path:
    path = ROOT / PAGE
    path.write_text(page(ledger))
    return path


# --- the command line ------------------------------------------------------------------------


def _report(name: str, seed: int, result: dict) -> list[str]:
    """Lines for each claim of one run that did not pass."""
    lines = []
    for text, outcome in zip(result["claims"], result["outcomes"]):
        if outcome["status"] != "pass":
            detail = outcome.get("values") or outcome.get("error") or ""
            lines.append(f"  {name} seed {seed}: {outcome['status']}: {text!r} {detail}")
    for error in result["run"]["errors"]:
        lines.append(f"  {name} seed {seed}: {error}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter files (default: every chapter)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="VAELIB_SEED values")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a failure")
    parser.add_argument("--page", action="store_true", help="only rewrite the page")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    if args.page:
        print(f"wrote {write_page(read_ledger()).relative_to(ROOT)}")
        return 0
    paths = [chapter_path(a) for a in args.chapters] or chapters()
    ledger = read_ledger()
    passed = failed = 0
    for seed in args.seeds:
        for path in paths:
            result = run_chapter(path, seed, args.timeout)
            bad = _report(path.stem, seed, result)
            ok = sum(o["status"] == "pass" for o in result["outcomes"])
            passed, failed = passed + ok, failed + len(result["outcomes"]) - ok
            print(
                f"{path.stem} seed {seed}: {ok}/{len(result['outcomes'])} claims held "
                f"({result['run']['seconds']:.0f} s)",
                flush=True,
            )
            for line in bad:
                print(line, flush=True)
            if not args.check:
                merge(ledger, path.stem, seed, result)
                write_ledger(ledger)
    if not args.check:
        print(f"wrote {LEDGER} and {write_page(ledger).relative_to(ROOT)}")
    print(f"claims: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
