"""`image_grid` is torchvision's `make_grid` (grey images kept to one channel, a lone image
framed); `gaussian_blur` is torchvision's `gaussian_blur` behind vaelib's argument checks. Both
import torchvision when called, so `import vaelib` does not (tests/test_import.py)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torchvision.transforms.functional import gaussian_blur as torchvision_blur
from torchvision.utils import make_grid

import vaelib


@given(n=st.integers(2, 12), nrow=st.integers(1, 14), padding=st.integers(0, 3))
def test_the_grid_is_make_grids_layout(n, nrow, padding):
    images = torch.rand(n, 1, 5, 4, generator=torch.Generator().manual_seed(n))
    grid = vaelib.image_grid(images, nrow=nrow, padding=padding, pad_value=1.0)
    expected = make_grid(images, nrow=nrow, padding=padding, pad_value=1.0)[:1]  # grey → 1 channel
    assert torch.equal(grid, expected)


def test_a_single_image_is_framed():
    grid = vaelib.image_grid(torch.zeros(1, 1, 3, 3), nrow=8, padding=2, pad_value=1.0)
    assert grid.shape == (1, 7, 7)
    assert grid.sum() == 7 * 7 - 9  # the frame is white, the image black


@pytest.mark.parametrize(
    "images, nrow, error, match",
    [
        (torch.rand(3, 28, 28), 8, ValueError, "images"),
        (torch.rand(0, 1, 28, 28), 8, ValueError, "empty"),
        (torch.rand(2, 1, 28, 28), 0, ValueError, "nrow"),
        (torch.rand(2, 1, 28, 28), 2.5, TypeError, "nrow"),
    ],
)
def test_bad_grids_are_named(images, nrow, error, match):
    with pytest.raises(error, match=match):
        vaelib.image_grid(images, nrow=nrow)


@pytest.mark.parametrize("sigma, size", [(0.7, 5), (1.5, 3), (2.0, 7)])
def test_the_blur_is_torchvisions(sigma, size, random_images):
    expected = torchvision_blur(random_images, kernel_size=size, sigma=sigma)
    assert torch.allclose(vaelib.gaussian_blur(random_images, sigma, size), expected, atol=1e-6)


def test_blur_keeps_a_flat_image_and_lowers_sharpness(random_images):
    flat = torch.full((2, 1, 28, 28), 0.3)
    assert torch.allclose(vaelib.gaussian_blur(flat, 1.0), flat)
    blurred = vaelib.gaussian_blur(random_images, 0.7)
    assert blurred.shape == random_images.shape
    assert 0 <= blurred.min() and blurred.max() <= 1
    assert (vaelib.sharpness(blurred) < vaelib.sharpness(random_images)).all()


def test_blur_of_white_stays_at_most_one():
    # float32 round-off in the normalised kernel once gave 1.0000001, which the image checks refuse
    white = torch.ones(3, 1, 28, 28)
    blurred = vaelib.gaussian_blur(white, 0.7)
    assert blurred.max() <= 1 and torch.allclose(blurred, white)
    vaelib.sharpness(blurred)  # accepted as images


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(sigma=0.0), ValueError, "sigma"),
        (dict(sigma=float("nan")), ValueError, "sigma"),
        (dict(sigma=1.0, kernel_size=4), ValueError, "odd"),
        (dict(sigma=1.0, kernel_size=61), ValueError, "too large"),
    ],
)
def test_bad_blurs_are_named(kwargs, error, match, random_images):
    with pytest.raises(error, match=match):
        vaelib.gaussian_blur(random_images, **kwargs)


def test_blur_refuses_images_outside_the_unit_interval():
    with pytest.raises(ValueError, match="images"):
        vaelib.gaussian_blur(torch.full((1, 1, 8, 8), 2.0), 1.0)
