"""Argument checks shared by the public functions, so that bad input fails early and clearly."""

from __future__ import annotations

import math

import torch


class NonFiniteError(ValueError):
    """A tensor holds NaN or infinite values."""


def check_tensor(x: object, name: str, *, ndim: int | None = None, floating: bool = True) -> None:
    """Raise a `TypeError`/`ValueError` naming `name` unless `x` is a usable tensor."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if floating and not x.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor, got dtype {x.dtype}; "
            f"convert with {name}.float() (and divide uint8 images by 255)"
        )
    if ndim is not None and x.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(x.shape)}")
    if x.dim() > 0 and x.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)})")
    if floating and not torch.isfinite(x).all():
        raise NonFiniteError(f"{name} contains NaN or infinite values")


def check_images(x: object, name: str, image_shape: tuple[int, ...]) -> None:
    """Check a batch of images shaped (batch, *image_shape) with values in [0, 1]."""
    check_tensor(x, name)
    if tuple(x.shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"{name} must have shape (batch, {', '.join(map(str, image_shape))}), "
            f"got {tuple(x.shape)}"
        )
    if x.min() < 0 or x.max() > 1:
        raise ValueError(
            f"{name} must hold pixel intensities in [0, 1], got values in "
            f"[{x.min().item():.3g}, {x.max().item():.3g}]"
        )


def check_same_shape(a: torch.Tensor, b: torch.Tensor, names: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{names} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_non_negative(value: object, name: str) -> float:
    """Return `value` as a float, or raise if it is not a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return float(value)


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value
