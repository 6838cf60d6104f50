"""Figures of training runs: the two loss terms per epoch, the rate of several runs, and the
test NLL of runs on Burda et al.'s schedule beside their published numbers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from matplotlib.figure import Figure

from vaelib.plots import _inputs as check
from vaelib.plots._figure import new_figure, own_axes
from vaelib.train.burda import LikelihoodCurve
from vaelib.train.history import History


def plot_loss_curves(history: History, title: str | None = None) -> Figure:
    """Reconstruction and KL per epoch, in separate panels (their scales differ several-fold).

    `history`: a `History` from `vaelib.fit`, with at least one epoch; the test curves are drawn
    when it holds test numbers. Both axes are in nats per image.
    """
    parts = ["train_reconstruction", "train_kl"]
    if isinstance(history, History) and history.test_loss:
        parts += ["test_reconstruction", "test_kl"]
    check.history(history, "history", parts)
    title = check.title(title)
    fig, axes = new_figure(9, 3.2, ncols=2)
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


def plot_rate_per_epoch(
    histories: Sequence[History], labels: Sequence[str], title: str | None = None, ax=None
) -> Figure:
    """The KL term (the rate R, nats per image) on the training set per epoch, one line per run.

    `histories`: `History` objects returned by `vaelib.fit`; `labels`: one per history. The
    y-axis is logarithmic, so a rate of 2 nats and one of 200 can be read on one figure (a rate
    of exactly 0 has no place on it and is left out).
    """
    histories = check.sequence(histories, "histories")
    labels = check.texts(labels, "labels")
    if len(histories) != len(labels):
        raise ValueError(
            f"got {len(histories)} histories but {len(labels)} labels; pass one label per history"
        )
    if not histories:
        raise ValueError("histories is empty; pass at least one History")
    for i, history in enumerate(histories):
        check.history(history, f"histories[{i}]", ["train_kl"])
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6, 3.5)
    for history, label in zip(histories, labels):
        ax.plot(history.epoch, history.train_kl, marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("rate $R$ = KL (nats per image, log scale)")
    ax.set_title(title or "rate during training")
    ax.legend(fontsize="small")
    return fig


def plot_likelihood_curves(
    curves: dict[str, LikelihoodCurve],
    published: dict[str, tuple[int, float]],
    title: str | None = None,
    ax=None,
) -> Figure:
    """Test NLL (nats per image) against epochs trained, one line per run, ± one standard error,
    with the published results as crosses at the epochs they were reached.

    `curves`: label → `LikelihoodCurve` (e.g. from `vaelib.train_burda`); `published`: label →
    (epochs, NLL), e.g. Burda et al.'s 3,280 epochs. The bars are ± one standard error
    (`curve.nll_se`). The epoch axis is logarithmic, as the schedule's stages are (3^i epochs).
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict of label → LikelihoodCurve")
    for label, curve in curves.items():
        if not isinstance(curve, LikelihoodCurve) or not curve.nll:
            raise ValueError(
                f"curves[{label!r}] must be a LikelihoodCurve with at least one point, got "
                f"{curve!r}; pass the curve vaelib.train_burda returns"
            )
    if not isinstance(published, dict):
        raise TypeError(f"published must be a dict of label → (epochs, NLL), got {published!r}")
    title, ax = check.title(title), check.axes(ax)
    fig, ax = own_axes(ax, 6, 3.5)
    runs, papers = [], []  # legend entries: the runs first, then the published points
    for (label, curve), marker in zip(curves.items(), itertools.cycle("x+*")):
        runs.append(
            ax.errorbar(curve.epochs, curve.nll, yerr=curve.nll_se, marker="o", label=label)
        )
        if label in published:
            epochs, nll = published[label]
            (point,) = ax.plot(
                [epochs],
                [nll],
                marker,
                markersize=10,
                color=runs[-1][0].get_color(),
                label=f"{label}, published ({epochs:,} epochs)",
            )
            papers.append(point)
    ax.set_xscale("log")
    ax.set_xlabel("epochs trained (log scale)")
    ax.set_ylabel("test NLL $-\\mathcal{L}_{5000}$ (nats per image)")
    ax.set_title(title or "test NLL during training")
    ax.legend(handles=runs + papers, fontsize="small")
    return fig
