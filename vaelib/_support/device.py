"""Where the book's tensors live: `pick_device`, and the `VAELIB_DEVICE` switch that overrides it.

By default every chapter uses the best device the machine has (CUDA, else Apple's MPS, else the
CPU), so a reader on Colab gets the GPU. The stored outputs of the chapters were computed on a
CPU, and a GPU gives slightly different numbers; setting the environment variable
`VAELIB_DEVICE=cpu` makes the chapters run where they were computed (the repository's
`conftest.py` sets it for `pytest`, unless it is already set).

Accepted values: unset, "" or "auto" (the best device), "cpu", "cuda", "cuda:N" and "mps".
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import torch

DEVICE_ENV_VAR = "VAELIB_DEVICE"
_AUTO = ("", "auto")
_KNOWN_TYPES = ("cpu", "cuda", "mps")


class DeviceNotAvailableError(RuntimeError):
    """A device was requested by name that this machine does not have."""


def available_devices() -> list[str]:
    """The devices this machine can run on, best last: e.g. ["cpu", "cuda:0", "cuda:1"]."""
    names = ["cpu"]
    if torch.backends.mps.is_available():
        names.append("mps")
    if torch.cuda.is_available():
        names += [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    return names


def _best_device() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _is_available(device: torch.device) -> bool:
    if device.type == "cpu":
        return True
    if device.type == "mps":
        return torch.backends.mps.is_available()
    if not torch.cuda.is_available():
        return False
    return device.index is None or device.index < torch.cuda.device_count()


def pick_device(preferred: str | torch.device | None = None) -> torch.device:
    """The device to train on: `preferred` if given, else `$VAELIB_DEVICE`, else the best one.

    Args:
        preferred: "auto", "cpu", "cuda", "cuda:N", "mps" or a `torch.device`. When None, the
            environment variable `VAELIB_DEVICE` is read; when that is unset, empty or "auto",
            the best device is chosen: CUDA if there is a GPU, else MPS, else the CPU.

    Raises:
        ValueError: the value is not one of the accepted device names.
        DeviceNotAvailableError: the named device is not on this machine. The message names
            the devices that are, and how to fall back to the automatic choice.
    """
    if preferred is None:
        value, source = os.environ.get(DEVICE_ENV_VAR, ""), f"{DEVICE_ENV_VAR}"
        fix = f"unset {DEVICE_ENV_VAR} (or set it to 'auto') to use the best device"
    else:
        value, source = preferred, "pick_device(preferred=...)"
        fix = "pass preferred='auto' (or None) to use the best device"
    if isinstance(value, str) and value.strip().lower() in _AUTO:
        return _best_device()

    accepted = "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"
    try:
        device = torch.device(value.strip().lower() if isinstance(value, str) else value)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"{source}={value!r} is not a device name; use {accepted}") from error
    if device.type not in _KNOWN_TYPES:
        raise ValueError(f"{source}={value!r} is not a device the book runs on; use {accepted}")
    if not _is_available(device):
        raise DeviceNotAvailableError(
            f"{source}={value!r} asks for a device this machine does not have "
            f"(available: {', '.join(available_devices())}); {fix}, or name one that is available"
        )
    return device


def batches(
    images: torch.Tensor,
    batch_size: int,
    device: torch.device,
    labels: torch.Tensor | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """The one batched pass over a data set, in order: (x, y) for each run of `batch_size` rows.

    x: the images' rows (b, 1, 28, 28), b <= batch_size, moved to `device`; y: the same rows of
    `labels` (b,) on `device`, or None when there are no labels. `evaluate` and the measures that
    run a model over a data set use this loop; `fit` draws its batches in a shuffled order.
    """
    for start in range(0, len(images), batch_size):
        stop = start + batch_size
        yield (
            images[start:stop].to(device),
            None if labels is None else labels[start:stop].to(device),
        )
