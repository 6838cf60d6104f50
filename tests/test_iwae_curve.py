"""The figure of the importance-weighted bound against the number of samples k (chapter 8)."""

import pytest
from matplotlib.figure import Figure

from vaelib.plots import plot_iwae_bounds


def test_plot_iwae_bounds_draws_the_bound_and_the_elbo_on_a_log_k_axis():
    fig = plot_iwae_bounds([1, 5, 50], [-100.0, -98.0, -97.5], elbo=-100.2, title="settles")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert len(ax.lines) == 2  # the bound and the ELBO line
    assert list(ax.lines[0].get_ydata()) == [-100.0, -98.0, -97.5]
    assert "nats" in ax.get_ylabel() and "k" in ax.get_xlabel()
    assert ax.get_title() == "settles"


def test_plot_iwae_bounds_without_elbo_draws_one_line():
    fig = plot_iwae_bounds([1, 10], [-3.0, -2.0])
    assert len(fig.axes[0].lines) == 1


def test_plot_iwae_bounds_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="values of k"):
        plot_iwae_bounds([1, 5], [-1.0])
