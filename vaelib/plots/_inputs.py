"""Checks of the figures' arguments, shared by every `plot_*` function.

Each helper returns the argument in the form the drawing code needs (a detached CPU tensor, a
float array, an int) or raises a `TypeError`/`ValueError` that names the argument, shows the bad
value and says how to fix it, before matplotlib or numpy can fail on it with a message of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib import cbook
from matplotlib.axes import Axes
from matplotlib.mathtext import MathTextParser

from vaelib._support.checks import check_int, check_number, check_sequence, check_tensor
from vaelib.train.history import History

MAX_IMAGES = 1000  # images in one grid or row: more are not legible (nor drawable by Agg)
MAX_ROWS = 100  # labelled rows in one figure
_MATHTEXT = MathTextParser("path")
_ROUNDING = 1e-4  # grey levels this far outside [0, 1] are float rounding; they are clipped


def tensor(x: object, name: str, *, ndim: int, floating: bool = True) -> torch.Tensor:
    """`x` as a detached CPU tensor of `ndim` dimensions, non-empty, finite if `floating`."""
    check_tensor(x, name, ndim=ndim, floating=floating)
    x = x.detach().cpu()  # a figure needs neither the graph nor the GPU
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)})")
    if not floating and (x.is_floating_point() or x.is_complex()):
        raise TypeError(
            f"{name} must be an integer tensor (class indices), got dtype {x.dtype}; "
            f"convert with {name}.long()"
        )
    return x


def images(x: object, name: str) -> torch.Tensor:
    """A batch of images (n, 1 or 3, height, width) of grey levels in [0, 1], n <= MAX_IMAGES."""
    x = tensor(x, name, ndim=4)
    if x.shape[1] not in (1, 3):
        raise ValueError(
            f"{name} must be images shaped (n, channels, height, width) with 1 or 3 channels, "
            f"got shape {tuple(x.shape)}"
        )
    if len(x) > MAX_IMAGES:
        raise ValueError(
            f"{name} holds {len(x)} images, more than the {MAX_IMAGES} one figure shows "
            f"legibly; pass a slice such as {name}[:64]"
        )
    low, high = x.min().item(), x.max().item()
    if low < -_ROUNDING or high > 1 + _ROUNDING:
        raise ValueError(
            f"{name} must hold grey levels in [0, 1], got values in [{low:.3g}, {high:.3g}]; "
            "apply torch.sigmoid to decoder logits, or divide 0–255 pixel values by 255"
        )
    return x


def image_rows(rows: object, name: str, labels: object, labels_name: str) -> list[torch.Tensor]:
    """Rows of images, each (n, C, H, W) with one shape for all, and one text label per row."""
    if isinstance(rows, torch.Tensor) and rows.dim() == 5:
        rows = list(rows)  # (rows, n, C, H, W) → one tensor per row
    rows = sequence(rows, name)
    if not 1 <= len(rows) <= MAX_ROWS:
        raise ValueError(f"{name} must hold 1 to {MAX_ROWS} tensors of images, got {len(rows)}")
    labels = texts(labels, labels_name)
    if len(rows) != len(labels):
        raise ValueError(
            f"got {len(rows)} rows but {len(labels)} labels; pass one label per row in "
            f"{labels_name}"
        )
    rows = [images(row, f"{name}[{i}]") for i, row in enumerate(rows)]
    if any(len(row) != len(rows[0]) for row in rows):
        raise ValueError(
            f"every row of {name} must have {len(rows[0])} images, got {[len(r) for r in rows]}"
        )
    if any(row.shape != rows[0].shape for row in rows):
        raise ValueError(
            f"every row of {name} must have the same image shape, got "
            f"{[tuple(r.shape[1:]) for r in rows]}"
        )
    return rows


def sequence(values: object, name: str) -> list:
    """`values` as a list, if it is a list, tuple, 1-D array or 1-D tensor (not a string)."""
    return check_sequence(values, name)


def texts(labels: object, name: str) -> list[str]:
    """A list of strings (row labels, curve names)."""
    labels = sequence(labels, name)
    for i, label in enumerate(labels):
        if not isinstance(label, str):
            raise TypeError(f"{name}[{i}] must be a string, got {label!r}")
        drawable_text(label, f"{name}[{i}]")
    return labels


def point_labels(labels: object, name: str) -> list[float | str]:
    """One label per point or row: a number (a β, printed "β = …") or a string."""
    labels = sequence(labels, name)
    for i, label in enumerate(labels):
        if isinstance(label, str):
            drawable_text(label, f"{name}[{i}]")
        else:
            number(label, f"{name}[{i}]")
    return labels


def reals(values: object, name: str, *, minimum: float | None = None) -> np.ndarray:
    """A non-empty sequence of finite real numbers (>= `minimum` if given) as a float array."""
    values = sequence(values, name)
    if not values:
        raise ValueError(f"{name} is empty; pass at least one number")
    out = np.array([number(v, f"{name}[{i}]") for i, v in enumerate(values)], dtype=float)
    if minimum is not None and out.min() < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {out.min():g}")
    return out


def number(value: object, name: str) -> float:
    """A finite real number (Python or NumPy, not a bool, string or tensor), as a float."""
    return check_number(value, name)


def integer(value: object, name: str, low: int, high: int) -> int:
    """An integer in [low, high] (Python or NumPy; not a bool or a float)."""
    value = check_int(value, name)
    if not low <= value <= high:
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value}")
    return value


def title(value: object) -> str | None:
    """None or a string that matplotlib can draw (its $…$ parts valid mathtext)."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"title must be a string or None, got {type(value).__name__}")
    return drawable_text(value, "title") if value is not None else None


def drawable_text(text: str, name: str) -> str:
    """`text` if matplotlib can draw it: a string with $…$ pairs must parse as mathtext, which
    matplotlib would otherwise only find out when the figure is displayed."""
    if cbook.is_math_text(text):
        try:
            _MATHTEXT.parse(text)
        except ValueError as error:
            reason = str(error).strip().splitlines()[-1][:100]
            raise ValueError(
                f"{name} {text!r} is not valid matplotlib mathtext ({reason}); fix the part "
                r"between $ signs, or escape a literal dollar sign as \$"
            ) from None
    return text


def axes(ax: object, name: str = "ax") -> Axes | None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def history(value: object, name: str, fields: Sequence[str]) -> History:
    """A `History` with at least one epoch and a finite number per epoch in each of `fields`."""
    if not isinstance(value, History):
        raise TypeError(f"{name} must be a vaelib.History (from fit), got {type(value).__name__}")
    if len(value.epoch) == 0:
        raise ValueError(f"{name} has no epochs; plot it after fit has run at least one epoch")
    reals(value.epoch, f"{name}.epoch")
    for field in fields:
        column = getattr(value, field)
        if len(column) != len(value.epoch):
            raise ValueError(
                f"{name}.{field} has {len(column)} values for {len(value.epoch)} epochs; "
                "pass a History as fit returns it"
            )
        reals(column, f"{name}.{field}")
    return value
