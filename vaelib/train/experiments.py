"""The book's standard experiment in two calls: train one VAE from a seed, then summarise it.

`train_vae` is what `sweep_beta` does for one β (`train_autoencoder` the same for a plain
autoencoder), optionally kept on disk for the chapters that reuse a model. `summarise_vae`
collects the numbers the chapters tabulate for a trained VAE on a test set: the reconstruction
term D, the KL term R, the number of active units, and the entropy floor of D (chapter 9).
"""

from __future__ import annotations

import inspect

import torch

from vaelib._support.checks import check_bool, check_device, check_seed, check_threshold
from vaelib._support.device import pick_device
from vaelib._support.seeding import seeded_model
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import bernoulli_entropy
from vaelib.measures.codes import active_units
from vaelib.models.conv import ConvConfig, ConvVAE
from vaelib.models.mlp import VAE, Autoencoder, MLPConfig, check_model, model_images
from vaelib.train import model_cache
from vaelib.train.history import History
from vaelib.train.loop import evaluate, fit


def train_vae(
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    beta: float = 1.0,
    epochs: int = 10,
    config: MLPConfig | ConvConfig | None = None,
    seed: int = 0,
    cache: bool = False,
    **fit_kwargs,
) -> tuple[VAE, History]:
    """Train a fresh `VAE(config)` (a `ConvVAE` for a `ConvConfig`) with `fit`; return
    `(model, history)`.

    Exactly one step of `sweep_beta([beta], ...)`: the initial weights are drawn with torch's
    generator seeded with `seed` (the caller's global random state is left as it was), then
    `fit(model, train, test, epochs=epochs, beta=beta, seed=seed, progress=False,
    **fit_kwargs)`; other keyword arguments (`batch_size`, `lr`, `free_bits`, `device`, …) go to
    `fit`. `config` defaults to the book's 784-400-20 `MLPConfig()`.

    `cache=True` keeps the trained weights and history on disk (`vaelib.train.model_cache`) and
    reads them back when the same data and settings ask again: what training would give, bit for
    bit, without the training. The chapters use it for the models that later chapters reuse.
    """
    fit_kwargs.update(epochs=epochs, beta=beta)
    model_class = ConvVAE if isinstance(config, ConvConfig) else VAE
    return _train_fresh(model_class, train, test, config, seed, cache, fit_kwargs)


def train_autoencoder(
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    epochs: int = 10,
    config: MLPConfig | None = None,
    seed: int = 0,
    cache: bool = False,
    **fit_kwargs,
) -> tuple[Autoencoder, History]:
    """`train_vae` for a plain `Autoencoder(config)`: seeded weights, `fit`, optional `cache`.

    Returns `(model, history)`; the same model as `seed_everything(seed)`, `Autoencoder(config)`
    and `fit(model, train, test, epochs=epochs, seed=seed)` give, with the global random state
    left as it was.
    """
    fit_kwargs.update(epochs=epochs)
    return _train_fresh(Autoencoder, train, test, config, seed, cache, fit_kwargs)


def _train_fresh(
    model_class: type[VAE] | type[Autoencoder],
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None,
    config: MLPConfig | None,
    seed: int,
    cache: bool,
    fit_kwargs: dict,
) -> tuple[VAE | Autoencoder, History]:
    """Build `model_class(config)` from `seed`; train it with `fit` or read it from the cache."""
    expected = "a ConvConfig" if model_class is ConvVAE else "an MLPConfig"
    if config is not None and not isinstance(
        config, ConvConfig if model_class is ConvVAE else MLPConfig
    ):
        also = ", a ConvConfig" if model_class is VAE else ""  # train_vae takes either
        raise TypeError(f"config must be {expected}{also} or None, got {type(config).__name__}")
    seed = check_seed(seed)
    cache = check_bool(cache, "cache")
    model = seeded_model(model_class, seed, config)  # global random state untouched
    fit_kwargs.setdefault("progress", False)
    path = None
    if cache:
        device = fit_kwargs.get("device")
        device = check_device(device) if device is not None else pick_device()
        # every argument of fit, defaults included, so that spelling out a default (batch_size=128)
        # finds the same entry as leaving it out
        bound = inspect.signature(fit).bind(model, train, test, seed=seed, **fit_kwargs)
        bound.apply_defaults()
        settings = {
            k: v
            for k, v in bound.arguments.items()
            if k not in ("model", "train", "test", "progress")
        }
        settings["device"] = device.type
        path = model_cache.entry_path(model, settings, (train, test))
        history = model_cache.load_entry(path, model)
        if history is not None:
            return model.to(device), history
    history = fit(model, train, test, seed=seed, **fit_kwargs)
    if path is not None:
        model_cache.save_entry(path, model, history)
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
