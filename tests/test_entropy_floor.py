"""The entropy floor of the Bernoulli reconstruction loss on grey-level images (chapter 9)."""

import math

import pytest
import torch

from vaelib import bernoulli_entropy, reconstruction_loss


def test_entropy_floor_is_the_cross_entropy_of_the_images_with_themselves(random_images):
    x = random_images.clamp(1e-4, 1 - 1e-4)
    torch.testing.assert_close(bernoulli_entropy(x), reconstruction_loss(torch.logit(x), x))


def test_entropy_floor_is_zero_for_black_and_white_images(random_images):
    binary = (random_images > 0.5).float()
    assert bernoulli_entropy(binary).abs().max() == 0


def test_entropy_floor_of_an_all_grey_image_is_784_ln_2():
    grey = torch.full((2, 1, 28, 28), 0.5)
    torch.testing.assert_close(bernoulli_entropy(grey), torch.full((2,), 784 * math.log(2)))


def test_no_decoder_output_beats_the_entropy_floor(random_images):
    g = torch.Generator().manual_seed(1)
    logits = 3 * torch.randn(random_images.shape, generator=g)
    assert (reconstruction_loss(logits, random_images) >= bernoulli_entropy(random_images)).all()


def test_entropy_floor_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bernoulli_entropy(torch.full((1, 1, 28, 28), 1.5))
