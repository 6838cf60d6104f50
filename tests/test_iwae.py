"""The IWAE objective (vaelib.losses.iwae) and the importance-weighted bound for any Gaussian
proposal (vaelib.measures.likelihood)."""

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaelib
from vaelib import VAE, MLPConfig
from vaelib.losses.iwae import iwae_loss
from vaelib.measures.likelihood import (
    importance_weighted_bound,
    log_importance_weights,
    per_image_log_likelihood,
)

CONFIG = MLPConfig(image_shape=(1, 4, 4), hidden_dim=8, latent_dim=3)


def _model(seed: int = 0) -> VAE:
    torch.manual_seed(seed)
    return VAE(CONFIG)


def _binary_images(n: int = 16, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, *CONFIG.image_shape, generator=g) < 0.5).float()


def test_log_weights_equal_the_joint_over_q_computed_with_torch_distributions():
    model, x = _model(), _binary_images(4)
    mu, logvar = model.encode(x)
    eps = torch.randn((2, *mu.shape), generator=torch.Generator().manual_seed(3))
    _, log_w = log_importance_weights(model, x, mu, logvar, eps)
    z = mu + torch.exp(0.5 * logvar) * eps
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    prior = torch.distributions.Normal(0.0, 1.0)
    p_x = torch.distributions.Bernoulli(logits=model.decode(z.flatten(0, 1)))
    expected = (
        p_x.log_prob(x.repeat(2, 1, 1, 1)).flatten(1).sum(1).view(2, -1)
        + prior.log_prob(z).sum(-1)
        - q.log_prob(z).sum(-1)
    )
    torch.testing.assert_close(log_w, expected, atol=1e-4, rtol=1e-5)


def test_the_bound_with_one_sample_is_the_elbo_in_expectation():
    model, x = _model(), _binary_images(8)
    with torch.no_grad():
        loss = iwae_loss(model, x.repeat(2000, 1, 1, 1), 1, torch.Generator().manual_seed(0))
        elbo = -vaelib.evaluate(model, x.repeat(2000, 1, 1, 1))["loss"]
    assert -loss.total.item() == pytest.approx(elbo, abs=0.05)


def test_the_bound_rises_with_k_on_average():
    model, x = _model(), _binary_images(32)
    mu, logvar = model.encode(x)
    bounds = [
        importance_weighted_bound(model, x, mu, logvar, k, torch.Generator().manual_seed(1))[
            0
        ].mean()
        for k in (1, 10, 100)
    ]
    assert bounds[0] < bounds[1] < bounds[2]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), k=st.integers(2, 20))
def test_the_bound_is_at_least_the_mean_of_its_log_weights(seed, k):
    # Jensen, realisation by realisation: log mean w ≥ mean log w, whose expectation is the ELBO.
    model, x = _model(seed % 7), _binary_images(4, seed)
    mu, logvar = model.encode(x)
    eps = torch.randn((k, *mu.shape), generator=torch.Generator().manual_seed(seed))
    _, log_w = log_importance_weights(model, x, mu, logvar, eps)
    bound = torch.logsumexp(log_w, dim=0) - math.log(k)
    assert (bound >= log_w.mean(dim=0) - 1e-4).all()


def test_chunks_do_not_change_the_bound(monkeypatch):
    model, x = _model(), _binary_images(4)
    mu, logvar = model.encode(x)
    whole, _ = importance_weighted_bound(
        model, x, mu, logvar, 4000, torch.Generator().manual_seed(0)
    )
    # chunks of 2 samples, 4 images
    monkeypatch.setattr("vaelib.measures.likelihood.MAX_ROWS_PER_CHUNK", 8)
    parts, _ = importance_weighted_bound(
        model, x, mu, logvar, 4000, torch.Generator().manual_seed(1)
    )
    torch.testing.assert_close(whole, parts, atol=0.05, rtol=0)  # the same number, other draws


def test_iwae_loss_reports_the_encoders_kl_and_mean_reconstruction():
    model, x = _model(), _binary_images(8)
    parts = iwae_loss(model, x, 5, torch.Generator().manual_seed(0))
    mu, logvar = model.encode(x)
    assert parts.kl.item() == pytest.approx(vaelib.gaussian_kl(mu, logvar).mean().item())
    assert parts.reconstruction.item() > 0
    parts.total.backward()
    assert model.to_mu.weight.grad is not None


def test_iwae_loss_rejects_k_zero():
    with pytest.raises(ValueError, match="k"):
        iwae_loss(_model(), _binary_images(2), 0)


def test_per_image_log_likelihood_is_seeded_and_per_image():
    model, x = _model(), _binary_images(10)
    a = per_image_log_likelihood(model, x, k=50, batch_size=3, seed=0)
    b = per_image_log_likelihood(model, x, k=50, batch_size=3, seed=0)
    assert a.shape == (10,)
    torch.testing.assert_close(a, b)
    assert (a < 0).all()


def test_fit_trains_the_iwae_and_its_train_loss_is_minus_l_k():
    model, x = _model(), _binary_images(64)
    history = vaelib.fit(model, x, epochs=3, batch_size=16, iwae_k=5, progress=False, device="cpu")
    assert history.train_loss[-1] < history.train_loss[0]


@pytest.mark.parametrize(
    "kwargs", [{"beta": 2.0}, {"free_bits": 0.5}, {"warmup_epochs": 1}, {"capacity": 3.0}]
)
def test_fit_refuses_iwae_with_a_beta_vae_setting(kwargs):
    with pytest.raises(ValueError, match="iwae_k"):
        vaelib.fit(_model(), _binary_images(8), epochs=1, iwae_k=5, progress=False, **kwargs)


def test_fit_refuses_iwae_for_an_autoencoder():
    with pytest.raises(ValueError, match="iwae_k"):
        vaelib.fit(vaelib.Autoencoder(CONFIG), _binary_images(8), iwae_k=5, progress=False)
