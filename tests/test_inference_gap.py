"""Approximation and amortisation gaps (Cremer et al. 2018): vaelib.measures.inference_gap."""

import pytest
import torch

import vaelib
from vaelib import VAE, MLPConfig
from vaelib.measures.inference_gap import gaussian_elbo, inference_gaps, optimise_posterior

CONFIG = MLPConfig(image_shape=(1, 4, 4), hidden_dim=8, latent_dim=2)


@pytest.fixture(scope="module")
def trained():
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(64, *CONFIG.image_shape, generator=g) < 0.4).float()
    torch.manual_seed(0)
    model = VAE(CONFIG)
    vaelib.fit(model, x, epochs=5, batch_size=16, progress=False, device="cpu")
    return model, x[:12]


def test_gaussian_elbo_matches_evaluate_in_expectation(trained):
    model, x = trained
    mu, logvar = model.encode(x)
    elbo = gaussian_elbo(model, x, mu, logvar, 4000, torch.Generator().manual_seed(0)).mean()
    reference = -vaelib.evaluate(model, x.repeat(400, 1, 1, 1))["loss"]
    assert elbo.item() == pytest.approx(reference, abs=0.05)


def test_the_optimised_gaussian_has_an_elbo_at_least_the_encoders(trained):
    model, x = trained
    with torch.no_grad():
        mu, logvar = model.encode(x)
    mu_star, logvar_star = optimise_posterior(
        model, x, mu, logvar, steps=100, lr=0.05, samples=10, generator=torch.Generator()
    )
    before = gaussian_elbo(model, x, mu, logvar, 2000, torch.Generator().manual_seed(1))
    after = gaussian_elbo(model, x, mu_star, logvar_star, 2000, torch.Generator().manual_seed(1))
    assert after.mean() > before.mean()


def test_optimising_q_leaves_the_decoder_untouched(trained):
    model, x = trained
    before = [p.detach().clone() for p in model.parameters()]
    model.zero_grad(set_to_none=True)
    mu, logvar = model.encode(x)
    optimise_posterior(model, x, mu, logvar, steps=5)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert all(p.grad is None for p in model.parameters())


def test_the_split_sums_to_the_total_and_amortisation_is_not_negative(trained):
    model, x = trained
    gaps = inference_gaps(model, x, steps=50, lr=0.05, elbo_samples=200, k=200, batch_size=5)
    torch.testing.assert_close(gaps.approximation + gaps.amortisation, gaps.total)
    assert gaps.total.shape == (12,)
    assert (gaps.amortisation >= 0).all()
    assert gaps.total.mean() > 0  # the ELBO is below log p(x)
    assert (gaps.log_likelihood >= gaps.elbo_optimised - 0.5).all()


def test_inference_gaps_are_seeded(trained):
    model, x = trained
    a = inference_gaps(model, x, steps=10, elbo_samples=50, k=50, seed=3)
    b = inference_gaps(model, x, steps=10, elbo_samples=50, k=50, seed=3)
    torch.testing.assert_close(a.total, b.total)


def test_inference_gaps_needs_a_vae():
    with pytest.raises(TypeError, match="VAE"):
        inference_gaps(vaelib.Autoencoder(CONFIG), torch.rand(2, 1, 4, 4))
