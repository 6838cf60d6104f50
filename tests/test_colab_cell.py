"""The Colab set-up cell that opens every chapter: the same in every chapter, installing from the
repository named in `_config.yml`, doing nothing outside Colab, and, run as Colab runs it,
installing a `vaelib` that imports.

The install test copies the working tree (the files git tracks or would track) into a fresh git
repository in a temporary folder, makes a fresh virtual environment, and runs the chapters'
set-up cell there with a stand-in `google.colab` module and the repository URL pointed at the
copy. The environment sees the packages of the Python that runs the tests, as Colab's Python has
torch preinstalled, so nothing is downloaded: a virtual environment's packages when pytest runs
in one (`--system-site-packages` would show the base interpreter's instead, which a virtual
environment does not use, with whatever old setuptools it came with), the system's otherwise.
The test checks that `import vaelib` then loads the copy installed into the new environment, not
the editable checkout installed in the one running the tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
TWINS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


url_tool = _tool("set_repository_url")


def _set_up_cell(path: Path):
    """The first code cell of a chapter (a .py twin or an .ipynb)."""
    return next(cell for cell in jupytext.read(path).cells if cell.cell_type == "code")


def _set_up_code() -> str:
    """The set-up cell's code, the same in every chapter (checked below)."""
    return _set_up_cell(TWINS[0]).source


def test_every_chapter_opens_with_the_same_colab_only_set_up_cell():
    assert TWINS, "no chapters found"
    for path in TWINS:
        cell = _set_up_cell(path)
        assert "remove-cell" in cell.metadata.get("tags", []), f"{path.name}: tag it remove-cell"
        assert '"google.colab" in sys.modules' in cell.source, f"{path.name}: cell not guarded"
        assert cell.source == _set_up_code(), (
            f"{path.name}'s set-up cell differs from {TWINS[0].name}'s: every chapter opens with "
            "the same one"
        )


@pytest.mark.parametrize("path", url_tool.chapter_files(), ids=lambda p: p.name)
def test_the_set_up_cell_installs_from_the_repository_in_config(path):
    url = url_tool.config_url()
    urls = url_tool.install_urls(path.read_text())
    assert urls == [url], (
        f"{path.name} installs vaelib from {urls}, but _config.yml names {url}: "
        "run `python tools/set_repository_url.py`"
    )


def test_the_url_tool_rewrites_only_the_url_in_every_chapter(tmp_path):
    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    config = tmp_path / "_config.yml"
    old = url_tool.config_url(tmp_path)
    new = "https://example.org/someone/vae-book"
    config.write_text(config.read_text().replace(f"url: {old}", f"url: {new}"))
    before = {p.name: p.read_text() for p in url_tool.chapter_files(tmp_path)}

    assert url_tool.main(["--check"], root=tmp_path) == 1
    assert url_tool.main([], root=tmp_path) == 0
    assert url_tool.main(["--check"], root=tmp_path) == 0

    for path in url_tool.chapter_files(tmp_path):
        assert url_tool.install_urls(path.read_text()) == [new]
        assert path.read_text() == before[path.name].replace(f"git+{old}", f"git+{new}")
    assert _set_up_cell(tmp_path / "notebooks" / TWINS[0].with_suffix(".ipynb").name).source == (
        _set_up_code().replace(old, new)
    )


def test_outside_colab_the_set_up_cell_does_nothing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the set-up cell ran a command outside Colab: {args}")

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", refuse)
    exec(compile(_set_up_code(), "<set-up cell>", "exec"), {})


# Runs the cell in the environment's Python, as Colab would: `google.colab` is importable there.
COLAB_DRIVER = """\
import sys, types
google = types.ModuleType("google")
google.colab = types.ModuleType("google.colab")
sys.modules.update({"google": google, "google.colab": google.colab})
code = open(sys.argv[1]).read()
exec(compile(code, "<set-up cell>", "exec"), {"__name__": "__main__"})
"""

# What a reader's next cell does: import vaelib and build a model.
REPORT_IMPORT = """\
import json, vaelib
parameters = sum(p.numel() for p in vaelib.VAE().parameters())
report = {"file": vaelib.__file__, "version": vaelib.__version__, "parameters": parameters}
print(json.dumps(report))
"""


def _snapshot_of_the_working_tree(destination: Path) -> Path:
    """A one-commit git repository holding the checkout's files as they are on disk now."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    git += ["-c", "commit.gpgsign=false"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(git + command, cwd=destination, check=True, capture_output=True)
    return destination


def _environment_over_this_one(environment: Path) -> Path:
    """A fresh virtual environment that also sees this Python's installed packages; its python.

    Its own site-packages comes first, so what is installed into it is what it imports; after
    it come the site-packages of the Python running the tests (the virtual environment's, when
    pytest runs in one), added as `site` adds them, so their `.pth` files work too. No pip of
    its own: this one's (as on Colab), so no older bundled setuptools shadows this one's.
    """
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = site.getsitepackages()
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        ours.append(site.getusersitepackages())
    lines = [f"import site; site.addsitedir({folder!r})" for folder in ours]
    (Path(own) / "_packages_of_the_test_run.pth").write_text("\n".join(lines) + "\n")
    return python


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git, as pip does for git+ URLs")
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout of the book")
def test_in_colab_the_set_up_cell_installs_vaelib_into_a_fresh_environment(tmp_path):
    repo = _snapshot_of_the_working_tree(tmp_path / "repo")
    environment = tmp_path / "env"
    python = _environment_over_this_one(environment)

    url = url_tool.config_url()
    code = _set_up_code()
    assert f"git+{url}" in code
    cell = tmp_path / "set_up_cell.py"
    # pip of 2023 reads `file:///path` as a path; `file://localhost/path` is the same URL.
    cell.write_text(code.replace(f"git+{url}", f"git+file://localhost{repo.as_posix()}"))
    driver = tmp_path / "colab.py"
    driver.write_text(COLAB_DRIVER)

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    # Everything vaelib needs is already installed, as on Colab: no index, and no isolated build
    # environment to download setuptools into (pip reads PIP_NO_BUILD_ISOLATION=0 as "off").
    env.update(PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    _run([str(python), str(driver), str(cell)], cwd=tmp_path, env=env)

    report = json.loads(_run([str(python), "-c", REPORT_IMPORT], cwd=tmp_path, env=env).stdout)
    installed = Path(report["file"]).resolve()
    assert installed.is_relative_to(environment.resolve()), (
        f"import vaelib loaded {installed}, not the copy installed into {environment}"
    )
    assert "site-packages" in installed.parts
    assert report["version"] == __import__("vaelib").__version__
    assert report["parameters"] > 0
