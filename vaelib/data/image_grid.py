"""Images laid out as one picture: the grid every figure of samples and reconstructions shows.

The layout is torchvision's `make_grid`; torchvision is imported by the call, not with `vaelib`,
because its import takes a second or more, a cost `import vaelib` (every chapter's first cell)
need not pay.
"""

from __future__ import annotations

import torch

from vaelib._support.checks import check_int, check_tensor


def image_grid(
    images: torch.Tensor, nrow: int = 8, padding: int = 2, pad_value: float = 1.0
) -> torch.Tensor:
    """Tile images (n, C, H, W) into one image (C, rows·(H + p) + p, cols·(W + p) + p).

    `nrow` images per row (fewer if n < nrow), as many rows as n needs, each image framed by
    `padding` = p pixels of grey level `pad_value` (1 is white). Cells past the n-th stay
    `pad_value`. This is `torchvision.utils.make_grid`, with two differences that keep a figure's
    look the same for any n: grey images (C = 1) stay one channel (make_grid repeats them into
    three), and a single image is framed too (make_grid returns it bare).
    """
    check_tensor(images, "images", ndim=4)
    if len(images) == 0:
        raise ValueError("images is empty: pass at least one image (n, C, H, W) with n ≥ 1")
    nrow = check_int(nrow, "nrow", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    from torchvision.utils import make_grid  # deferred: torchvision's import takes seconds

    channels = images.shape[1]
    if len(images) == 1:  # make_grid returns a lone image unframed
        return torch.nn.functional.pad(images[0], [padding] * 4, value=pad_value)
    grid = make_grid(images, nrow=nrow, padding=padding, pad_value=pad_value)
    return grid[:1] if channels == 1 else grid  # (C, H', W'): make_grid made grey into RGB
