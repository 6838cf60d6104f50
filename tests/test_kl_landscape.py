"""The KL landscape figure of chapter 3."""

import pytest
from matplotlib.figure import Figure

from vaelib import plots


def test_plot_kl_landscape_returns_a_labelled_figure():
    fig = plots.plot_kl_landscape(n=21)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "μ" in ax.get_xlabel() and "σ" in ax.get_ylabel()
    assert ax.get_title()


def test_plot_kl_landscape_marks_the_minimum_at_mu_0_sigma_1():
    fig = plots.plot_kl_landscape(n=21)
    star = [line for line in fig.axes[0].lines if line.get_marker() == "*"]
    assert len(star) == 1
    assert list(star[0].get_xdata()) == [0] and list(star[0].get_ydata()) == [1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mu_max": 0.0},
        {"mu_max": 1e6},
        {"sigma_range": (0.0, 2.0)},
        {"sigma_range": (2.0, 1.0)},
        {"sigma_range": (1.0, 1.0 + 1e-12)},
        {"sigma_range": (1e-9, 1.0)},
        {"sigma_range": (1.0,)},
        {"n": 0},
        {"n": 1},
        {"n": 5000},
    ],
)
def test_plot_kl_landscape_rejects_bad_ranges_naming_the_argument(kwargs):
    (name,) = kwargs
    with pytest.raises(ValueError, match=name):
        plots.plot_kl_landscape(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"mu_max": "3"}, {"sigma_range": "ab"}, {"n": 20.0}, {"title": 1}, {"ax": 1}]
)
def test_plot_kl_landscape_rejects_wrong_types_naming_the_argument(kwargs):
    (name,) = kwargs
    with pytest.raises(TypeError, match=name):
        plots.plot_kl_landscape(**kwargs)


def test_plot_kl_landscape_draws_at_the_edges_of_its_documented_ranges():
    for kwargs in ({"mu_max": 1e-3, "sigma_range": (0.999, 1.001)}, {"sigma_range": (1e-3, 100)}):
        png = plots.plot_kl_landscape(n=2, **kwargs)._repr_png_()
        assert png.startswith(b"\x89PNG")
