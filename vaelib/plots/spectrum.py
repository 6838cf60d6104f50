"""The data's eigenvalues against the collapse thresholds βσ² of the linear VAE (chapter 14)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from vaelib.plots import _inputs as check
from vaelib.plots._figure import own_axes

MAX_BARS = 1024  # eigenvalues drawn as bars


def plot_eigenvalue_thresholds(
    eigenvalues: torch.Tensor,
    thresholds: Sequence[float],
    labels: Sequence[str],
    title: str | None = None,
    ax=None,
) -> Figure:
    """Bars of the eigenvalues λ_1 ≥ … ≥ λ_d, with one horizontal line per threshold βσ².

    `eigenvalues`: (d,) > 0, squared grey levels, largest first; `thresholds`: the values βσ² > 0,
    each drawn as a dashed line labelled by the string of `labels` at its index. A direction whose
    bar reaches above a line stays open at that setting; below it, it collapses. Log scale.
    """
    lam = check.tensor(eigenvalues, "eigenvalues", ndim=1).double()
    if len(lam) > MAX_BARS:
        raise ValueError(f"eigenvalues holds {len(lam)} values, more than the {MAX_BARS} drawn")
    if lam.min() <= 0:
        raise ValueError(f"eigenvalues must be > 0 for a log scale, got {lam.min().item()!r}")
    levels = check.reals(thresholds, "thresholds")
    if levels.min() <= 0:
        raise ValueError(f"thresholds must be > 0 for a log scale, got {levels.min()!r}")
    labels = check.texts(labels, "labels")
    if len(labels) != len(levels):
        raise ValueError(f"got {len(levels)} thresholds but {len(labels)} labels; one per line")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6, 3.5)
    positions = np.arange(1, len(lam) + 1)
    ax.bar(positions, lam.numpy(), color="C0", label="eigenvalue $\\lambda_i$ of the data")
    for i, (level, label) in enumerate(zip(levels, labels)):
        ax.axhline(level, color=f"C{i + 1}", lw=1.5, ls="--", label=label)
    ax.set_yscale("log")
    ax.set_xticks(positions)
    ax.set_xlabel("principal direction $i$")
    ax.set_ylabel("variance (squared grey levels)")
    ax.legend(fontsize="small", loc="upper right")
    ax.set_title(title or "Directions above a line stay open; those below it collapse")
    return fig
