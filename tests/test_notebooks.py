"""The chapters as files: paired, executed, listed in the book, importing their code from vaelib.

nbval (`pytest --nbval notebooks/`) re-runs the notebooks; these checks catch what it cannot:
a twin out of step, a notebook committed without outputs, a chapter missing from the book.
"""

import ast
import json
import re
from pathlib import Path

import jupytext
import jupytext.formats
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _cells(notebook):
    return [(c.cell_type, c.source.strip()) for c in notebook.cells if c.source.strip()]


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_agrees_with_its_py_percent_twin(path):
    twin = path.with_suffix(".py")
    assert twin.exists(), f"{path.name} has no twin: run jupytext --sync {path}"
    assert _cells(jupytext.read(path)) == _cells(jupytext.read(twin)), (
        f"{path.name} and {twin.name} differ: run jupytext --sync {twin}"
    )
    format_name, _ = jupytext.formats.guess_format(twin.read_text(), ".py")
    assert format_name == "percent", f"{twin.name} is not in the py:percent format"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_stays_under_3_mb(path):
    """Stored outputs (figures, interactive figures' data) keep a chapter small to review."""
    size = path.stat().st_size
    assert size < 3_000_000, f"{path.name} is {size / 1e6:.1f} MB; a chapter stays under 3 MB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_is_stored_executed_in_order(path):
    notebook = json.loads(path.read_text())
    code = [
        c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]
    counts = [c["execution_count"] for c in code]
    assert all(counts), f"{path.name}: cells without an execution count (not executed)"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom once"
    assert any(c["outputs"] for c in code), f"{path.name} has no stored outputs"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_chapter_defines_its_own_model_or_training_loop(path):
    source = path.with_suffix(".py").read_text()
    assert not re.search(r"class \w+\((nn|torch\.nn)\.Module\)", source), "models live in vaelib"
    # A chapter may call .backward() to show a gradient; only chapter 2 writes out one step of
    # training (one optimiser, one step) to show what `vaelib.fit` repeats.
    steps, optimisers = source.count(".step()"), source.count("optim.")
    allowed = 1 if path.stem.startswith("02_") else 0
    assert steps <= allowed and optimisers <= allowed, "training lives in vaelib.fit"


# What each chapter teaches, shown as a listing of the library's source (vaelib.show_source) at
# the point where the text explains it; test_each_stored_listing_is_the_current_source_to_the_
# last_digit below compares each stored listing with the source, so it cannot drift.
LISTING_CELL = re.compile(r"^vaelib\.show_source\(([\w.]+)\)$", flags=re.M)  # the name shown
LISTINGS = {
    "01": ["vaelib.Autoencoder", "vaelib.reconstruction_loss", "vaelib.autoencoder_loss"],
    "02": ["vaelib.VAE", "vaelib.VAE.reparameterize", "vaelib.vae_loss"],
    "03": ["vaelib.gaussian_kl_per_dim"],
    "04": ["vaelib.fit"],
    "05": ["vaelib.latent_activity", "vaelib.active_units"],
    "06": ["vaelib.sweep_beta"],
    "07": ["vaelib.vae_loss"],
    "08": ["vaelib.log_importance_weights", "vaelib.importance_weighted_bound"],
    "09": ["vaelib.bernoulli_entropy"],
    "10": ["vaelib.mig_per_factor"],
    "11": ["vaelib.ConditionalVAE.encode", "vaelib.ConditionalVAE.decode"],
    "12": ["vaelib.ConvVAE"],
    "13": ["vaelib.binarize", "vaelib.iwae_loss", "vaelib.optimise_posterior"],
    "14": ["vaelib.LinearVAE", "vaelib.linear_vae_loss"],
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_chapter_shows_the_source_of_what_it_teaches(path):
    source = path.with_suffix(".py").read_text()
    shown = LISTING_CELL.findall(source)
    assert shown, f"{path.stem} shows no listing: add a cell vaelib.show_source(...)"
    missing = set(LISTINGS.get(path.stem[:2], [])) - set(shown)
    assert not missing, f"{path.stem} should show {sorted(missing)} where the text explains them"


def test_chapter_2_writes_out_one_training_step():
    """A reader of chapter 2 sees the model, the loss and one step without leaving the page."""
    source = (ROOT / "notebooks" / "02_from_autoencoder_to_vae.py").read_text()
    for line in (".backward()", "optimizer.step()", "vaelib.vae_loss(", "optimizer.zero_grad()"):
        assert line in source, f"chapter 2's written-out training step lacks {line}"


def _definitions(source: str) -> list[str]:
    """Every function, class or named lambda that a chapter's code defines, as "name (line n)".

    Code cells are the statements of the py:percent twin (markdown cells are comments there).
    A lambda passed as an argument is allowed; one bound to a name is a function definition.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(f"{node.name} (line {node.lineno})")
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and isinstance(
            node.value, ast.Lambda
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = ", ".join(ast.unparse(t) for t in targets)
            found.append(f"{names} = lambda (line {node.lineno})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_chapter_defines_a_function_or_class_of_its_own(path):
    definitions = _definitions(path.with_suffix(".py").read_text())
    assert not definitions, (
        f"{path.with_suffix('.py').name} defines {', '.join(definitions)}: every function, metric "
        f"and helper lives in vaelib with a test; call it from the chapter"
    )


@pytest.mark.parametrize(
    "code",
    [
        "def helper(x):\n    return x\n",
        "class Probe:\n    pass\n",
        "score = lambda x: x + 1\n",
        "if True:\n    def nested():\n        pass\n",
    ],
)
def test_the_house_rule_catches_definitions(code):
    assert _definitions(code)


def test_the_house_rule_allows_calls_and_lambdas_passed_as_arguments():
    assert not _definitions("x = sorted([3, 1], key=lambda v: -v)\nvaelib.fit(model, train)\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_chapter_opens_with_goals_and_ends_with_exercises(path):
    source = path.with_suffix(".py").read_text()
    assert "In this chapter you will" in source
    assert '"google.colab" in sys.modules' in source, "the Colab-only set-up cell is missing"
    assert "## Exercises" in source and ":class: dropdown" in source


def test_every_chapter_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    chapters = [f"notebooks/{p.stem}" for p in NOTEBOOKS]
    assert [f for f in listed if f.startswith("notebooks/")] == chapters


def _code_cells(path: Path) -> list[str]:
    return [c.source for c in jupytext.read(path.with_suffix(".py")).cells if c.cell_type == "code"]


def _asserts_without_a_claim(code: str) -> list[int]:
    """Lines of the asserts in `code` that carry no message (the claim they check)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # a cell of shell or magic commands: no Python asserts to read
        return []
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert) and n.msg is None]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_assert_in_a_chapter_quotes_the_claim_it_checks(path):
    bare = [line for cell in _code_cells(path) for line in _asserts_without_a_claim(cell)]
    assert not bare, (
        f"{path.with_suffix('.py').name}: {len(bare)} asserts carry no message; give each the "
        f"sentence of the prose it checks, so a failing nbval run says which claim stopped holding"
    )


def test_the_claim_rule_catches_a_bare_assert_and_allows_a_quoted_one():
    assert _asserts_without_a_claim("assert ratio > 10\n") == [1]
    assert not _asserts_without_a_claim('assert ratio > 10, "an order of magnitude"\n')


HEADING_IN_CODE = re.compile(r"(?m)^# #{1,6} \S")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_heading_hides_in_a_code_cell(path):
    """A `# ## Heading` comment in a code cell is shown by the book as code, not as a heading."""
    hidden = [cell.splitlines()[0] for cell in _code_cells(path) if HEADING_IN_CODE.search(cell)]
    assert not hidden, f"{path.name}: headings inside code cells (make them markdown): {hidden}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_marker_is_well_formed(path):
    """A mistyped `# %% …` line turns words of the prose into cell metadata, lost from the page."""
    notebook = json.loads(path.read_text())
    garbled = [
        i
        for i, cell in enumerate(notebook["cells"])
        if {"title", "incorrectly_encoded_metadata"} & set(cell.get("metadata", {}))
    ]
    assert not garbled, f"{path.name}: cells {garbled} come from a garbled `# %%` marker line"


def _fold_claims():
    import importlib.util

    spec = importlib.util.spec_from_file_location("fold_claims", ROOT / "tools" / "fold_claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_claims_that_close_a_cell_sit_in_a_folded_cell_of_their_own(path):
    twin = path.with_suffix(".py")
    left = _fold_claims().cells_to_fold(twin.read_text())
    assert not left, (
        f"{twin.name}: {len(left)} code cell(s) compute and then check claims (first at line "
        f"{left[0][1] + 1 if left else 0}); run `python tools/fold_claims.py --write {twin}` to "
        f"move the asserts into a folded cell, then re-execute the chapter"
    )


def test_folding_moves_the_closing_asserts_and_keeps_a_displayed_value():
    fold = _fold_claims()
    text = '# %%\nx = 1\nprint(x)\n# the claim\nassert x == 1, "one"\n'
    folded = fold.fold(text)
    assert folded.split("\n") == [
        "# %%",
        "x = 1",
        "print(x)",
        "",
        fold.FOLDED_HEADER,
        "# the claim",
        'assert x == 1, "one"',
        "",
    ]
    assert fold.cells_to_fold(folded) == []
    shown = '# %%\nx = 1\nx\nassert x == 1, "one"\n'  # `x` would start being displayed
    assert fold.cells_to_fold(shown) == []


NBVAL_SANITIZE_FILE = ROOT / "tests" / "nbval_sanitize.cfg"


def _nbval_masked(text):
    """`text` as `pytest --nbval` compares it, through the masks conftest.py hands to nbval."""
    from nbval.plugin import get_sanitize_patterns

    for regex, replacement in get_sanitize_patterns(NBVAL_SANITIZE_FILE.read_text()):
        text = re.sub(regex, replacement, text)
    return text


@pytest.mark.parametrize(
    ("stored", "rerun"),
    [
        # seen between two x86 CPUs with the same packages, seeds and thread count
        (
            "epoch 1: test reconstruction loss 87.6 nats per",
            "epoch 1: test reconstruction loss 87.5 nats per",
        ),
        ("  95       23     23        118\n", " 100       23     23        119\n"),
        ("from -3.6 to 3.0, 1,024 images, 2.5e-04", "from −3.7 to 3.0, 1,010 images, 1e-05"),
    ],
)
def test_nbval_compares_the_words_of_an_output_not_its_numbers(stored, rerun):
    assert _nbval_masked(stored) == _nbval_masked(rerun)


@pytest.mark.parametrize(
    ("stored", "rerun"),
    [
        ("collapse begins at β = 8\n", "collapse never begins\n"),
        ("3 of 20 dimensions are active\n", "3 of 20 dimensions are active\n3 of 20 informative\n"),
        ("KL 12.0 nats per image", "KL 12.0 bits per image"),
    ],
)
def test_nbval_still_sees_a_changed_word_or_line(stored, rerun):
    assert _nbval_masked(stored) != _nbval_masked(rerun)


def test_conftest_hands_the_masks_to_nbval(pytestconfig):
    assert pytestconfig.option.nbval_sanitize_with == str(NBVAL_SANITIZE_FILE)


def _listing_cells(path):
    """(name shown, stored text/plain) of each listing cell of the notebook at `path`."""
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        match = LISTING_CELL.search("".join(cell["source"]))
        if cell["cell_type"] == "code" and match:
            plain = [o["data"]["text/plain"] for o in cell["outputs"] if "data" in o]
            yield match.group(1), "".join(plain[0]) if plain else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_stored_listing_is_the_current_source_to_the_last_digit(path):
    # nbval masks numbers (tests/nbval_sanitize.cfg), so a listing whose only change is a number
    # (a layer's width, a default) would pass it; this compares the whole text.
    import functools

    import vaelib

    for name, stored in _listing_cells(path):
        shown = functools.reduce(getattr, name.split(".")[1:], vaelib)  # "vaelib.VAE.encode"
        current = repr(vaelib.show_source(shown))
        assert stored == current, (
            f"{path.name}: the stored output of vaelib.show_source({name}) is not the current "
            f"source: run python tools/execute_chapters.py "
            f"{path.with_suffix('.py').relative_to(ROOT)}"
        )
