"""Figures of a sweep, one point per model or setting: the rate–distortion plane, active units
against β, and the importance-weighted bound against the number of samples k."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from vaelib.plots import _inputs as check
from vaelib.plots._figure import own_axes, point_label

MAX_POINTS = 1000  # models or settings in one figure


def plot_rate_distortion(
    rates: Sequence[float],
    distortions: Sequence[float],
    labels: Sequence[float | str],
    title: str | None = None,
    connect: bool = True,
    ax=None,
) -> Figure:
    """Models on the rate–distortion plane (Alemi et al. 2018): rate R on x, distortion D on y.

    `rates`: R = the mean KL(q(z|x) ‖ p(z)), >= 0; `distortions`: D = the mean reconstruction
    loss; both in nats per image, one per model. `labels`: one per model, a β (printed "β = …")
    or a string (e.g. a method's name). Dashed lines are the ELBO iso-lines D + R = const: models
    on one line have the same ELBO, and lines nearer the origin mean a better ELBO. `connect`
    joins the points in the order given (for a β sweep).
    """
    r = check.reals(rates, "rates", minimum=0)
    d = check.reals(distortions, "distortions")
    labels = check.point_labels(labels, "labels")
    if not len(r) == len(d) == len(labels):
        raise ValueError(
            f"got {len(r)} rates, {len(d)} distortions and {len(labels)} labels; "
            "pass one of each per model"
        )
    _check_count(len(r), "rates")
    if not isinstance(connect, bool):
        raise TypeError(f"connect must be True or False, got {connect!r}")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6.5, 4.5)
    r_max = r.max() * 1.08 + 1
    d_lo, d_hi = d.min() - 0.08 * np.ptp(d) - 1, d.max() + 0.08 * np.ptp(d) + 1
    for level in np.linspace((r + d).min(), (r + d).max(), 5):
        ax.plot([0, r_max], [level, level - r_max], color="grey", ls="--", lw=0.8, zorder=0)
    ax.plot([], [], color="grey", ls="--", lw=0.8, label="$D + R$ = const (equal ELBO)")
    if connect:
        ax.plot(r, d, color="C0", lw=1, zorder=1)
    colours = colormaps["viridis"](np.linspace(0, 1, len(r)))  # one per point, dark to light
    for x, y, label, colour in zip(r, d, labels, colours):
        ax.scatter([x], [y], color=colour, s=40, zorder=2, edgecolor="black", linewidth=0.5)
        ax.annotate(
            point_label(label), (x, y), xytext=(5, 4), textcoords="offset points", fontsize="small"
        )
    ax.set_xlim(0, r_max)
    ax.set_ylim(d_lo, d_hi)
    ax.set_xlabel("rate $R$ = KL (nats per image)")
    ax.set_ylabel("distortion $D$ = reconstruction (nats per image)")
    ax.set_title(title or "rate–distortion plane")
    ax.legend(loc="upper right", fontsize="small")
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

    `betas`: β >= 0 of each model; `counts`: its number of active units, an integer >= 0 (at
    most `latent_dim` when given). The β values are placed evenly along the x-axis (a sweep is
    usually near-geometric and may start at 0), labelled with their values. `latent_dim` draws
    the ceiling d; `onset`, one of `betas`, marks the β where collapse begins (e.g. from
    `vaelib.collapse_onset`) with a vertical line.
    """
    b = check.reals(betas, "betas", minimum=0)
    counts = check.sequence(counts, "counts")
    if len(b) != len(counts):
        raise ValueError(f"got {len(b)} values of β but {len(counts)} counts; pass one count per β")
    _check_count(len(b), "betas")
    if latent_dim is not None:
        latent_dim = check.integer(latent_dim, "latent_dim", 1, 1 << 20)
    ceiling = latent_dim if latent_dim is not None else 1 << 20
    counts = [check.integer(c, f"counts[{i}]", 0, ceiling) for i, c in enumerate(counts)]
    if onset is not None:
        onset = check.number(onset, "onset")
        if onset not in b.tolist():
            raise ValueError(f"onset {onset} is not one of the β values {b.tolist()}")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6, 3.5)
    positions = np.arange(len(b))
    ax.plot(positions, counts, marker="o", label="active units")
    if latent_dim is not None:
        ax.axhline(latent_dim, color="black", lw=1, ls=":", label=f"$d$ = {latent_dim}")
    if onset is not None:
        ax.axvline(
            b.tolist().index(onset),
            color="tab:red",
            lw=1,
            ls="--",
            label=f"collapse begins (β = {onset:g})",
        )
    ax.set_xticks(positions)
    ax.set_xticklabels([f"{beta:g}" for beta in b])
    ax.set_xlabel("β (evenly spaced positions)")
    ax.set_ylabel("active units (count)")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "active units against β")
    ax.legend(fontsize="small")
    return fig


def plot_iwae_bounds(
    ks: Sequence[int],
    bounds: Sequence[float],
    elbo: float | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """The importance-weighted bound 𝓛_k (nats per image) against the number of samples k.

    `ks`: the k >= 1 of each estimate; `bounds`: 𝓛_k, e.g. from `vaelib.iwae_log_likelihood`.
    `elbo`, if given, is drawn as a horizontal reference line (𝓛_1 estimates the same quantity).
    k is on a log scale.
    """
    ks = check.sequence(ks, "ks")
    values = check.reals(bounds, "bounds")
    if len(ks) != len(values):
        raise ValueError(
            f"got {len(ks)} values of k but {len(values)} bounds; pass one bound per k"
        )
    _check_count(len(ks), "ks")
    ks = [check.integer(k, f"ks[{i}]", 1, 1 << 40) for i, k in enumerate(ks)]
    if elbo is not None:
        elbo = check.number(elbo, "elbo")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 5.5, 3.5)
    ax.plot(ks, values.tolist(), marker="o", label=r"$\mathcal{L}_k$ (IWAE)")
    if elbo is not None:
        ax.axhline(elbo, color="black", ls="--", lw=1, label="ELBO")
    ax.set_xscale("log")
    ax.set_xticks(ks)
    ax.set_xticklabels([str(k) for k in ks])
    ax.set_xlabel("importance samples $k$ per image (log scale)")
    ax.set_ylabel("bound on log p(x) (nats per image)")
    ax.set_title(title or r"$\mathcal{L}_k$ against $k$")
    ax.legend()
    return fig


def _check_count(count: int, name: str) -> None:
    if count > MAX_POINTS:
        raise ValueError(
            f"{name} holds {count} points, more than the {MAX_POINTS} one figure shows"
        )
