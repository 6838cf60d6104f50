import math

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from vaelib import (
    VAE,
    Autoencoder,
    TrainingDivergedError,
    bernoulli_entropy,
    evaluate,
    fit,
    gaussian_kl,
    gaussian_kl_per_dim,
    reconstruction_loss,
    vae_loss,
)
from vaelib._support.checks import NonFiniteError


def _posterior(batch=8, d=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(batch, d, generator=g), torch.randn(batch, d, generator=g)


def test_closed_form_kl_matches_torch_distributions():
    mu, logvar = _posterior()
    expected = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0))
    torch.testing.assert_close(gaussian_kl_per_dim(mu, logvar), expected)
    torch.testing.assert_close(gaussian_kl(mu, logvar), expected.sum(dim=1))


def test_closed_form_kl_matches_monte_carlo_within_its_standard_error():
    mu, logvar = torch.tensor([[0.7, -1.2, 0.0]]), torch.tensor([[-0.5, 0.8, 0.0]])
    q = Normal(mu, torch.exp(0.5 * logvar))
    torch.manual_seed(0)
    z = q.sample(torch.Size([200_000]))  # (n, 1, 3)
    log_ratio = (q.log_prob(z) - Normal(0.0, 1.0).log_prob(z)).sum(dim=-1).squeeze(1)  # (n,)
    estimate, standard_error = log_ratio.mean(), log_ratio.std() / math.sqrt(len(log_ratio))
    assert abs(gaussian_kl(mu, logvar).item() - estimate.item()) < 4 * standard_error.item()


def test_kl_is_zero_at_the_prior_and_positive_elsewhere():
    zeros = torch.zeros(3, 4)
    assert torch.equal(gaussian_kl(zeros, zeros), torch.zeros(3))
    mu, logvar = _posterior()
    assert (gaussian_kl(mu, logvar) > 0).all()


def test_reconstruction_loss_sums_binary_cross_entropy_over_pixels():
    x = torch.full((2, 1, 28, 28), 0.25)
    logits = torch.zeros(2, 1, 28, 28)  # p = 0.5 for every pixel
    # −[x log p + (1 − x) log(1 − p)] = log 2 per pixel, for any x, when p = ½
    torch.testing.assert_close(reconstruction_loss(logits, x), torch.full((2,), 784 * math.log(2)))


def test_vae_loss_parts_add_up_and_are_batch_means():
    mu, logvar = _posterior(batch=4, d=3)
    logits = torch.randn(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    parts = vae_loss(logits, x, mu, logvar, beta=2.5)
    torch.testing.assert_close(parts.total, parts.reconstruction + 2.5 * parts.kl)
    torch.testing.assert_close(parts.reconstruction, reconstruction_loss(logits, x).mean())
    torch.testing.assert_close(parts.kl, gaussian_kl(mu, logvar).mean())


def test_gradients_of_the_loss_reach_mu_and_logvar():
    mu, logvar = (t.requires_grad_() for t in _posterior(batch=4, d=3))
    logits = torch.zeros(4, 1, 28, 28, requires_grad=True)
    vae_loss(logits, torch.rand(4, 1, 28, 28), mu, logvar).total.backward()
    assert mu.grad.abs().sum() > 0 and logvar.grad.abs().sum() > 0 and logits.grad.abs().sum() > 0


def test_free_bits_floor_each_dimension_but_report_the_true_kl():
    mu = torch.tensor([[0.1, 2.0]])  # KL ≈ 0.005 and 2.0 nats
    logvar = torch.zeros(1, 2)
    logits, x = torch.zeros(1, 1, 28, 28), torch.full((1, 1, 28, 28), 0.5)
    plain = vae_loss(logits, x, mu, logvar)
    floored = vae_loss(logits, x, mu, logvar, free_bits=0.5)
    torch.testing.assert_close(floored.kl, plain.kl)
    torch.testing.assert_close(floored.total, plain.reconstruction + 0.5 + 2.0)


def test_capacity_target_penalises_distance_from_c():
    mu, logvar = torch.tensor([[2.0]]), torch.zeros(1, 1)  # KL = 2 nats
    logits, x = torch.zeros(1, 1, 28, 28), torch.full((1, 1, 28, 28), 0.5)
    parts = vae_loss(logits, x, mu, logvar, beta=10.0, capacity=5.0)
    torch.testing.assert_close(parts.total, parts.reconstruction + 10.0 * 3.0)


@pytest.mark.parametrize("beta", [-1.0, float("nan"), float("inf")])
def test_beta_must_be_finite_and_non_negative(beta):
    mu, logvar = _posterior(batch=1, d=2)
    with pytest.raises(ValueError, match="beta must be finite and >= 0"):
        vae_loss(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 28, 28), mu, logvar, beta=beta)


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match="mu and logvar must have the same shape"):
        gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="logits and x must have the same shape"):
        reconstruction_loss(torch.zeros(2, 1, 28, 28), torch.zeros(3, 1, 28, 28))


def test_integer_inputs_are_rejected():
    with pytest.raises(TypeError, match="floating-point"):
        gaussian_kl(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3))
    with pytest.raises(TypeError, match="logits must be a torch.Tensor"):
        reconstruction_loss([0.5], torch.zeros(1, 1, 28, 28))


def test_losses_of_half_precision_inputs_are_computed_in_float32():
    mu, logvar = _posterior()
    kl = gaussian_kl(mu.half(), logvar.half())
    assert kl.dtype == torch.float32
    torch.testing.assert_close(kl, gaussian_kl(mu.half().float(), logvar.half().float()))
    x = torch.full((2, 1, 28, 28), 0.25, dtype=torch.bfloat16)
    assert reconstruction_loss(torch.zeros(2, 1, 28, 28), x).dtype == torch.float32


def test_grey_levels_outside_0_1_are_refused_by_the_entry_points_that_take_data():
    x = torch.full((1, 1, 28, 28), 0.5)
    x[0, 0, 3, 3] = 1.5
    with pytest.raises(ValueError, match=r"got 1.5 at index \(0, 0, 3, 3\)"):
        evaluate(VAE(), x)
    with pytest.raises(ValueError, match="train must hold pixel intensities"):
        fit(Autoencoder(), x, epochs=1, progress=False, device="cpu")
    with pytest.raises(ValueError, match="x must hold pixel intensities"):
        bernoulli_entropy(x)


def test_the_losses_make_no_pass_over_the_values_of_the_batch():
    """They are called on every training step; `fit` has checked the data once, up front."""
    x = torch.full((1, 1, 28, 28), 255.0)
    assert reconstruction_loss(torch.zeros(1, 1, 28, 28), x).shape == (1,)


def test_an_overflowing_loss_is_reported_not_returned():
    vae = VAE()
    with torch.no_grad():
        vae.to_mu.bias.fill_(1e20)  # μ² = 1e40 overflows float32
    with pytest.raises(NonFiniteError, match="the loss on data is not finite"):
        evaluate(vae, torch.full((2, 1, 28, 28), 0.5))
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 1 .*not finite"):
        fit(vae, torch.full((4, 1, 28, 28), 0.5), epochs=1, progress=False, device="cpu")


def test_vae_loss_names_mismatched_rows_and_bad_settings():
    mu, logvar = _posterior(batch=3, d=2)
    with pytest.raises(ValueError, match="mu has 3 rows but x has 2 images"):
        vae_loss(torch.zeros(2, 1, 28, 28), torch.zeros(2, 1, 28, 28), mu, logvar)
    with pytest.raises(TypeError, match="free_bits must be a number, got str"):
        vae_loss(torch.zeros(3, 1, 28, 28), torch.zeros(3, 1, 28, 28), mu, logvar, free_bits="1")
    with pytest.raises(ValueError, match="capacity must be finite and >= 0, got -1.0"):
        vae_loss(torch.zeros(3, 1, 28, 28), torch.zeros(3, 1, 28, 28), mu, logvar, capacity=-1)
