"""Saving a trained model with its configuration, and loading it back safely."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from vaelib.models import VAE, Autoencoder, MLPConfig

_MODEL_CLASSES = {"VAE": VAE, "Autoencoder": Autoencoder}


def save_model(model: VAE | Autoencoder, path: str | Path) -> Path:
    """Write the model's class, `MLPConfig` and weights to `path` (a `.pt` file); return `path`."""
    if type(model).__name__ not in _MODEL_CLASSES:
        raise TypeError(f"model must be a vaelib VAE or Autoencoder, got {type(model).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save(
        {"model": type(model).__name__, "config": asdict(model.config), "state_dict": state}, path
    )
    return path


def load_model(path: str | Path, device: str | torch.device = "cpu") -> VAE | Autoencoder:
    """Rebuild a model saved by `save_model`. Only tensors and plain values are unpickled
    (`weights_only=True`), so a checkpoint from elsewhere cannot run code."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
        model = _MODEL_CLASSES[saved["model"]](MLPConfig(**saved["config"]))
        model.load_state_dict(saved["state_dict"])
    except Exception as error:
        raise ValueError(
            f"{path} is not a checkpoint written by vaelib.save_model: {error}"
        ) from None
    return model.to(device)
