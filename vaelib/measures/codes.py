"""Measurements of a trained model on a data set: latent codes, KL per dimension, active units,
the reconstruction gain of each dimension, and the total variation of images.

Every measure puts the model in eval mode for its pass and back in its own mode afterwards, even
after an error, and draws any noise from its own generator seeded with `seed`. The
importance-weighted log-likelihood lives in `vaelib.measures.likelihood`, the model-free
distances in `vaelib.measures.distances`.
"""

from __future__ import annotations

import torch

from vaelib._support.checks import (
    check_batch_size,
    check_images,
    check_int,
    check_non_negative,
    check_positive_int,
    check_probability,
    check_sequence,
    check_threshold,
)
from vaelib._support.device import batches
from vaelib._support.seeding import seeded_generator
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import gaussian_kl_per_dim, reconstruction_loss
from vaelib.models.conditional import model_labels
from vaelib.models.mlp import (
    VAE,
    Autoencoder,
    _finite_output,
    check_model,
    eval_mode,
    model_device,
    model_images,
    reparameterize,
    standard_normal,
)

__all__ = [
    "active_units",
    "collapse_onset",
    "encode_dataset",
    "kl_per_dimension",
    "latent_activity",
    "reconstruction_gain_per_dimension",
    "total_variation",
]


@torch.no_grad()
def encode_dataset(
    model: VAE | Autoencoder, data: ImageData | torch.Tensor, batch_size: int = 2000
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Encode every image: (μ, log σ²), each (n, d), for a VAE; (z, None) for an autoencoder.

    A `ConditionalVAE` encodes each image with its own label, q(z|x, y), so `data` must then be an
    `ImageData`; every measure built on this one (`kl_per_dimension`, `latent_activity`,
    `active_units`) therefore serves plain and conditional models alike. Raises
    `NonFiniteError` if the codes are not finite (a model whose weights hold NaN or inf, e.g.
    after a diverged run), so no measure counts NaN codes.
    """
    images = model_images(data, model, "data")
    labels = model_labels(data, model, "data")  # None unless the model is conditional
    batch_size = check_batch_size(batch_size)
    device = model_device(model)
    outputs = []
    with eval_mode(model):
        for x, y in batches(images, batch_size, device, labels):  # (b, 1, 28, 28), (b,) or None
            outputs.append(model.encode(x) if y is None else model.encode(x, y))
    if isinstance(model, VAE):
        codes = torch.cat([mu for mu, _ in outputs]).cpu()
        logvar = torch.cat([lv for _, lv in outputs]).cpu()
    else:
        codes, logvar = torch.cat(outputs).cpu(), None
    _finite_output(codes if logvar is None else torch.cat([codes, logvar]), "encoder")
    return codes, logvar


def kl_per_dimension(model: VAE, data: ImageData | torch.Tensor) -> torch.Tensor:
    """Average over the data set of KL(q(z_i|x) ‖ N(0, 1)) for each latent dimension i.

    Returns nats per image, (d,). Its sum is the model's mean KL term (the rate). For a
    `ConditionalVAE` the posterior is q(z_i|x, y), each image encoded with its own label.
    """
    _require_vae(model)
    mu, logvar = encode_dataset(model, data)
    return gaussian_kl_per_dim(mu, logvar).mean(dim=0)


def latent_activity(model: VAE, data: ImageData | torch.Tensor) -> torch.Tensor:
    """Var_x E_q[z_i|x]: how much each posterior mean moves across the data set, (d,), >= 0.

    For a `ConditionalVAE`, Var_{x,y} E_q[z_i|x, y]. A variance needs at least two images; `data`
    with one image is refused.
    """
    _require_vae(model)
    mu, _ = encode_dataset(model, data)
    if len(mu) < 2:
        raise ValueError(
            f"data must hold at least 2 images to measure how the codes vary, got {len(mu)}"
        )
    return mu.var(dim=0)


def active_units(model: VAE, data: ImageData | torch.Tensor, threshold: float = 0.01) -> int:
    """The number of latent dimensions with Var_x E_q[z_i|x] > `threshold` (Burda et al. 2016).

    `threshold`: a variance >= 0 (squared latent units; inf counts none). Returns a count in [0, d].
    """
    threshold = check_threshold(threshold)
    return int((latent_activity(model, data) > threshold).sum())


def _require_vae(model: object) -> None:
    check_model(model, vae=True)


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Sum of absolute grey-level differences between horizontally and vertically adjacent pixels.

    A measure of edges and texture: a blurred image has a smaller total variation than the
    original, a flat image has none. `images`: (n, c, h, w), grey levels in [0, 1] (float16,
    bfloat16 and float64 are converted to float32). Returns grey-level units, (n,), each >= 0.
    """
    if isinstance(images, torch.Tensor) and images.dim() != 4:
        raise ValueError(
            f"images must be a tensor shaped (n, channels, height, width), got shape "
            f"{tuple(images.shape)}; add the channel axis with images.unsqueeze(1)"
        )
    images = check_images(images, "images")
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
    betas = check_sequence(betas, "betas")  # returned as given (an int stays an int)
    values = [check_non_negative(b, "each value of betas") for b in betas]
    counts = check_sequence(active_counts, "active_counts")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    counts = [check_int(c, "each value of active_counts", minimum=0) for c in counts]
    if len(betas) != len(counts):
        raise ValueError(
            f"betas and active_counts must be paired, got {len(betas)} values of β but "
            f"{len(counts)} counts"
        )
    if len(betas) == 0:
        raise ValueError("betas must hold at least one value of β, got an empty sequence")
    if any(b2 <= b1 for b1, b2 in zip(values, values[1:])):
        raise ValueError(f"betas must be strictly increasing, got {list(betas)}")
    if any(c > latent_dim for c in counts):
        raise ValueError(
            f"active_counts must be <= latent_dim={latent_dim} (a count of dimensions), "
            f"got {max(counts)}"
        )
    fraction = check_probability(fraction, "fraction")
    if fraction == 0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    for beta, count in zip(betas, counts):
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
    batch_size = check_batch_size(batch_size)
    generator = seeded_generator(seed)
    with eval_mode(model):
        totals = _reconstruction_with_each_dimension_off(model, images, batch_size, generator)
    means = _finite_output(totals / len(images), "decoder")
    return (means[1:] - means[0]).float()


def _reconstruction_with_each_dimension_off(
    model: VAE, images: torch.Tensor, batch_size: int, generator: torch.Generator
) -> torch.Tensor:
    """Σ over images of D for the model as it is, then with each dimension off, (d + 1,)."""
    device = model_device(model)
    d = model.config.latent_dim
    totals = torch.zeros(d + 1, dtype=torch.float64)  # D of the model, then with each i off
    for x, _ in batches(images, batch_size, device):  # (b, 1, 28, 28)
        mu, logvar = model.encode(x)  # (b, d)
        eps = standard_normal(mu.shape, generator, mu)  # (b, d)
        z = reparameterize(mu, logvar, eps=eps)  # (b, d), z ~ q(z|x)
        variants = z.unsqueeze(0).repeat(d + 1, 1, 1)  # (d + 1, b, d)
        index = torch.arange(d, device=device)
        variants[index + 1, :, index] = eps.T  # variant i + 1: z_i ~ N(0, 1), whatever x is
        logits = model.decode(variants.flatten(0, 1))  # ((d + 1)·b, 1, 28, 28)
        targets = x.expand(d + 1, *x.shape).flatten(0, 1)
        losses = reconstruction_loss(logits, targets).view(d + 1, -1)  # (d + 1, b)
        totals += losses.sum(dim=1).cpu().double()  # float64 only on the CPU
    return totals
