"""pytest set-up for the whole repository: the chapters run on the CPU under pytest.

The outputs stored in the notebooks were computed on a CPU, and a GPU gives slightly different
numbers, so `pytest --nbval` on a machine with CUDA would fail. Jupyter kernels that nbval starts
inherit this process's environment, so setting `VAELIB_DEVICE=cpu` here (read by
`vaelib.pick_device`) makes every chapter, and every test, run on the CPU. To test on a GPU
anyway, set the variable yourself: `VAELIB_DEVICE=cuda pytest --nbval tests notebooks/`.
A reader in Jupyter or Colab never runs this file and still gets the GPU.
"""

import os
from pathlib import Path

# vaelib._support.device.DEVICE_ENV_VAR, spelled out so that collecting tests does not import
# vaelib.
os.environ.setdefault("VAELIB_DEVICE", "cpu")


# Markers, so that the quick part of the suite can run alone (`pytest -m "not slow"`; see the
# README). Whole modules are marked here, in one place, rather than test by test.
BROWSER_MODULES = {"test_book.py", "test_interactive_browser.py", "test_jupyterlab.py"}
SLOW_MODULES = BROWSER_MODULES | {"test_colab_cell.py", "test_workflow.py"}


# What nbval masks before comparing a chapter's output with the stored one: the numbers, whose
# last digits follow the CPU's arithmetic (see the file). Given unless the command line names
# a file of its own with --nbval-sanitize-with.
NBVAL_SANITIZE_FILE = Path(__file__).parent / "tests" / "nbval_sanitize.cfg"


def pytest_configure(config):
    if getattr(config.option, "nbval_sanitize_with", "absent") is None:  # nbval, no file given
        config.option.nbval_sanitize_with = str(NBVAL_SANITIZE_FILE)


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        name = item.path.name
        if name.endswith(".ipynb"):  # a chapter's cell under --nbval
            item.add_marker(pytest.mark.slow)
        if name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if name in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)
