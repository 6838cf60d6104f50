"""The claims ledger (`tools/claims_ledger.py`): it records asserts faithfully, it is current,
and every claim of the book held on every realisation it records."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("claims_ledger", ROOT / "tools/claims_ledger.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["claims_ledger"] = module
    spec.loader.exec_module(module)
    return module


ledger_tool = _tool()
CHAPTERS = ledger_tool.chapters()


def _run_cells(sources: list[str], tmp_path, monkeypatch) -> tuple[list, list[dict]]:
    """Run `sources` as cells 1, 2, … with recorded asserts, in this process, as the kernel
    would; return the claims and the records."""
    import ast
    import json

    claims = ledger_tool.claims_of([nbformat.v4.new_code_cell(s) for s in sources])
    out = tmp_path / "claims.jsonl"
    out.touch()
    monkeypatch.setenv("VAELIB_CLAIMS_OUT", str(out))
    namespace: dict = {}
    exec(ledger_tool.RECORDER, namespace)
    for number, source in enumerate(sources, start=1):
        transformer = namespace["_ClaimsTransformer"](lambda number=number: number)
        exec(compile(transformer.visit(ast.parse(source)), "<cell>", "exec"), namespace)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    # claim n is the place-th assert of cell (claims[n].cell + 1)
    places = {}
    for n, claim in enumerate(claims):
        places[(claim.cell + 1, sum(c.cell == claim.cell for c in claims[:n]))] = n
    for record in records:
        record["id"] = places[(record["cell"], record["place"])]
    return claims, records


def test_every_assert_is_found_in_reading_order_with_its_claim():
    cells = [
        nbformat.v4.new_markdown_cell("assert False, 'prose is not code'"),
        nbformat.v4.new_code_cell(
            "x = 1\nassert x < 2, 'first'\nfor i in range(2):\n    assert i >= 0, 'second'"
        ),
        nbformat.v4.new_code_cell("assert x, f'third {x}'"),
    ]
    claims = ledger_tool.claims_of(cells)
    assert [c.text for c in claims] == ["first", "second", "f'third {x}'"]
    assert [c.cell for c in claims] == [1, 1, 2]


def test_recorded_asserts_carry_on_and_keep_values_and_margins(tmp_path, monkeypatch):
    sources = [
        "a, b = 3.0, 4.0\nassert a < b, 'holds by a quarter'\nassert b < a, 'fails'",
        "assert 0 <= a <= 10, 'a chain'\nassert a, 'a truth'\nassert 1 < [], 'raises'",
    ]
    claims, records = _run_cells(sources, tmp_path, monkeypatch)
    by_claim = {claims[r["id"]].text: r for r in records}
    assert by_claim["holds by a quarter"]["status"] == "pass"
    assert by_claim["holds by a quarter"]["margin"] == pytest.approx(0.25)
    assert by_claim["holds by a quarter"]["values"] == [3.0, 4.0]
    assert by_claim["fails"]["status"] == "fail"
    assert by_claim["fails"]["margin"] == pytest.approx(-0.25)
    assert by_claim["a chain"]["margin"] == pytest.approx(0.7)  # min(3/3, 7/10)
    assert by_claim["a truth"]["status"] == "pass"
    assert by_claim["raises"]["status"] == "error" and "TypeError" in by_claim["raises"]["error"]


def test_an_unreached_claim_and_a_loop_are_combined_per_claim():
    assert ledger_tool._combine([]) == {"status": "not reached"}
    runs = [
        {"id": 0, "status": "pass", "margin": 0.3, "values": [1, 2]},
        {"id": 0, "status": "pass", "margin": 0.1, "values": [9, 10]},
    ]
    assert ledger_tool._combine(runs) == {
        "status": "pass",
        "times": 2,
        "margin": 0.1,
        "values": [9, 10],
    }
    runs.append({"id": 0, "status": "fail", "margin": -0.5, "values": [2, 1]})
    assert ledger_tool._combine(runs)["status"] == "fail"


def test_the_ledger_holds_the_chapters_current_claims():
    ledger = ledger_tool.read_ledger()["chapters"]
    assert sorted(ledger) == [path.stem for path in CHAPTERS], (
        "the ledger's chapters are not the book's: run `python tools/claims_ledger.py --seeds "
        "0 1 2 3 4 notebooks/NN_name.py` for each new or renamed chapter"
    )
    for path in CHAPTERS:
        recorded = [claim["claim"] for claim in ledger[path.stem]["claims"]]
        assert recorded == ledger_tool.chapter_claims(path), (
            f"{path.name}'s claims changed since the ledger was made: run "
            f"`python tools/claims_ledger.py --seeds 0 1 2 3 4 {path.relative_to(ROOT)}`"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_claim_held_on_every_realisation(path):
    entry = ledger_tool.read_ledger()["chapters"].get(path.stem)
    assert entry is not None, f"{path.name} is not in the ledger"
    wanted = [ledger_tool.run_key(seed, "cpu") for seed in ledger_tool.SEEDS_REQUIRED]
    missing = [key for key in wanted if key not in entry["runs"]]
    assert not missing, f"{path.name} has not been run at {missing}"
    failed = [
        (key, claim["claim"])
        for claim in entry["claims"]
        for key, outcome in claim["runs"].items()
        if outcome["status"] != "pass"
    ]
    assert not failed, f"{path.name}: claims that did not hold: {failed}"


def test_the_claims_page_is_generated_from_the_ledger():
    page = (ROOT / ledger_tool.PAGE).read_text()
    assert page == ledger_tool.page(ledger_tool.read_ledger()), (
        "book/claims.md is out of date: run `python tools/claims_ledger.py --page`"
    )


def test_the_claims_page_is_in_the_table_of_contents():
    assert "book/claims" in (ROOT / "_toc.yml").read_text()
