"""The total mass of the Bernoulli formula over grey-level images
(vaelib.measures.normalisation)."""

import math

import pytest
import torch

from vaelib.measures.normalisation import bernoulli_log_mass, log_mass_bound


def test_log_mass_matches_numerical_integration_pixel_by_pixel():
    logits = torch.tensor([[-8.0, -1.5, 0.3, 2.0, 6.0]])  # one image of five pixels
    x = torch.linspace(0, 1, 200_001, dtype=torch.float64).unsqueeze(1)  # (grid, 1)
    p = torch.sigmoid(logits.double())  # (1, 5)
    integrand = p.pow(x) * (1 - p).pow(1 - x)  # (grid, 5)
    per_pixel = torch.trapezoid(integrand, x.squeeze(1), dim=0)  # (5,)
    expected = per_pixel.log().sum()
    assert bernoulli_log_mass(logits).item() == pytest.approx(expected.item(), abs=1e-8)


def test_log_mass_at_zero_logits_is_minus_d_ln_2():
    logits = torch.zeros(3, 1, 28, 28)
    result = bernoulli_log_mass(logits)
    assert result.shape == (3,) and result.dtype == torch.float64
    assert torch.allclose(result, torch.full((3,), -784 * math.log(2), dtype=torch.float64))
    assert log_mass_bound(784) == pytest.approx(-784 * math.log(2))


def test_log_mass_never_exceeds_the_bound_and_falls_with_sharper_logits():
    logits = torch.randn(50, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    result = bernoulli_log_mass(logits)
    assert (result <= log_mass_bound(784) + 1e-9).all()
    assert (bernoulli_log_mass(3 * logits) < result).all()


def test_log_mass_is_even_in_the_logits_and_continuous_at_zero():
    logits = torch.tensor([[1e-6, -2e-5, 3.0], [-1e-6, 2e-5, -3.0]])
    result = bernoulli_log_mass(logits)
    assert result[0].item() == pytest.approx(result[1].item(), abs=1e-12)
    near_zero = bernoulli_log_mass(torch.tensor([[0.99e-4], [1.01e-4]]))
    assert near_zero[0].item() == pytest.approx(near_zero[1].item(), abs=1e-9)


def test_log_mass_rejects_a_single_unbatched_vector_and_nan():
    with pytest.raises(ValueError, match="logits"):
        bernoulli_log_mass(torch.zeros(784))
    with pytest.raises(Exception, match="logits"):
        bernoulli_log_mass(torch.tensor([[float("nan")]]))
    with pytest.raises(ValueError, match="pixels"):
        log_mass_bound(0)
