"""Figures of the book. Each function draws what the other modules computed and returns a
matplotlib `Figure` (not shown, not registered with pyplot), so a notebook displays it by
returning it and a script can `fig.savefig(...)` it."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import seaborn as sns
import torch
from matplotlib.figure import Figure
from torchvision.utils import make_grid

from vaelib.train import History


def _figure(width: float, height: float, **subplots) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(squeeze=False, **subplots)
    return fig, axes


def _show_images(ax, images: torch.Tensor, nrow: int) -> None:
    grid = make_grid(images.detach().cpu().clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)
    ax.imshow(grid.permute(1, 2, 0).numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()


def plot_image_grid(images: torch.Tensor, nrow: int = 8, title: str | None = None) -> Figure:
    """A grid of images (n, 1, 28, 28) in [0, 1], `nrow` per row."""
    n_rows = math.ceil(len(images) / nrow)
    fig, axes = _figure(0.6 * nrow + 0.4, 0.6 * n_rows + (0.5 if title else 0.1))
    _show_images(axes[0, 0], images, nrow)
    if title:
        axes[0, 0].set_title(title)
    return fig


def plot_reconstructions(
    originals: torch.Tensor, *reconstructions: torch.Tensor, labels: Sequence[str] = (), title=None
) -> Figure:
    """Originals (n, 1, 28, 28) in the first row, each model's reconstructions in a row below.

    `labels` names the rows after the first (e.g. "autoencoder", "VAE (β = 1)").
    """
    rows = [originals, *reconstructions]
    names = ["original", *labels] + [""] * (len(rows) - 1 - len(labels))
    fig, axes = _figure(0.6 * len(originals) + 1.5, 0.75 * len(rows) + 0.4, nrows=len(rows))
    for ax, images, name in zip(axes[:, 0], rows, names):
        _show_images(ax, images, nrow=len(originals))
        ax.set_axis_on()
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
        for spine in ax.spines.values():
            spine.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def plot_loss_curves(history: History, title: str | None = None) -> Figure:
    """Reconstruction and KL per epoch, in separate panels (their scales differ several-fold)."""
    fig, axes = _figure(9, 3.2, ncols=2)
    for ax, part, label in zip(axes[0], ("reconstruction", "kl"), ("reconstruction", "KL")):
        ax.plot(history.epoch, getattr(history, f"train_{part}"), marker="o", label="train")
        if history.test_loss:
            ax.plot(history.epoch, getattr(history, f"test_{part}"), marker="o", label="test")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"{label} (nats per image)")
        ax.set_title(f"{label} term")
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_latent_scatter(
    codes: torch.Tensor,
    labels: torch.Tensor,
    dims: tuple[int, int] = (0, 1),
    title: str | None = None,
    ax=None,
) -> Figure:
    """Two coordinates of the latent codes (n, d), one point per image, coloured by its label."""
    fig, ax = _own_axes(ax, 5.5, 4.5)
    sns.scatterplot(
        x=codes[:, dims[0]].numpy(),
        y=codes[:, dims[1]].numpy(),
        hue=labels.numpy(),
        palette="tab10",
        s=6,
        linewidth=0,
        alpha=0.7,
        legend="full",
        ax=ax,
    )
    ax.legend(
        title="label", markerscale=2, fontsize="small", loc="center left", bbox_to_anchor=(1, 0.5)
    )
    ax.set_xlabel(f"$z_{{{dims[0] + 1}}}$")
    ax.set_ylabel(f"$z_{{{dims[1] + 1}}}$")
    ax.set_title(title or "latent codes")
    return fig


def plot_latent_marginals(
    codes: torch.Tensor, dims: Sequence[int] = (0, 1, 2, 3), title: str | None = None, axes=None
) -> Figure:
    """Histograms of single latent coordinates (n, d) against the N(0, 1) density of the prior."""
    if axes is None:
        fig, grid = _figure(2.6 * len(dims), 2.6, ncols=len(dims), sharey=True)
        axes = grid[0]
    else:
        fig = axes[0].figure
    grid_x = np.linspace(-4, 4, 200)
    normal = np.exp(-0.5 * grid_x**2) / math.sqrt(2 * math.pi)
    for ax, dim in zip(axes, dims):
        values = codes[:, dim].numpy()
        sns.histplot(values, stat="density", bins=50, ax=ax, label="codes", element="step")
        ax.plot(grid_x, normal, color="black", lw=1.5, label="N(0, 1)")
        ax.set_xlabel(f"$z_{{{dim + 1}}}$")
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


@torch.no_grad()
def plot_latent_manifold(model, n: int = 15, title: str | None = None) -> Figure:
    """Decode a grid of 2-D codes at the prior's quantiles (Kingma & Welling 2014, Fig. 4).

    The grid's coordinates are Φ⁻¹(p) for p evenly spaced in (0, 1), so equal areas of the grid
    hold equal prior probability. Needs a model with a 2-D latent space.
    """
    if model.config.latent_dim != 2:
        raise ValueError(f"the manifold plot needs latent_dim == 2, got {model.config.latent_dim}")
    p = torch.linspace(0.5 / n, 1 - 0.5 / n, n)
    q = torch.distributions.Normal(0.0, 1.0).icdf(p)  # (n,) quantiles of N(0, 1)
    z = torch.stack(
        [q.repeat(n), q.flip(0).repeat_interleave(n)], dim=1
    )  # (n², 2), top row = high z₂
    device = next(model.parameters()).device
    model.eval()
    images = torch.sigmoid(model.decode(z.to(device))).cpu()
    fig, axes = _figure(7, 7)
    _show_images(axes[0, 0], images, nrow=n)
    axes[0, 0].set_title(title or "decoded prior quantiles: $z_1$ left→right, $z_2$ bottom→top")
    return fig


def plot_kl_per_dimension(kl: torch.Tensor, title: str | None = None, ax=None) -> Figure:
    """Bars of the KL of each latent dimension (d,), in nats per image, sorted as given."""
    fig, ax = _own_axes(ax, 6, 3)
    ax.bar(np.arange(1, len(kl) + 1), kl.numpy(), color=sns.color_palette()[0])
    ax.set_xlabel("latent dimension $i$")
    ax.set_ylabel("KL (nats per image)")
    ax.set_xticks(np.arange(1, len(kl) + 1))
    ax.set_title(title or "KL per latent dimension")
    return fig


def _own_axes(ax, width: float, height: float):
    if ax is not None:
        return ax.figure, ax
    fig, axes = _figure(width, height)
    return fig, axes[0, 0]


def plot_interpolations(
    rows: Sequence[torch.Tensor], labels: Sequence[str], title: str | None = None
) -> Figure:
    """Interpolation paths one above the other, each a row of images at t = 0 … 1.

    `rows`: tensors (steps, 1, 28, 28) in [0, 1], all with the same number of steps (e.g. one
    path of `latent_interpolation` and one of `pixel_interpolation`); `labels` names each row.
    The x-axis marks the interpolation weight t of each column.
    """
    if len(rows) != len(labels):
        raise ValueError(f"got {len(rows)} rows but {len(labels)} labels")
    steps = len(rows[0])
    if any(len(row) != steps for row in rows):
        raise ValueError(f"every row must have {steps} images, got {[len(r) for r in rows]}")
    fig, axes = _figure(0.7 * steps + 1.8, 0.85 * len(rows) + 0.9, nrows=len(rows), sharex=True)
    t = np.linspace(0, 1, steps)
    cell = 28 + 2  # make_grid's image width plus padding, in grid pixels
    for ax, images, label in zip(axes[:, 0], rows, labels):
        _show_images(ax, images, nrow=steps)
        ax.set_axis_on()
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
        for spine in ax.spines.values():
            spine.set_visible(False)
    bottom = axes[-1, 0]
    bottom.set_xticks(2 + cell * np.arange(steps) + 14)
    bottom.set_xticklabels([f"{v:.2g}" for v in t])
    bottom.set_xlabel("interpolation weight $t$ (0 = first image, 1 = second)")
    if title:
        fig.suptitle(title)
    return fig
