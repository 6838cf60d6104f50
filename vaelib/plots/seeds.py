"""Several measures of one sweep against β, each with its spread over seeds, on a shared β axis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from vaelib.plots import _inputs as check
from vaelib.plots._figure import new_figure
from vaelib.plots.traversals import plot_against_beta

MAX_PANELS = 6  # measures stacked in one figure


def plot_measures_against_beta(
    betas: Sequence[float],
    measures: Mapping[str, Sequence[Sequence[float]]],
    onset: float | None = None,
    title: str | None = None,
) -> Figure:
    """One panel per measure, stacked over a shared β axis: each seed a dot, the mean a line.

    `betas`: β > 0 of each setting (log scale). `measures`: maps each measure's axis label (name
    and unit, e.g. "distortion D (nats per image)") to its table, one row per β and one column
    per seed, as `plot_against_beta` draws it. `onset`, one of `betas`, marks with a dashed line
    in every panel the β where posterior collapse begins (e.g. from `vaelib.collapse_onset`).
    """
    if not isinstance(measures, Mapping) or not measures:
        raise TypeError(
            f"measures must be a non-empty dict {{label: table}}, got {type(measures).__name__}"
        )
    if len(measures) > MAX_PANELS:
        raise ValueError(f"at most {MAX_PANELS} measures fit one figure, got {len(measures)}")
    labels = check.texts(list(measures), "the labels of measures")
    b = check.reals(betas, "betas", minimum=0)
    if onset is not None:
        onset = check.number(onset, "onset")
        if onset not in b.tolist():
            raise ValueError(f"onset {onset:g} is not one of the β values {b.tolist()}")
    title = check.title(title)
    fig, axes = new_figure(6, 2.6 * len(labels) + 0.6, nrows=len(labels), sharex=True)
    for ax, label in zip(axes[:, 0], labels):
        plot_against_beta(betas, measures[label], label, title=label, ax=ax)
        ax.set_title("")
        if onset is not None:
            ax.axvline(onset, color="tab:red", lw=1, ls="--", label=f"collapse (β = {onset:g})")
            ax.legend(fontsize="small")
    for ax in axes[:-1, 0]:
        ax.set_xlabel("")
    if title:
        fig.suptitle(title)
    return fig
