"""The claims ledger: run the chapters at several seeds and record how every claim fared.

Every `assert cond, "sentence"` in a chapter checks one claim of the prose. Run normally, the
first claim that fails stops the chapter, and it is checked on one realisation only (the seed
the chapter names). This tool runs chapters with every assert *recorded* instead of fatal, at
the realisations `VAELIB_SEED` selects (see `vaelib._support.seeding`), and keeps, for each claim
and each seed: passed, failed, raised an error, or not reached; and, where the assert compares
numbers (`a < b`, `lo <= x <= hi`), the values on both sides and the relative margin by which
it held (negative: by which it failed).

    export VAELIB_DATA="$(cd .. && pwd)/shared/data"
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

# Run in the chapter's kernel before its first cell. It registers an IPython AST transformer
# that rewrites every `assert` of every later cell into a call that records the claim's outcome
# as one JSON line in the file named by VAELIB_CLAIMS_OUT, and carries on. The cells' sources
# are not touched, so the outputs a run stores are those of the chapter as written. A claim is
# named by the cell's execution count and the assert's place among the cell's asserts.
RECORDER = r"""
import ast as _claims_ast, json as _claims_json, math as _claims_math
import operator as _claims_op, os as _claims_os


class _ClaimsRecorder:
    _OPS = {"<": _claims_op.lt, "<=": _claims_op.le, ">": _claims_op.gt, ">=": _claims_op.ge,
            "==": _claims_op.eq, "!=": _claims_op.ne, "in": lambda a, b: a in b,
            "not in": lambda a, b: a not in b, "is": _claims_op.is_, "is not": _claims_op.is_not}

    def __init__(self, path):
        self._path = path

    def _write(self, claim, record):
        with open(self._path, "a") as f:
            f.write(_claims_json.dumps({"cell": claim[0], "place": claim[1]} | record) + "\n")

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
            self._write(claim, {"status": "error", "error": repr(error)[:300]})
            return
        self._write(claim, {"status": "pass" if ok else "fail"})

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
            self._write(claim, {"status": "error", "error": repr(error)[:300]})
            return
        values = [self._number(v) for v in operands]
        self._write(claim, {"status": "pass" if ok else "fail", "margin": margin,
                            "values": values})


class _ClaimsTransformer(_claims_ast.NodeTransformer):
    _NAMES = {_claims_ast.Lt: "<", _claims_ast.LtE: "<=", _claims_ast.Gt: ">",
              _claims_ast.GtE: ">=", _claims_ast.Eq: "==", _claims_ast.NotEq: "!=",
              _claims_ast.In: "in", _claims_ast.NotIn: "not in", _claims_ast.Is: "is",
              _claims_ast.IsNot: "is not"}

    def __init__(self, cell_number=lambda: 0):
        self._cell_number = cell_number

    def visit_Module(self, node):
        asserts = [n for n in _claims_ast.walk(node) if isinstance(n, _claims_ast.Assert)]
        order = sorted(asserts, key=lambda n: (n.lineno, n.col_offset))
        self._places = {id(n): place for place, n in enumerate(order)}
        self._cell = self._cell_number()
        return _claims_ast.fix_missing_locations(self.generic_visit(node))

    def visit_Assert(self, node):
        A = _claims_ast
        claim = A.Tuple([A.Constant(self._cell), A.Constant(self._places[id(node)])], A.Load())
        recorder = A.Name("__claims__", A.Load())
        test = node.test
        if isinstance(test, A.Compare) and all(type(op) in self._NAMES for op in test.ops):
            operands = A.List([test.left, *test.comparators], A.Load())
            ops = A.List([A.Constant(self._NAMES[type(op)]) for op in test.ops], A.Load())
            call = A.Call(A.Attribute(recorder, "compare", A.Load()), [claim, operands, ops], [])
        else:
            call = A.Call(A.Attribute(recorder, "truth", A.Load()), [claim, test], [])
        return A.copy_location(A.Expr(call), node)


__claims__ = _ClaimsRecorder(_claims_os.environ["VAELIB_CLAIMS_OUT"])
try:
    _claims_shell = get_ipython()
    _claims_shell.ast_transformers.append(
        _ClaimsTransformer(lambda: _claims_shell.execution_count)
    )
except NameError:  # plain Python (the tests): the caller applies _ClaimsTransformer itself
    pass
"""


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


def execute_recording(
    notebook, folder: Path, seed: int, timeout: int = 1800, allow_errors: bool = True
) -> dict:
    """Execute `notebook` in place in a fresh kernel started in `folder`, at realisation `seed`,
    with every assert recorded; return its claims' outcomes and the run's facts.

    With `allow_errors`, a cell that raises is recorded and the run goes on; without, the error
    propagates (`nbclient.exceptions.CellExecutionError`). A failed claim never raises.
    """
    import nbformat
    from nbclient import NotebookClient

    claims = claims_of(notebook.cells)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(RECORDER))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "claims.jsonl"
        out.touch()
        environment = {"VAELIB_SEED": str(seed), "VAELIB_CLAIMS_OUT": str(out)}
        saved = {k: os.environ.get(k) for k in [*environment, "VAELIB_DEVICE"]}
        os.environ.update(environment)  # the kernel inherits this process's environment
        os.environ.setdefault("VAELIB_DEVICE", "cpu")  # the stored outputs are the CPU's
        device = os.environ["VAELIB_DEVICE"]
        start = time.perf_counter()
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                allow_errors=allow_errors,
                resources={"metadata": {"path": str(folder)}},
            )
            client.execute()
        finally:
            notebook.cells.pop(0)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    # a claim's name in the kernel: its cell's execution count and its place among the asserts
    ids, places = {}, {}
    for number, claim in enumerate(claims):
        count = notebook.cells[claim.cell].get("execution_count")
        place = places[claim.cell] = places.get(claim.cell, -1) + 1
        ids[(count, place)] = number
    by_claim: dict[int, list[dict]] = {}
    for record in records:
        number = ids.get((record["cell"], record["place"]))
        if number is not None:
            by_claim.setdefault(number, []).append(record)
    _renumber_without_the_recorder(notebook)
    errors = [
        f"cell {index}: {output['ename']}: {output['evalue'][:300]}"
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    return {
        "claims": [claim.text for claim in claims],
        "outcomes": [_combine(by_claim.get(n, [])) for n in range(len(claims))],
        "run": {
            "device": device,
            "date": date.today().isoformat(),
            "seconds": round(seconds, 1),
            "errors": errors,
        },
    }


def _renumber_without_the_recorder(notebook) -> None:
    """Execution counts as if the chapter ran alone: the recorder cell took count 1."""
    for cell in notebook.cells:
        if cell.get("execution_count"):
            cell["execution_count"] -= 1
        for output in cell.get("outputs", []):
            if output.get("execution_count"):
                output["execution_count"] -= 1


def run_chapter(path: Path, seed: int, timeout: int = 1800) -> dict:
    """Run one chapter, read from its `.py` twin, at realisation `seed`: `execute_recording`."""
    import jupytext

    notebook = jupytext.read(path)
    return execute_recording(notebook, path.parent, seed, timeout)


def _combine(records: list[dict]) -> dict:
    """One claim's outcome from its records (an assert in a loop records once per pass)."""
    if not records:
        return {"status": "not reached"}
    for status in ("error", "fail"):
        bad = [r for r in records if r["status"] == status]
        if bad:
            worst = {k: v for k, v in bad[0].items() if k not in ("cell", "place")}
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
    parser.add_argument(
        "--seeds", nargs="+", default=["0"], help="VAELIB_SEED values (chapters may follow them)"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a failure")
    parser.add_argument("--page", action="store_true", help="only rewrite the page")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    if args.page:
        print(f"wrote {write_page(read_ledger()).relative_to(ROOT)}")
        return 0
    # `--seeds 0 1 notebooks/x.py` takes the chapter as a seed: give it back to the chapters.
    named = args.chapters + [a for a in args.seeds if not a.lstrip("-").isdigit()]
    args.seeds = [int(a) for a in args.seeds if a.lstrip("-").isdigit()]
    paths = [chapter_path(a) for a in named] or chapters()
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
