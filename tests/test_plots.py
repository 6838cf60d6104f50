from fnmatch import fnmatch
from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

import vaelib
from vaelib import VAE, History, MLPConfig, plots
from vaelib._checks import NonFiniteError


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


def test_no_module_of_vaelib_passes_300_lines():
    package = Path(vaelib.__file__).parent
    lengths = {
        str(path.relative_to(package)): len(path.read_text().splitlines())
        for path in package.rglob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > 300} == {}


def test_every_vaelib_package_is_listed_for_installation():
    """A wheel must hold `vaelib.plots` (a package since the split), not just `vaelib`."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(vaelib.__file__).parent
    packages = tomllib.loads((root.parent / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = packages["packages"]
    found = {
        ".".join(path.parent.relative_to(root.parent).parts) for path in root.rglob("__init__.py")
    }
    if isinstance(packages, list):
        assert found <= set(packages)
    else:  # packages.find: every package must match an include pattern
        patterns = packages["find"].get("include", ["*"])
        assert all(any(fnmatch(name, p) for p in patterns) for name in found)


def test_uint8_images_are_refused_with_the_fix():
    with pytest.raises(TypeError, match="255") as error:
        plots.plot_image_grid(torch.zeros(4, 1, 28, 28, dtype=torch.uint8))
    assert "images" in str(error.value)


def test_logits_are_refused_with_a_hint_to_apply_the_sigmoid(images):
    with pytest.raises(ValueError, match="sigmoid"):
        plots.plot_reconstructions(images, 3 * images - 1)


def test_float_rounding_just_above_one_is_drawn():
    assert isinstance(plots.plot_image_grid(torch.full((2, 1, 28, 28), 1 + 1e-6)), Figure)


def test_nan_images_raise_the_non_finite_error(images):
    with pytest.raises(NonFiniteError, match="images"):
        plots.plot_image_grid(images.masked_fill(images > 0.9, float("nan")))


@pytest.mark.parametrize("nrow", [0, -1, 2.5, True, "8"])
def test_a_bad_nrow_is_named(images, nrow):
    with pytest.raises((TypeError, ValueError), match="nrow"):
        plots.plot_image_grid(images, nrow=nrow)


def test_empty_inputs_are_named():
    with pytest.raises(ValueError, match="images is empty"):
        plots.plot_image_grid(torch.rand(0, 1, 28, 28))
    with pytest.raises(ValueError, match="codes is empty"):
        plots.plot_latent_scatter(torch.rand(0, 2), torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match="rates is empty"):
        plots.plot_rate_distortion([], [], [])
    with pytest.raises(ValueError, match="rows"):
        plots.plot_image_rows([], [])
    with pytest.raises(ValueError, match="history has no epochs"):
        plots.plot_loss_curves(History())


def test_tensors_that_require_grad_are_drawn():
    codes = torch.randn(50, 2, requires_grad=True)
    labels = torch.randint(0, 10, (50,))
    assert isinstance(plots.plot_latent_scatter(codes * 2, labels), Figure)
    assert isinstance(plots.plot_latent_marginals(codes * 2, dims=(0, 1)), Figure)
    assert isinstance(plots.plot_kl_per_dimension(codes.exp().mean(0)), Figure)
    x = torch.rand(4, 1, 28, 28, requires_grad=True)
    assert isinstance(plots.plot_image_grid(x * 1), Figure)


def test_latent_arguments_are_checked_against_the_codes():
    codes, labels = torch.randn(20, 3), torch.randint(0, 10, (20,))
    with pytest.raises(ValueError, match=r"dims\[1\] must be an integer between 0 and 2"):
        plots.plot_latent_scatter(codes, labels, dims=(0, 3))
    with pytest.raises(TypeError, match="labels must be an integer tensor"):
        plots.plot_latent_scatter(codes, labels.float())
    with pytest.raises(ValueError, match="20 codes but 19 labels"):
        plots.plot_latent_scatter(codes, labels[:19])
    with pytest.raises(ValueError, match="dims"):
        plots.plot_latent_marginals(codes, dims=(0, 1, 2, 3))


def test_titles_labels_and_axes_are_checked(images):
    with pytest.raises(TypeError, match="title must be a string"):
        plots.plot_image_grid(images, title=3)
    with pytest.raises(ValueError, match="title .* mathtext"):
        plots.plot_image_grid(images, title="$x^$")
    with pytest.raises(TypeError, match=r"labels\[0\] must be a string"):
        plots.plot_image_rows([images], [1])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plots.plot_kl_per_dimension(torch.rand(3), ax="left")
    with pytest.raises(ValueError, match="at most one label per reconstruction"):
        plots.plot_reconstructions(images, images, labels=["a", "b"])


def test_a_history_with_mismatched_lengths_is_named():
    history = History(epoch=[1, 2], train_reconstruction=[1.0], train_kl=[1.0, 0.5])
    with pytest.raises(ValueError, match="history.train_reconstruction has 1 values for 2 epochs"):
        plots.plot_loss_curves(history)
    with pytest.raises(TypeError, match=r"histories\[1\] must be a vaelib.History"):
        plots.plot_rate_per_epoch([History(epoch=[1], train_kl=[1.0]), {}], ["a", "b"])


def test_sweep_values_are_checked():
    with pytest.raises(ValueError, match=r"rates must be >= 0"):
        plots.plot_rate_distortion([-1.0], [2.0], [1])
    with pytest.raises(ValueError, match=r"counts\[0\] must be an integer between 0 and 3"):
        plots.plot_active_units([0, 1], [4, 2], latent_dim=3)
    with pytest.raises(ValueError, match=r"ks\[0\] must be an integer between 1"):
        plots.plot_iwae_bounds([0, 5], [-1.0, -0.5])
    with pytest.raises(ValueError, match="threshold must be > 0"):
        plots.plot_kl_heatmap(torch.rand(2, 3), [1, 2], threshold=0)


def test_the_manifold_checks_the_model_and_n_and_keeps_the_training_mode():
    model = VAE(MLPConfig(hidden_dim=8, latent_dim=2))
    model.train()
    plots.plot_latent_manifold(model, n=3)
    assert model.training
    with pytest.raises(TypeError, match="model must be a vaelib VAE"):
        plots.plot_latent_manifold("vae")
    with pytest.raises(ValueError, match="n must be an integer between 1 and 100"):
        plots.plot_latent_manifold(model, n=1000)


def test_a_grid_wider_than_its_images_is_not_padded_with_blank_columns(images):
    assert plots.plot_image_grid(images[:2], nrow=8).get_figwidth() == pytest.approx(1.6)
