import math

import pytest
import torch

from vaelib import (
    VAE,
    MLPConfig,
    centre_of_mass,
    factor_entropy,
    latent_traversal,
    load_shapes,
    mig_per_factor,
    mutual_information_gap,
    mutual_information_matrix,
)
from vaelib.plots import plot_against_beta, plot_latent_traversal, plot_mutual_information


@pytest.fixture(scope="module")
def factors():
    """The 96 combinations of three factors with 3, 4 and 8 values, 20 times each: (1920, 3)."""
    grid = torch.meshgrid(torch.arange(3), torch.arange(4), torch.arange(8), indexing="ij")
    return torch.stack([g.flatten() for g in grid], dim=1).repeat(20, 1)  # (1920, 3)


def test_factor_entropy_of_uniform_factors_is_log_of_their_sizes(factors):
    expected = torch.tensor([math.log(3), math.log(4), math.log(8)])
    assert torch.allclose(factor_entropy(factors), expected, atol=1e-6)


def test_a_copy_of_a_factor_holds_all_its_information_and_none_of_the_others(factors):
    codes = factors.float() * 0.7 - 1  # any affine copy: the bins see the same partition
    mi = mutual_information_matrix(codes, factors)
    assert mi.shape == (3, 3)
    assert torch.allclose(mi.diagonal(), factor_entropy(factors), atol=1e-5)
    assert mi.fill_diagonal_(0).abs().max() < 1e-6  # the grid makes the factors independent


def test_mutual_information_matches_a_hand_computed_joint_table():
    # z in two bins; v agrees with the bin 3 times out of 4: I = ln 2 − H(1/4)
    codes = torch.tensor([[0.0], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0]])
    factor = torch.tensor([[0], [0], [0], [1], [1], [1], [1], [0]])
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    mi = mutual_information_matrix(codes, factor, bins=2)
    assert mi.item() == pytest.approx(math.log(2) - h, abs=1e-6)


def test_mig_of_a_code_that_copies_the_factors_is_one(factors):
    noise = 0.01 * torch.randn(len(factors), 3, generator=torch.Generator().manual_seed(0))
    assert mutual_information_gap(factors.float() + noise, factors) == pytest.approx(1, abs=0.01)


def test_mig_is_unchanged_by_extra_dimensions_that_carry_nothing(factors):
    noise = torch.randn(len(factors), 5, generator=torch.Generator().manual_seed(1))
    codes = torch.cat([noise[:, :2], factors.float(), noise[:, 2:]], dim=1)  # (n, 8)
    assert mutual_information_gap(codes, factors) > 0.95


def test_mig_of_a_random_code_is_near_zero(factors):
    codes = torch.randn(len(factors), 10, generator=torch.Generator().manual_seed(2))
    assert mutual_information_gap(codes, factors) < 0.03


def test_a_factor_copied_into_two_dimensions_has_no_gap(factors):
    codes = torch.cat([factors.float(), factors[:, :1].float()], dim=1)  # factor 0 twice
    gaps = mig_per_factor(codes, factors)
    assert gaps[0] == pytest.approx(0, abs=1e-6)
    assert torch.allclose(gaps[1:], torch.ones(2), atol=1e-5)


def test_a_code_that_mixes_two_factors_scores_below_one_that_separates_them(factors):
    separate = factors[:, 1:].float()
    mixed = torch.stack([separate[:, 0] + separate[:, 1], separate[:, 0] - separate[:, 1]], 1)
    assert mutual_information_gap(mixed, factors[:, 1:]) < 0.5
    assert mutual_information_gap(separate, factors[:, 1:]) > 0.99


def test_with_logvar_a_dimension_as_wide_as_the_prior_carries_almost_nothing(factors):
    # dimension 0's mean copies factor 2 at a tiny scale, but its posterior is N(μ, 1): the
    # histogram of means sees all of H(v); draws from q(z|x) see next to nothing
    mu = torch.stack([0.01 * factors[:, 2].float(), factors[:, 2].float()], dim=1)  # (n, 2)
    logvar = torch.stack([torch.zeros(len(factors)), torch.full((len(factors),), -12.0)], 1)
    on_means = mutual_information_matrix(mu, factors)[:, 2]
    on_draws = mutual_information_matrix(mu, factors, logvar=logvar, samples=5)[:, 2]
    h = math.log(8)
    assert on_means.tolist() == pytest.approx([h, h], abs=1e-4)
    assert on_draws[0] < 0.05 * h and on_draws[1] == pytest.approx(h, abs=1e-3)
    assert mutual_information_gap(mu, factors[:, 2:], logvar=logvar) > 0.9
    assert mutual_information_gap(mu, factors[:, 2:]) < 0.01


def test_draws_from_the_posterior_are_the_same_on_every_call(factors):
    mu = torch.randn(len(factors), 3, generator=torch.Generator().manual_seed(3))
    logvar = torch.full_like(mu, -1.0)
    first = mutual_information_matrix(mu, factors, logvar=logvar, seed=7)
    assert torch.equal(first, mutual_information_matrix(mu, factors, logvar=logvar, seed=7))


def test_mig_rejects_bad_input_with_a_clear_message(factors):
    codes = factors.float()
    with pytest.raises(TypeError, match="integer"):
        mutual_information_gap(codes, factors.float())
    with pytest.raises(ValueError, match="one row per image"):
        mutual_information_gap(codes[:10], factors)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        mutual_information_gap(codes[:, :1], factors)
    constant = torch.cat([factors, torch.zeros(len(factors), 1, dtype=torch.int64)], dim=1)
    with pytest.raises(ValueError, match="column 3 takes a single value"):
        mutual_information_gap(codes, constant)
    with pytest.raises(ValueError, match="codes and logvar must have the same shape"):
        mutual_information_gap(codes, factors, logvar=codes[:, :2])


def test_latent_traversal_changes_only_the_swept_coordinate():
    torch.manual_seed(0)
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=3))
    z = torch.tensor([0.3, -0.2, 1.0])
    images = latent_traversal(model, z, dims=[2, 0], steps=5, span=2.0)
    assert images.shape == (2, 5, 1, 28, 28)
    codes = z.repeat(5, 1)
    codes[:, 2] = torch.linspace(-2, 2, 5)
    assert torch.allclose(images[0], torch.sigmoid(model.decode(codes)), atol=1e-6)
    assert images.min() >= 0 and images.max() <= 1


def test_centre_of_mass_finds_the_centre_of_each_symmetric_sprite():
    shapes = load_shapes(scales=2, positions=3)
    names = shapes.factor_names
    for image, index in zip(shapes.images, shapes.factors):
        if shapes.classes[index[names.index("shape")]] == "heart":
            continue  # the heart is not symmetric about its centre
        expected = [shapes.factor_values[names.index(f)][index[names.index(f)]] for f in "xy"]
        assert centre_of_mass(image).tolist() == pytest.approx(expected, abs=1e-4)


def test_centre_of_mass_moves_with_the_image_and_keeps_leading_dimensions():
    image = torch.zeros(1, 28, 28)
    image[0, 5:8, 10:12] = 0.5  # x spans pixels 10-11, y spans 5-7
    moved = torch.roll(image, shifts=(4, -3), dims=(1, 2))  # 4 pixels down, 3 to the left
    centres = centre_of_mass(torch.stack([image, moved]).unsqueeze(0))  # (1, 2, 1, 28, 28) in
    assert centres.shape == (1, 2, 2)
    assert centres[0, 0].tolist() == pytest.approx([11.0, 6.5])
    assert centres[0, 1].tolist() == pytest.approx([8.0, 10.5])


def test_centre_of_mass_refuses_a_black_image():
    with pytest.raises(ValueError, match="all-black image has no centre"):
        centre_of_mass(torch.zeros(2, 1, 28, 28))


def test_latent_traversal_names_a_bad_dimension():
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=3))
    with pytest.raises(ValueError, match=r"dims must be .* in \[0, 3\)"):
        latent_traversal(model, torch.zeros(3), dims=[3])
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        latent_traversal(model, torch.zeros(4))


def test_plot_latent_traversal_labels_each_row_with_its_dimension_and_kl():
    torch.manual_seed(0)
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=3))
    traversal = latent_traversal(model, torch.zeros(3), dims=[2, 0], steps=5)
    fig = plot_latent_traversal(traversal, dims=[2, 0], kl=torch.tensor([0.5, 0.0, 2.25]))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["$z_{3}$ (KL 2.2)", "$z_{1}$ (KL 0.5)"]
    assert len(fig.axes[0].get_xticks()) == 5


def test_plot_latent_traversal_needs_one_dimension_per_row():
    traversal = torch.rand(2, 5, 1, 28, 28)
    with pytest.raises(ValueError, match="2 rows but dims names 3"):
        plot_latent_traversal(traversal, dims=[0, 1, 2])


def test_plot_mutual_information_shows_each_share_of_a_factors_entropy(factors):
    codes = torch.cat([factors.float(), torch.zeros(len(factors), 1)], dim=1)  # (n, 4)
    fig = plot_mutual_information(
        mutual_information_matrix(codes, factors), factor_entropy(factors), ["a", "b", "c"]
    )
    cells = [float(t.get_text()) for t in fig.axes[0].texts]  # annotated (d, K), row by row
    assert cells == pytest.approx([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], abs=0.01)


def test_plot_against_beta_draws_every_seed_and_the_mean():
    fig = plot_against_beta([1, 4, 16], [[0.1, 0.3], [0.2, 0.2], [0.0, 0.1]], "MIG")
    ax = fig.axes[0]
    mean = ax.lines[0].get_ydata()
    assert mean == pytest.approx([0.2, 0.2, 0.05])
    assert len(ax.collections[1].get_offsets()) == 6  # 3 β × 2 seeds
    with pytest.raises(ValueError, match="one number per seed"):
        plot_against_beta([1, 4], [[0.1, 0.3], [0.2]], "MIG")
