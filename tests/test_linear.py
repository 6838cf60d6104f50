"""The linear VAE (vaelib.models.linear) and its closed-form optimum, probabilistic PCA
(vaelib.models.ppca)."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from torch.distributions import MultivariateNormal, Normal

import vaelib
from vaelib import (
    LinearVAE,
    data_spectrum,
    evaluate,
    fit,
    kl_per_dimension,
    latent_activity,
    linear_log_likelihood,
    linear_vae_loss,
    linear_vae_optimum,
    ppca_log_likelihood,
    ppca_model,
)
from vaelib.losses.objective import compute_loss
from vaelib.plots import plot_eigenvalue_thresholds

SHAPE = (1, 3, 4)  # small images: D = 12


def _images(n=200, seed=0):
    """Correlated grey levels in [0, 1], (n, 1, 3, 4): a few strong directions and some noise."""
    g = torch.Generator().manual_seed(seed)
    factors = torch.randn(n, 3, generator=g) @ torch.randn(3, 12, generator=g)  # (n, 12)
    x = 0.5 + 0.1 * factors + 0.02 * torch.randn(n, 12, generator=g)
    return x.clamp(0, 1).view(n, *SHAPE)


def _random_model(d=3, sigma2=0.05, seed=0):
    torch.manual_seed(seed)
    model = LinearVAE(d, sigma2, image_shape=SHAPE)
    with torch.no_grad():
        model.logvar.normal_(0, 0.5)
        model.decoder.bias.fill_(0.5)
    return model


def _exact_log_likelihood(model, x):
    """log N(x; b, WWᵀ + σ²I) from torch.distributions, averaged over images, float64."""
    w = model.decoder.weight.detach().double()
    b = model.decoder.bias.detach().double()
    cov = w @ w.T + model.sigma2.item() * torch.eye(len(b), dtype=torch.float64)
    return MultivariateNormal(b, cov).log_prob(x.flatten(1).double()).mean().item()


def test_data_spectrum_matches_the_eigenvalues_of_torch_cov():
    x = _images()
    spectrum = data_spectrum(x)
    cov = torch.cov(x.flatten(1).double().T, correction=0)
    expected = torch.linalg.eigvalsh(cov).flip(0)
    torch.testing.assert_close(spectrum.eigenvalues, expected.clamp(min=0))
    torch.testing.assert_close(spectrum.mean, x.flatten(1).double().mean(dim=0))
    u = spectrum.eigenvectors
    torch.testing.assert_close(cov @ u, u * spectrum.eigenvalues, atol=1e-10, rtol=1e-8)
    assert spectrum.image_shape == SHAPE


def test_closed_form_ppca_log_likelihood_matches_multivariate_normal():
    x = _images()
    spectrum = data_spectrum(x)
    for d, sigma2 in [(1, 0.01), (3, 0.001), (3, 0.05), (5, 1.0)]:
        model = ppca_model(spectrum, d, sigma2)
        closed_form = ppca_log_likelihood(spectrum.eigenvalues, d, sigma2)
        assert closed_form == pytest.approx(_exact_log_likelihood(model, x), abs=1e-6)


def test_linear_log_likelihood_matches_multivariate_normal_for_any_weights():
    x = _images()
    model = _random_model()
    assert linear_log_likelihood(model, x, batch_size=7) == pytest.approx(
        _exact_log_likelihood(model, x), abs=1e-4
    )


def test_the_elbo_at_the_ppca_optimum_equals_the_log_likelihood():
    x = _images()
    spectrum = data_spectrum(x)
    for d, sigma2 in [(2, 0.002), (3, 0.01), (4, 0.05)]:  # some directions collapsed, some not
        elbo = -evaluate(ppca_model(spectrum, d, sigma2), x)["loss"]
        assert elbo == pytest.approx(ppca_log_likelihood(spectrum.eigenvalues, d, sigma2), abs=1e-3)


def test_the_elbo_is_below_the_log_likelihood_elsewhere():
    x = _images()
    model = _random_model()
    assert -evaluate(model, x)["loss"] < linear_log_likelihood(model, x) - 0.01


def test_closed_form_reconstruction_matches_monte_carlo():
    x = _images(n=4)
    model = _random_model()
    parts = linear_vae_loss(model, x)
    with torch.no_grad():
        mu, logvar = model.encode(x)  # (4, d)
        z = Normal(mu, (0.5 * logvar).exp()).sample((50_000,))  # (n, 4, d)
        mean = model.decoder(z)  # (n, 4, D)
        log_p = Normal(mean, model.sigma2.sqrt()).log_prob(x.flatten(1)).sum(dim=-1)  # (n, 4)
        per_sample = -log_p.mean(dim=1)  # (n,) batch means
    standard_error = per_sample.std().item() / math.sqrt(len(per_sample))
    assert abs(parts.reconstruction.item() - per_sample.mean().item()) < 4 * standard_error
    torch.testing.assert_close(parts.kl, vaelib.gaussian_kl(mu, logvar).mean())
    torch.testing.assert_close(
        linear_vae_loss(model, x, beta=3.0).total, parts.reconstruction + 3 * parts.kl
    )


@given(st.floats(0.01, 10.0), st.floats(0.05, 20.0))
def test_a_direction_collapses_exactly_when_its_eigenvalue_is_below_beta_sigma2(sigma2, beta):
    eigenvalues = torch.tensor([4.0, 2.0, 1.0, 0.5, 0.25, 0.1], dtype=torch.float64)
    optimum = linear_vae_optimum(eigenvalues, 5, sigma2, beta)
    assert optimum.open.tolist() == (eigenvalues[:5] > beta * sigma2).tolist()
    assert (optimum.kl[~optimum.open] == 0).all() and (optimum.kl[optimum.open] > 0).all()
    assert (optimum.column_norm[~optimum.open] == 0).all()
    torch.testing.assert_close(
        optimum.activity + optimum.posterior_variance, torch.ones(5).double()
    )


def test_the_ppca_model_shows_the_predicted_kl_and_activity():
    x = _images()
    spectrum = data_spectrum(x)
    for beta in (1.0, 4.0):
        model = ppca_model(spectrum, 4, 0.003, beta)
        optimum = linear_vae_optimum(spectrum.eigenvalues, 4, 0.003, beta)
        assert not optimum.open.all() and optimum.open.any()  # a mix of open and collapsed
        torch.testing.assert_close(
            kl_per_dimension(model, x).double(), optimum.kl, atol=1e-4, rtol=0
        )
        activity = latent_activity(model, x).double() * (len(x) - 1) / len(x)  # var over n
        torch.testing.assert_close(activity, optimum.activity, atol=1e-4, rtol=0)


def test_the_ppca_model_minimises_the_beta_objective_among_nearby_models():
    x = _images()
    spectrum = data_spectrum(x)
    model = ppca_model(spectrum, 3, 0.003, beta=2.0)
    best = evaluate(model, x, beta=2.0)["loss"]
    torch.manual_seed(1)
    for _ in range(5):
        with torch.no_grad():
            for p in (model.encoder.weight, model.decoder.weight, model.logvar):
                p.add_(1e-3 * torch.randn_like(p))
        assert evaluate(model, x, beta=2.0)["loss"] > best
        model = ppca_model(spectrum, 3, 0.003, beta=2.0)


def test_fit_trains_a_linear_vae_towards_the_optimum():
    x = _images(n=512)
    spectrum = data_spectrum(x)
    vaelib.seed_everything(0)
    model = LinearVAE(3, 0.01, image_shape=SHAPE)
    history = fit(model, x, epochs=60, lr=0.05, batch_size=64, device="cpu", progress=False)
    assert history.train_loss[-1] < history.train_loss[0]
    fit(model, x, epochs=30, lr=0.005, batch_size=64, device="cpu", progress=False)
    optimum = -ppca_log_likelihood(spectrum.eigenvalues, 3, 0.01)
    assert evaluate(model, x)["loss"] - optimum < 0.5


def test_a_learned_sigma2_moves_and_a_fixed_one_does_not():
    x = _images(n=256)
    for learn in (False, True):
        model = LinearVAE(2, 1.0, learn_sigma2=learn, image_shape=SHAPE)
        fit(model, x, epochs=5, lr=0.05, batch_size=64, device="cpu", progress=False)
        assert (model.sigma2.item() < 0.5) == learn


def test_compute_loss_refuses_free_bits_and_capacity_for_the_linear_vae():
    model = _random_model()
    with pytest.raises(ValueError, match="free_bits"):
        compute_loss(model, _images(n=4), free_bits=0.5)


def test_decode_sample_and_reconstruct_return_gaussian_means_shaped_like_images():
    model = _random_model()
    x = _images(n=5)
    assert model.decode(torch.zeros(2, 3)).shape == (2, *SHAPE)
    torch.testing.assert_close(model.decode(torch.zeros(1, 3))[0], model.decoder.bias.view(SHAPE))
    assert model.sample(6, generator=torch.Generator().manual_seed(0)).shape == (6, *SHAPE)
    assert model.reconstruct(x).shape == x.shape


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: LinearVAE(0), ValueError),
        (lambda: LinearVAE(2, sigma2=0.0), ValueError),
        (lambda: LinearVAE(2, learn_sigma2="yes"), TypeError),
        (lambda: linear_vae_optimum(torch.tensor([1.0, 2.0]), 1, 0.1), ValueError),
        (lambda: linear_vae_optimum(torch.tensor([2.0, 1.0]), 3, 0.1), ValueError),
        (lambda: linear_vae_optimum(torch.tensor([2.0, 1.0]), 1, -0.1), ValueError),
        (lambda: linear_vae_optimum([2.0, 1.0], 1, 0.1), TypeError),
        (lambda: ppca_log_likelihood(torch.tensor([2.0, float("nan")]), 1, 0.1), ValueError),
        (lambda: ppca_model("spectrum", 1, 0.1), TypeError),
        (lambda: data_spectrum(torch.rand(1, 1, 2, 2)), ValueError),
        (lambda: linear_log_likelihood(vaelib.VAE(), torch.rand(2, 1, 28, 28)), TypeError),
        (lambda: linear_vae_loss(vaelib.VAE(), torch.rand(2, 1, 28, 28)), TypeError),
    ],
)
def test_bad_arguments_are_named(call, error):
    with pytest.raises(error):
        call()


def test_the_eigenvalue_plot_draws_bars_and_one_line_per_threshold():
    fig = plot_eigenvalue_thresholds(torch.tensor([3.0, 2.0, 1.0]), [2.5, 0.5], ["a", "b"])
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].patches) == 3 and len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="labels"):
        plot_eigenvalue_thresholds(torch.tensor([3.0, 2.0]), [1.0], ["a", "b"])
    with pytest.raises(ValueError, match="> 0"):
        plot_eigenvalue_thresholds(torch.tensor([3.0, 0.0]), [1.0], ["a"])
