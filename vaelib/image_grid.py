"""Images laid out as one picture: the grid every figure of samples and reconstructions shows.

A few lines of tensor indexing, written here rather than imported from torchvision, whose
import alone takes seconds, the cost of every chapter's first cell.
"""

from __future__ import annotations

import torch

from vaelib._checks import check_int, check_tensor


def image_grid(
    images: torch.Tensor, nrow: int = 8, padding: int = 2, pad_value: float = 1.0
) -> torch.Tensor:
    """Tile images (n, C, H, W) into one image (C, rows·(H + p) + p, cols·(W + p) + p).

    `nrow` images per row (fewer if n < nrow), as many rows as n needs, each image framed by
    `padding` = p pixels of grey level `pad_value` (1 is white). Cells past the n-th stay
    `pad_value`. The layout is that of `torchvision.utils.make_grid`, except that a single
    image is framed too.
    """
    check_tensor(images, "images", ndim=4)
    if len(images) == 0:
        raise ValueError("images is empty: pass at least one image (n, C, H, W) with n ≥ 1")
    nrow = check_int(nrow, "nrow", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    n, channels, height, width = images.shape
    cols = min(nrow, n)
    rows = -(-n // cols)  # ceiling division
    cell_h, cell_w = height + padding, width + padding
    grid = images.new_full((channels, rows * cell_h + padding, cols * cell_w + padding), pad_value)
    for i, image in enumerate(images):
        top, left = (i // cols) * cell_h + padding, (i % cols) * cell_w + padding
        grid[:, top : top + height, left : left + width] = image
    return grid
