import re

import pytest
import torch
from matplotlib.figure import Figure

import vaelib
from vaelib import VAE, History, MLPConfig, plots


@pytest.fixture
def images():
    return torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))


def test_image_grid_and_reconstructions_return_figures(images):
    assert isinstance(plots.plot_image_grid(images, nrow=4, title="samples"), Figure)
    fig = plots.plot_reconstructions(images, images.flip(0), labels=["flipped"])
    assert len(fig.axes) == 2


def test_loss_curves_show_reconstruction_and_kl_apart():
    history = History(
        epoch=[1, 2],
        beta=[1.0, 1.0],
        train_loss=[3.0, 2.0],
        train_reconstruction=[2.0, 1.5],
        train_kl=[1.0, 0.5],
        test_loss=[3.1, 2.1],
        test_reconstruction=[2.1, 1.6],
        test_kl=[1.0, 0.5],
    )
    fig = plots.plot_loss_curves(history)
    assert [ax.get_title() for ax in fig.axes] == ["reconstruction term", "KL term"]
    assert "nats per image" in fig.axes[0].get_ylabel()


def test_latent_plots_return_figures():
    codes, labels = torch.randn(100, 3), torch.randint(0, 10, (100,))
    assert isinstance(plots.plot_latent_scatter(codes, labels), Figure)
    assert len(plots.plot_latent_marginals(codes, dims=(0, 2)).axes) == 2
    assert isinstance(plots.plot_kl_per_dimension(torch.rand(5)), Figure)


def test_manifold_needs_a_two_dimensional_latent_space():
    fig = plots.plot_latent_manifold(VAE(MLPConfig(hidden_dim=8, latent_dim=2)), n=5)
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError, match="latent_dim == 2"):
        plots.plot_latent_manifold(VAE(), n=5)


def test_figures_display_themselves_as_png_in_a_notebook(images):
    png = plots.plot_image_grid(images)._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_every_public_figure_of_the_old_module_is_still_exported():
    expected = {
        "BookFigure",
        "plot_active_units",
        "plot_image_grid",
        "plot_image_rows",
        "plot_interpolations",
        "plot_iwae_bounds",
        "plot_kl_heatmap",
        "plot_kl_landscape",
        "plot_kl_per_dimension",
        "plot_latent_manifold",
        "plot_latent_marginals",
        "plot_latent_scatter",
        "plot_loss_curves",
        "plot_rate_distortion",
        "plot_rate_per_epoch",
        "plot_reconstructions",
    }
    assert expected <= set(plots.__all__), "a figure of the old plots.py is no longer exported"
    assert all(callable(getattr(plots, name)) for name in expected)


def test_likelihood_curves_draw_each_run_and_the_published_point():
    curve = vaelib.LikelihoodCurve(epochs=[1, 4], nll=[170.0, 115.0], nll_se=[2.5, 2.4])
    fig = plots.plot_likelihood_curves({"VAE": curve}, {"VAE": (3280, 86.76)})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["VAE", "VAE, published (3,280 epochs)"]  # the runs first
    assert fig._repr_png_().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "curves, published, name",
    [
        ({}, {}, "curves"),
        ({"VAE": vaelib.LikelihoodCurve()}, {}, "curves['VAE']"),
        ({"VAE": [1.0]}, {}, "curves['VAE']"),
        ({"VAE": vaelib.LikelihoodCurve([1], [100.0], [1.0])}, [86.0], "published"),
    ],
)
def test_likelihood_curves_name_the_bad_argument(curves, published, name):
    with pytest.raises((TypeError, ValueError), match=re.escape(name)):
        plots.plot_likelihood_curves(curves, published)
