"""The importance-weighted bound L_k as a training objective: the IWAE (Burda et al. 2016).

For an image x and k codes z_1 … z_k drawn from a Gaussian q(z|x) = N(μ, diag σ²),

    log w_j = log p(x|z_j) + log p(z_j) − log q(z_j|x),
    L_k(x)  = log (1/k) Σ_j w_j  ≤  log p(x).

With k = 1 this is the ELBO (in expectation); it rises with k towards log p(x). The VAE trains
the encoder and decoder on L_1, the IWAE on L_k with k > 1: the same model, another objective.
`iwae_loss` is that objective for `fit` (`fit(..., iwae_k=5)`); `importance_weighted_bound`
evaluates L_k for any proposal (μ, log σ²) in bounded memory, for large k.
"""

from __future__ import annotations

import math

import torch

from vaelib._checks import check_batch_size, check_generator, check_positive_int
from vaelib.data import ImageData
from vaelib.losses import LossParts, gaussian_kl, reconstruction_loss
from vaelib.models import VAE, check_model, eval_mode, model_device, model_images
from vaelib.seeding import seeded_generator

# At most this many decoded images are held at once when L_k is evaluated for a large k.
MAX_ROWS_PER_CHUNK = 4096


def log_importance_weights(
    model: VAE,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    k: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """log w_j for k codes z_j ~ N(μ, diag σ²) per image, and −log p(x|z_j) (differentiable).

    `x`: (b, 1, 28, 28) in [0, 1]; `mu`, `logvar`: (b, d), the proposal q(z|x) of each image
    (the encoder's output, or any other Gaussian). Returns (log w, −log p(x|z)), each (k, b),
    nats per image.
    """
    eps = torch.randn((k, *mu.shape), generator=generator, device=_on(generator))  # (k, b, d)
    eps = eps.to(mu.device)
    z = mu + torch.exp(0.5 * logvar) * eps  # (k, b, d), z = μ + σ ε
    logits = model.decode(z.flatten(0, 1))  # (k·b, 1, 28, 28)
    x_k = x.to(mu.device).expand(k, *x.shape).flatten(0, 1)  # (k·b, 1, 28, 28)
    reconstruction = reconstruction_loss(logits, x_k).view(k, -1)  # −log p(x|z_j), (k, b)
    log_p_z = _standard_normal_log_density(z)  # (k, b)
    log_q_z = _standard_normal_log_density(eps) - 0.5 * logvar.sum(dim=1)  # (k, b)
    return -reconstruction + log_p_z - log_q_z, reconstruction


def iwae_loss(
    model: VAE, x: torch.Tensor, k: int, generator: torch.Generator | None = None
) -> LossParts:
    """The IWAE objective on a batch: −L_k averaged over the images, nats per image.

    L_k(x) = log (1/k) Σ_j w_j with z_j ~ q(z|x), the encoder's Gaussian (module docstring).
    `x`: (batch, 1, 28, 28) in [0, 1]; `k`: samples per image (k = 1 gives the VAE's ELBO with a
    sampled KL term). Returns `LossParts(total=−L_k, reconstruction, kl)`: `reconstruction` is
    E_q[−log p(x|z)] averaged over the k codes and `kl` the closed-form KL(q(z|x) ‖ p(z)), so the
    parts describe the encoder's q exactly as `vae_loss` does; `total` is what the IWAE minimises.
    """
    k = check_positive_int(k, "k")
    check_generator(generator)
    mu, logvar = model.encode(x)  # (b, d) each
    log_w, reconstruction = log_importance_weights(model, x, mu, logvar, k, generator)  # (k, b)
    bound = torch.logsumexp(log_w, dim=0) - math.log(k)  # L_k, (b,)
    return LossParts(
        total=-bound.mean(),
        reconstruction=reconstruction.mean(),
        kl=gaussian_kl(mu, logvar).mean(),
    )


@torch.no_grad()
def importance_weighted_bound(
    model: VAE,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    k: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """L_k(x) of each image for the proposal N(μ, diag σ²), in chunks, for any k; (b,) nats.

    The k codes of the batch are drawn and decoded in chunks of at most `MAX_ROWS_PER_CHUNK`
    images, and log Σ_j w_j is accumulated chunk by chunk, so memory does not grow with k.
    """
    k = check_positive_int(k, "k")
    chunk = max(1, MAX_ROWS_PER_CHUNK // len(x))
    log_sum = torch.full((len(x),), -math.inf, device=mu.device)  # log Σ_j w_j so far, (b,)
    for done in range(0, k, chunk):
        log_w, _ = log_importance_weights(model, x, mu, logvar, min(chunk, k - done), generator)
        log_sum = torch.logaddexp(log_sum, torch.logsumexp(log_w, dim=0))
    return log_sum - math.log(k)


def _on(generator: torch.Generator | None) -> torch.device:
    return generator.device if generator is not None else torch.device("cpu")


def _standard_normal_log_density(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) summed over the last dimension."""
    return -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(dim=-1)


def per_image_log_likelihood(
    model: VAE, data: ImageData | torch.Tensor, k: int = 5000, batch_size: int = 100, seed: int = 0
) -> torch.Tensor:
    """The estimate L_k of log p(x) of every image, with the encoder's q(z|x) as proposal.

    Burda et al.'s test log-likelihood (their k = 5000), kept per image so that a mean can be
    given with its standard error and two models compared image by image. The noise comes from
    `seeded_generator(seed)`: the same numbers on every call and device. The model's mode is
    restored afterwards. `data`: images (n, 1, 28, 28) in [0, 1]. Returns nats, (n,), on the CPU.
    """
    check_model(model, vae=True)
    k = check_positive_int(k, "k")
    batch_size = check_batch_size(batch_size)
    generator = seeded_generator(seed)
    images = model_images(data, model, "data")
    device = model_device(model)
    estimates = []
    with eval_mode(model), torch.no_grad():
        for start in range(0, len(images), batch_size):
            x = images[start : start + batch_size].to(device)  # (b, 1, 28, 28)
            mu, logvar = model.encode(x)  # (b, d)
            estimates.append(importance_weighted_bound(model, x, mu, logvar, k, generator).cpu())
    return torch.cat(estimates)  # (n,)
