"""Saving a trained model with its configuration, and loading it back safely.

A checkpoint is one file written by `torch.save`: {"model": "VAE" or "Autoencoder", "config":
the `MLPConfig` as a dict, "state_dict": the weights}. `load_model` trusts nothing in it. It
unpickles only tensors and plain values (`weights_only=True`), so the file cannot run code; it
checks the config against `CONFIG_BOUNDS` before building anything, and every weight's shape
against a model built on PyTorch's meta device (which allocates no memory), so a corrupt or
hostile config cannot make it allocate more than the file itself holds.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields
from pathlib import Path

import torch

from vaelib._support.checks import NonFiniteError, check_device
from vaelib.models.mlp import VAE, Autoencoder, MLPConfig

_MODEL_CLASSES = {"VAE": VAE, "Autoencoder": Autoencoder}

# Inclusive bounds of a saved config: far above the book's models (784-400-20), far below sizes
# whose weights would not fit in memory.
CONFIG_BOUNDS = {
    "latent_dim": (1, 1024),
    "hidden_dim": (1, 16384),
    "hidden_layers": (1, 64),
    "channels": (1, 4),
    "height": (1, 512),
    "width": (1, 512),
}


def save_model(model: VAE | Autoencoder, path: str | Path) -> Path:
    """Write the model's class, `MLPConfig` and weights to `path` (a `.pt` file); return `path`.

    Raises `TypeError` for a model that is not a vaelib VAE or Autoencoder, `NonFiniteError` for
    weights that hold NaN (a diverged run), `IsADirectoryError` when `path` is a folder and
    `PermissionError` when it cannot be written.
    """
    if type(model) not in _MODEL_CLASSES.values():  # load_model rebuilds exactly these classes
        raise TypeError(f"model must be a vaelib VAE or Autoencoder, got {type(model).__name__}")
    path = _path(path)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    for key, value in state.items():
        if value.is_floating_point() and not torch.isfinite(value).all():
            raise NonFiniteError(
                f"the model's weight {key} holds NaN or infinite values, so the checkpoint could "
                "not be loaded back; save a model from before training diverged"
            )
    try:
        if path.is_dir():
            raise IsADirectoryError(
                f"{path} is a folder; pass a file name such as {path / 'vae.pt'}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = {"model": type(model).__name__, "config": asdict(model.config), "state_dict": state}
        torch.save(saved, path)
    except PermissionError:
        raise PermissionError(
            f"permission denied: cannot write the checkpoint {path}; save it in a folder you "
            "can write to, or make this one writable (chmod u+w)"
        ) from None
    return path


def load_model(path: str | Path, device: str | torch.device = "cpu") -> VAE | Autoencoder:
    """Rebuild a model saved by `save_model`, on `device` ("cpu", "cuda", "cuda:N" or "mps").

    Raises:
        TypeError, ValueError: a bad `path` or `device` (a device this machine does not have is
            named as such, before the file is read).
        FileNotFoundError, IsADirectoryError, PermissionError: no file, a folder, or no read
            permission at `path`.
        ValueError: the file is not a checkpoint written by `save_model`, or its config is out
            of `CONFIG_BOUNDS` or does not match its weights (the message says which).
    """
    path = _path(path)
    device = check_device(device)
    try:
        if not path.exists():
            raise FileNotFoundError(f"no checkpoint at {path}; save one with vaelib.save_model")
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder; pass the checkpoint file inside it")
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except PermissionError:
        raise PermissionError(
            f"permission denied: cannot read the checkpoint {path} (or a folder above it); "
            "make it readable (chmod u+r) or ask its owner"
        ) from None
    except Exception as error:  # UnpicklingError, RuntimeError, EOFError, … from a foreign file
        raise ValueError(_foreign(path, str(error))) from None
    model_class, config, state = _checked_contents(saved, path)
    with torch.device("meta"):  # shapes only: no memory is allocated
        expected = model_class(config).state_dict()
    _check_weights(state, expected, path)
    model = model_class(config)
    model.load_state_dict(state)
    return model.to(device)


def _path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (a str or pathlib.Path), got {path!r}")
    if str(path) == "":
        raise ValueError("path is an empty string; pass a file name such as 'vae.pt'")
    return Path(path).expanduser()


def _foreign(path: Path, reason: str) -> str:
    return f"{path} is not a checkpoint written by vaelib.save_model: {reason}"


def _checked_contents(saved: object, path: Path) -> tuple[type, MLPConfig, dict]:
    """The model class, config and weights of a loaded checkpoint, each checked."""
    keys = {"model", "config", "state_dict"}
    if not isinstance(saved, dict) or set(saved) != keys:
        found = sorted(map(str, saved)) if isinstance(saved, dict) else type(saved).__name__
        raise ValueError(_foreign(path, f"it holds {found}, not the keys {sorted(keys)}"))
    if not isinstance(saved["model"], str) or saved["model"] not in _MODEL_CLASSES:
        raise ValueError(_foreign(path, f"unknown model class {saved['model']!r}"))
    config = saved["config"]
    known = {f.name for f in fields(MLPConfig)}
    if not isinstance(config, dict) or not set(config) <= known:
        extra = sorted(set(config) - known) if isinstance(config, dict) else type(config).__name__
        raise ValueError(_foreign(path, f"its config has unknown fields {extra}"))
    _check_bounds(config, path)
    state = saved["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(_foreign(path, "its state_dict is not a dict of tensors"))
    return _MODEL_CLASSES[saved["model"]], MLPConfig(**config), state


def _check_bounds(config: dict, path: Path) -> None:
    """Every size in a saved config is an integer within `CONFIG_BOUNDS`."""
    shape = config.get("image_shape", MLPConfig.image_shape)
    if not isinstance(shape, (list, tuple)) or len(shape) != 3:
        raise ValueError(_foreign(path, f"its config's image_shape is {shape!r}, not (C, H, W)"))
    sizes = dict(zip(("channels", "height", "width"), shape))
    sizes.update(
        (k, config[k]) for k in ("latent_dim", "hidden_dim", "hidden_layers") if k in config
    )
    for name, value in sizes.items():
        low, high = CONFIG_BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(
                f"{path}: the saved config's {name} must be an integer in {low} … {high}, got "
                f"{value!r}; the checkpoint is corrupt or was not written by vaelib.save_model"
            )


def _check_weights(state: dict, expected: dict, path: Path) -> None:
    """The saved weights have exactly the names and shapes of the config's model, and are
    finite floating-point numbers."""
    if set(state) != set(expected):
        missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
        raise ValueError(_foreign(path, f"weights missing {missing}, unexpected {extra}"))
    for key, value in state.items():
        if value.shape != expected[key].shape:
            raise ValueError(
                f"{path}: weight {key} has shape {tuple(value.shape)} but the saved config needs "
                f"{tuple(expected[key].shape)}; the checkpoint is corrupt"
            )
        if not value.is_floating_point():
            raise ValueError(f"{path}: weight {key} has dtype {value.dtype}, not floating point")
        if not torch.isfinite(value).all():
            raise NonFiniteError(f"{path}: weight {key} holds NaN or infinite values")
