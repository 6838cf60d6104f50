"""The reconstruction gain of each latent dimension (chapter 5): the rise of the reconstruction
term when that dimension's posterior is replaced by the prior."""

import pytest
import torch

import vaelib
from vaelib import MLPConfig, reconstruction_gain_per_dimension


def small_vae(latent_dim=4):
    vaelib.seed_everything(0)
    return vaelib.VAE(MLPConfig(hidden_dim=16, latent_dim=latent_dim))


def test_gain_has_one_entry_per_latent_dimension(random_images):
    gain = reconstruction_gain_per_dimension(small_vae(latent_dim=5), random_images[:32])
    assert gain.shape == (5,)
    assert torch.isfinite(gain).all()


def test_a_dimension_the_decoder_ignores_gains_exactly_nothing(random_images):
    model = small_vae()
    with torch.no_grad():
        model.decoder[0].weight[:, 2] = 0  # the decoder no longer reads z_3
    gain = reconstruction_gain_per_dimension(model, random_images[:32])
    assert gain[2] == 0
    assert gain.abs().sum() > 0  # the other dimensions still matter


def test_a_dimension_already_at_the_prior_gains_nothing(random_images):
    model = small_vae()
    with torch.no_grad():  # μ_1 = 0 and log σ²_1 = 0 for every x: q(z_1|x) is the prior
        model.to_mu.weight[0] = 0
        model.to_mu.bias[0] = 0
        model.to_logvar.weight[0] = 0
        model.to_logvar.bias[0] = 0
    gain = reconstruction_gain_per_dimension(model, random_images[:32])
    assert gain[0].abs() < 1e-4


def test_gain_matches_a_hand_computation_for_one_dimension(random_images):
    model, x = small_vae(latent_dim=3), random_images[:20]
    gain = reconstruction_gain_per_dimension(model, x, batch_size=20, seed=3)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(3))
        z = mu + torch.exp(0.5 * logvar) * eps
        z_off = z.clone()
        z_off[:, 1] = eps[:, 1]
        d = vaelib.reconstruction_loss(model.decode(z), x).mean()
        d_off = vaelib.reconstruction_loss(model.decode(z_off), x).mean()
    torch.testing.assert_close(gain[1], d_off - d, rtol=1e-4, atol=1e-4)


def test_gain_is_the_same_on_every_call_and_restores_the_mode(random_images):
    model, x = small_vae(), random_images[:40]
    first = reconstruction_gain_per_dimension(model, x, batch_size=40)
    torch.testing.assert_close(first, reconstruction_gain_per_dimension(model, x, batch_size=40))
    assert model.training  # the mode is restored


def test_gain_needs_a_vae(random_images):
    with pytest.raises(TypeError, match="needs a VAE"):
        reconstruction_gain_per_dimension(vaelib.Autoencoder(), random_images[:4])


def test_gain_refuses_bad_batch_sizes_and_seeds(random_images):
    model, x = small_vae(), random_images[:8]
    for batch_size in (-1, 0):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            reconstruction_gain_per_dimension(model, x, batch_size=batch_size)
    with pytest.raises(ValueError, match="seed must be an integer with 0 <= seed < 2"):
        reconstruction_gain_per_dimension(model, x, seed=-1)


def test_gain_restores_the_mode_after_an_error(random_images):
    model = small_vae()
    with torch.no_grad():
        model.decoder[0].weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="NaN"):
        reconstruction_gain_per_dimension(model, random_images[:8])
    assert model.training


def test_gain_accepts_float64_images_as_float32(random_images):
    model, x = small_vae(), random_images[:16]
    torch.testing.assert_close(
        reconstruction_gain_per_dimension(model, x.double()),
        reconstruction_gain_per_dimension(model, x),
    )
