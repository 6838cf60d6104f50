"""Figures of the KL term: per latent dimension, per dimension for several models, and its
landscape over the (μ, σ) plane of one dimension."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from vaelib.losses.elbo import gaussian_kl_per_dim
from vaelib.plots import _inputs as check
from vaelib.plots._figure import own_axes, point_label

MAX_DIMS = 1024  # latent dimensions drawn as bars or heatmap columns
LANDSCAPE_LIMITS = {"mu_max": (1e-3, 100.0), "sigma": (1e-3, 100.0), "n": (2, 1000)}


def plot_kl_per_dimension(kl: torch.Tensor, title: str | None = None, ax=None) -> Figure:
    """Bars of the KL of each latent dimension (d,), in nats per image, sorted as given."""
    kl = check.tensor(kl, "kl", ndim=1)
    if len(kl) > MAX_DIMS:
        raise ValueError(f"kl holds {len(kl)} dimensions, more than the {MAX_DIMS} drawn")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6, 3)
    ax.bar(np.arange(1, len(kl) + 1), kl.numpy(), color="C0")
    ax.set_xlabel("latent dimension $i$")
    ax.set_ylabel("KL (nats per image)")
    ax.set_xticks(np.arange(1, len(kl) + 1))
    ax.set_title(title or "KL per latent dimension")
    return fig


def plot_kl_heatmap(
    kl_matrix: torch.Tensor,
    labels: Sequence[float | str],
    title: str | None = None,
    threshold: float = 0.01,
    ax=None,
) -> Figure:
    """KL per latent dimension for several models, each row sorted from largest to smallest.

    `kl_matrix`: (models, d), nats per image, e.g. rows of `kl_per_dimension`; `labels`: one per
    row (a β or a string). A seaborn heatmap on a logarithmic colour scale; cells below
    `threshold` (> 0) nats are drawn at the bottom of the scale (those dimensions carry
    essentially no information).
    """
    if not isinstance(kl_matrix, torch.Tensor):
        try:
            kl_matrix = torch.as_tensor(kl_matrix, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(
                f"kl_matrix must be a (models, d) tensor, got {type(kl_matrix).__name__}"
            ) from None
    kl = check.tensor(kl_matrix, "kl_matrix", ndim=2).float()
    labels = check.point_labels(labels, "labels")
    if kl.shape[0] != len(labels):
        raise ValueError(
            f"kl_matrix must be (models, d) with one row per label; got {tuple(kl.shape)} "
            f"for {len(labels)} labels"
        )
    if kl.shape[0] > check.MAX_ROWS or kl.shape[1] > MAX_DIMS:
        raise ValueError(
            f"kl_matrix {tuple(kl.shape)} is too large to draw: at most "
            f"({check.MAX_ROWS}, {MAX_DIMS})"
        )
    threshold = check.number(threshold, "threshold")
    if threshold <= 0:
        raise ValueError(f"threshold must be > 0 nats (the log scale's floor), got {threshold}")
    title, ax = check.title(title), check.axes(ax)
    sorted_kl = kl.sort(dim=1, descending=True).values.clamp(min=threshold).numpy()
    d = kl.shape[1]
    fig, ax = own_axes(ax, 0.32 * d + 3, 0.35 * len(labels) + 1.6)
    import seaborn as sns  # deferred: seaborn (and the pandas it imports) take seconds

    sns.heatmap(
        sorted_kl,
        cmap="viridis",
        norm=LogNorm(vmin=threshold, vmax=max(float(sorted_kl.max()), threshold * 10)),
        xticklabels=list(range(1, d + 1)),
        yticklabels=[point_label(label) for label in labels],
        cbar_kws={"label": "KL of the dimension (nats per image, log scale)"},
        ax=ax,
    )
    ax.tick_params(axis="y", labelrotation=0)
    ax.tick_params(axis="x", labelrotation=0)
    ax.set_xlabel("latent dimensions, sorted by KL (rank)")
    ax.set_title(title or "KL per latent dimension")
    return fig


def plot_kl_landscape(
    mu_max: float = 3.0,
    sigma_range: tuple[float, float] = (0.05, 3.0),
    n: int = 201,
    title: str | None = None,
    ax=None,
) -> Figure:
    """KL(N(μ, σ²) ‖ N(0, 1)) of one latent dimension over a (μ, σ) grid, with its descent flow.

    Filled contours show the KL in nats (levels spaced for its fast rise as σ → 0); the
    streamlines follow −∇KL in (μ, σ), the direction gradient descent on the KL term would move
    an encoder that output σ itself (one that outputs log σ² reaches the same minimum by other
    paths); a star marks the unique minimum KL = 0 at (μ, σ) = (0, 1).
    The KL is computed by `vaelib.gaussian_kl_per_dim` and its gradient by autograd.

    `mu_max` in [0.001, 100]: μ spans [−mu_max, mu_max]; `sigma_range`: (low, high) with
    0.001 <= low < high <= 100; `n` in 2 … 1000 grid points per axis.
    """
    mu_max = check.number(mu_max, "mu_max")
    if not LANDSCAPE_LIMITS["mu_max"][0] <= mu_max <= LANDSCAPE_LIMITS["mu_max"][1]:
        raise ValueError(f"mu_max must be between 0.001 and 100, got {mu_max}")
    sigma_range = check.sequence(sigma_range, "sigma_range")
    if len(sigma_range) != 2:
        raise ValueError(f"sigma_range must be a pair (low, high), got {sigma_range}")
    low, high = (check.number(s, f"sigma_range[{i}]") for i, s in enumerate(sigma_range))
    lowest, highest = LANDSCAPE_LIMITS["sigma"]
    if not (lowest <= low and low * 1.001 < high <= highest):
        raise ValueError(
            f"sigma_range must be (low, high) with 0 < low < high, both in [{lowest}, {highest}], "
            f"got {tuple(sigma_range)}"
        )
    n = check.integer(n, "n", *LANDSCAPE_LIMITS["n"])
    title, ax = check.title(title), check.axes(ax)
    mu = torch.linspace(-mu_max, mu_max, n, dtype=torch.float64)
    sigma = torch.linspace(low, high, n, dtype=torch.float64)
    grid_mu, grid_sigma = torch.meshgrid(mu, sigma, indexing="xy")  # (n, n), rows = σ
    grid_mu.requires_grad_(True)
    grid_sigma.requires_grad_(True)
    with torch.enable_grad():
        kl = gaussian_kl_per_dim(
            grid_mu.reshape(-1, 1), 2 * torch.log(grid_sigma).reshape(-1, 1)
        ).view(n, n)  # nats, (n, n)
        d_mu, d_sigma = torch.autograd.grad(kl.sum(), [grid_mu, grid_sigma])
    kl = kl.detach()

    fig, ax = own_axes(ax, 6, 4.5)
    levels = [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16]
    top = float(kl.max())
    levels = [v for v in levels if v < top] + [top]
    filled = ax.contourf(mu.numpy(), sigma.numpy(), kl.numpy(), levels=levels, cmap="viridis_r")
    fig.colorbar(filled, ax=ax, label="KL (nats)", format="%.3g")
    ax.streamplot(
        mu.numpy(),
        sigma.numpy(),
        -d_mu.numpy(),
        -d_sigma.numpy(),
        color="white",
        linewidth=0.7,
        density=0.9,
        arrowsize=0.8,
    )
    ax.plot(
        [0],
        [1],
        marker="*",
        color="red",
        markersize=14,
        linestyle="none",
        label="minimum: μ = 0, σ = 1",
    )
    ax.set_xlim(-mu_max, mu_max)
    ax.set_ylim(low, high)
    ax.set_xlabel("posterior mean μ")
    ax.set_ylabel("posterior standard deviation σ")
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title(title or "KL(N(μ, σ²) ‖ N(0, 1)) pulls μ to 0 and σ to 1")
    return fig
