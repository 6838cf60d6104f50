"""Binarised MNIST: black-and-white images drawn from the grey levels, on which the Bernoulli
decoder's p(x|z) is a normalised probability.

Each pixel x_j of a binarised image is drawn as Bernoulli(g_j), where g_j ∈ [0, 1] is the grey
level of the original image. Training redraws the images every time it meets them (*dynamic*
binarisation, `fit(..., binarize=True)`); the test set is binarised once, with a seed, so that
every model is scored on the same black-and-white images (the practice of Burda et al. 2016).
"""

from __future__ import annotations

import torch

from vaelib._support.checks import check_generator, check_images
from vaelib._support.seeding import seeded_generator
from vaelib.data.loading import ImageData


def binarize(images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw each pixel as Bernoulli of its grey level: x_j = 1 with probability g_j, else 0.

    `images`: grey levels in [0, 1], (n, 1, 28, 28) (any shape). The uniform draws come from
    `generator` (a CPU one; default torch's global generator) and are moved to the images'
    device, so a GPU binarises exactly as the CPU does. Returns 0/1 values in the images' dtype
    (float32 for float16/bfloat16/float64 input), same shape and device.
    """
    images = check_images(images, "images")
    check_generator(generator)
    on = generator.device if generator is not None else torch.device("cpu")
    u = torch.rand(images.shape, generator=generator, device=on)  # (n, 1, 28, 28), on [0, 1)
    return (u.to(images.device) < images).to(images.dtype)  # P(u < g) = g


def binarized(data: ImageData, seed: int = 0) -> ImageData:
    """A fixed binarisation of `data` (e.g. the test set): the same images for the same seed.

    The draws come from `seeded_generator(seed)`, so `VAELIB_SEED` gives another fixed set.
    Returns an `ImageData` with the same labels and images in {0, 1}.
    """
    if not isinstance(data, ImageData):
        raise TypeError(f"data must be an ImageData, got {type(data).__name__}")
    images = binarize(data.images, seeded_generator(seed))
    return ImageData(images, data.labels, data.classes, f"{data.name} (binarised, seed {seed})")
