"""Shared fixtures. Tests that need the real MNIST read it from the folder named by VAELIB_DATA
(CI sets it to ../shared/data) and are skipped, with the reason, when it is not set."""

import os

import pytest
import torch
from hypothesis import settings

from vaelib import DATA_ENV_VAR

# Property tests draw the same examples on every run ("ci", the default), so a red run can be
# repeated and a clean clone passes twice in a row. To search with fresh random examples:
# HYPOTHESIS_PROFILE=explore pytest tests/test_properties.py tests/test_plot_properties.py
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def real_data_root():
    root = os.environ.get(DATA_ENV_VAR)
    if not root:
        pytest.skip(f"{DATA_ENV_VAR} is not set: no local MNIST to test against")
    return root


@pytest.fixture
def random_images():
    """256 images (256, 1, 28, 28) of random grey levels in [0, 1]."""
    return torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(0))
