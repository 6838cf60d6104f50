"""How far the book's Bernoulli decoder is from a probability density over grey-level images.

The decoder scores an image x with the Bernoulli formula

    p(x | z) = Π_j p_j^{x_j} (1 − p_j)^{1 − x_j},   p_j = sigmoid(ℓ_j(z)),

summed in logs by `reconstruction_loss`. For black-or-white pixels, x_j ∈ {0, 1}, it is a
probability and sums to 1 over the 2^D images. MNIST's pixels are grey levels in [0, 1], and read
as a density over [0, 1]^D the same formula is not normalised: for one pixel

    ∫_0^1 p^x (1 − p)^{1 − x} dx = (2p − 1) / (ln p − ln(1 − p)) = tanh(ℓ/2) / ℓ  ≤  1/2,

with equality only at ℓ = 0. The reciprocal is the normalising constant of the *continuous
Bernoulli* distribution (Loaiza-Ganem & Cunningham 2019). `bernoulli_log_mass` returns the log of
the formula's total mass over [0, 1]^D, so that log p(x | z) − log mass is the log-density of a
properly normalised (continuous Bernoulli) decoder with the same logits.
"""

from __future__ import annotations

import math

import torch

from vaelib._support.checks import check_tensor

# Below this |ℓ|, tanh(ℓ/2)/ℓ is evaluated by its series 1/2 − ℓ²/24 (error below 1e-15).
_SERIES_BELOW = 1e-4


@torch.no_grad()
def bernoulli_log_mass(logits: torch.Tensor) -> torch.Tensor:
    """ln ∫_{[0,1]^D} Π_j p_j^{x_j} (1 − p_j)^{1 − x_j} dx for each decoded image, nats per image.

    = Σ_j ln(tanh(ℓ_j / 2) / ℓ_j), summed over all pixels (and channels) of each image, computed
    in float64. Every term is ≤ −ln 2, so the result is ≤ −D ln 2 (−543.4 nats for 28 × 28
    images), reached only when every logit is 0; sharper decoders (larger |ℓ_j|) give less. A
    normalised density would give 0.

    `logits`: (batch, …) Bernoulli logits ℓ, e.g. `model.decode(z)` of shape (batch, 1, 28, 28).
    Returns nats per image, (batch,), float64 on the CPU, whatever device `logits` is on.
    """
    check_tensor(logits, "logits", min_ndim=2)
    # float64 only on the CPU (Apple's MPS has none); the term is even in ℓ
    magnitude = logits.detach().cpu().double().abs().flatten(start_dim=1)  # (batch, D)
    small = magnitude < _SERIES_BELOW
    safe = torch.where(small, torch.ones_like(magnitude), magnitude)  # avoid 0 / 0
    ratio = torch.where(small, 0.5 - magnitude.pow(2) / 24, torch.tanh(safe / 2) / safe)
    return ratio.log().sum(dim=1)


def log_mass_bound(pixels: int) -> float:
    """The largest possible `bernoulli_log_mass` of an image of `pixels` grey levels: −D ln 2."""
    if isinstance(pixels, bool) or not isinstance(pixels, int) or pixels < 1:
        raise ValueError(f"pixels must be a positive integer (e.g. 784), got {pixels!r}")
    return -pixels * math.log(2)
