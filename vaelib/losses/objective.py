"""`compute_loss`: the objective `fit` and `evaluate` minimise, chosen by the model's type.

One batch, one model: a `VAE` is scored by `vae_loss` (or the IWAE objective with `iwae_k` > 1),
a `ConditionalVAE` by `conditional_vae_loss`, a `LinearVAE` by its exact `linear_vae_loss` and
an `Autoencoder` by `autoencoder_loss`.
"""

from __future__ import annotations

import torch

from vaelib.losses.elbo import LossParts, autoencoder_loss, vae_loss
from vaelib.losses.iwae import iwae_loss
from vaelib.models.conditional import ConditionalVAE, conditional_vae_loss
from vaelib.models.linear import LinearVAE, linear_vae_loss
from vaelib.models.mlp import VAE, Autoencoder, check_model


def compute_loss(
    model: VAE | Autoencoder,
    x: torch.Tensor,
    beta: float = 1.0,
    free_bits: float = 0.0,
    capacity: float | None = None,
    generator: torch.Generator | None = None,
    labels: torch.Tensor | None = None,
    iwae_k: int = 1,
) -> LossParts:
    """The model's objective on a batch x (batch, 1, 28, 28): `vae_loss` or `autoencoder_loss`.

    The VAE's sample z ~ q(z|x) draws its noise from `generator` (default: torch's global one).
    A `ConditionalVAE` also reads the batch's `labels` (batch,): `conditional_vae_loss`.
    A `LinearVAE` has its own loss, exact and noise-free: `linear_vae_loss`.
    With `iwae_k` > 1 a VAE is scored by the IWAE objective −L_k instead (`vaelib.losses.iwae`),
    which has no β, free bits or capacity.
    """
    if isinstance(model, LinearVAE):
        if free_bits or capacity is not None:
            raise ValueError(
                f"free_bits and capacity are not implemented for the LinearVAE, got "
                f"free_bits={free_bits!r}, capacity={capacity!r}; leave them at 0 and None"
            )
        return linear_vae_loss(model, x, beta)
    if isinstance(model, ConditionalVAE):
        return conditional_vae_loss(model, x, labels, beta, free_bits, capacity, generator)
    if isinstance(model, VAE) and iwae_k > 1:
        return iwae_loss(model, x, iwae_k, generator)
    if isinstance(model, VAE):
        logits, mu, logvar = model(x, generator)
        return vae_loss(logits, x, mu, logvar, beta=beta, free_bits=free_bits, capacity=capacity)
    check_model(model)
    return autoencoder_loss(model(x), x)
