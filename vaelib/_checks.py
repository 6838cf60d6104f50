"""The validation layer: the argument checks every public function of `vaelib` runs first.

The policy, stated once for the whole library:

- A wrong *type* raises `TypeError`; a wrong *value* raises `ValueError` (`NonFiniteError`, a
  `ValueError`, for NaN or infinite entries). Every message names the argument, shows the value it
  got (exactly: `repr` of the offending number, not a rounded one) and says how to fix it.
- Images are floating-point tensors of grey levels in [0, 1]. float16, bfloat16 and float64 images
  are accepted and converted to float32 (the models' dtype) by `check_images`, the one place where
  that conversion happens; integer and bool tensors are refused with a hint (`x.float() / 255`).
- Counts (`batch_size`, `k`, `epochs`, …) are Python or NumPy integers, never bools or floats;
  seeds are integers in [0, 2⁶³); numbers are Python or NumPy reals, never bools or strings.

Each `check_*` returns the checked value in the form the caller should use from then on (an `int`,
a `float`, a `torch.device`, a float32 image tensor), so a caller writes `k = check_k(k)`.
"""

from __future__ import annotations

import math

import torch

from vaelib._argument_checks import (
    check_batch_size,
    check_bool,
    check_choice,
    check_int,
    check_non_negative,
    check_number,
    check_positive_int,
    check_probability,
    check_seed,
    check_sequence,
    check_threshold,
)

# The checks of plain arguments live in `_argument_checks`; every check is imported from here.
__all__ = [
    "NonFiniteError",
    "check_batch_size",
    "check_bool",
    "check_choice",
    "check_class_labels",
    "check_device",
    "check_generator",
    "check_images",
    "check_int",
    "check_non_negative",
    "check_number",
    "check_positive_int",
    "check_probability",
    "check_same_shape",
    "check_seed",
    "check_sequence",
    "check_tensor",
    "check_threshold",
    "check_unit_interval",
]


class NonFiniteError(ValueError):
    """A tensor holds NaN or infinite values."""


def check_tensor(
    x: object,
    name: str,
    *,
    ndim: int | None = None,
    min_ndim: int | None = None,
    floating: bool = True,
    finite: bool = True,
) -> torch.Tensor:
    """Return `x` unchanged if it is a usable tensor, else raise naming `name`.

    Checks: a `torch.Tensor` with data (not on the meta device); floating point (if `floating`);
    exactly `ndim` or at least `min_ndim` dimensions; a non-empty first dimension; and, if
    `finite`, no NaN or infinite entries (`NonFiniteError`).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(x).__name__}; "
            f"convert with torch.as_tensor({name}, dtype=torch.float32)"
        )
    if x.is_meta:
        raise ValueError(f"{name} is on the meta device and holds no values; pass a real tensor")
    if floating and not x.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor, got dtype {x.dtype}; convert with "
            f"{name}.float() (and divide uint8 images by 255: {name}.float() / 255)"
        )
    if ndim is not None and x.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(x.shape)}")
    if min_ndim is not None and x.dim() < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions (batch first), "
            f"got shape {tuple(x.shape)}"
        )
    if x.dim() > 0 and x.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); pass at least one row")
    if floating and finite and x.numel() > 0 and not torch.isfinite(x).all():
        raise NonFiniteError(_non_finite_message(x, name))
    return x


def _non_finite_message(x: torch.Tensor, name: str) -> str:
    bad = ~torch.isfinite(x)
    first = tuple(int(i) for i in torch.unravel_index(bad.flatten().nonzero()[0, 0], x.shape))
    return (
        f"{name} contains NaN or infinite values ({int(bad.sum())} of {x.numel()}, the first "
        f"{x[first].item()!r} at index {first}); remove or replace them, e.g. with "
        f"torch.nan_to_num({name})"
    )


def check_images(
    x: object,
    name: str,
    image_shape: tuple[int, ...] | None = None,
    *,
    dtype: torch.dtype = torch.float32,
    values: bool = True,
) -> torch.Tensor:
    """Check images (batch, *image_shape) with grey levels in [0, 1]; return them as `dtype`.

    `image_shape` (e.g. (1, 28, 28)) fixes the shape of one image; with None any shape of at least
    two dimensions (batch, …) is accepted. Other floating dtypes are converted to `dtype` (float32
    by default) after the checks; integer and bool tensors are refused. With `values=False` only
    the type, dtype and shape are checked, which costs nothing (the models' own methods, which
    the training loop calls on every batch); the public entry points check the values too.
    """
    check_tensor(x, name, min_ndim=2, finite=False)
    if image_shape is not None and tuple(x.shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"{name} must have shape (batch, {', '.join(map(str, image_shape))}), "
            f"got {tuple(x.shape)}"
        )
    if values:
        check_unit_interval(x, name)
    return x if x.dtype == dtype else x.to(dtype)


def check_unit_interval(x: torch.Tensor, name: str) -> None:
    """Raise unless every entry of the floating tensor `x` is a finite number in [0, 1].

    One pass over the data (`torch.aminmax`, which propagates NaN); the message prints the
    offending value exactly and where it is.
    """
    low, high = (v.item() for v in torch.aminmax(x))
    if not (math.isfinite(low) and math.isfinite(high)):
        raise NonFiniteError(_non_finite_message(x, name))
    if low < 0 or high > 1:
        bad, value = (x.argmin(), low) if low < 0 else (x.argmax(), high)
        where = tuple(int(i) for i in torch.unravel_index(bad, x.shape))
        raise ValueError(
            f"{name} must hold pixel intensities in [0, 1], got {value!r} at index {where} "
            f"(values span [{low!r}, {high!r}]); divide 0–255 images by 255, "
            f"or clamp values just outside the range with {name}.clamp(0, 1)"
        )


def check_same_shape(a: torch.Tensor, b: torch.Tensor, names: str) -> None:
    """Raise a `ValueError` naming `names` (e.g. "mu and logvar") unless `a` and `b` match."""
    if a.shape != b.shape:
        raise ValueError(
            f"{names} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_class_labels(labels: object, name: str = "labels") -> None:
    """Raise unless `labels` is a 1-D tensor of integer class indices (not float, not bool)."""
    check_tensor(labels, name, ndim=1, floating=False)
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(
            f"{name} must hold integer class indices (an integer tensor of classes), got dtype "
            f"{labels.dtype}; convert with {name}.long()"
        )


def check_generator(value: object, name: str = "generator") -> torch.Generator | None:
    """Return `value` if it is None or a `torch.Generator`, else raise a `TypeError`."""
    if value is not None and not isinstance(value, torch.Generator):
        raise TypeError(
            f"{name} must be a torch.Generator or None, got {type(value).__name__}; "
            f"build one with torch.Generator().manual_seed(seed)"
        )
    return value


def check_device(value: object, name: str = "device") -> torch.device:
    """Return `value` as a `torch.device` on which vaelib can run: "cpu", "cuda[:i]" or "mps".

    Refuses unknown device strings and devices this machine does not have, with the fix.
    """
    if not isinstance(value, (str, torch.device)):
        raise TypeError(
            f"{name} must be a string such as 'cpu' or a torch.device, got "
            f"{type(value).__name__} {value!r}; vaelib.pick_device() picks the best one"
        )
    try:
        device = torch.device(value)
    except RuntimeError:
        raise ValueError(
            f"{name} {value!r} is not a device name; use 'cpu', 'cuda', 'cuda:0' or 'mps', "
            f"or vaelib.pick_device()"
        ) from None
    if device.type == "cpu":
        return device
    if device.type == "cuda" and torch.cuda.is_available():
        if device.index is None or device.index < torch.cuda.device_count():
            return device
    elif device.type == "mps" and torch.backends.mps.is_available():
        return device
    elif device.type not in ("cuda", "mps"):
        raise ValueError(f"{name} {value!r} is not supported; use 'cpu', 'cuda' or 'mps'")
    raise ValueError(
        f"{name} {value!r} is not available on this machine; use 'cpu' or vaelib.pick_device()"
    )
