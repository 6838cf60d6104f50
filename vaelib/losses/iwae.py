"""The importance-weighted bound L_k as a training objective: the IWAE (Burda et al. 2016).

For an image x and k codes z_1 … z_k drawn from the encoder's q(z|x) = N(μ, diag σ²),

    log w_j = log p(x|z_j) + log p(z_j) − log q(z_j|x),
    L_k(x)  = log (1/k) Σ_j w_j  ≤  log p(x).

With k = 1 this is the ELBO (in expectation); it rises with k towards log p(x). The VAE trains
the encoder and decoder on L_1, the IWAE on L_k with k > 1: the same model, another objective.
`iwae_loss` is that objective for `fit` (`fit(..., iwae_k=5)`); `vaelib.measures.likelihood`
evaluates the same bound, with large k, as an estimate of log p(x).
"""

from __future__ import annotations

import math

import torch

from vaelib._support.checks import check_positive_int
from vaelib.losses.elbo import LossParts, gaussian_kl
from vaelib.measures.likelihood import log_importance_weights
from vaelib.models.mlp import VAE, standard_normal


def iwae_loss(
    model: VAE, x: torch.Tensor, k: int, generator: torch.Generator | None = None
) -> LossParts:
    """The IWAE objective on a batch: −L_k averaged over the images, nats per image.

    `x`: (batch, 1, 28, 28) in [0, 1]; `k`: samples per image (k = 1 gives the VAE's ELBO with a
    sampled KL term). Returns `LossParts(total=−L_k, reconstruction, kl)`: `reconstruction` is
    E_q[−log p(x|z)] averaged over the k codes and `kl` the closed-form KL(q(z|x) ‖ p(z)), so the
    parts describe the encoder's q as `vae_loss` does; `total` is what the IWAE minimises.
    """
    k = check_positive_int(k, "k")
    mu, logvar = model.encode(x)  # (batch, d) each
    eps = standard_normal((k, *mu.shape), generator, mu)  # (k, batch, d)
    log_p_x_given_z, log_w = log_importance_weights(model, x, mu, logvar, eps)  # (k, batch)
    bound = torch.logsumexp(log_w, dim=0) - math.log(k)  # L_k, (batch,)
    return LossParts(
        total=-bound.mean(),
        reconstruction=-log_p_x_given_z.mean(),
        kl=gaussian_kl(mu, logvar).mean(),
    )
