"""The GitHub Actions workflow that tests and publishes the book (`.github/workflows/book.yml`).

It cannot run here, so it is checked as far as it can be without GitHub: it is valid YAML, it
passes `actionlint` (installed by requirements.txt; no network needed), it runs README.md's own
set-up and test commands and nothing a reader of the README or `.ci/run` would not recognise,
and it deploys `_build/html` to GitHub Pages from `main` only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
README = (ROOT / "README.md").read_text()
ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(job: str) -> list[dict]:
    return _workflow()["jobs"][job]["steps"]


def _commands(step: dict) -> list[str]:
    """The command lines of a `run:` step, without blank lines and comments."""
    lines = (line.strip() for line in step.get("run", "").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _all_commands() -> list[str]:
    return [c for job in _workflow()["jobs"] for step in _steps(job) for c in _commands(step)]


def _readme_block_after(marker: str) -> list[str]:
    """The command lines of the first ```bash block after `marker` in README.md."""
    match = re.search(re.escape(marker) + r"\s*```bash\n(.*?)```", README, re.DOTALL)
    assert match, f"README.md has no ```bash block after {marker}"
    return [line.strip() for line in match[1].splitlines() if line.strip()]


def _step_running(command: str) -> dict:
    return next(step for step in _steps("test") if command in _commands(step))


def test_the_workflow_is_valid_yaml_run_on_every_push_and_pull_request():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers and "pull_request" in triggers
    assert triggers["push"] is None, "every push, on every branch"


def test_actionlint_passes_on_the_workflow():
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is missing: pip install -r requirements.txt"
    result = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path):
    """A control: the same workflow with a misspelt step key and a bad expression must fail."""
    broken = WORKFLOW.read_text().replace("runs-on:", "run-on:", 1)
    broken = broken.replace("steps.data.outputs.cache-hit", "steps.nodata.outputs.cache-hit")
    path = tmp_path / ".github" / "workflows" / "broken.yml"
    path.parent.mkdir(parents=True)
    path.write_text(broken)
    actionlint = shutil.which("actionlint") or pytest.fail("actionlint is missing")
    result = subprocess.run(
        [actionlint, "-no-color", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "run-on" in result.stdout and "nodata" in result.stdout


def test_the_workflow_runs_the_readme_set_up_and_test_commands():
    set_up = _readme_block_after("<!-- set-up-commands -->")
    test = _readme_block_after("<!-- test-command -->")[0]
    assert "pip install -r requirements.txt" in set_up
    for command in [*set_up, test]:
        assert command in _all_commands(), f"the workflow does not run README's `{command}`"
    install = _steps("test").index(_step_running("pip install -r requirements.txt"))
    assert _steps("test").index(_step_running(test)) > install


def test_every_command_the_workflow_runs_is_in_the_readme_or_ci_run():
    ci_run = (ROOT / ".ci" / "run").read_text().splitlines()
    known = {line.strip() for line in ci_run}
    for command in _all_commands():
        assert command in README or command in known, (
            f"the workflow runs `{command}`, which neither README.md nor .ci/run shows"
        )


def test_the_data_folder_is_the_one_cached_and_vaelib_reads():
    job = _workflow()["jobs"]["test"]
    cache = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/cache"))
    assert job["env"]["VAELIB_DATA"] == "${{ github.workspace }}/" + cache["with"]["path"]
    assert "${{" not in cache["with"]["key"], "a constant key: the data never changes"
    assert cache["with"]["path"] + "/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_book_is_built_and_deployed_to_pages_from_main_only():
    build = _step_running("jupyter-book build .")
    upload = next(s for s in _steps("test") if "upload-pages-artifact" in s.get("uses", ""))
    assert build["if"] == ON_MAIN and upload["if"] == ON_MAIN
    assert upload["with"]["path"] == "_build/html"
    deploy = _workflow()["jobs"]["deploy"]
    assert deploy["if"] == ON_MAIN and deploy["needs"] == "test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any("deploy-pages" in step.get("uses", "") for step in deploy["steps"])
