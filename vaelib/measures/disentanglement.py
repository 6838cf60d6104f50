"""How well a code separates known factors of variation: the Mutual Information Gap, and traversals.

A code is *disentangled* (in the sense of Chen et al. 2018) when each factor of the data — shape,
scale, x, y for `vaelib.data.shapes` — is carried by one latent dimension, and by that one
alone. The Mutual Information Gap (MIG) measures it from the mutual information I(z_j; v_k)
between every latent dimension j and every factor k:

    MIG = (1/K) Σ_k [ I(z_(1); v_k) − I(z_(2); v_k) ] / H(v_k),

where z_(1) and z_(2) are the two dimensions with the most information about v_k. It is 1 when
each factor is copied into one dimension that no other shares, and 0 when no dimension knows more
about a factor than the next best one: a random code, or a factor spread over two dimensions.

The estimator is disentanglement_lib's (Locatello et al. 2019): each latent dimension's code is
made discrete with equal-width bins over its range, and I is the plug-in estimate from the joint
histogram, in nats. The code is either the posterior mean μ_j(x) (as Locatello et al. do), or,
when `logvar` is given, draws z_j ~ q(z_j|x): the quantity of Chen et al.'s definition, for which
a dimension whose mean wiggles with a factor but whose posterior is as wide as the prior carries
next to no information, as it should. Chen et al. estimate that quantity from the posterior
densities instead of a histogram, and leave dSprites' shape factor out; this module bins, and
counts every factor it is given.
"""

from __future__ import annotations

import torch

from vaelib._support.checks import (
    check_positive_int,
    check_same_shape,
    check_tensor,
    check_unit_interval,
)
from vaelib._support.seeding import seeded_generator
from vaelib.models.mlp import (
    VAE,
    Autoencoder,
    _finite_output,
    check_model,
    eval_mode,
    reparameterize,
    standard_normal,
)


def _check_codes_and_factors(codes: torch.Tensor, factors: torch.Tensor) -> None:
    check_tensor(codes, "codes", ndim=2)
    check_tensor(factors, "factors", ndim=2, floating=False)
    if factors.is_floating_point() or factors.dtype == torch.bool:
        raise TypeError(f"factors must be an integer tensor, got dtype {factors.dtype}")
    if len(codes) != len(factors):
        raise ValueError(
            f"codes and factors must have one row per image, got {len(codes)} and {len(factors)}"
        )


def _discretize(codes: torch.Tensor, bins: int) -> torch.Tensor:
    """Bin index of every code, equal-width bins over each column's range: (n, d) int64."""
    low, high = codes.min(dim=0).values, codes.max(dim=0).values  # (d,)
    width = (high - low).clamp(min=torch.finfo(codes.dtype).tiny) / bins
    return ((codes - low) / width).long().clamp(max=bins - 1)  # the maximum joins the last bin


def _entropy(counts: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of the distributions whose counts lie along the last dimension."""
    p = counts / counts.sum(dim=-1, keepdim=True)
    return -torch.special.xlogy(p, p).sum(dim=-1)


def factor_entropy(factors: torch.Tensor) -> torch.Tensor:
    """H(v_k) of each factor's empirical distribution: nats, (K,). `factors`: (n, K) integers."""
    check_tensor(factors, "factors", ndim=2, floating=False)
    return torch.stack(
        [_entropy(torch.unique(column, return_counts=True)[1].double()) for column in factors.T]
    ).float()


def _posterior_draws(
    codes: torch.Tensor, factors: torch.Tensor, logvar: torch.Tensor, samples: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """`samples` draws z = μ + σ·ε per image, (samples·n, d), and the factors repeated to match."""
    check_tensor(logvar, "logvar", ndim=2)
    check_same_shape(codes, logvar, "codes and logvar")
    check_positive_int(samples, "samples")
    mu, logvar = codes.double(), logvar.double()  # (n, d) each, float64 on the CPU
    eps = standard_normal((samples, *mu.shape), seeded_generator(seed), mu)  # (samples, n, d)
    z = reparameterize(mu, logvar, eps=eps)  # (samples, n, d)
    return z.flatten(0, 1), factors.repeat(samples, 1)


@torch.no_grad()
def mutual_information_matrix(
    codes: torch.Tensor,
    factors: torch.Tensor,
    bins: int = 20,
    *,
    logvar: torch.Tensor | None = None,
    samples: int = 10,
    seed: int = 0,
) -> torch.Tensor:
    """I(z_j; v_k) between each latent dimension and each factor, from histograms: nats, (d, K).

    I(z_j; v_k) = H(z_j) + H(v_k) − H(z_j, v_k), with z_j put into `bins` equal-width bins over
    its range and v_k taken as it is (a discrete factor). It lies between 0 and H(v_k); the
    plug-in estimate is biased upwards by about (bins − 1)(values − 1) / (2n) nats.

    `codes`: (n, d), e.g. the posterior means μ(x); `factors`: (n, K) integers. With `logvar`
    (n, d), the log-variances of q(z|x), z_j is drawn from q(z_j|x) instead, `samples` times
    per image with a generator seeded by `seed` (the result is the same on every call).
    """
    _check_codes_and_factors(codes, factors)
    check_positive_int(bins, "bins")
    if logvar is not None:
        codes, factors = _posterior_draws(codes, factors, logvar, samples, seed)
    z = _discretize(codes.detach().cpu().double(), bins)  # (n, d) in [0, bins)
    n, d = z.shape
    h_z = _entropy(torch.nn.functional.one_hot(z, bins).sum(dim=0).double())  # (d,)
    columns = []
    for column in factors.T:
        v = torch.unique(column, return_inverse=True)[1]  # (n,) in [0, values)
        values = int(v.max()) + 1
        joint = torch.zeros(d, bins * values, dtype=torch.float64)  # (d, bins·values) counts
        joint.scatter_add_(1, (z * values + v.unsqueeze(1)).T, torch.ones(d, n).double())
        h_v = _entropy(torch.bincount(v, minlength=values).double())
        columns.append(h_z + h_v - _entropy(joint))  # (d,)
    return torch.stack(columns, dim=1).clamp(min=0).float()  # (d, K)


def mig_per_factor(
    codes: torch.Tensor,
    factors: torch.Tensor,
    bins: int = 20,
    *,
    logvar: torch.Tensor | None = None,
    samples: int = 10,
    seed: int = 0,
) -> torch.Tensor:
    """The gap [I(z_(1); v_k) − I(z_(2); v_k)] / H(v_k) of each factor: in [0, 1], (K,).

    `codes`: (n, d) with d ≥ 2; `factors`: (n, K) integers, each taking at least two values.
    `logvar`, `samples`, `seed`: draw z ~ q(z|x), as in `mutual_information_matrix`.
    """
    _check_codes_and_factors(codes, factors)
    if codes.shape[1] < 2:
        raise ValueError(
            f"codes must have at least 2 dimensions for a gap between the best two, "
            f"got shape {tuple(codes.shape)}"
        )
    entropy = factor_entropy(factors)  # (K,)
    if (entropy == 0).any():
        k = int((entropy == 0).nonzero()[0])
        raise ValueError(
            f"factor column {k} takes a single value, so there is nothing to disentangle; "
            f"drop that column from factors"
        )
    mi = mutual_information_matrix(
        codes, factors, bins, logvar=logvar, samples=samples, seed=seed
    )  # (d, K)
    top = mi.topk(2, dim=0).values  # (2, K): the best and the second-best dimension
    return ((top[0] - top[1]) / entropy).clamp(0, 1)


def mutual_information_gap(
    codes: torch.Tensor,
    factors: torch.Tensor,
    bins: int = 20,
    *,
    logvar: torch.Tensor | None = None,
    samples: int = 10,
    seed: int = 0,
) -> float:
    """MIG (Chen et al. 2018): the mean over factors of `mig_per_factor`, in [0, 1].

    1: every factor is copied into its own latent dimension; 0: no factor has a dimension of its
    own. `codes`: (n, d), d ≥ 2, e.g. posterior means; `factors`: (n, K) integers.
    `logvar` (n, d), `samples`, `seed`: draw z ~ q(z|x), as in `mutual_information_matrix`.
    """
    gaps = mig_per_factor(codes, factors, bins, logvar=logvar, samples=samples, seed=seed)
    return float(gaps.mean())


@torch.no_grad()
def latent_traversal(
    model: VAE | Autoencoder,
    z: torch.Tensor,
    dims: list[int] | None = None,
    steps: int = 9,
    span: float = 2.5,
) -> torch.Tensor:
    """Decode one code with each chosen latent dimension swept, the others held fixed.

    Row i sweeps dimension `dims[i]` of `z` over `steps` evenly spaced values from −span to
    +span (in prior standard deviations, N(0, 1)), leaving the other coordinates of `z` as they
    are. In a disentangled code each row changes one factor of the image.

    `z`: one code, (d,) — e.g. the posterior mean μ(x) of an image. `dims`: default all d.
    Returns grey levels in [0, 1], (len(dims), steps, 1, 28, 28).
    """
    check_model(model)  # a ConditionalVAE's decode asks for the labels, which this does not pass
    d = model.config.latent_dim
    check_tensor(z, "z", ndim=1)
    if z.shape[0] != d:
        raise ValueError(f"z must be one code of shape ({d},), got {tuple(z.shape)}")
    check_positive_int(steps, "steps")
    dims = list(range(d)) if dims is None else list(dims)
    if not dims or any(not 0 <= j < d for j in dims):
        raise ValueError(f"dims must be a non-empty list of dimensions in [0, {d}), got {dims}")
    if not span > 0:
        raise ValueError(f"span must be > 0 (prior standard deviations), got {span}")
    device = next(model.parameters()).device
    values = torch.linspace(-span, span, steps)  # (steps,)
    codes = z.detach().cpu().float().repeat(len(dims), steps, 1)  # (rows, steps, d)
    for row, j in enumerate(dims):
        codes[row, :, j] = values
    with eval_mode(model):
        logits = _finite_output(model.decode(codes.flatten(0, 1).to(device)), "decoder")
        images = torch.sigmoid(logits)  # (rows·steps, 1, 28, 28)
    return images.view(len(dims), steps, *model.config.image_shape).cpu()


def centre_of_mass(images: torch.Tensor) -> torch.Tensor:
    """Where the grey level of each image lies on average: (x, y) in pixels, (..., 2).

    x runs from left to right, y from top to bottom, and pixel i spans [i, i + 1], so its centre
    is i + 0.5, the convention of the sprite centres of `vaelib.data.shapes`. Used to measure what a
    traversal does to a sprite: the move of the centre from the first to the last image of a row.

    `images`: (..., channels, h, w) grey levels in [0, 1], e.g. a batch (n, 1, 28, 28) or a
    traversal (rows, steps, 1, 28, 28); the channels are summed. An all-black image has no
    centre and is refused.
    """
    check_tensor(images, "images", min_ndim=3)
    check_unit_interval(images, "images")
    h, w = images.shape[-2:]
    grey = images.double().sum(dim=-3)  # (..., h, w)
    mass = grey.sum(dim=(-2, -1))  # (...,)
    if (mass <= 0).any():
        raise ValueError("images must each hold some grey level; an all-black image has no centre")
    x = (grey.sum(dim=-2) * (torch.arange(w) + 0.5)).sum(dim=-1) / mass  # (...,)
    y = (grey.sum(dim=-1) * (torch.arange(h) + 0.5)).sum(dim=-1) / mass
    return torch.stack([x, y], dim=-1).float()
