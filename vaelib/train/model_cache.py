"""Trained models kept on disk, so that a model several chapters share is trained only once.

Training with `fit` is deterministic: the same data, settings, seed, torch version, thread count
and code give the same weights and the same history, bit for bit, in any process. A model read
back from the cache is therefore the model training would give, and a chapter that finds
chapter 4's model there prints the numbers it would print had it trained the model itself.

The key of an entry holds every one of those inputs: the images (and labels) of the training
and test sets, the model's class and `MLPConfig`, the seed, `fit`'s settings, the device type,
the torch version, the thread count (it changes the order of floating-point sums) and, for the
code, `TRAINING_CODE_VERSION`: a number kept by hand, bumped by the change that alters what
`fit` makes of a model (not the source of files, so moving or documenting code keeps the
entries). Anything else gets an entry of its own. An entry that cannot be read is trained again
and overwritten; a cache folder that cannot be written is no reason to fail, the model is simply
not kept.

The folder is `$VAELIB_CACHE/models` if that variable is set, else `~/.cache/vaelib/models`
(`$XDG_CACHE_HOME` in place of `~/.cache` when set). Deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from vaelib._support.seeding import seed_offset
from vaelib.data.loading import ImageData
from vaelib.train.history import History

# The version of the code that builds and trains a model: its layers and initial weights, the
# losses, `fit` and the cached trainers. Bump it in any change that alters what `fit` makes of a
# model from the same data and settings — its weights or its `History`, in any bit — so that no
# chapter reads a model the new code would not train. A change that leaves every weight and
# every number of the history as it was (a docstring, a check, a message, a move) keeps it.
TRAINING_CODE_VERSION = 1


def cache_root() -> Path:
    """The folder of everything vaelib keeps between runs: `$VAELIB_CACHE`, else
    `$XDG_CACHE_HOME/vaelib`, else `~/.cache/vaelib`."""
    if os.environ.get("VAELIB_CACHE"):
        return Path(os.environ["VAELIB_CACHE"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "vaelib"


def entry_path(
    model: nn.Module, settings: dict, datasets: tuple[ImageData | torch.Tensor | None, ...]
) -> Path:
    """The cache file of `model` (built, not yet trained) trained with `settings` on `datasets`.

    `settings`: plain values (numbers, strings, None, lists, dicts) that, with the datasets,
    decide the training run: seed, epochs, β, `fit`'s keyword arguments, device type.
    """
    key = {"model": type(model).__name__, "config": asdict(model.config), "settings": settings}
    digest = run_digest(datasets, TRAINING_CODE_VERSION, key)
    return cache_root() / "models" / f"{type(model).__name__}-{digest}.pt"


def run_digest(
    datasets: tuple[ImageData | torch.Tensor | None, ...], code_version: int, key: object
) -> str:
    """16 hex digits that change with the datasets' values, `code_version` (the version of the
    code that trains, e.g. `TRAINING_CODE_VERSION`), the plain values in `key`, the torch version
    and the thread count: the name of one training run's result."""
    digest = hashlib.sha256()
    for data in datasets:
        for tensor in _tensors_of(data):
            digest.update(str((tensor.dtype, tuple(tensor.shape))).encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        digest.update(b"|")  # keeps (train, None) apart from (None, train)
    run = {
        "code_version": code_version,
        "key": key,
        "seed_offset": seed_offset(),  # VAELIB_SEED: another realisation, another entry
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }
    digest.update(json.dumps(run, sort_keys=True, default=repr).encode())
    return digest.hexdigest()[:16]


def load_entry(path: Path, model: nn.Module) -> History | None:
    """Load the weights kept at `path` into `model` and return their `History`; None if `path`
    holds no readable entry for this model (missing, truncated, corrupt or of another shape)."""
    if not path.is_file():
        return None
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["state_dict"])
        return History(**saved["history"])
    except (OSError, RuntimeError, KeyError, TypeError, ValueError, pickle.UnpicklingError):
        return None


def save_entry(path: Path, model: nn.Module, history: History) -> None:
    """Keep `model`'s weights and its `History` at `path`, atomically; skip if not writable."""
    state = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    save_atomically(path, {"state_dict": state, "history": history.to_dict()})


def save_atomically(path: Path, contents: object) -> None:
    """`torch.save` `contents` to `path` through a temporary file, so that a reader never sees
    half a file; a folder that cannot be written is skipped (the result is simply not kept)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        torch.save(contents, partial)
        partial.replace(path)
    except OSError:
        pass


def _tensors_of(data: ImageData | torch.Tensor | None) -> list[torch.Tensor]:
    if data is None:
        return []
    return [data.images, data.labels] if isinstance(data, ImageData) else [data]
