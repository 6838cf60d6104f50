"""How well a set of latent codes matches the prior N(0, I): the measures of chapter 1."""

import math

import pytest
import torch

from vaelib import nearest_code_distance, normal_ks_distance


def test_normal_ks_distance_is_small_for_draws_from_the_prior():
    codes = torch.randn(10_000, 5, generator=torch.Generator().manual_seed(0))
    assert normal_ks_distance(codes).max() < 0.02


def test_normal_ks_distance_of_a_shifted_normal_is_the_cdf_gap():
    # For N(m, 1) the largest CDF gap is at t = m/2: Φ(m/2) − Φ(−m/2).
    shift = 2.0
    codes = shift + torch.randn(20_000, 1, generator=torch.Generator().manual_seed(1))
    expected = math.erf(shift / 2 / math.sqrt(2))
    assert normal_ks_distance(codes).item() == pytest.approx(expected, abs=0.02)


def test_normal_ks_distance_matches_a_hand_computation():
    # Two codes at 0: F jumps from 0 to 1 at t = 0, where Φ = ½, so D = ½.
    assert normal_ks_distance(torch.zeros(2, 1)).item() == pytest.approx(0.5)


def test_normal_ks_distance_has_one_value_per_dimension_in_unit_interval():
    codes = 10 * torch.randn(100, 7)
    distance = normal_ks_distance(codes)
    assert distance.shape == (7,)
    assert ((distance >= 0) & (distance <= 1)).all()


def test_nearest_code_distance_matches_brute_force():
    generator = torch.Generator().manual_seed(2)
    queries, codes = (
        torch.randn(13, 4, generator=generator),
        torch.randn(50, 4, generator=generator),
    )
    expected = torch.stack([(codes - q).norm(dim=1).min() for q in queries])
    got = nearest_code_distance(queries, codes, batch_size=5)
    assert torch.allclose(got, expected, atol=1e-5)


def test_nearest_code_distance_is_zero_for_a_member_of_the_codes():
    codes = torch.randn(20, 3)
    assert nearest_code_distance(codes[:5], codes).abs().max() < 1e-3


def test_nearest_code_distance_rejects_mismatched_dimensions():
    with pytest.raises(ValueError, match="latent dimension"):
        nearest_code_distance(torch.randn(3, 2), torch.randn(4, 5))


def test_nearest_code_distance_mixes_float_dtypes_in_float32_or_wider():
    codes = torch.randn(20, 3, generator=torch.Generator().manual_seed(3))
    half = nearest_code_distance(codes[:4].half(), codes)
    assert half.dtype == torch.float32 and half.abs().max() < 1e-2
    assert nearest_code_distance(codes[:4].double(), codes).dtype == torch.float64


def test_distances_refuse_bad_codes_and_batch_sizes():
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got -1"):
        nearest_code_distance(torch.randn(3, 2), torch.randn(4, 2), batch_size=-1)
    with pytest.raises(ValueError, match="codes is empty"):
        nearest_code_distance(torch.randn(3, 2), torch.randn(0, 2))
    with pytest.raises(ValueError, match="codes contains NaN"):
        normal_ks_distance(torch.tensor([[0.0], [float("nan")]]))
    with pytest.raises(TypeError, match="codes must be a floating-point tensor"):
        normal_ks_distance(torch.zeros(3, 2, dtype=torch.long))
