"""Binarised MNIST: seeded Bernoulli draws of the grey levels (vaelib.data.binarize), in fit too."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import vaelib
from vaelib import ImageData, MLPConfig
from vaelib.data.binarize import binarize, binarized


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 8))
def test_binarised_images_are_zero_or_one_and_seeded(seed, n):
    grey = torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed % 1000))
    a = binarize(grey, torch.Generator().manual_seed(seed))
    b = binarize(grey, torch.Generator().manual_seed(seed))
    assert set(a.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(a, b)
    assert a.shape == grey.shape and a.dtype == torch.float32


def test_black_stays_black_and_white_stays_white():
    x = torch.cat([torch.zeros(2, 1, 28, 28), torch.ones(2, 1, 28, 28)])
    assert torch.equal(binarize(x, torch.Generator().manual_seed(0)), x)


def test_each_pixel_is_one_with_the_probability_of_its_grey_level():
    grey = torch.full((2000, 1, 28, 28), 0.3)
    mean = binarize(grey, torch.Generator().manual_seed(0)).mean().item()
    assert mean == pytest.approx(0.3, abs=0.002)


def test_binarize_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match="images"):
        binarize(torch.full((1, 1, 28, 28), 1.5))


def test_binarized_is_a_fixed_set_for_a_seed_and_keeps_the_labels(monkeypatch):
    data = ImageData(torch.rand(5, 1, 28, 28), torch.arange(5), [str(i) for i in range(10)], "t")
    a, b, c = binarized(data, seed=0), binarized(data, seed=0), binarized(data, seed=1)
    assert torch.equal(a.images, b.images) and not torch.equal(a.images, c.images)
    assert torch.equal(a.labels, data.labels)
    monkeypatch.setenv("VAELIB_SEED", "1")  # another realisation, another fixed set
    assert not torch.equal(binarized(data, seed=0).images, a.images)


def test_binarized_rejects_a_tensor():
    with pytest.raises(TypeError, match="ImageData"):
        binarized(torch.rand(2, 1, 28, 28))


def test_fit_binarises_every_batch_afresh_and_deterministically():
    config = MLPConfig(image_shape=(1, 4, 4), hidden_dim=8, latent_dim=2)
    x = torch.full((32, 1, 4, 4), 0.5)  # grey: a binarising run sees other data than a plain one
    losses = []
    for binarize_ in (True, True, False):
        torch.manual_seed(0)
        model = vaelib.VAE(config)
        history = vaelib.fit(model, x, epochs=2, binarize=binarize_, progress=False, device="cpu")
        losses.append(history.train_loss)
    assert losses[0] == losses[1]
    assert losses[0] != losses[2]
