"""The one training loop of the book: `fit`.

Batches are drawn by indexing one in-memory image tensor with a shuffled permutation, so an
epoch costs only the model's own arithmetic. Every chapter trains through `fit`, with a seed, so
that the numbers the book quotes come out the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from vaelib._checks import NonFiniteError, check_non_negative, check_positive_int
from vaelib.data import ImageData
from vaelib.device import pick_device
from vaelib.losses import LossParts, autoencoder_loss, vae_loss
from vaelib.models import VAE, Autoencoder, MLPConfig, model_images


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or infinite during training."""


@dataclass
class History:
    """Per-epoch record of a `fit` run; every loss is in nats per image.

    `*_loss` is the objective being minimised (reconstruction + β·KL, with free bits or a capacity
    target if set); `*_reconstruction` and `*_kl` are its two parts (the KL is the true KL).
    Training numbers are averages over the epoch's batches; test numbers are measured on the whole
    test set at the end of the epoch.
    """

    epoch: list[int] = field(default_factory=list)
    beta: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_reconstruction: list[float] = field(default_factory=list)
    train_kl: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_reconstruction: list[float] = field(default_factory=list)
    test_kl: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def to_dict(self) -> dict[str, list]:
        return asdict(self)

    def last(self) -> dict[str, float]:
        """The final epoch's numbers, as {name: value}."""
        return {name: values[-1] for name, values in asdict(self).items() if values}


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's random number generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def compute_loss(
    model: VAE | Autoencoder,
    x: torch.Tensor,
    beta: float = 1.0,
    free_bits: float = 0.0,
    capacity: float | None = None,
) -> LossParts:
    """The model's objective on a batch x (batch, 1, 28, 28): `vae_loss` or `autoencoder_loss`."""
    if isinstance(model, VAE):
        logits, mu, logvar = model(x)
        return vae_loss(logits, x, mu, logvar, beta=beta, free_bits=free_bits, capacity=capacity)
    if isinstance(model, Autoencoder):
        return autoencoder_loss(model(x), x)
    raise TypeError(f"model must be a vaelib VAE or Autoencoder, got {type(model).__name__}")


@torch.no_grad()
def evaluate(
    model: VAE | Autoencoder,
    data: ImageData | torch.Tensor,
    beta: float = 1.0,
    free_bits: float = 0.0,
    capacity: float | None = None,
    batch_size: int = 1000,
    seed: int = 0,
) -> dict[str, float]:
    """The objective and its parts on a whole data set, in nats per image.

    The VAE's reconstruction term uses one sample z ~ q(z|x) per image, drawn with `seed`, so the
    result is an unbiased single-sample estimate that is the same on every call.
    Returns {"loss", "reconstruction", "kl"}.
    """
    images = model_images(data, model, "data")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    fork_devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=fork_devices):
        torch.manual_seed(seed)
        sums = {"loss": 0.0, "reconstruction": 0.0, "kl": 0.0}
        for start in range(0, len(images), batch_size):
            x = images[start : start + batch_size].to(device)
            parts = compute_loss(model, x, beta, free_bits, capacity)
            sums["loss"] += parts.total.item() * len(x)
            sums["reconstruction"] += parts.reconstruction.item() * len(x)
            sums["kl"] += parts.kl.item() * len(x)
    model.train(was_training)
    return {name: total / len(images) for name, total in sums.items()}


def fit(
    model: VAE | Autoencoder,
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    epochs: int = 10,
    batch_size: int = 128,
    lr: float = 1e-3,
    beta: float = 1.0,
    warmup_epochs: float = 0,
    free_bits: float = 0.0,
    capacity: float | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> History:
    """Train `model` with Adam on in-memory images and return its per-epoch `History`.

    Args:
        model: a `VAE` or an `Autoencoder` (trained in place; moved to `device`).
        train, test: `ImageData` or image tensors (n, 1, 28, 28) in [0, 1]; `test` is optional.
        epochs: passes over the training set. batch_size: images per step. lr: Adam's step size.
        beta: weight β ≥ 0 of the KL term (ignored by the autoencoder).
        warmup_epochs: if > 0, β rises linearly from 0 to `beta` over this many epochs (KL warm-up).
        free_bits, capacity: see `vaelib.losses.vae_loss`.
        seed: seeds the shuffling and the reparameterisation noise. Seed the model's initial
            weights too, with `seed_everything`, before building it.
        device: default `pick_device()`. progress: show a tqdm progress bar over the epochs.

    Raises:
        TrainingDivergedError: the loss became NaN or infinite (names the epoch and step).
    """
    check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    check_non_negative(lr, "lr")
    beta = check_non_negative(beta, "beta")
    warmup_epochs = check_non_negative(warmup_epochs, "warmup_epochs")
    train_images = model_images(train, model, "train")
    test_images = model_images(test, model, "test") if test is not None else None

    device = torch.device(device) if device is not None else pick_device()
    model.to(device)
    if device.type != "cpu":
        train_images = train_images.to(device)
    torch.manual_seed(seed)
    shuffle = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = -(-len(train_images) // batch_size)  # ceiling division
    warmup_steps = warmup_epochs * steps_per_epoch
    history = History()

    bar = tqdm(range(1, epochs + 1), desc="training", unit="epoch", disable=not progress)
    step = 0
    for epoch in bar:
        model.train()
        sums = torch.zeros(3)  # loss, reconstruction, KL, summed over the epoch's images
        batches = torch.randperm(len(train_images), generator=shuffle).split(batch_size)
        for batch_number, index in enumerate(batches, start=1):
            step += 1
            beta_now = beta * min(1.0, step / warmup_steps) if warmup_steps > 0 else beta
            x = train_images[index.to(train_images.device)]
            try:
                parts = compute_loss(model, x, beta_now, free_bits, capacity)
                diverged = not torch.isfinite(parts.total)
            except NonFiniteError:  # NaN weights show up as NaN codes before the loss
                diverged = True
            if diverged:
                raise TrainingDivergedError(
                    f"the loss became NaN or infinite at epoch {epoch}, "
                    f"step {batch_number} of {steps_per_epoch}; try a smaller learning rate "
                    f"(lr={lr}) or check the data for extreme values"
                )
            optimizer.zero_grad(set_to_none=True)
            parts.total.backward()
            optimizer.step()
            parts_now = torch.stack([parts.total, parts.reconstruction, parts.kl])
            sums += parts_now.detach().cpu() * len(x)

        means = (sums / len(train_images)).tolist()
        history.epoch.append(epoch)
        history.beta.append(beta_now)
        history.train_loss.append(means[0])
        history.train_reconstruction.append(means[1])
        history.train_kl.append(means[2])
        if test_images is not None:
            scores = evaluate(model, test_images, beta_now, free_bits, capacity, seed=seed)
            history.test_loss.append(scores["loss"])
            history.test_reconstruction.append(scores["reconstruction"])
            history.test_kl.append(scores["kl"])
        bar.set_postfix(loss=f"{means[0]:.1f}", kl=f"{means[2]:.1f}")
    return history


def sweep_beta(
    betas: list[float] | tuple[float, ...],
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    epochs: int = 5,
    config: MLPConfig | None = None,
    seed: int = 0,
    **fit_kwargs,
) -> list[tuple[VAE, History]]:
    """Train one fresh VAE per β, each from the same seeded initial weights; return them in order.

    For each β: `seed_everything(seed)`, build `VAE(config)`, then
    `fit(model, train, test, epochs=epochs, beta=β, seed=seed, progress=False, **fit_kwargs)`.
    Every model thus starts from identical weights and sees the same batches, so the models
    differ only through β (and whatever `fit_kwargs`, e.g. `free_bits`, say).

    Returns a list of `(model, history)` pairs, one per β, in the order of `betas`.
    """
    if len(betas) == 0:
        raise ValueError("betas must hold at least one value of β")
    fit_kwargs.setdefault("progress", False)
    results = []
    for beta in betas:
        seed_everything(seed)
        model = VAE(config)
        history = fit(model, train, test, epochs=epochs, beta=beta, seed=seed, **fit_kwargs)
        results.append((model, history))
    return results
