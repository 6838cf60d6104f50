"""Figures of images: a grid of samples, reconstructions under their originals, labelled rows
of images (one per model) and interpolation paths.

Every image argument is a float tensor (n, 1, 28, 28) of grey levels in [0, 1] (3 channels and
other sizes work too); integer (uint8) images are refused: divide them by 255 first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from vaelib.plots import _inputs as check
from vaelib.plots._figure import new_figure, show_images


def plot_image_grid(images: torch.Tensor, nrow: int = 8, title: str | None = None) -> Figure:
    """A grid of images (n, 1, 28, 28) in [0, 1], `nrow` per row (1 <= nrow <= 1000)."""
    images = check.images(images, "images")
    nrow = check.integer(nrow, "nrow", 1, check.MAX_IMAGES)
    title = check.title(title)
    columns = min(nrow, len(images))  # image_grid never draws more columns than images
    n_rows = math.ceil(len(images) / nrow)
    fig, axes = new_figure(0.6 * columns + 0.4, 0.6 * n_rows + (0.5 if title else 0.1))
    show_images(axes[0, 0], images, nrow)
    if title:
        axes[0, 0].set_title(title)
    return fig


def plot_reconstructions(
    originals: torch.Tensor,
    *reconstructions: torch.Tensor,
    labels: Sequence[str] = (),
    title: str | None = None,
) -> Figure:
    """Originals (n, 1, 28, 28) in the first row, each model's reconstructions in a row below.

    Every reconstruction has the originals' shape. `labels` names the rows after the first
    (e.g. "autoencoder", "VAE (β = 1)"), at most one per reconstruction; rows without a label
    are left unnamed.
    """
    originals = check.images(originals, "originals")
    rows = [originals]
    for i, row in enumerate(reconstructions):
        row = check.images(row, f"reconstructions[{i}]")
        if row.shape != originals.shape:
            raise ValueError(
                f"reconstructions[{i}] must have the originals' shape {tuple(originals.shape)}, "
                f"got {tuple(row.shape)}"
            )
        rows.append(row)
    labels = check.texts(labels, "labels")
    if len(labels) > len(reconstructions):
        raise ValueError(
            f"got {len(labels)} labels for {len(reconstructions)} rows of reconstructions; "
            "pass at most one label per reconstruction"
        )
    if len(rows) > check.MAX_ROWS:
        raise ValueError(f"at most {check.MAX_ROWS - 1} reconstructions fit one figure")
    names = ["original", *labels] + [""] * (len(rows) - 1 - len(labels))
    width, height = 0.6 * len(originals) + 1.5, 0.75 * len(rows) + 0.4
    return _labelled_rows(rows, names, check.title(title), width=width, height=height)


def plot_image_rows(
    rows: Sequence[torch.Tensor], labels: Sequence[str], title: str | None = None
) -> Figure:
    """Rows of images one above the other, each labelled on the left (e.g. one row per model).

    `rows`: tensors (n, 1, 28, 28) in [0, 1], all with the same n; `labels`: one per row.
    """
    rows = check.image_rows(rows, "rows", labels, "labels")
    n = len(rows[0])
    return _labelled_rows(
        rows, labels, check.title(title), width=0.6 * n + 1.8, height=0.75 * len(rows) + 0.5
    )


def _labelled_rows(rows, labels, title, width: float, height: float) -> Figure:
    """Image grids one above the other, each labelled on the left."""
    fig, axes = new_figure(width, height, nrows=len(rows))
    for ax, images, label in zip(axes[:, 0], rows, labels):
        show_images(ax, images, nrow=len(rows[0]))
        _label_row(ax, label)
        ax.set_xticks([])
    if title:
        fig.suptitle(title)
    return fig


def _label_row(ax, label: str) -> None:
    """Turn an image axes back on to write `label` at its left, with no ticks and no frame."""
    ax.set_axis_on()
    ax.set_yticks([])
    ax.set_ylabel(label, rotation=0, ha="right", va="center")
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_interpolations(
    rows: Sequence[torch.Tensor], labels: Sequence[str], title: str | None = None
) -> Figure:
    """Interpolation paths one above the other, each a row of images at t = 0 … 1.

    `rows`: tensors (steps, 1, 28, 28) in [0, 1], all with the same number of steps (e.g. one
    path of `latent_interpolation` and one of `pixel_interpolation`); `labels` names each row.
    The x-axis marks the interpolation weight t of each column.
    """
    rows = check.image_rows(rows, "rows", labels, "labels")
    steps = len(rows[0])
    title = check.title(title)
    fig, axes = new_figure(0.7 * steps + 1.8, 0.85 * len(rows) + 0.9, nrows=len(rows), sharex=True)
    t = np.linspace(0, 1, steps)
    width = rows[0].shape[-1]
    cell = width + 2  # image_grid's image width plus padding, in grid pixels
    for ax, images, label in zip(axes[:, 0], rows, labels):
        show_images(ax, images, nrow=steps)
        _label_row(ax, label)
    bottom = axes[-1, 0]
    bottom.set_xticks(2 + cell * np.arange(steps) + width // 2)
    bottom.set_xticklabels([f"{v:.2g}" for v in t])
    bottom.set_xlabel("interpolation weight $t$ (0 = first image, 1 = second)")
    if title:
        fig.suptitle(title)
    return fig
