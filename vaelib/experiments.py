"""The book's standard experiment in two calls: train one VAE from a seed, then summarise it.

`train_vae` is what `sweep_beta` does for one β; `summarise_vae` collects the numbers the
chapters tabulate for a trained VAE on a test set: the reconstruction term D, the KL term R,
the number of active units, and the entropy floor of D (chapter 9).
"""

from __future__ import annotations

import torch

from vaelib._checks import check_threshold
from vaelib.data import ImageData
from vaelib.losses import bernoulli_entropy
from vaelib.metrics import active_units
from vaelib.models import VAE, MLPConfig, check_model, model_images
from vaelib.train import History, evaluate, sweep_beta


def train_vae(
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    beta: float = 1.0,
    epochs: int = 10,
    config: MLPConfig | None = None,
    seed: int = 0,
    **fit_kwargs,
) -> tuple[VAE, History]:
    """Train a fresh `VAE(config)` with `fit` and return `(model, history)`.

    Exactly one step of `sweep_beta([beta], ...)`: the initial weights are drawn with torch's
    generator seeded with `seed` (the caller's global random state is left as it was), then
    `fit(model, train, test, epochs=epochs, beta=beta, seed=seed, progress=False,
    **fit_kwargs)`; other keyword arguments (`batch_size`, `lr`, `free_bits`, `device`, …) go to
    `fit`. `config` defaults to the book's 784-400-20 `MLPConfig()`.
    """
    [(model, history)] = sweep_beta(
        [beta], train, test, epochs=epochs, config=config, seed=seed, **fit_kwargs
    )
    return model, history


def summarise_vae(
    model: VAE, data: ImageData | torch.Tensor, threshold: float = 0.01, seed: int = 0
) -> dict[str, float]:
    """The numbers the chapters tabulate for a trained VAE on `data` (e.g. the test set).

    Returns a dict of:
        "reconstruction": D = E_q[−log p(x|z)], nats per image (`evaluate`, one z per image);
        "kl": R = KL(q(z|x) ‖ p(z)), nats per image;
        "active_units": latent dimensions with Var_x E_q[z_i|x] > `threshold` (`active_units`);
        "entropy_floor": the mean over images of Σ_j H(x_j), the lowest D any Bernoulli
            decoder can reach on these images (`bernoulli_entropy`), nats per image;
        "floor_share": entropy_floor / D, the share of D that no model can remove.
    """
    check_model(model, vae=True)
    threshold = check_threshold(threshold)
    images = model_images(data, model, "data")
    scores = evaluate(model, images, seed=seed)
    floor = bernoulli_entropy(images).mean().item()
    return {
        "reconstruction": scores["reconstruction"],
        "kl": scores["kl"],
        "active_units": active_units(model, images, threshold),
        "entropy_floor": floor,
        "floor_share": floor / scores["reconstruction"],
    }
