"""Figures of the book. Each function draws what the other modules computed and returns a
matplotlib `Figure` that is not registered with pyplot: a notebook shows it by returning it as a
cell's last expression (in Jupyter and Colab alike, with no `%matplotlib` set-up), and a script
saves it with `fig.savefig(...)`. Nothing is drawn twice and no figure is left open."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
import seaborn as sns
import torch
from matplotlib.figure import Figure
from torchvision.utils import make_grid

from vaelib._checks import check_positive_int
from vaelib.losses import gaussian_kl_per_dim
from vaelib.train import History


class BookFigure(Figure):
    """A matplotlib `Figure` that a notebook displays as a PNG image."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def _figure(width: float, height: float, **subplots) -> tuple[Figure, np.ndarray]:
    fig = BookFigure(figsize=(width, height), layout="constrained")
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
    return _labelled_rows(
        rows, names, title, width=0.6 * len(originals) + 1.5, height=0.75 * len(rows) + 0.4
    )


def _labelled_rows(rows, labels, title, width: float, height: float) -> Figure:
    """Image grids one above the other, each labelled on the left."""
    fig, axes = _figure(width, height, nrows=len(rows))
    for ax, images, label in zip(axes[:, 0], rows, labels):
        _show_images(ax, images, nrow=len(rows[0]))
        ax.set_axis_on()
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
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


def plot_iwae_bounds(
    ks: Sequence[int],
    bounds: Sequence[float],
    elbo: float | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """The importance-weighted bound 𝓛_k (nats per image) against the number of samples k.

    `ks`: the k of each estimate; `bounds`: 𝓛_k, e.g. from `vaelib.iwae_log_likelihood`.
    `elbo`, if given, is drawn as a horizontal reference line (𝓛_1 estimates the same quantity).
    k is on a log scale.
    """
    if len(ks) != len(bounds):
        raise ValueError(f"got {len(ks)} values of k but {len(bounds)} bounds")
    fig, ax = _own_axes(ax, 5.5, 3.5)
    ax.plot(list(ks), list(bounds), marker="o", label=r"$\mathcal{L}_k$ (IWAE)")
    if elbo is not None:
        ax.axhline(elbo, color="black", ls="--", lw=1, label="ELBO")
    ax.set_xscale("log")
    ax.set_xticks(list(ks))
    ax.set_xticklabels([str(k) for k in ks])
    ax.set_xlabel("importance samples $k$ per image (log scale)")
    ax.set_ylabel("bound on log p(x) (nats per image)")
    ax.set_title(title or r"$\mathcal{L}_k$ against $k$")
    ax.legend()
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
    streamlines follow −∇KL in (μ, σ), the direction gradient descent on the KL term moves an
    encoder's output; a star marks the unique minimum KL = 0 at (μ, σ) = (0, 1).
    The KL is computed by `vaelib.gaussian_kl_per_dim` and its gradient by autograd.

    `mu_max` > 0: μ spans [−mu_max, mu_max]; `sigma_range`: (low, high) with 0 < low < high.
    """
    if not (math.isfinite(mu_max) and mu_max > 0):
        raise ValueError(f"mu_max must be finite and > 0, got {mu_max}")
    low, high = (float(s) for s in sigma_range)
    if not (0 < low < high and math.isfinite(high)):
        raise ValueError(f"sigma_range must be (low, high) with 0 < low < high, got {sigma_range}")
    n = check_positive_int(n, "n")
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

    fig, ax = _own_axes(ax, 6, 4.5)
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


def _point_label(label) -> str:
    """The label of a point: "β = 2" for a number, the label itself for a string."""
    return f"β = {label:g}" if isinstance(label, (int, float)) else str(label)


def plot_rate_distortion(
    rates: Sequence[float],
    distortions: Sequence[float],
    labels: Sequence[float | str],
    title: str | None = None,
    connect: bool = True,
    ax=None,
) -> Figure:
    """Models on the rate–distortion plane (Alemi et al. 2018): rate R on x, distortion D on y.

    `rates`: R = the mean KL(q(z|x) ‖ p(z)); `distortions`: D = the mean reconstruction loss;
    both in nats per image, one per model. `labels`: one per model, a β (printed "β = …") or a
    string (e.g. a method's name). Dashed lines are the ELBO iso-lines D + R = const: models on
    one line have the same ELBO, and lines nearer the origin mean a better ELBO. `connect` joins
    the points in the order given (for a β sweep).
    """
    if not len(rates) == len(distortions) == len(labels):
        raise ValueError(
            f"got {len(rates)} rates, {len(distortions)} distortions and {len(labels)} labels"
        )
    fig, ax = _own_axes(ax, 6.5, 4.5)
    r, d = np.asarray(rates, dtype=float), np.asarray(distortions, dtype=float)
    r_max = r.max() * 1.08 + 1
    d_lo, d_hi = d.min() - 0.08 * np.ptp(d) - 1, d.max() + 0.08 * np.ptp(d) + 1
    for level in np.linspace((r + d).min(), (r + d).max(), 5):
        ax.plot([0, r_max], [level, level - r_max], color="grey", ls="--", lw=0.8, zorder=0)
    ax.plot([], [], color="grey", ls="--", lw=0.8, label="$D + R$ = const (equal ELBO)")
    if connect:
        ax.plot(r, d, color=sns.color_palette()[0], lw=1, zorder=1)
    colours = sns.color_palette("viridis", len(r))
    for x, y, label, colour in zip(r, d, labels, colours):
        ax.scatter([x], [y], color=colour, s=40, zorder=2, edgecolor="black", linewidth=0.5)
        ax.annotate(
            _point_label(label), (x, y), xytext=(5, 4), textcoords="offset points", fontsize="small"
        )
    ax.set_xlim(0, r_max)
    ax.set_ylim(d_lo, d_hi)
    ax.set_xlabel("rate $R$ = KL (nats per image)")
    ax.set_ylabel("distortion $D$ = reconstruction (nats per image)")
    ax.set_title(title or "rate–distortion plane")
    ax.legend(loc="upper right", fontsize="small")
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
    row (a β or a string). The colour scale is logarithmic; cells below `threshold` nats are drawn
    at the bottom of the scale (those dimensions carry essentially no information).
    """
    from matplotlib.colors import LogNorm

    kl = torch.as_tensor(kl_matrix, dtype=torch.float32)
    if kl.dim() != 2 or kl.shape[0] != len(labels):
        raise ValueError(
            f"kl_matrix must be (models, d) with one row per label; got {tuple(kl.shape)} "
            f"for {len(labels)} labels"
        )
    sorted_kl = kl.sort(dim=1, descending=True).values.clamp(min=threshold).numpy()
    d = kl.shape[1]
    fig, ax = _own_axes(ax, 0.32 * d + 3, 0.35 * len(labels) + 1.6)
    image = ax.imshow(
        sorted_kl,
        aspect="auto",
        cmap="viridis",
        norm=LogNorm(vmin=threshold, vmax=max(float(sorted_kl.max()), threshold * 10)),
        extent=(0.5, d + 0.5, len(labels) - 0.5, -0.5),
    )
    fig.colorbar(image, ax=ax, label="KL of the dimension (nats per image, log scale)")
    ax.set_xticks(np.arange(1, d + 1))
    ax.set_yticks(np.arange(len(labels)))
    ax.set_yticklabels([_point_label(label) for label in labels])
    ax.set_xlabel("latent dimensions, sorted by KL (rank)")
    ax.set_title(title or "KL per latent dimension")
    return fig


def plot_active_units(
    betas: Sequence[float],
    counts: Sequence[int],
    latent_dim: int | None = None,
    onset: float | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """Active units (Burda et al. 2016) against β, one point per model of a sweep.

    The β values are placed evenly along the x-axis (a sweep is usually near-geometric and may
    start at 0), labelled with their values. `latent_dim` draws the ceiling d; `onset` marks the
    β where collapse begins (e.g. from `vaelib.collapse_onset`) with a vertical line.
    """
    if len(betas) != len(counts):
        raise ValueError(f"got {len(betas)} values of β but {len(counts)} counts")
    fig, ax = _own_axes(ax, 6, 3.5)
    positions = np.arange(len(betas))
    ax.plot(positions, list(counts), marker="o", label="active units")
    if latent_dim is not None:
        ax.axhline(latent_dim, color="black", lw=1, ls=":", label=f"$d$ = {latent_dim}")
    if onset is not None:
        if onset not in list(betas):
            raise ValueError(f"onset {onset} is not one of the β values {list(betas)}")
        ax.axvline(
            list(betas).index(onset),
            color="tab:red",
            lw=1,
            ls="--",
            label=f"collapse begins (β = {onset:g})",
        )
    ax.set_xticks(positions)
    ax.set_xticklabels([f"{b:g}" for b in betas])
    ax.set_xlabel("β (evenly spaced positions)")
    ax.set_ylabel("active units (count)")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "active units against β")
    ax.legend(fontsize="small")
    return fig


def plot_image_rows(
    rows: Sequence[torch.Tensor], labels: Sequence[str], title: str | None = None
) -> Figure:
    """Rows of images one above the other, each labelled on the left (e.g. one row per model).

    `rows`: tensors (n, 1, 28, 28) in [0, 1], all with the same n; `labels`: one per row.
    """
    if len(rows) != len(labels):
        raise ValueError(f"got {len(rows)} rows but {len(labels)} labels")
    n = len(rows[0])
    if any(len(row) != n for row in rows):
        raise ValueError(f"every row must have {n} images, got {[len(r) for r in rows]}")
    return _labelled_rows(rows, labels, title, width=0.6 * n + 1.8, height=0.75 * len(rows) + 0.5)


def plot_rate_per_epoch(
    histories: Sequence[History], labels: Sequence[str], title: str | None = None, ax=None
) -> Figure:
    """The KL term (the rate R, nats per image) on the training set per epoch, one line per run.

    `histories`: `History` objects returned by `vaelib.fit`; `labels`: one per history. The
    y-axis is logarithmic, so a rate of 2 nats and one of 200 can be read on one figure.
    """
    if len(histories) != len(labels):
        raise ValueError(f"got {len(histories)} histories but {len(labels)} labels")
    fig, ax = _own_axes(ax, 6, 3.5)
    for history, label in zip(histories, labels):
        ax.plot(history.epoch, history.train_kl, marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("rate $R$ = KL (nats per image, log scale)")
    ax.set_title(title or "rate during training")
    ax.legend(fontsize="small")
    return fig
