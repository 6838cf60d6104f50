"""A Gaussian blur: the controlled way to make an image blurrier, to compare with a decoder's blur.

Chapter 8 blurs real test digits to see how blur alone moves an image relative to the training
set, with no model involved. The blur is torchvision's; `vaelib` checks the arguments and
imports torchvision only when an image is blurred (its import takes a second or more).
"""

from __future__ import annotations

import torch

from vaelib._support.checks import check_images, check_int, check_number, check_tensor


def gaussian_blur(images: torch.Tensor, sigma: float, kernel_size: int = 5) -> torch.Tensor:
    """Convolve each image (n, C, H, W) with a normalised Gaussian of standard deviation `sigma`.

    `torchvision.transforms.functional.gaussian_blur`: the kernel is k × k (k = `kernel_size`,
    odd), with weights exp(−(i² + j²) / 2σ²) at the offsets i, j ∈ {−(k−1)/2, …, (k−1)/2}
    pixels, divided by their sum, so a flat image is left as it is. Borders are padded by
    reflection, so the result has the input's shape, and grey levels in [0, 1] stay in [0, 1].

    `sigma`: in pixels, > 0. Returns the blurred images as float32, same shape.
    """
    check_tensor(images, "images", ndim=4, finite=False)  # (n, C, H, W)
    images = check_images(images, "images")  # grey levels in [0, 1], as float32
    sigma = check_number(sigma, "sigma", minimum=0.0, strict_minimum=True)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be odd, so the kernel has a centre; got {kernel_size}")
    height, width = images.shape[-2:]
    if kernel_size // 2 >= min(height, width):
        raise ValueError(
            f"kernel_size {kernel_size} is too large for images of {height}×{width} pixels: "
            f"reflection needs kernel_size ≤ {2 * min(height, width) - 1}"
        )
    # deferred: torchvision's import takes seconds
    from torchvision.transforms.functional import gaussian_blur as torchvision_blur

    blurred = torchvision_blur(images, kernel_size=[kernel_size] * 2, sigma=[float(sigma)] * 2)
    return blurred.clamp(0, 1)  # float32 round-off can put a blur of 1s at 1 + 1 ulp
