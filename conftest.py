"""pytest set-up for the whole repository: the chapters run on the CPU under pytest.

The outputs stored in the notebooks were computed on a CPU, and a GPU gives slightly different
numbers, so `pytest --nbval` on a machine with CUDA would fail. Jupyter kernels that nbval starts
inherit this process's environment, so setting `VAELIB_DEVICE=cpu` here (read by
`vaelib.pick_device`) makes every chapter, and every test, run on the CPU. To test on a GPU
anyway, set the variable yourself: `VAELIB_DEVICE=cuda pytest --nbval tests notebooks/`.
A reader in Jupyter or Colab never runs this file and still gets the GPU.
"""

import os

# vaelib._support.device.DEVICE_ENV_VAR, spelled out so that collecting tests does not import
# vaelib.
os.environ.setdefault("VAELIB_DEVICE", "cpu")


# Markers, so that the quick part of the suite can run alone (`pytest -m "not slow"`; see the
# README). Whole modules are marked here, in one place, rather than test by test.
BROWSER_MODULES = {"test_book.py", "test_interactive_browser.py", "test_jupyterlab.py"}
SLOW_MODULES = BROWSER_MODULES | {"test_colab_cell.py", "test_workflow.py"}


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
