"""Figures of disentanglement: latent traversals, the information each latent dimension holds
about each known factor, and a measure against β with its spread over random seeds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from vaelib.plots import _inputs as check
from vaelib.plots._figure import new_figure, own_axes, show_images

MAX_DIMS = 100  # latent dimensions (rows of a traversal or of a heatmap) in one figure


def plot_latent_traversal(
    traversal: torch.Tensor,
    dims: Sequence[int],
    kl: torch.Tensor | None = None,
    span: float = 2.5,
    title: str | None = None,
) -> Figure:
    """One row per latent dimension z_j, swept from −span to +span with the others held fixed.

    `traversal`: grey levels in [0, 1], (rows, steps, 1, 28, 28), as `vaelib.latent_traversal`
    returns them for `dims` (one dimension index per row) and `span` (prior standard deviations).
    `kl`: optional KL per latent dimension (d,), nats per image (`vaelib.kl_per_dimension`),
    printed beside each row: a row with KL ≈ 0 is a dimension the decoder ignores.
    """
    traversal = check.tensor(traversal, "traversal", ndim=5)
    dims = [check.integer(j, f"dims[{i}]", 0, 1 << 20) for i, j in enumerate(dims)]
    if len(dims) != len(traversal):
        raise ValueError(
            f"traversal has {len(traversal)} rows but dims names {len(dims)} dimensions; "
            "pass the dims given to latent_traversal"
        )
    if len(dims) > MAX_DIMS:
        raise ValueError(f"at most {MAX_DIMS} rows fit one figure, got {len(dims)}")
    if kl is not None:
        kl = check.tensor(kl, "kl", ndim=1)
        if max(dims) >= len(kl):
            raise ValueError(f"kl has {len(kl)} dimensions but dims reaches {max(dims)}")
    span = check.number(span, "span")
    title = check.title(title)
    rows, steps = traversal.shape[:2]
    images = check.images(traversal.flatten(0, 1), "traversal")  # (rows·steps, 1, 28, 28)
    fig, axes = new_figure(0.6 * steps + 1.8, 0.62 * rows + 1.0)
    ax = axes[0, 0]
    show_images(ax, images, nrow=steps)
    ax.set_axis_on()
    for spine in ax.spines.values():
        spine.set_visible(False)
    height, width = traversal.shape[-2:]
    ax.set_yticks(2 + (height + 2) * np.arange(rows) + height // 2)
    ax.set_yticklabels(
        [f"$z_{{{j + 1}}}$" + ("" if kl is None else f" (KL {kl[j]:.1f})") for j in dims]
    )
    ax.set_xticks(2 + (width + 2) * np.arange(steps) + width // 2)
    ax.set_xticklabels([f"{v:.2g}" for v in np.linspace(-span, span, steps)])
    ax.set_xlabel("value of the swept dimension (prior standard deviations)")
    ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    return fig


def plot_mutual_information(
    mi: torch.Tensor,
    entropy: torch.Tensor,
    factor_names: Sequence[str],
    title: str | None = None,
    ax=None,
) -> Figure:
    """Heatmap of I(z_j; v_k) / H(v_k): the share of each factor's entropy each dimension holds.

    `mi`: (d, K) nats, from `vaelib.mutual_information_matrix`; `entropy`: (K,) nats, from
    `vaelib.factor_entropy`; `factor_names`: K names. A seaborn heatmap with each share written
    in its cell. A disentangled code shows one bright cell per column (a factor) and at most one
    per row (a latent dimension).
    """
    mi = check.tensor(mi, "mi", ndim=2).float()
    entropy = check.tensor(entropy, "entropy", ndim=1).float()
    names = check.texts(factor_names, "factor_names")
    if not mi.shape[1] == len(entropy) == len(names):
        raise ValueError(
            f"mi has {mi.shape[1]} factor columns, entropy {len(entropy)} and factor_names "
            f"{len(names)}; pass one entropy and one name per column of mi"
        )
    if mi.shape[0] > MAX_DIMS:
        raise ValueError(f"mi has {mi.shape[0]} rows, more than the {MAX_DIMS} drawn")
    if (entropy <= 0).any():
        raise ValueError("entropy must be > 0 for every factor (a constant factor has none)")
    title, ax = check.title(title), check.axes(ax)
    share = (mi / entropy).clamp(0, 1).numpy()  # (d, K)
    fig, ax = own_axes(ax, 1.1 * len(names) + 2.2, 0.32 * mi.shape[0] + 1.4)
    import seaborn as sns  # deferred: seaborn (and the pandas it imports) take seconds

    sns.heatmap(  # the share written in each cell, in black or white, whichever reads better
        share,
        cmap="viridis",
        vmin=0,
        vmax=1,
        annot=True,
        fmt=".2f",
        annot_kws={"size": "x-small"},
        xticklabels=names,
        yticklabels=[f"$z_{{{j + 1}}}$" for j in range(mi.shape[0])],
        cbar_kws={"label": "$I(z_j; v_k) / H(v_k)$"},
        ax=ax,
    )
    ax.tick_params(axis="y", labelrotation=0)
    ax.set_xlabel("factor $v_k$")
    ax.set_ylabel("latent dimension")
    ax.set_title(title or "information each latent dimension holds about each factor")
    return fig


def plot_against_beta(
    betas: Sequence[float],
    values: Sequence[Sequence[float]],
    ylabel: str,
    title: str | None = None,
    ax=None,
) -> Figure:
    """A measure against β with its spread over random seeds: each seed a dot, the mean a line.

    `betas`: β > 0 of each setting (drawn on a log scale); `values`: one row per β, one column
    per seed (e.g. the MIG or the distortion of each trained model); `ylabel` names the measure
    and its unit. The shaded band runs from the smallest to the largest seed at each β.
    """
    b = check.reals(betas, "betas", minimum=0)
    if (b <= 0).any():
        raise ValueError(f"betas must be > 0 for the log scale, got {b.tolist()}")
    rows = check.sequence(values, "values")
    if len(rows) != len(b):
        raise ValueError(f"got {len(b)} values of β but {len(rows)} rows of values; one per β")
    table = [check.reals(row, f"values[{i}]") for i, row in enumerate(rows)]
    if len({len(row) for row in table}) != 1:
        raise ValueError(f"every row of values needs one number per seed, got {table}")
    table = np.stack(table)  # (betas, seeds)
    ylabel = check.drawable_text(check.texts([ylabel], "ylabel")[0], "ylabel")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6, 3.5)
    colour = "C0"
    ax.fill_between(b, table.min(axis=1), table.max(axis=1), color=colour, alpha=0.2, lw=0)
    seeds = table.shape[1]
    ax.scatter(np.repeat(b, seeds), table.ravel(), color=colour, s=14, label=f"{seeds} seeds")
    ax.plot(b, table.mean(axis=1), color=colour, marker="o", label="mean over seeds")
    ax.set_xscale("log")
    ax.set_xticks(b)
    ax.set_xticklabels([f"{beta:g}" for beta in b])
    ax.minorticks_off()
    ax.set_xlabel("β (log scale)")
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"{ylabel} against β")
    ax.legend(fontsize="small")
    return fig
