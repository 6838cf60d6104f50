"""Figures of the latent space: codes coloured by label, their marginals against the prior, and
the decoded manifold of a 2-D latent space."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.figure import Figure

from vaelib._support.checks import NonFiniteError
from vaelib.models.mlp import VAE, Autoencoder, eval_mode
from vaelib.plots import _inputs as check
from vaelib.plots._figure import new_figure, own_axes, show_images

MAX_MANIFOLD_SIDE = 100  # the manifold grid decodes n² codes


def plot_latent_scatter(
    codes: torch.Tensor,
    labels: torch.Tensor,
    dims: tuple[int, int] = (0, 1),
    title: str | None = None,
    ax=None,
) -> Figure:
    """Two coordinates of the latent codes (n, d), one point per image, coloured by its label.

    A seaborn scatter plot with the label as hue (matplotlib's tab10 colours, one legend entry
    per label, in increasing order).

    `labels`: (n,) integer class indices; `dims`: the two coordinates shown, each in 0 … d − 1.
    """
    codes = check.tensor(codes, "codes", ndim=2)
    labels = check.tensor(labels, "labels", ndim=1, floating=False)
    if len(labels) != len(codes):
        raise ValueError(f"got {len(codes)} codes but {len(labels)} labels; pass one per code")
    dims = check.sequence(dims, "dims")
    if len(dims) != 2:
        raise ValueError(f"dims must be a pair of latent dimensions such as (0, 1), got {dims}")
    dims = [check.integer(d, f"dims[{i}]", 0, codes.shape[1] - 1) for i, d in enumerate(dims)]
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 5.5, 4.5)
    import seaborn as sns  # deferred: seaborn (and the pandas it imports) take seconds

    classes = labels.unique().tolist()  # one colour and legend entry per label, in order
    palette = {label: colormaps["tab10"](i % 10) for i, label in enumerate(classes)}
    sns.scatterplot(
        x=codes[:, dims[0]].numpy(),
        y=codes[:, dims[1]].numpy(),
        hue=labels.numpy(),
        hue_order=classes,
        palette=palette,
        s=6,
        linewidth=0,
        alpha=0.7,
        legend="full",
        ax=ax,
    )
    sns.move_legend(
        ax,
        "center left",
        bbox_to_anchor=(1, 0.5),
        title="label",
        markerscale=2,
        fontsize="small",
    )
    ax.set_xlabel(f"$z_{{{dims[0] + 1}}}$")
    ax.set_ylabel(f"$z_{{{dims[1] + 1}}}$")
    ax.set_title(title or "latent codes")
    return fig


def plot_latent_marginals(
    codes: torch.Tensor, dims: Sequence[int] = (0, 1, 2, 3), title: str | None = None, axes=None
) -> Figure:
    """Histograms of single latent coordinates (n, d) against the N(0, 1) density of the prior.

    Each panel is a seaborn histogram of one coordinate, 50 bins scaled to a density, under the
    prior's density curve.

    `dims`: the coordinates shown, one panel each, each in 0 … d − 1; `axes`, if given, holds one
    matplotlib Axes per entry of `dims`.
    """
    codes = check.tensor(codes, "codes", ndim=2)
    dims = check.sequence(dims, "dims")
    if not 1 <= len(dims) <= codes.shape[1]:
        raise ValueError(f"dims must name 1 to {codes.shape[1]} latent dimensions, got {dims}")
    dims = [check.integer(d, f"dims[{i}]", 0, codes.shape[1] - 1) for i, d in enumerate(dims)]
    title = check.title(title)
    if axes is None:
        fig, grid = new_figure(2.6 * len(dims), 2.6, ncols=len(dims), sharey=True)
        axes = grid[0]
    else:
        axes = check.sequence(np.ravel(axes), "axes")
        if len(axes) != len(dims):
            raise ValueError(f"got {len(axes)} axes for {len(dims)} dims; pass one Axes per dim")
        for i, ax in enumerate(axes):
            check.axes(ax, f"axes[{i}]")
        fig = axes[0].figure
    import seaborn as sns  # deferred: seaborn (and the pandas it imports) take seconds

    grid_x = np.linspace(-4, 4, 200)
    normal = np.exp(-0.5 * grid_x**2) / math.sqrt(2 * math.pi)
    for ax, dim in zip(axes, dims):
        sns.histplot(
            x=codes[:, dim].numpy(),
            bins=50,
            stat="density",
            element="step",
            alpha=0.35,
            color="C0",
            label="codes",
            ax=ax,
        )
        ax.plot(grid_x, normal, color="black", lw=1.5, label="N(0, 1)")
        ax.set_xlabel(f"$z_{{{dim + 1}}}$")
        ax.set_ylabel("density" if ax is axes[0] else "")
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


@torch.no_grad()
def plot_latent_manifold(model: VAE, n: int = 15, title: str | None = None) -> Figure:
    """Decode a grid of 2-D codes at the prior's quantiles (Kingma & Welling 2014, Fig. 4).

    The grid's coordinates are Φ⁻¹(p) for p evenly spaced in (0, 1), so equal areas of the grid
    hold equal prior probability. Needs a model with a 2-D latent space; `n` (1 … 100) images
    per side, n² in all.
    """
    if not isinstance(model, (VAE, Autoencoder)):
        raise TypeError(f"model must be a vaelib VAE or Autoencoder, got {type(model).__name__}")
    if model.config.latent_dim != 2:
        raise ValueError(f"the manifold plot needs latent_dim == 2, got {model.config.latent_dim}")
    n = check.integer(n, "n", 1, MAX_MANIFOLD_SIDE)
    title = check.title(title)
    p = torch.linspace(0.5 / n, 1 - 0.5 / n, n)
    q = torch.distributions.Normal(0.0, 1.0).icdf(p)  # (n,) quantiles of N(0, 1)
    z = torch.stack(
        [q.repeat(n), q.flip(0).repeat_interleave(n)], dim=1
    )  # (n², 2), top row = high z₂
    device = next(model.parameters()).device
    with eval_mode(model):  # restores the model's mode afterwards
        images = torch.sigmoid(model.decode(z.to(device))).cpu()  # (n², 1, 28, 28)
    if not torch.isfinite(images).all():
        raise NonFiniteError("model decodes the grid to NaN: its weights are not finite")
    fig, axes = new_figure(7, 7)
    show_images(axes[0, 0], images, nrow=n)
    axes[0, 0].set_title(title or "decoded prior quantiles: $z_1$ left→right, $z_2$ bottom→top")
    return fig
