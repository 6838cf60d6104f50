"""The standard experiment in two calls: `train_vae` (one step of `sweep_beta`) and
`summarise_vae` (the numbers the chapters tabulate for a trained VAE)."""

import pytest
import torch

import vaelib
from vaelib import MLPConfig, summarise_vae, train_vae

SMALL = MLPConfig(hidden_dim=16, latent_dim=3)


@pytest.fixture(scope="module")
def trained():
    images = torch.rand(128, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    model, history = train_vae(images, images, epochs=2, config=SMALL, seed=1, device="cpu")
    return images, model, history


def test_train_vae_is_one_step_of_sweep_beta(trained):
    images, model, history = trained
    [(swept, swept_history)] = vaelib.sweep_beta(
        [1.0], images, images, epochs=2, config=SMALL, seed=1, device="cpu"
    )
    for a, b in zip(model.parameters(), swept.parameters()):
        assert torch.equal(a, b)
    assert history.to_dict() == swept_history.to_dict() and len(history) == 2


def test_train_vae_leaves_the_global_random_state_alone():
    images = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    state = torch.get_rng_state()
    train_vae(images, epochs=1, config=SMALL, device="cpu")
    assert torch.equal(torch.get_rng_state(), state)


def test_summary_collects_evaluate_active_units_and_the_entropy_floor(trained):
    images, model, _ = trained
    summary = summarise_vae(model, images)
    scores = vaelib.evaluate(model, images)
    floor = vaelib.bernoulli_entropy(images).mean().item()
    assert summary["reconstruction"] == scores["reconstruction"]
    assert summary["kl"] == scores["kl"]
    assert summary["active_units"] == vaelib.active_units(model, images)
    assert summary["entropy_floor"] == pytest.approx(floor)
    assert summary["floor_share"] == pytest.approx(floor / scores["reconstruction"])
    assert 0 < summary["floor_share"] < 1  # no decoder gets below the floor


def test_black_and_white_images_have_no_entropy_floor(trained):
    _, model, _ = trained
    binary = (torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    summary = summarise_vae(model, binary)
    assert summary["entropy_floor"] == 0 and summary["floor_share"] == 0


def test_summary_needs_a_vae():
    with pytest.raises(TypeError, match="needs a VAE"):
        summarise_vae(vaelib.Autoencoder(SMALL), torch.rand(4, 1, 28, 28))
