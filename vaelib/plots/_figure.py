"""The figure class of the book and the layout helpers every plotting module shares."""

from __future__ import annotations

import io
import numbers

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vaelib.data.image_grid import image_grid


class BookFigure(Figure):
    """A matplotlib `Figure` that a notebook displays as a PNG image."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def new_figure(width: float, height: float, **subplots) -> tuple[Figure, np.ndarray]:
    """A `BookFigure` of `width` × `height` inches and its axes, always as a 2-D array."""
    fig = BookFigure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(squeeze=False, **subplots)
    return fig, axes


def own_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """Draw into `ax` if given (its figure is returned), else into a new figure of one axes."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = new_figure(width, height)
    return fig, axes[0, 0]


def show_images(ax: Axes, images: torch.Tensor, nrow: int) -> None:
    """Draw images (n, C, H, W), grey levels in [0, 1], as one grid of `nrow` per row."""
    grid = image_grid(images.clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)  # (C, H', W')
    pixels = grid[0] if grid.shape[0] == 1 else grid.permute(1, 2, 0)  # grey (H', W') or RGB
    ax.imshow(pixels.numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()


def point_label(label: float | str) -> str:
    """The label of a point: "β = 2" for a number, the label itself for a string."""
    if isinstance(label, numbers.Real) and not isinstance(label, bool):
        return f"β = {label:g}"
    return str(label)
