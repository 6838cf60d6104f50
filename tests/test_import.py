"""`import vaelib` stays fast: the libraries that take a second or more to import (torchvision,
seaborn and the pandas it brings) are imported by the functions that use them, not by `vaelib`.
"""

import subprocess
import sys

import pytest
import torch

import vaelib
from vaelib import plots

SLOW = ("torchvision", "seaborn", "pandas")


def _modules_after(code: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return set(result.stdout.split())


def test_import_vaelib_imports_neither_torchvision_nor_seaborn():
    loaded = _modules_after("import vaelib, vaelib.plots, vaelib.interactive")
    assert "vaelib.plots" in loaded
    assert not loaded & set(SLOW), f"import vaelib imported {sorted(loaded & set(SLOW))}"


@pytest.mark.parametrize(
    "call, needs",
    [
        ("vaelib.image_grid(torch.rand(4, 1, 28, 28))", "torchvision"),
        ("vaelib.gaussian_blur(torch.rand(2, 1, 28, 28), 0.7)", "torchvision"),
        ("plots.plot_latent_marginals(torch.randn(50, 2), dims=(0, 1))", "seaborn"),
    ],
)
def test_the_function_that_needs_a_library_imports_it(call, needs):
    loaded = _modules_after(f"import torch, vaelib\nfrom vaelib import plots\n{call}")
    assert needs in loaded


def test_the_deferred_imports_work_in_this_process():
    assert vaelib.image_grid(torch.rand(3, 1, 4, 4), nrow=2).shape == (1, 14, 14)
    assert plots.plot_latent_scatter(torch.randn(30, 2), torch.arange(30) % 3) is not None
