"""The library's tree: every public name is defined in one module and re-exported only by
`vaelib/__init__.py` (figures by `vaelib/plots/__init__.py`, interactive figures by
`vaelib/interactive/__init__.py`), so a reader who follows an import lands on the definition.
"""

import ast
import importlib
from pathlib import Path

import pytest

import vaelib

PACKAGE = Path(vaelib.__file__).parent
# The package fronts: the only modules that import a name in order to offer it.
FRONTS = {"vaelib", "vaelib.plots", "vaelib.interactive"}
# The public names of `vaelib` before the library was grouped by concept (issue 18), less the
# conditional twins of the code measures (`encode_dataset` and its measures serve both models).
PUBLIC_NAMES = 116


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
# The code outside the library that imports from it.
USERS = sorted(
    path
    for folder in ("tests", "benchmarks", "tools")
    for path in (PACKAGE.parent / folder).glob("*.py")
)


def _defined(module: str) -> set[str]:
    """The names a module defines at its top level: functions, classes and assignments."""
    names = set()
    for node in ast.parse(MODULES[module].read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _vaelib_imports(path: Path) -> list[tuple[str, str]]:
    """(source module, name) for every `from vaelib... import name` in `path`, nested or not."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "vaelib" or node.module.startswith("vaelib."):
                found.extend((node.module, alias.name) for alias in node.names)
    return found


def test_every_public_name_resolves():
    missing = [name for name in vaelib.__all__ if not hasattr(vaelib, name)]
    assert not missing, f"vaelib.__all__ names {missing}, which vaelib does not have"
    assert len(set(vaelib.__all__)) == len(vaelib.__all__) == PUBLIC_NAMES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports_a_name_from_the_module_that_defines_it(module):
    """No module re-exports another's name: each import names the module that defines it (or a
    submodule), so `vaelib/__init__.py`'s imports are a map of where everything lives."""
    wrong = _imported_from_elsewhere(MODULES[module])
    assert not wrong, f"{module} imports {wrong}: import each from the module that defines it"


@pytest.mark.parametrize("path", USERS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_tests_and_tools_import_from_vaelib_or_from_the_defining_module(path):
    wrong = _imported_from_elsewhere(path, fronts_allowed=True)
    assert not wrong, f"{path.name} imports {wrong}: import each from the module that defines it"


def _imported_from_elsewhere(path: Path, fronts_allowed: bool = False) -> list[str]:
    return [
        f"{name} from {source}"
        for source, name in _vaelib_imports(path)
        if f"{source}.{name}" not in MODULES  # a submodule
        and not (fronts_allowed and source in FRONTS)  # `from vaelib import fit`
        and name not in _defined(source)
    ]


@pytest.mark.parametrize("module", sorted(set(MODULES) - FRONTS))
def test_a_module_lists_in_all_only_what_it_defines(module):
    tree = ast.parse(MODULES[module].read_text())
    listed = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            listed = set(ast.literal_eval(node.value))
    foreign = sorted(listed - _defined(module))
    assert not foreign, f"{module}.__all__ re-exports {foreign}, defined elsewhere"


@pytest.mark.parametrize("package", sorted(m for m in MODULES if MODULES[m].stem == "__init__"))
def test_a_subpackage_is_a_docstring_that_says_what_is_inside(package):
    """Thin subpackages: importing one runs nothing and offers nothing, so there are no cycles
    and no second address for a name; the docstring names each module."""
    if package in FRONTS:
        return
    tree = ast.parse(MODULES[package].read_text())
    docstring = ast.get_docstring(tree)
    assert docstring and len(tree.body) == 1, f"{package}/__init__.py holds more than a docstring"
    modules = {m.rsplit(".", 1)[1] for m in MODULES if m.startswith(package + ".")}
    unnamed = sorted(m for m in modules if f"`{m}`" not in docstring)
    assert not unnamed, f"{package}'s docstring does not say what {unnamed} hold"


def test_every_module_imports_on_its_own():
    for module in MODULES:
        importlib.import_module(module)
