"""Interpolation between two images, in latent space and in pixel space, and the distance
from an image to its nearest neighbour in a reference set (chapter 8)."""

import pytest
import torch
from matplotlib.figure import Figure

from vaelib import (
    VAE,
    Autoencoder,
    MLPConfig,
    latent_interpolation,
    nearest_neighbour_distance,
    pixel_interpolation,
)
from vaelib.plots import plot_interpolations


@pytest.fixture
def pair():
    g = torch.Generator().manual_seed(0)
    return torch.rand(3, 1, 28, 28, generator=g), torch.rand(3, 1, 28, 28, generator=g)


def test_latent_interpolation_has_one_row_of_steps_per_pair(pair):
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    path = latent_interpolation(model, *pair, steps=5)
    assert path.shape == (3, 5, 1, 28, 28)
    assert 0 <= path.min() and path.max() <= 1


def test_latent_interpolation_ends_are_the_reconstructions(pair):
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    path = latent_interpolation(model, *pair, steps=4)
    torch.testing.assert_close(path[:, 0], model.reconstruct(pair[0]))
    torch.testing.assert_close(path[:, -1], model.reconstruct(pair[1]))


def test_latent_interpolation_decodes_the_midpoint_of_the_codes(pair):
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    mid = latent_interpolation(model, *pair, steps=3)[:, 1]
    mu_a, _ = model.encode(pair[0])
    mu_b, _ = model.encode(pair[1])
    expected = torch.sigmoid(model.decode((mu_a + mu_b) / 2)).detach()
    torch.testing.assert_close(mid, expected)


def test_latent_interpolation_works_for_an_autoencoder(pair):
    model = Autoencoder(MLPConfig(hidden_dim=16, latent_dim=2))
    path = latent_interpolation(model, *pair, steps=3)
    torch.testing.assert_close(path[:, 0], model.reconstruct(pair[0]))


def test_latent_interpolation_leaves_the_training_mode_alone(pair):
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    model.train()
    latent_interpolation(model, *pair)
    assert model.training
    with torch.no_grad():
        model.decoder[0].weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="NaN"):
        latent_interpolation(model, *pair)
    assert model.training  # restored after the error too


def test_latent_interpolation_rejects_bad_input(pair):
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    with pytest.raises(ValueError, match="steps"):
        latent_interpolation(model, *pair, steps=1)
    with pytest.raises(ValueError, match="same shape"):
        latent_interpolation(model, pair[0], pair[1][:2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        latent_interpolation(model, pair[0] * 3, pair[1])


def test_pixel_interpolation_blends_linearly(pair):
    path = pixel_interpolation(*pair, steps=5)
    assert path.shape == (3, 5, 1, 28, 28)
    torch.testing.assert_close(path[:, 0], pair[0])
    torch.testing.assert_close(path[:, -1], pair[1])
    torch.testing.assert_close(path[:, 2], (pair[0] + pair[1]) / 2)


def test_pixel_interpolation_rejects_bad_input(pair):
    with pytest.raises(ValueError, match="steps must be an integer >= 2, got 1"):
        pixel_interpolation(*pair, steps=1)
    with pytest.raises(TypeError, match="steps must be an integer, got float"):
        pixel_interpolation(*pair, steps=3.0)
    with pytest.raises(ValueError, match="same shape"):
        pixel_interpolation(pair[0], pair[1][:1])
    with pytest.raises(ValueError, match=r"x_end must hold pixel intensities in \[0, 1\]"):
        pixel_interpolation(pair[0], pair[1] * 255)
    with pytest.raises(TypeError, match="x_start must be a floating-point tensor"):
        pixel_interpolation((pair[0] * 255).to(torch.uint8), pair[1])


def test_pixel_interpolation_converts_other_float_dtypes_to_float32(pair):
    path = pixel_interpolation(pair[0].double(), pair[1].half(), steps=3)
    assert path.dtype == torch.float32
    torch.testing.assert_close(path[:, 0], pair[0])


def test_nearest_neighbour_distance_matches_brute_force(pair):
    g = torch.Generator().manual_seed(1)
    reference = torch.rand(50, 1, 28, 28, generator=g)
    images = torch.cat(pair)  # (6, 1, 28, 28)
    expected = torch.stack([min((x - r).pow(2).sum().sqrt() for r in reference) for x in images])
    got = nearest_neighbour_distance(images, reference, batch_size=4)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_nearest_neighbour_distance_is_zero_for_a_member_of_the_reference(pair):
    reference = torch.cat(pair)
    assert nearest_neighbour_distance(pair[0], reference).abs().max() < 1e-3


def test_nearest_neighbour_distance_rejects_mismatched_shapes(pair):
    with pytest.raises(ValueError, match="one shape"):
        nearest_neighbour_distance(pair[0], torch.rand(4, 1, 14, 14))


def test_nearest_neighbour_distance_rejects_bad_batch_sizes_and_empty_references(pair):
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        nearest_neighbour_distance(pair[0], pair[1], batch_size=0)
    with pytest.raises(ValueError, match="reference is empty"):
        nearest_neighbour_distance(pair[0], pair[1][:0])


def test_plot_interpolations_labels_rows_and_the_weight_axis(pair):
    rows = [pixel_interpolation(*pair, steps=5)[0], pixel_interpolation(*pair, steps=5)[1]]
    fig = plot_interpolations(rows, ["latent", "pixel"], title="paths")
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert [ax.get_ylabel() for ax in axes] == ["latent", "pixel"]
    assert "interpolation weight" in axes[-1].get_xlabel()
    assert len(axes[-1].get_xticks()) == 5


def test_plot_interpolations_rejects_unequal_rows(pair):
    with pytest.raises(ValueError, match="labels"):
        plot_interpolations([pair[0]], ["a", "b"])
    with pytest.raises(ValueError, match="every row"):
        plot_interpolations([pair[0], pair[1][:2]], ["a", "b"])


def test_a_pixel_blend_of_white_pixels_stays_a_grey_level():
    """(1 − t)·1 + t·1 is 1 + 1 ulp for some t in float32; the blend must stay in [0, 1]."""
    ones = torch.ones(2, 1, 28, 28)
    blends = pixel_interpolation(ones, ones, steps=101)
    assert blends.max() <= 1 and blends.min() >= 0
