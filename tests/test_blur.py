"""Total variation, the book's measure of how blurred an image is (chapter 9)."""

import pytest
import torch

from vaelib import total_variation


def test_total_variation_of_a_flat_image_is_zero():
    assert total_variation(torch.full((2, 1, 28, 28), 0.3)).abs().max() == 0


def test_total_variation_counts_each_edge_once_per_row_or_column():
    x = torch.zeros(1, 1, 4, 4)
    x[..., :, 2:] = 1.0  # a vertical edge crossing 4 rows
    assert total_variation(x).item() == pytest.approx(4.0)


def test_blurring_lowers_total_variation(random_images):
    blurred = torch.nn.functional.avg_pool2d(random_images, 3, stride=1, padding=1)
    assert (total_variation(blurred) < total_variation(random_images)).all()


def test_total_variation_rejects_flat_tensors():
    with pytest.raises(ValueError, match="shaped"):
        total_variation(torch.rand(5, 784))
