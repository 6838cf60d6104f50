import pytest
import torch

from vaelib import (
    VAE,
    Autoencoder,
    MLPConfig,
    TrainingDivergedError,
    evaluate,
    fit,
    load_mnist,
    load_model,
    save_model,
    seed_everything,
)

SMALL = MLPConfig(hidden_dim=32, latent_dim=4)


def _train(images, seed, **kwargs):
    seed_everything(seed)
    model = VAE(SMALL)
    history = fit(
        model,
        images[:192],
        images[192:],
        epochs=2,
        batch_size=64,
        seed=seed,
        progress=False,
        device="cpu",
        **kwargs,
    )
    return model, history


def test_same_seed_gives_identical_weights_and_history(random_images):
    model_a, history_a = _train(random_images, seed=3)
    model_b, history_b = _train(random_images, seed=3)
    assert history_a == history_b
    for a, b in zip(model_a.state_dict().values(), model_b.state_dict().values()):
        assert torch.equal(a, b)


def test_different_seeds_give_different_weights_and_history(random_images):
    model_a, history_a = _train(random_images, seed=3)
    model_b, history_b = _train(random_images, seed=4)
    assert history_a.train_loss != history_b.train_loss
    assert not torch.equal(model_a.to_mu.weight, model_b.to_mu.weight)


def test_history_records_every_epoch_and_the_parts_add_up(random_images):
    _, history = _train(random_images, seed=0, beta=2.0)
    assert history.epoch == [1, 2]
    for loss, rec, kl in zip(history.test_loss, history.test_reconstruction, history.test_kl):
        assert loss == pytest.approx(rec + 2.0 * kl, rel=1e-5)


def test_kl_warm_up_raises_beta_linearly_to_its_target(random_images):
    # 192 images in batches of 64: 3 steps per epoch; a 2-epoch warm-up ends at step 6
    seed_everything(0)
    history = fit(
        VAE(SMALL),
        random_images[:192],
        epochs=3,
        batch_size=64,
        beta=4.0,
        warmup_epochs=2,
        progress=False,
        device="cpu",
    )
    assert history.beta == pytest.approx([2.0, 4.0, 4.0])


def test_autoencoder_trains_on_reconstruction_alone(random_images):
    seed_everything(0)
    history = fit(Autoencoder(SMALL), random_images, epochs=1, progress=False, device="cpu")
    assert history.train_kl == [0.0]
    assert history.train_loss == history.train_reconstruction


def test_nan_loss_stops_training_naming_epoch_and_step(random_images):
    model = VAE(SMALL)
    with torch.no_grad():
        model.to_mu.weight.fill_(float("nan"))
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 1 of 4"):
        fit(model, random_images, epochs=1, batch_size=64, progress=False, device="cpu")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": -1.0}, "beta must be finite and >= 0"),
        ({"beta": float("nan")}, "beta must be finite and >= 0"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"warmup_epochs": -2}, "warmup_epochs must be finite and >= 0"),
    ],
)
def test_bad_training_settings_are_named(random_images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit(VAE(SMALL), random_images, progress=False, **kwargs)


def test_empty_nan_and_misshapen_data_are_rejected(random_images):
    with pytest.raises(ValueError, match="train is empty"):
        fit(VAE(SMALL), random_images[:0], progress=False)
    with pytest.raises(ValueError, match="must have shape"):
        fit(VAE(SMALL), random_images.view(-1, 784), progress=False)
    broken = random_images.clone()
    broken[3, 0, 5, 5] = float("nan")
    with pytest.raises(ValueError, match="train contains NaN"):
        fit(VAE(SMALL), broken, progress=False)


def test_only_vaelib_models_are_trained(random_images):
    with pytest.raises(TypeError, match="VAE or Autoencoder"):
        fit(torch.nn.Linear(784, 784), random_images, progress=False)


def test_evaluate_is_deterministic(random_images):
    model = VAE(SMALL)
    assert evaluate(model, random_images) == evaluate(model, random_images)


def test_checkpoints_round_trip(tmp_path, random_images):
    for model in (VAE(SMALL), Autoencoder(SMALL)):
        path = save_model(model, tmp_path / f"{type(model).__name__}.pt")
        loaded = load_model(path)
        assert type(loaded) is type(model) and loaded.config == model.config
        for a, b in zip(model.state_dict().values(), loaded.state_dict().values()):
            assert torch.equal(a, b)
        torch.testing.assert_close(
            loaded.reconstruct(random_images), model.reconstruct(random_images)
        )


def test_loading_a_file_that_is_not_a_checkpoint_is_a_clear_error(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a checkpoint written by vaelib.save_model"):
        load_model(tmp_path / "junk.pt")
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_model(tmp_path / "missing.pt")


def test_a_short_run_on_real_images_lowers_the_test_loss(real_data_root):
    train = load_mnist("train", root=real_data_root).subset(3000)
    test = load_mnist("test", root=real_data_root).subset(1000)
    seed_everything(0)
    model = VAE()
    before = evaluate(model, test)["loss"]
    history = fit(model, train, test, epochs=2, progress=False, device="cpu")
    assert history.test_loss[-1] < 0.5 * before
    assert history.test_loss[1] < history.test_loss[0]
