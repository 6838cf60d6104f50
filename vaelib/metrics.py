"""Measurements of a trained model on a data set: latent codes, KL per dimension, active units,
and the importance-weighted log-likelihood."""

from __future__ import annotations

import math

import torch

from vaelib._checks import check_positive_int, check_tensor
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
    # the same search as for codes, with each image a point of [0, 1]^784
    return nearest_code_distance(
        images.flatten(start_dim=1).float(), ref.flatten(start_dim=1).float(), batch_size
    )


@torch.no_grad()
def nearest_code_distance(
    queries: torch.Tensor, codes: torch.Tensor, batch_size: int = 1000
) -> torch.Tensor:
    """Euclidean distance in latent space from each query code to its nearest code in `codes`.

    ‖z − z'‖₂ over the d latent coordinates, minimised over the rows z' of `codes` (e.g. the
    training set's codes): how far a code (say a draw from the prior) lies from every code the
    decoder was trained on.

    `queries`: (n, d); `codes`: (m, d). Returns latent units, (n,).
    """
    check_tensor(queries, "queries", ndim=2)
    check_tensor(codes, "codes", ndim=2)
    if queries.shape[1] != codes.shape[1]:
        raise ValueError(
            f"queries and codes must have the same latent dimension, got {queries.shape[1]} "
            f"and {codes.shape[1]}"
        )
    check_positive_int(batch_size, "batch_size")
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


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Sum of absolute grey-level differences between horizontally and vertically adjacent pixels.

    A measure of edges and texture: a blurred image has a smaller total variation than the
    original, a flat image has none. `images`: (n, c, h, w). Returns grey-level units, (n,).
    """
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        raise ValueError("images must be a tensor shaped (n, channels, height, width)")
    dx = (images[..., :, 1:] - images[..., :, :-1]).abs().flatten(start_dim=1).sum(dim=1)
    dy = (images[..., 1:, :] - images[..., :-1, :]).abs().flatten(start_dim=1).sum(dim=1)
    return dx + dy


def collapse_onset(
    betas: list[float] | tuple[float, ...],
    active_counts: list[int] | tuple[int, ...],
    latent_dim: int,
    fraction: float = 0.5,
) -> float | None:
    """Where posterior collapse begins along a β sweep: the first β with few active units.

    The onset is the smallest β of the sweep at which fewer than `fraction`·d latent dimensions
    are active (d = `latent_dim`; the default `fraction=0.5` means "more than half of the code
    has switched off"). `betas` must be increasing, paired with `active_counts` (e.g. from
    `active_units`). Returns that β, or None if no β of the sweep reaches it.
    """
    if len(betas) != len(active_counts):
        raise ValueError(f"got {len(betas)} values of β but {len(active_counts)} counts")
    if any(b2 <= b1 for b1, b2 in zip(betas, betas[1:])):
        raise ValueError(f"betas must be strictly increasing, got {list(betas)}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    check_positive_int(latent_dim, "latent_dim")
    for beta, count in zip(betas, active_counts):
        if count < fraction * latent_dim:
            return beta
    return None


@torch.no_grad()
def reconstruction_gain_per_dimension(
    model: VAE, data: ImageData | torch.Tensor, batch_size: int = 1000, seed: int = 0
) -> torch.Tensor:
    """What each latent dimension buys in reconstruction: the rise of D when it is switched off.

    For each dimension i, q(z_i|x) is replaced by the prior N(0, 1) for every image — which makes
    that dimension's KL exactly 0 and its value independent of x — while the other dimensions and
    the decoder stay as they are; the reconstruction term D = E_q[−log p(x|z)] is measured again.
    The gain of dimension i is D(with i switched off) − D(model as it is). One sample z per image,
    with the same noise ε in every variant (common random numbers), so the differences are not
    swamped by sampling noise and the result is the same on every call with the same `seed`.

    Compare the gain with β·KL_i (`kl_per_dimension`): switching dimension i off changes the
    β-VAE objective by β·KL_i less and the gain more (with the decoder fixed; a re-trained decoder
    could only do better), so at an optimum every used dimension has gain ≥ β·KL_i.

    `data`: images (n, 1, 28, 28). Returns nats per image, (d,).
    """
    _require_vae(model)
    images = model_images(data, model, "data")
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    d = model.config.latent_dim
    was_training = model.training
    model.eval()
    totals = torch.zeros(d + 1, dtype=torch.float64)  # D of the model, then with each i off
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].to(device)  # (b, 1, 28, 28)
        mu, logvar = model.encode(x)  # (b, d)
        eps = torch.randn(mu.shape, generator=generator).to(device)  # (b, d)
        z = mu + torch.exp(0.5 * logvar) * eps  # (b, d), z ~ q(z|x)
        variants = z.unsqueeze(0).repeat(d + 1, 1, 1)  # (d + 1, b, d)
        index = torch.arange(d, device=device)
        variants[index + 1, :, index] = eps.T  # variant i + 1: z_i ~ N(0, 1), whatever x is
        logits = model.decode(variants.flatten(0, 1))  # ((d + 1)·b, 1, 28, 28)
        targets = x.expand(d + 1, *x.shape).flatten(0, 1)
        losses = reconstruction_loss(logits, targets).view(d + 1, -1)  # (d + 1, b)
        totals += losses.sum(dim=1).double().cpu()
    model.train(was_training)
    means = totals / len(images)
    return (means[1:] - means[0]).float()
