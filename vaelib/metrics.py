"""Measurements of a trained model on a data set: latent codes, KL per dimension, active units,
and the importance-weighted log-likelihood."""

from __future__ import annotations

import math

import torch

from vaelib._checks import check_positive_int
from vaelib.data import ImageData
from vaelib.losses import gaussian_kl_per_dim, reconstruction_loss
from vaelib.models import VAE, Autoencoder, model_images


@torch.no_grad()
def encode_dataset(
    model: VAE | Autoencoder, data: ImageData | torch.Tensor, batch_size: int = 2000
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Encode every image: (μ, log σ²), each (n, d), for a VAE; (z, None) for an autoencoder."""
    images = model_images(data, model, "data")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    outputs = [
        model.encode(images[i : i + batch_size].to(device))
        for i in range(0, len(images), batch_size)
    ]
    model.train(was_training)
    if isinstance(model, VAE):
        return torch.cat([mu for mu, _ in outputs]).cpu(), torch.cat(
            [lv for _, lv in outputs]
        ).cpu()
    return torch.cat(outputs).cpu(), None


def kl_per_dimension(model: VAE, data: ImageData | torch.Tensor) -> torch.Tensor:
    """Average over the data set of KL(q(z_i|x) ‖ N(0, 1)) for each latent dimension i.

    Returns nats per image, (d,). Its sum is the model's mean KL term (the rate).
    """
    _require_vae(model)
    mu, logvar = encode_dataset(model, data)
    return gaussian_kl_per_dim(mu, logvar).mean(dim=0)


def latent_activity(model: VAE, data: ImageData | torch.Tensor) -> torch.Tensor:
    """Var_x E_q[z_i|x]: how much each posterior mean moves across the data set, (d,)."""
    _require_vae(model)
    mu, _ = encode_dataset(model, data)
    return mu.var(dim=0)


def active_units(model: VAE, data: ImageData | torch.Tensor, threshold: float = 0.01) -> int:
    """The number of latent dimensions with Var_x E_q[z_i|x] > `threshold` (Burda et al. 2016)."""
    return int((latent_activity(model, data) > threshold).sum())


@torch.no_grad()
def iwae_log_likelihood(
    model: VAE,
    data: ImageData | torch.Tensor,
    k: int = 100,
    batch_size: int = 100,
    seed: int = 0,
) -> float:
    """Importance-weighted estimate of log p(x), averaged over the data set (nats per image).

    log p(x) ≥ log (1/k) Σ_j p(x|z_j) p(z_j) / q(z_j|x),  z_j ~ q(z|x)   (Burda et al. 2016).

    The bound equals the ELBO at k = 1 and tightens towards log p(x) as k grows.
    """
    _require_vae(model)
    k = check_positive_int(k, "k")
    images = model_images(data, model, "data")
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    total = 0.0
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].to(device)  # (b, 1, 28, 28)
        mu, logvar = model.encode(x)  # (b, d)
        eps = torch.randn((k, *mu.shape), generator=generator).to(device)  # (k, b, d)
        z = mu + torch.exp(0.5 * logvar) * eps  # (k, b, d)
        log_p_x_given_z = -reconstruction_loss(
            model.decode(z.flatten(0, 1)), x.expand(k, *x.shape).flatten(0, 1)
        ).view(k, -1)  # (k, b)
        log_p_z = _standard_normal_log_density(z)  # (k, b)
        log_q_z = _standard_normal_log_density(eps) - 0.5 * logvar.sum(dim=1)  # change of variables
        log_w = log_p_x_given_z + log_p_z - log_q_z  # (k, b)
        total += (torch.logsumexp(log_w, dim=0) - math.log(k)).sum().item()
    model.train(was_training)
    return total / len(images)


def _standard_normal_log_density(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) summed over the last dimension."""
    return -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(dim=-1)


def _require_vae(model: object) -> None:
    if not isinstance(model, VAE):
        raise TypeError(f"this measure needs a VAE (it reads q(z|x)), got {type(model).__name__}")


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
    ref = reference.images if isinstance(reference, ImageData) else reference
    if images.shape[1:] != ref.shape[1:]:
        raise ValueError(
            f"images and reference must hold images of one shape, got {tuple(images.shape[1:])} "
            f"and {tuple(ref.shape[1:])}"
        )
    check_positive_int(batch_size, "batch_size")
    ref_flat = ref.flatten(start_dim=1).float()  # (m, 784)
    best = []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].flatten(start_dim=1).float()  # (b, 784)
        best.append(torch.cdist(x, ref_flat).min(dim=1).values)  # (b,)
    return torch.cat(best)
