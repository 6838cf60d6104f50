"""The β sweep helpers, the onset of collapse, and the figures of chapters 6 and 7."""

import pytest
import torch
from matplotlib.figure import Figure

import vaelib
import vaelib.train.loop
from vaelib import VAE, History, MLPConfig, collapse_onset, plots, sweep_beta

TINY = MLPConfig(hidden_dim=16, latent_dim=3)


def test_sweep_beta_returns_one_trained_model_per_beta_in_order(random_images):
    runs = sweep_beta([0.0, 4.0], random_images[:64], epochs=1, config=TINY, device="cpu")
    assert len(runs) == 2
    for (model, history), beta in zip(runs, [0.0, 4.0]):
        assert isinstance(model, VAE) and model.config == TINY
        assert isinstance(history, History) and history.beta == [beta]


def test_sweep_beta_models_start_from_the_same_weights(random_images):
    # With lr=0 nothing is learnt, so the models must still hold identical initial weights.
    runs = sweep_beta([1.0, 2.0], random_images[:64], epochs=1, config=TINY, lr=0.0, device="cpu")
    first, second = (model.state_dict() for model, _ in runs)
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_sweep_beta_with_beta_zero_has_a_higher_rate_than_a_large_beta(random_images):
    runs = sweep_beta([0.0, 50.0], random_images, epochs=3, config=TINY, device="cpu")
    rates = [vaelib.evaluate(model, random_images)["kl"] for model, _ in runs]
    assert rates[0] > rates[1]


def test_sweep_beta_passes_fit_options_through(random_images):
    ((_, history),) = sweep_beta(
        [2.0], random_images[:64], epochs=2, config=TINY, warmup_epochs=2, device="cpu"
    )
    assert history.beta[0] < 2.0 and history.beta[-1] == 2.0


def test_sweep_beta_needs_at_least_one_beta(random_images):
    with pytest.raises(ValueError, match="at least one"):
        sweep_beta([], random_images)


def test_sweep_beta_checks_every_beta_before_training_any_model(random_images, monkeypatch):
    monkeypatch.setattr(vaelib.train.loop, "fit", lambda *a, **k: pytest.fail("trained a model"))
    with pytest.raises(ValueError, match="each value of betas must be finite and >= 0, got -1.0"):
        sweep_beta([0.0, 1.0, -1.0], random_images)
    with pytest.raises(TypeError, match="betas must be a list or tuple, got float"):
        sweep_beta(4.0, random_images)


def test_sweep_beta_builds_the_same_weights_as_seed_everything_and_keeps_the_global_state(
    random_images,
):
    torch.manual_seed(7)
    state = torch.get_rng_state()
    ((model, _),) = sweep_beta([1.0], random_images[:64], config=TINY, lr=0.0, device="cpu")
    assert torch.equal(torch.get_rng_state(), state)
    vaelib.seed_everything(0)
    expected = VAE(TINY)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), expected.parameters()))


def test_collapse_onset_is_the_first_beta_below_the_fraction():
    betas, counts = [0, 1, 4, 16], [20, 15, 9, 3]
    assert collapse_onset(betas, counts, latent_dim=20) == 4  # 9 < 10
    assert collapse_onset(betas, counts, latent_dim=20, fraction=1.0) == 1  # 15 < 20
    assert collapse_onset(betas, counts, latent_dim=20, fraction=0.1) is None  # never < 2


def test_collapse_onset_counts_exactly_half_as_not_collapsed():
    assert collapse_onset([1, 2], [10, 10], latent_dim=20) is None


def test_collapse_onset_rejects_bad_input():
    with pytest.raises(ValueError, match="betas and active_counts must be paired"):
        collapse_onset([0, 1], [3], latent_dim=3)
    with pytest.raises(ValueError, match="active_counts must be <= latent_dim=3"):
        collapse_onset([0, 1], [3, 4], latent_dim=3)
    with pytest.raises(TypeError, match="fraction must be a number"):
        collapse_onset([0, 1], [3, 3], latent_dim=3, fraction="half")
    with pytest.raises(ValueError, match="increasing"):
        collapse_onset([1, 0], [3, 3], latent_dim=3)
    with pytest.raises(ValueError, match="fraction"):
        collapse_onset([0, 1], [3, 3], latent_dim=3, fraction=0)


def test_rate_distortion_plot_labels_axes_in_nats_and_names_each_point():
    fig = plots.plot_rate_distortion([30.0, 10.0, 2.0], [80.0, 95.0, 130.0], [0.5, 4, "plain"])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "nats per image" in ax.get_xlabel() and "nats per image" in ax.get_ylabel()
    assert [t.get_text() for t in ax.texts] == ["β = 0.5", "β = 4", "plain"]
    with pytest.raises(ValueError, match="labels"):
        plots.plot_rate_distortion([1.0], [2.0, 3.0], [1])


def test_kl_heatmap_sorts_each_row_from_largest_to_smallest():
    kl = torch.tensor([[0.0, 3.0, 1.0], [2.0, 0.5, 0.0]])
    fig = plots.plot_kl_heatmap(kl, [1, 8])
    image = fig.axes[0].collections[0].get_array().reshape(2, 3)  # seaborn's heatmap mesh
    assert image[0].tolist() == pytest.approx([3.0, 1.0, 0.01])  # clamped at the threshold
    assert image[1].tolist() == pytest.approx([2.0, 0.5, 0.01])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["β = 1", "β = 8"]
    with pytest.raises(ValueError, match="one row per label"):
        plots.plot_kl_heatmap(kl, [1])


def test_active_units_plot_marks_the_ceiling_and_the_onset():
    fig = plots.plot_active_units([0, 1, 4], [20, 12, 5], latent_dim=20, onset=4)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "active units (count)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "4"]
    assert len(ax.lines) == 3  # the counts, the ceiling d and the onset
    with pytest.raises(ValueError, match="not one of"):
        plots.plot_active_units([0, 1], [3, 2], onset=2)


def test_image_rows_draw_one_labelled_row_per_tensor(random_images):
    fig = plots.plot_image_rows([random_images[:4], random_images[4:8]], ["a", "b"], title="t")
    assert [ax.get_ylabel() for ax in fig.axes] == ["a", "b"]
    with pytest.raises(ValueError, match="same|every row"):
        plots.plot_image_rows([random_images[:4], random_images[:3]], ["a", "b"])


def test_rate_per_epoch_plots_one_line_per_history():
    history = History(epoch=[1, 2], train_kl=[20.0, 5.0])
    fig = plots.plot_rate_per_epoch([history, history], ["plain", "warm-up"])
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    assert "nats per image" in ax.get_ylabel()
