"""Distances that need no model: from images to their nearest neighbours in pixel space, from
codes to their nearest neighbours in latent space, and from a set of codes to the prior N(0, 1)."""

from __future__ import annotations

import torch

from vaelib._support.checks import check_batch_size, check_images, check_tensor
from vaelib.data.loading import ImageData


@torch.no_grad()
def nearest_neighbour_distance(
    images: torch.Tensor, reference: ImageData | torch.Tensor, batch_size: int = 500
) -> torch.Tensor:
    """Euclidean distance in pixel space from each image to its nearest image in `reference`.

    ‖x − x'‖₂ over the 784 grey levels, minimised over the reference images x' (e.g. the
    training set): how far an image lies from everything the model was trained on.

    `images`: (n, 1, 28, 28) in [0, 1]; `reference`: `ImageData` or (m, 1, 28, 28).
    Returns grey-level units (0 to 28 for 28×28 images), (n,).
    """
    images = check_images(images, "images")
    ref = reference.images if isinstance(reference, ImageData) else reference
    ref = check_images(ref, "reference")
    if images.shape[1:] != ref.shape[1:]:
        raise ValueError(
            f"images and reference must hold images of one shape, got {tuple(images.shape[1:])} "
            f"and {tuple(ref.shape[1:])}"
        )
    # the same search as for codes, with each image a point of [0, 1]^784
    return nearest_code_distance(
        images.flatten(start_dim=1), ref.flatten(start_dim=1).to(images.device), batch_size
    )


@torch.no_grad()
def nearest_code_distance(
    queries: torch.Tensor, codes: torch.Tensor, batch_size: int = 1000
) -> torch.Tensor:
    """Euclidean distance in latent space from each query code to its nearest code in `codes`.

    ‖z − z'‖₂ over the d latent coordinates, minimised over the rows z' of `codes` (e.g. the
    training set's codes): how far a code (say a draw from the prior) lies from every code the
    decoder was trained on.

    `queries`: (n, d); `codes`: (m, d), computed in their common dtype (at least float32).
    Returns latent units, (n,), each >= 0.
    """
    check_tensor(queries, "queries", ndim=2)
    check_tensor(codes, "codes", ndim=2)
    if queries.shape[1] != codes.shape[1]:
        raise ValueError(
            f"queries and codes must have the same latent dimension, got {queries.shape[1]} "
            f"and {codes.shape[1]}"
        )
    batch_size = check_batch_size(batch_size)
    dtype = torch.promote_types(torch.promote_types(queries.dtype, codes.dtype), torch.float32)
    queries, codes = queries.to(dtype), codes.to(queries.device, dtype)
    best = [
        torch.cdist(queries[start : start + batch_size], codes).min(dim=1).values  # (b,)
        for start in range(0, len(queries), batch_size)
    ]
    return torch.cat(best)


@torch.no_grad()
def normal_ks_distance(codes: torch.Tensor) -> torch.Tensor:
    """Kolmogorov–Smirnov distance of each latent coordinate's empirical distribution to N(0, 1).

    D_i = sup_t |F_i(t) − Φ(t)|, where F_i is the empirical CDF of column i of `codes` and Φ
    the standard normal CDF: the largest gap, in probability, between the fraction of codes
    below t and the prior's. 0 is a perfect match; 1 is the largest possible gap. For n codes
    drawn from N(0, 1) itself, D_i is typically about 0.87/√n (e.g. under 0.02 for n = 10,000).

    `codes`: (n, d). Returns probabilities in [0, 1], (d,).
    """
    check_tensor(codes, "codes", ndim=2)
    n = codes.shape[0]
    sorted_codes = codes.double().sort(dim=0).values  # (n, d)
    cdf = torch.special.ndtr(sorted_codes)  # Φ at each order statistic, (n, d)
    ranks = torch.arange(1, n + 1, dtype=torch.float64).unsqueeze(1)  # (n, 1)
    above = (ranks / n - cdf).amax(dim=0)  # F jumps to i/n just at the i-th code
    below = (cdf - (ranks - 1) / n).amax(dim=0)  # and is (i-1)/n just before it
    return torch.maximum(above, below).float()
