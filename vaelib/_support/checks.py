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
import numbers

import numpy as np
import torch

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


_SEED_LIMIT = 2**63


# Plain arguments: numbers, counts, seeds, flags, sequences and choices. Numbers are Python or
# NumPy reals, never bools or strings; counts are integers, never bools or floats; seeds are
# integers in [0, 2⁶³).


def check_number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    allow_inf: bool = False,
) -> float:
    """Return `value` as a float, or raise unless it is a real number in the given range.

    Accepts Python and NumPy reals (not bools, strings or tensors). NaN is always refused and
    ±inf unless `allow_inf`. `minimum` is inclusive unless `strict_minimum`; `maximum` inclusive.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = f"; pass {name}.item()" if isinstance(value, torch.Tensor) else ""
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}{hint}")
    value = float(value)
    below = minimum is not None and (value <= minimum if strict_minimum else value < minimum)
    above = maximum is not None and value > maximum
    if math.isnan(value) or (math.isinf(value) and not allow_inf) or below or above:
        raise ValueError(
            f"{name} must be {_describe_range(minimum, maximum, strict_minimum, allow_inf)}, "
            f"got {value!r}"
        )
    return value


def _describe_range(minimum, maximum, strict_minimum, allow_inf) -> str:
    parts = [] if allow_inf else ["finite"]
    if minimum is not None:
        parts.append(f"{'>' if strict_minimum else '>='} {minimum:g}")
    if maximum is not None:
        parts.append(f"<= {maximum:g}")
    return " and ".join(parts) or "a number (not NaN)"


def check_non_negative(value: object, name: str) -> float:
    """Return `value` as a float, or raise if it is not a finite number >= 0 (e.g. β, λ, C)."""
    return check_number(value, name, minimum=0.0)


def check_probability(value: object, name: str) -> float:
    """Return `value` as a float, or raise if it is not a number in [0, 1]."""
    return check_number(value, name, minimum=0.0, maximum=1.0)


def check_threshold(value: object, name: str = "threshold") -> float:
    """Return a threshold >= 0 (inf allowed) as a float, e.g. the variance cut-off of
    `active_units`."""
    return check_number(value, name, minimum=0.0, allow_inf=True)


def check_int(value: object, name: str, minimum: int | None = None) -> int:
    """Return `value` as an `int`, or raise unless it is a Python/NumPy integer >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        hint = f"; pass int({value!r})" if isinstance(value, float) and value.is_integer() else ""
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}{hint}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_positive_int(value: object, name: str) -> int:
    """Return `value` as an `int`, or raise unless it is an integer >= 1."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return check_int(value, name, minimum=1)


def check_batch_size(value: object, name: str = "batch_size") -> int:
    """Return a batch size (images per step or per pass, an integer >= 1) as an `int`."""
    return check_positive_int(value, name)


def check_seed(value: object, name: str = "seed") -> int:
    """Return a seed as an `int`: a Python or NumPy integer with 0 <= seed < 2⁶³."""
    seed = check_int(value, name)
    if not 0 <= seed < _SEED_LIMIT:
        raise ValueError(f"{name} must be an integer with 0 <= {name} < 2**63, got {seed}")
    return seed


def check_bool(value: object, name: str) -> bool:
    """Return `value` if it is a bool (Python or NumPy), else raise a `TypeError`."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_sequence(value: object, name: str) -> list:
    """Return the items of a list, tuple or 1-D array/tensor as a list; refuse other types."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(
            f"{name} must be a list or tuple, got {type(value).__name__}; "
            f"wrap an iterator in list(...)"
        )
    if getattr(value, "ndim", 1) != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {tuple(value.shape)}")
    return [v.item() if getattr(v, "ndim", None) == 0 else v for v in value]


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """Return `value` if it is one of the strings `choices`; refuse anything else."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {choices}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


# Tensors, images, labels, generators and devices.


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


def check_class_labels(
    labels: object,
    name: str = "labels",
    *,
    n: int | None = None,
    num_classes: int | None = None,
    per: str = "image",
) -> torch.Tensor:
    """Return `labels` if it is a tensor (n,) of integer class indices in [0, num_classes).

    The one check of class labels in vaelib. `n`: how many images (or codes, `per`) the labels
    go with, None for any non-zero number; `num_classes`: None for any index >= 0. Raises a
    `TypeError` for a non-integer dtype and a `ValueError` for a wrong shape or an index out of
    range, naming `name`, what it got and the fix.
    """
    check_tensor(labels, name, ndim=1, floating=False)
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(
            f"{name} must hold integer class indices (an integer tensor of classes), got dtype "
            f"{labels.dtype}; convert with {name}.long()"
        )
    if len(labels) == 0 or (n is not None and len(labels) != n):
        raise ValueError(
            f"{name} must have shape ({'n' if n is None else n},), one label per {per}, got "
            f"{tuple(labels.shape)}"
        )
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or (num_classes is not None and high >= num_classes):
        allowed = "be class indices >= 0" if num_classes is None else f"lie in [0, {num_classes})"
        raise ValueError(f"{name} must {allowed}, got values in [{low}, {high}]")
    return labels


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
