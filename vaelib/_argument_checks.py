"""Checks of plain arguments: numbers, counts, seeds, flags, sequences and choices.

Part of the validation layer (`vaelib._checks`, which re-exports every check here, so callers
import all checks from there). Numbers are Python or NumPy reals, never bools or strings; counts
are integers, never bools or floats; seeds are integers in [0, 2⁶³). Each check returns the value
in the form the caller should use from then on (an `int`, a `float`, a `list`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

_SEED_LIMIT = 2**63


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
