"""Burda et al. (2016), Table 1, one stochastic layer: the model, the schedule and their numbers.

The model is 784-200-200-50: two tanh hidden layers of 200 units in the encoder and in the
decoder, and 50 latent dimensions. It is trained on dynamically binarised MNIST, as a VAE (the
ELBO, k = 1) or as an IWAE (the bound L_k, k = 5), with Adam and the learning rate lowered in
stages: stage i (i = 0 … 7) runs 3^i epochs at 0.001 · 10^(−i/7), 3,280 epochs in all.
Its test NLL is −L_5000 on a fixed binarisation of the test set.

Where we differ, and say so: `fit`'s Adam restarts at each stage (its moments are not carried
over), uses ε = 1e-8 (Burda et al.: 1e-4), and the batch size is ours to choose (theirs: 20).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch

from vaelib._support.checks import check_batch_size, check_bool, check_device, check_positive_int
from vaelib._support.device import pick_device
from vaelib._support.seeding import seeded_model
from vaelib.data.loading import ImageData
from vaelib.measures.likelihood import per_image_log_likelihood
from vaelib.models.mlp import VAE, MLPConfig
from vaelib.train import model_cache
from vaelib.train.loop import fit

# The architecture of Burda et al.'s one-stochastic-layer models: 784-200-200-50, tanh.
BURDA_CONFIG = MLPConfig(hidden_dim=200, hidden_layers=2, latent_dim=50, activation="tanh")

# Their Table 1 (MNIST, one stochastic layer): test NLL in nats (−L_5000) and active units,
# after the full 3,280-epoch schedule. "VAE": trained on the ELBO (k = 1); "IWAE": on L_5.
BURDA_TABLE1 = {
    "VAE": {"k": 1, "nll": 86.76, "active_units": 19},
    "IWAE": {"k": 5, "nll": 85.54, "active_units": 22},
}
BURDA_STAGES = 8  # stages 0 … 7: 1 + 3 + … + 3⁷ = 3,280 epochs


def burda_schedule(stages: int = BURDA_STAGES) -> list[tuple[int, float]]:
    """The first `stages` stages of Burda et al.'s schedule: [(epochs, learning rate), …].

    Stage i runs 3^i epochs at the learning rate 0.001 · 10^(−i/7).
    """
    stages = check_positive_int(stages, "stages")
    return [(3**i, 1e-3 * 10 ** (-i / 7)) for i in range(stages)]


@dataclass
class LikelihoodCurve:
    """Test NLL at the end of each stage of a run: −L_k (nats per image), with standard errors.

    `epochs[i]`: epochs trained so far; `nll[i]`: the mean of −L_k over the evaluation images;
    `nll_se[i]`: its standard error (their standard deviation / √n); `train_loss`: the training
    objective of every epoch (−ELBO for the VAE, −L_k for the IWAE), nats per image.
    """

    epochs: list[int] = field(default_factory=list)
    nll: list[float] = field(default_factory=list)
    nll_se: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)


def train_burda(
    train: ImageData,
    evaluation: ImageData,
    *,
    iwae_k: int = 1,
    stages: int = BURDA_STAGES,
    eval_k: int = 5000,
    batch_size: int = 20,
    seed: int = 0,
    device: str | torch.device | None = None,
    cache: bool = False,
) -> tuple[VAE, LikelihoodCurve]:
    """Train Burda et al.'s model (`BURDA_CONFIG`) through `stages` stages of their schedule.

    `train`: grey-level images, binarised afresh in every batch (`fit(..., binarize=True)`);
    `evaluation`: already binarised images (e.g. `binarized(test).subset(500, seed=0)`) on
    which −L_`eval_k` is measured at the end of each stage. `iwae_k`: 1 trains the VAE, k > 1
    the IWAE on L_k. The initial weights come from `seed` (the global random state is left as
    it was); stage i trains with `fit(..., seed=seed + i)`. `cache=True` keeps the model and its
    curve on disk (`vaelib.train.model_cache`), keyed on the data, the settings and the code.
    Returns `(model, curve)`.
    """
    iwae_k = check_positive_int(iwae_k, "iwae_k")
    eval_k = check_positive_int(eval_k, "eval_k")
    batch_size = check_batch_size(batch_size)
    device = check_device(device) if device is not None else pick_device()
    schedule = burda_schedule(stages)
    model = seeded_model(VAE, seed, BURDA_CONFIG)  # global random state untouched
    path = None
    if check_bool(cache, "cache"):
        settings = {
            "burda": [iwae_k, stages, eval_k, batch_size, seed],
            "device": device.type,
        }
        path = model_cache.entry_path(model, settings, (train, evaluation))
        saved = _load(path, model)
        if saved is not None:
            return model.to(device), saved
    curve = LikelihoodCurve()
    for stage, (epochs, lr) in enumerate(schedule):
        history = fit(
            model,
            train,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            seed=seed + stage,
            device=device,
            progress=False,
            binarize=True,
            iwae_k=iwae_k,
        )
        nll = -per_image_log_likelihood(model, evaluation, k=eval_k, seed=seed)  # (n,)
        curve.epochs.append(sum(e for e, _ in schedule[: stage + 1]))
        curve.nll.append(nll.mean().item())
        curve.nll_se.append((nll.std() / len(nll) ** 0.5).item())
        curve.train_loss.extend(history.train_loss)
    if path is not None:
        state = {name: t.detach().cpu() for name, t in model.state_dict().items()}
        model_cache.save_atomically(path, {"state_dict": state, "curve": asdict(curve)})
    return model, curve


def _load(path, model: VAE) -> LikelihoodCurve | None:
    """The curve kept at `path`, its weights loaded into `model`; None if there is none."""
    if not path.is_file():
        return None
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["state_dict"])
        return LikelihoodCurve(**saved["curve"])
    except (OSError, RuntimeError, KeyError, TypeError, ValueError):
        return None
