"""The VAE objective, in nats.

Reductions, stated once for the whole book: every per-image term is a **sum** over pixels (for
the reconstruction) or over latent dimensions (for the KL); `vae_loss` then **averages** over the
images of the batch. So every number it returns is in *nats per image*.

The negative ELBO of one image x is

    −ELBO(x) = E_q[−log p(x|z)] + KL(q(z|x) ‖ p(z))  =  reconstruction + KL,

and the β-VAE objective (Higgins et al. 2017) weights the KL term: reconstruction + β·KL.

The losses are the mathematics: they check what costs nothing (types, shapes, devices, and the
numbers β, λ, C) and compute. The *values* of the data — grey levels in [0, 1], no NaN — are
checked once by the entry points that take a data set (`fit`, `evaluate`, the measures), not in
every training step, and a loss that overflows is caught by `fit`'s divergence rule and by
`evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vaelib._support.checks import check_images, check_non_negative, check_same_shape, check_tensor


@dataclass
class LossParts:
    """One evaluation of the objective, each a scalar tensor in nats per image (batch mean).

    `total` is what the optimiser minimises: `reconstruction + β·KL` (with free bits or a
    capacity target, the KL part of `total` is modified; `kl` is always the true KL).
    """

    total: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


def gaussian_kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, 1)) of each latent dimension, in closed form.

    KL_i = −½ (1 + log σ_i² − μ_i² − σ_i²)   (chapter 3 derives it).

    `mu`, `logvar`: (batch, d). Returns nats, (batch, d), in their common dtype (at least float32).
    """
    mu, logvar = _gaussian_parameters(mu, logvar)  # (batch, d) each, one dtype and device
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())  # (batch, d)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)), summed over the d latent dimensions.

    `mu`, `logvar`: (batch, d). Returns nats per image, (batch,).
    """
    return gaussian_kl_per_dim(mu, logvar).sum(dim=1)


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """−log p(x|z) for a Bernoulli decoder: binary cross-entropy on logits, summed over pixels.

    `logits`, `x`: (batch, 1, 28, 28) (any shape with the batch first), x in [0, 1]; both are
    computed in their common dtype, at least float32, on the logits' device (x is moved there).
    Returns nats per image, (batch,), each >= 0.
    """
    logits, x = _logits_and_images(logits, x)  # same shape and dtype, on the logits' device
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")  # −log p(x_j|z)
    return bce.flatten(start_dim=1).sum(dim=1)  # summed over the pixels: (batch,)


def vae_loss(
    logits: torch.Tensor,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    beta: float = 1.0,
    free_bits: float = 0.0,
    capacity: float | None = None,
) -> LossParts:
    """The β-weighted negative ELBO and its parts, averaged over the batch (nats per image).

    Args:
        logits: decoder output (batch, 1, 28, 28); x: the images (batch, 1, 28, 28) in [0, 1].
        mu, logvar: encoder output, (batch, d).
        beta: weight β ≥ 0 of the KL term (β = 1 is the plain ELBO).
        free_bits: λ ≥ 0 in nats per latent dimension (Kingma et al. 2016). Each dimension's
            batch-mean KL counts as max(λ, KL_i), so the optimiser gains nothing by pushing a
            dimension's KL below λ.
        capacity: C in nats (Burgess et al. 2018). If given, the KL part of `total` is β·|KL − C|,
            which steers the KL towards C instead of towards 0.

    Returns:
        `LossParts(total, reconstruction, kl)`, scalars in nats per image, each >= 0.

    Raises:
        TypeError, ValueError: a bad argument, named in the message (see `vaelib._support.checks`).
    """
    beta, free_bits, capacity = check_objective(beta, free_bits, capacity)
    _check_same_batch(mu, x)
    reconstruction = reconstruction_loss(logits, x).mean()  # E_q[−log p(x|z)], batch mean
    kl_per_dim = gaussian_kl_per_dim(mu, logvar).mean(dim=0)  # (d,), batch mean
    kl = kl_per_dim.sum()

    if free_bits > 0:  # a dimension's KL counts as at least λ
        kl_term = torch.clamp(kl_per_dim, min=free_bits).sum()
    else:
        kl_term = kl
    if capacity is not None:  # β·|KL − C| steers the KL towards C
        kl_term = (kl_term - capacity).abs()
    total = reconstruction + beta * kl_term
    return LossParts(total=total, reconstruction=reconstruction, kl=kl)


def autoencoder_loss(logits: torch.Tensor, x: torch.Tensor) -> LossParts:
    """The plain autoencoder's loss: the reconstruction term alone (KL is 0), nats per image."""
    reconstruction = reconstruction_loss(logits, x).mean()
    kl = torch.zeros((), dtype=reconstruction.dtype, device=reconstruction.device)
    return LossParts(total=reconstruction, reconstruction=reconstruction, kl=kl)


def bernoulli_entropy(x: torch.Tensor) -> torch.Tensor:
    """The entropy floor of the Bernoulli reconstruction loss: Σ_j H(x_j), summed over pixels.

    H(p) = −p log p − (1 − p) log(1 − p). For a grey level x_j, the binary cross-entropy
    −[x_j log p_j + (1 − x_j) log(1 − p_j)] is smallest at p_j = x_j, where it equals H(x_j);
    so no decoder can bring `reconstruction_loss` of x below this sum. It is 0 for black-and-white
    images and up to 784·ln 2 ≈ 543 nats for an all-grey one.

    `x`: (batch, 1, 28, 28) in [0, 1] (any shape with the batch first; float16, bfloat16 and
    float64 are converted to float32). Returns nats per image, (batch,).
    """
    x = check_images(x, "x")
    # x·log x is taken as 0 at x = 0 (its limit), which torch.xlogy does.
    h = -(torch.xlogy(x, x) + torch.xlogy(1 - x, 1 - x))
    return h.flatten(start_dim=1).sum(dim=1)


def check_objective(
    beta: object, free_bits: object, capacity: object
) -> tuple[float, float, float | None]:
    """β, λ and C checked (finite numbers >= 0; C may be None) and returned as floats."""
    beta = check_non_negative(beta, "beta")
    free_bits = check_non_negative(free_bits, "free_bits")
    capacity = None if capacity is None else check_non_negative(capacity, "capacity")
    return beta, free_bits, capacity


def _gaussian_parameters(mu: object, logvar: object) -> tuple[torch.Tensor, torch.Tensor]:
    """μ and log σ² checked for type and shape, in their common dtype (at least float32)."""
    check_tensor(mu, "mu", ndim=2, finite=False)
    check_tensor(logvar, "logvar", ndim=2, finite=False)
    check_same_shape(mu, logvar, "mu and logvar")
    _check_same_device(mu, logvar, "mu and logvar")
    return _in_common_dtype(mu, logvar)


def _logits_and_images(logits: object, x: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and images checked for type and shape; x moved to the logits' device; one dtype."""
    check_tensor(logits, "logits", min_ndim=2, finite=False)
    check_tensor(x, "x", min_ndim=2, finite=False)
    check_same_shape(logits, x, "logits and x")
    x = x.to(logits.device)  # the data go where the model computed the logits
    return _in_common_dtype(logits, x)


def _check_same_batch(mu: object, x: object) -> None:
    check_tensor(mu, "mu", ndim=2, finite=False)
    check_tensor(x, "x", min_ndim=2, finite=False)
    if mu.shape[0] != x.shape[0]:
        raise ValueError(
            f"mu has {mu.shape[0]} rows but x has {x.shape[0]} images; pass the encoder's "
            f"output for the same batch"
        )


def _check_same_device(a: torch.Tensor, b: torch.Tensor, names: str) -> None:
    if a.device != b.device:
        raise ValueError(
            f"{names} must be on one device, got {a.device} and {b.device}; move one with .to()"
        )


def _in_common_dtype(*tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The tensors in their common floating dtype, at least float32 (float16 → float32)."""
    dtype = torch.float32
    for t in tensors:
        dtype = torch.promote_types(dtype, t.dtype)
    return tuple(t if t.dtype == dtype else t.to(dtype) for t in tensors)
