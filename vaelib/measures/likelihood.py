"""The importance-weighted estimate of log p(x) (Burda et al. 2016), in bounded memory, image by
image or averaged, and the gap between it and the ELBO image by image."""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from vaelib._support.checks import (
    NonFiniteError,
    check_batch_size,
    check_bool,
    check_choice,
    check_positive_int,
)
from vaelib._support.device import batches
from vaelib._support.seeding import seeded_generator
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import reconstruction_loss
from vaelib.models.mlp import (
    VAE,
    check_model,
    eval_mode,
    model_device,
    model_images,
    reparameterize,
    standard_normal,
)

# At most this many decoded images are held at once: a chunk of k samples times a batch of images.
# 4096 rows of 784 float32 pixels are 12.8 MB per tensor, whatever k is.
MAX_ROWS_PER_CHUNK = 4096

# The largest k accepted. Burda et al. (2016) estimate log p(x) with k = 5000; the bound grows
# like log k at best, so beyond 10⁶ samples per image a run only takes (much) longer.
MAX_K = 1_000_000

# Runs that decode more images than this (k times the number of images) show a progress bar.
LONG_RUN_DECODES = 10_000_000

# Where the k codes come from: the encoder's q(z|x) (the bound of Burda et al.), or the prior p(z).
PROPOSALS = ("posterior", "prior")


def log_importance_weights(
    model: VAE, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """log p(x|z_j) and the log importance weight log w_j of the codes z_j = μ + σ·ε_j.

        log w_j = log p(x|z_j) + log p(z_j) − log q(z_j|x),   q(z|x) = N(μ, diag σ²).

    `x`: images (b, 1, 28, 28) in [0, 1]; `mu`, `logvar`: the proposal of each image, (b, d);
    `eps`: standard normal draws (c, b, d), c codes per image. Returns two (c, b) tensors, nats
    per image, differentiable (the IWAE trains on them).
    """
    c = len(eps)
    z = reparameterize(mu, logvar, eps=eps)  # (c, b, d): c draws of z ~ q(z|x) per image
    log_p_x_given_z = -reconstruction_loss(
        model.decode(z.flatten(0, 1)), x.expand(c, *x.shape).flatten(0, 1)
    ).view(c, -1)  # (c, b)
    log_p_z = _standard_normal_log_density(z)  # (c, b)
    # log q(z|x) by the change of variables z = μ + σ ε: log N(ε; 0, I) − Σ_i log σ_i
    log_q_z = _standard_normal_log_density(eps) - 0.5 * logvar.sum(dim=1)  # (c, b)
    return log_p_x_given_z, log_p_x_given_z + log_p_z - log_q_z


@torch.no_grad()
def importance_weighted_bound(
    model: VAE,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    k: int,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """L_k(x) = log (1/k) Σ_j w_j and (1/k) Σ_j log w_j of each image, each (b,) nats, for k
    codes drawn from the proposal N(μ, diag σ²) ((b, d) each), in chunks of the k samples so
    that at most `MAX_ROWS_PER_CHUNK` decoded images are held at once, whatever k is."""
    chunk = max(1, MAX_ROWS_PER_CHUNK // len(x))
    log_sum = torch.full((len(x),), -math.inf, device=x.device)  # log Σ_j w_j so far, (b,)
    sum_log = torch.zeros(len(x), device=x.device)  # Σ_j log w_j so far, (b,)
    for done in range(0, k, chunk):
        eps = standard_normal((min(chunk, k - done), *mu.shape), generator, mu)  # (c, b, d)
        _, log_w = log_importance_weights(model, x, mu, logvar, eps)  # (c, b)
        log_sum = torch.logaddexp(log_sum, torch.logsumexp(log_w, dim=0))
        sum_log = sum_log + log_w.sum(dim=0)
    return log_sum - math.log(k), sum_log / k


@torch.no_grad()
def per_image_log_likelihood(
    model: VAE,
    data: ImageData | torch.Tensor,
    k: int = 5000,
    batch_size: int = 100,
    seed: int = 0,
    proposal: str = "posterior",
    progress: bool | None = None,
) -> torch.Tensor:
    """The importance-weighted estimate L_k of log p(x) of every image: (n,) nats, on the CPU.

    log p(x) ≥ L_k(x) = log (1/k) Σ_j p(x|z_j) p(z_j) / q(z_j|x),  z_j ~ q(z|x)  (Burda et al.).

    The bound equals the ELBO at k = 1 and tightens towards log p(x) as k grows; Burda et al.
    report it at k = 5000. Kept per image, a mean comes with its standard error and two models
    can be compared image by image. With `proposal="prior"` the codes are drawn from
    p(z) = N(0, I) instead, and the weights are plain p(x|z_j): the naive Monte-Carlo average of
    p(x) = ∫ p(x|z) p(z) dz, a lower bound too (Jensen), but a loose one when few prior draws
    land where p(x|z) is large. The noise comes from a CPU generator seeded with `seed` (the same
    numbers on every call and device); the model's mode is restored afterwards.

    `data`: images (n, 1, 28, 28) in [0, 1]. `k`: an integer in [1, `MAX_K`]. `progress`: show a
    progress bar over the batches; None (the default) shows one for a long run only, one that
    decodes more than `LONG_RUN_DECODES` images (k·n).
    """
    check_model(model, vae=True)
    k = check_positive_int(k, "k")
    if k > MAX_K:
        raise ValueError(
            f"k must be at most {MAX_K:,} samples per image, got {k:,}: the bound tightens like "
            f"log k at best, so a larger k only makes the run longer (Burda et al. use k = 5000)"
        )
    batch_size = check_batch_size(batch_size)
    from_prior = check_choice(proposal, "proposal", PROPOSALS) == "prior"
    generator = seeded_generator(seed)
    images = model_images(data, model, "data")
    if progress is None:
        progress = k * len(images) > LONG_RUN_DECODES
    progress = check_bool(progress, "progress")
    device = model_device(model)
    estimates = []
    bar = tqdm(
        batches(images, batch_size, device),
        desc=f"log p(x), k={k}",
        total=math.ceil(len(images) / batch_size),
        unit="batch",
        disable=not progress,
    )
    with eval_mode(model):
        for x, _ in bar:  # (b, 1, 28, 28)
            if from_prior:  # q = p(z): z = ε, and the weight p(x|z) p(z) / q(z) is p(x|z)
                mu = logvar = torch.zeros(len(x), model.config.latent_dim, device=device)
            else:
                mu, logvar = model.encode(x)  # (b, d) each
            bound, _ = importance_weighted_bound(model, x, mu, logvar, k, generator)  # (b,)
            estimates.append(bound.cpu())
    return torch.cat(estimates)  # (n,)


def iwae_log_likelihood(
    model: VAE,
    data: ImageData | torch.Tensor,
    k: int = 100,
    batch_size: int = 100,
    seed: int = 0,
    proposal: str = "posterior",
    progress: bool | None = None,
) -> float:
    """`per_image_log_likelihood` averaged over the data set: nats per image, a finite float.

    Same arguments; raises `NonFiniteError` if the model's weights make the estimate NaN or
    infinite.
    """
    estimates = per_image_log_likelihood(model, data, k, batch_size, seed, proposal, progress)
    mean = estimates.mean().item()
    if not math.isfinite(mean):
        raise NonFiniteError(
            f"the importance-weighted estimate is {mean}: the model's weights hold NaN or "
            f"infinite values or are far too large (a diverged training?); retrain or reload "
            f"the model"
        )
    return mean


@torch.no_grad()
def iwae_gap_per_image(
    model: VAE, data: ImageData | torch.Tensor, k: int = 1000, batch_size: int = 5, seed: int = 0
) -> torch.Tensor:
    """How far L_k rises above the ELBO, image by image: (n,) nats, each >= 0, on the CPU.

    For each image x, draw z_1 … z_k ~ q(z|x) and return

        log (1/k) Σ_j w_j − (1/k) Σ_j log w_j,    w_j = p(x|z_j) p(z_j) / q(z_j|x),

    the importance-weighted bound L_k(x) minus the k-sample estimate of ELBO(x), both from the
    same draws. It is >= 0 for every draw (Jensen: the log of a mean is at least the mean of the
    logs) and 0 at k = 1. Its expectation is at most log p(x) − ELBO(x), the KL divergence from
    q(z|x) to the true posterior p(z|x), and tends to it as k grows: the image's share of the gap
    that `iwae_log_likelihood` measures on average. The draws are those `iwae_log_likelihood`
    makes with the same `seed` and `batch_size`, so the mean of L_k(x) is its value.

    `data`: images (n, 1, 28, 28) in [0, 1].
    """
    check_model(model, vae=True)
    k = check_positive_int(k, "k")
    batch_size = check_batch_size(batch_size)
    generator = seeded_generator(seed)
    images = model_images(data, model, "data")
    device = model_device(model)
    gaps = []
    with eval_mode(model):
        for x, _ in batches(images, batch_size, device):  # (b, 1, 28, 28)
            mu, logvar = model.encode(x)  # (b, d) each
            log_mean_w, mean_log_w = importance_weighted_bound(model, x, mu, logvar, k, generator)
            gaps.append((log_mean_w - mean_log_w).clamp(min=0).cpu())  # (b,), rounding below 0
    return torch.cat(gaps)


def _standard_normal_log_density(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) summed over the last dimension."""
    return -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(dim=-1)
