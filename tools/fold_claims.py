"""Move the block of asserts that closes a chapter's code cell into a cell of its own, folded.

In the book a reader should meet prose, code and figure in one flow, with the checks of the
claims one click away. So a code cell that computes and then checks its claims is split in two:
the computation, and a cell holding only the asserts, tagged `hide-input` with the label
"Show the claims this cell checks" (MyST-NB folds it). Jupyter and Colab show both cells as
usual. The split is made in the `.py` twin; re-execute the chapter afterwards.

    python tools/fold_claims.py notebooks/04_vae_mnist.py          # report what would move
    python tools/fold_claims.py --write notebooks/*.py             # split the cells

Left alone: markdown cells; cells already hidden or removed (`hide-*`, `remove-*` tags); cells
that hold only asserts; cells whose last statement before the asserts is an expression (its
value would start being displayed). `tests/test_notebooks.py` checks that no chapter has a
cell left to split.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

# In jupytext's own order of the cell's metadata (alphabetical), so a sync leaves it as it is.
FOLDED_HEADER = (
    '# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]'
)


def _closing_asserts(body: list[str]) -> int | None:
    """The line (index into `body`) where the cell's closing block of asserts, with the comments
    just above it, starts; None when the cell has nothing to split."""
    try:
        statements = ast.parse("\n".join(body)).body
    except SyntaxError:
        return None
    first_assert = len(statements)
    while first_assert and isinstance(statements[first_assert - 1], ast.Assert):
        first_assert -= 1
    if first_assert in (0, len(statements)):
        return None  # only asserts, or none at the end
    last = statements[first_assert - 1]
    if isinstance(last, ast.Expr) and getattr(last.value, "func", None) is not None:
        if getattr(last.value.func, "id", "") != "print":
            return None  # a displayed value would change the cell's output
    elif isinstance(last, ast.Expr):
        return None
    cut = statements[first_assert].lineno - 1
    while cut > last.end_lineno and (
        not body[cut - 1].strip() or body[cut - 1].lstrip().startswith("#")
    ):
        cut -= 1
    return cut


def cells_to_fold(text: str) -> list[tuple[int, int]]:
    """(first line of the cell's body, line where its closing asserts start), 0-based, for each
    code cell of a py:percent text that should be split."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("# %%")] + [len(lines)]
    found = []
    for start, end in zip(starts, starts[1:]):
        header = lines[start]
        if header.startswith("# %% [markdown]") or "hide-" in header or "remove-" in header:
            continue
        body = lines[start + 1 : end]
        while body and not body[-1].strip():
            body.pop()
        cut = _closing_asserts(body)
        if cut is not None:
            found.append((start + 1, start + 1 + cut))
    return found


def fold(text: str) -> str:
    """The py:percent text with every closing block of asserts moved into a folded cell."""
    lines = text.split("\n")
    for _, cut in reversed(cells_to_fold(text)):
        before = cut
        while before and not lines[before - 1].strip():
            before -= 1
        lines[before:cut] = ["", FOLDED_HEADER]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", help="the chapters' .py twins")
    parser.add_argument("--write", action="store_true", help="split the cells in place")
    args = parser.parse_args(argv)
    for name in args.chapters:
        path = Path(name)
        text = path.read_text()
        found = cells_to_fold(text)
        print(f"{path}: {len(found)} cell(s) {'split' if args.write else 'to split'}")
        if args.write and found:
            path.write_text(fold(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
