"""The VAE objective, in nats.

Reductions, stated once for the whole book: every per-image term is a **sum** over pixels (for
the reconstruction) or over latent dimensions (for the KL); `vae_loss` then **averages** over the
images of the batch. So every number it returns is in *nats per image*.

The negative ELBO of one image x is

    −ELBO(x) = E_q[−log p(x|z)] + KL(q(z|x) ‖ p(z))  =  reconstruction + KL,

and the β-VAE objective (Higgins et al. 2017) weights the KL term: reconstruction + β·KL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vaelib._checks import (
    NonFiniteError,
    check_images,
    check_non_negative,
    check_same_shape,
    check_tensor,
    check_unit_interval,
)
from vaelib._trusted import tensor_checks_skipped


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
    check_tensor(mu, "mu", ndim=2)
    check_tensor(logvar, "logvar", ndim=2)
    check_same_shape(mu, logvar, "mu and logvar")
    _check_same_device(mu, logvar, "mu and logvar")
    mu, logvar = _in_common_dtype(mu, logvar)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
    return _finite_result(
        kl,
        "the KL",
        lambda: (
            f"logvar reaches {logvar.max().item()!r} and |mu| {mu.abs().max().item()!r}; "
            f"σ² = exp(logvar) and μ² must stay below {torch.finfo(kl.dtype).max:.3g}"
        ),
    )


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
    check_tensor(logits, "logits", min_ndim=2)
    check_tensor(x, "x", min_ndim=2, finite=False)
    check_same_shape(logits, x, "logits and x")
    check_unit_interval(x, "x")
    x = x.to(logits.device)  # the data go where the model computed the logits
    logits, x = _in_common_dtype(logits, x)
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return _finite_result(
        bce.flatten(start_dim=1).sum(dim=1),
        "the reconstruction loss",
        lambda: f"|logits| reach {logits.abs().max().item()!r}",
    )


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
        TypeError, ValueError: a bad argument, named in the message (see `vaelib._checks`).
    """
    beta = check_non_negative(beta, "beta")
    free_bits = check_non_negative(free_bits, "free_bits")
    if capacity is not None:
        capacity = check_non_negative(capacity, "capacity")
    check_tensor(mu, "mu", ndim=2)
    check_tensor(x, "x", min_ndim=2, finite=False)
    if mu.shape[0] != x.shape[0]:
        raise ValueError(
            f"mu has {mu.shape[0]} rows but x has {x.shape[0]} images; pass the encoder's "
            f"output for the same batch"
        )

    reconstruction = reconstruction_loss(logits, x).mean()
    kl_per_dim = gaussian_kl_per_dim(mu, logvar).mean(dim=0)  # (d,), batch mean
    kl = kl_per_dim.sum()

    if free_bits > 0:
        kl_term = torch.clamp(kl_per_dim, min=free_bits).sum()
    else:
        kl_term = kl
    if capacity is not None:
        kl_term = (kl_term - capacity).abs()
    total = _finite_result(
        reconstruction + beta * kl_term,
        "the loss",
        lambda: f"beta={beta!r} times {kl_term.item()!r} nats",
    )
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


def _check_same_device(a: torch.Tensor, b: torch.Tensor, names: str) -> None:
    if a.device != b.device:
        raise ValueError(
            f"{names} must be on one device, got {a.device} and {b.device}; move one with .to()"
        )


def _finite_result(result: torch.Tensor, what: str, cause: Callable[[], str]) -> torch.Tensor:
    """`result`, unless finite inputs overflowed to infinity in it (then `NonFiniteError`).

    `cause()` describes the inputs that did it; it is only called when the check fails.
    """
    if not tensor_checks_skipped() and not torch.isfinite(result).all():
        raise NonFiniteError(f"{what} overflowed to infinity: {cause()}")
    return result


def _in_common_dtype(*tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The tensors in their common floating dtype, at least float32 (float16 → float32)."""
    dtype = torch.float32
    for t in tensors:
        dtype = torch.promote_types(dtype, t.dtype)
    return tuple(t if t.dtype == dtype else t.to(dtype) for t in tensors)
