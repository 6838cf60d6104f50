"""The Bernoulli ELBO on grey levels, and the same networks read as a normalised density."""

import math

import pytest
import torch

import vaelib
from vaelib import VAE, MLPConfig, grey_level_elbo


def test_grey_level_elbo_uses_the_sample_of_evaluate_and_adds_minus_the_log_mass():
    torch.manual_seed(0)
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=3))
    images = torch.rand(30, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    result = grey_level_elbo(model, images, batch_size=7, seed=3)
    loss = vaelib.evaluate(model, images, batch_size=7, seed=3)["loss"]
    assert result["elbo"] == pytest.approx(-loss, abs=1e-4)
    assert result["log_mass"] < -784 * math.log(2)
    assert result["normalised_elbo"] == pytest.approx(result["elbo"] - result["log_mass"])


def test_grey_level_elbo_needs_a_vae():
    with pytest.raises(TypeError):
        grey_level_elbo(
            vaelib.Autoencoder(MLPConfig(hidden_dim=8, latent_dim=2)), torch.rand(4, 1, 28, 28)
        )


def test_normalised_elbo_is_the_elbo_of_a_continuous_bernoulli_decoder():
    torch.manual_seed(1)
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=3))
    images = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(4))
    result = grey_level_elbo(model, images, seed=5)
    with torch.no_grad():
        logits, mu, logvar = model(images, torch.Generator().manual_seed(5))
        decoder = torch.distributions.ContinuousBernoulli(logits=logits.double())
        log_density = decoder.log_prob(images.double()).flatten(start_dim=1).sum(dim=1)
        expected = (log_density - vaelib.gaussian_kl(mu, logvar).double()).mean().item()
    assert result["normalised_elbo"] == pytest.approx(expected, abs=1e-2)
