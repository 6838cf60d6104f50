import math
import threading

import numpy as np
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
    sweep_beta,
)
from vaelib.train.divergence import DivergenceGuard

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
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 1 of 4") as error:
        fit(model, random_images, epochs=1, batch_size=64, progress=False, device="cpu")
    assert "not finite" in str(error.value) and "as it was passed in" in str(error.value)


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


def test_an_exploding_but_finite_loss_is_divergence(random_images):
    seed_everything(0)
    model = VAE(SMALL)
    with pytest.raises(TrainingDivergedError, match="explode_factor=100 times") as error:
        fit(model, random_images, epochs=2, batch_size=64, lr=10.0, progress=False, device="cpu")
    assert (error.value.epoch, error.value.step) == (1, 2)
    assert math.isfinite(error.value.loss) and error.value.loss > error.value.limit
    assert "lr=10" in str(error.value)


def test_with_an_infinite_explode_factor_only_non_finite_losses_stop_training(random_images):
    seed_everything(0)
    history = fit(
        VAE(SMALL), random_images, epochs=1, batch_size=64, lr=0.3, progress=False,
        device="cpu", explode_factor=math.inf,
    )  # fmt: skip
    assert max(history.train_loss) > 100 * 550  # it exploded, and trained on
    with pytest.raises(ValueError, match="explode_factor must be > 1"):
        fit(VAE(SMALL), random_images, explode_factor=1, progress=False)


def test_after_divergence_the_weights_are_those_before_the_diverging_step(random_images):
    seed_everything(0)
    model = VAE(SMALL)
    initial = _weights(model)
    with pytest.raises(TrainingDivergedError, match="restored to their state before") as error:
        fit(model, random_images, epochs=2, batch_size=64, lr=10.0, progress=False, device="cpu")
    # step 2 diverged: the weights are those before step 1's update, the initial ones
    assert all(torch.equal(a, b) for a, b in zip(initial, _weights(model)))
    assert error.value.restored and len(error.value.history) == 0


def test_the_guard_restores_the_weights_saved_before_the_last_step():
    model = torch.nn.Linear(2, 2)
    guard = DivergenceGuard(model, explode_factor=100.0, steps_per_epoch=5, lr=1.0)
    guard.check(10.0, epoch=1, step=1)
    guard.save()
    with torch.no_grad():
        model.weight += 1  # the optimiser's first step
    guard.check(12.0, epoch=1, step=2)
    guard.save()
    before_second_step = _weights(model)
    with torch.no_grad():
        model.weight *= 1e6  # the diverging step
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 3 of 5") as error:
        guard.check(5000.0, epoch=1, step=3)  # > 100 × max(first loss 10, 1)
    assert all(torch.equal(a, b) for a, b in zip(before_second_step, _weights(model)))
    assert "their loss was 12 nats per image" in str(error.value)


def test_the_reference_is_the_largest_of_first_loss_last_epoch_mean_and_one_nat():
    guard = DivergenceGuard(torch.nn.Linear(1, 1), explode_factor=10.0, steps_per_epoch=1, lr=1.0)
    assert guard.limit() == 10.0  # 1 nat before any loss
    guard.check(0.5, epoch=1, step=1)
    assert guard.limit() == 10.0
    guard.end_epoch(40.0)
    assert guard.limit() == 400.0
    guard.end_epoch(3.0)
    assert guard.limit() == 10.0 * 3.0


def test_a_retry_after_divergence_trains_normally_from_the_restored_weights(random_images):
    seed_everything(0)
    model = VAE(SMALL)
    with pytest.raises(TrainingDivergedError):
        fit(model, random_images, epochs=1, batch_size=64, lr=10.0, progress=False, device="cpu")
    history = fit(model, random_images, epochs=2, batch_size=64, progress=False, device="cpu")
    assert history.train_loss[-1] < history.train_loss[0] < 600


@pytest.mark.parametrize(
    "options",
    [
        {"beta": 100.0},
        {"beta": 100.0, "warmup_epochs": 2},
        {"beta": 100.0, "free_bits": 2.0},
        {"beta": 100.0, "capacity": 15.0},
        {"beta": 0.0},
    ],
)
def test_the_divergence_rule_does_not_fire_on_normal_training(random_images, options):
    seed_everything(0)
    history = fit(
        VAE(SMALL), random_images, epochs=3, batch_size=32, progress=False, device="cpu",
        **options,
    )  # fmt: skip
    assert len(history) == 3


def test_fit_leaves_the_global_random_generator_alone(random_images):
    model = VAE(SMALL)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    fit(model, random_images, random_images[:64], epochs=1, progress=False, device="cpu")
    evaluate(model, random_images)
    sweep_beta([1.0], random_images[:64], epochs=1, config=SMALL, device="cpu")
    assert torch.equal(torch.get_rng_state(), state)


def test_fit_in_two_threads_draws_the_random_numbers_of_two_runs_one_after_the_other(
    random_images,
):
    """What `fit`'s seed promises (vaelib.train.loop): its own generator, whatever other threads
    draw. The arithmetic of two runs at once may differ in the last bits (threads of the math
    library), so the results are compared to a tolerance, not bit for bit."""

    def build():
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return VAE(SMALL)

    def run(model, results, i):
        results[i] = fit(
            model, random_images, random_images[:64], epochs=3, batch_size=32, seed=5,
            progress=False, device="cpu",
        )  # fmt: skip

    sequential, parallel = [None, None], [None, None]
    models = [build() for _ in range(4)]
    for i in range(2):
        run(models[i], sequential, i)
    threads = [threading.Thread(target=run, args=(models[2 + i], parallel, i)) for i in range(2)]
    for thread in threads:
        thread.start()
    for _ in range(50):  # the main thread draws from the global generator meanwhile
        torch.randn(100)
    for thread in threads:
        thread.join()
    assert sequential[0] == sequential[1]
    for history in parallel:
        for name, values in history.to_dict().items():
            np.testing.assert_allclose(values, getattr(sequential[0], name), rtol=1e-4)
    for a, b in zip(models[0].parameters(), models[3].parameters()):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-5)


def test_fit_accepts_numpy_integer_seeds_and_sizes(random_images):
    a = _train(random_images, seed=np.int64(3))[1]
    assert a == _train(random_images, seed=3)[1]
    seed_everything(0)
    fit(VAE(SMALL), random_images, epochs=np.int32(1), batch_size=np.int64(64), progress=False)


def test_fit_and_evaluate_restore_the_model_mode_even_after_an_error(random_images):
    model = VAE(SMALL)
    model.eval()
    fit(model, random_images[:64], epochs=1, progress=False, device="cpu")
    assert not model.training
    model.train()
    with torch.no_grad():
        model.to_mu.weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="NaN"):
        evaluate(model, random_images)
    assert model.training
    with pytest.raises(TrainingDivergedError):
        fit(model.eval(), random_images[:64], epochs=1, progress=False, device="cpu")
    assert not model.training


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
    assert evaluate(model, random_images, seed=1) != evaluate(model, random_images, seed=2)


def test_evaluate_needs_a_positive_batch_size(random_images):
    for batch_size in (-1, 0):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            evaluate(VAE(SMALL), random_images, batch_size=batch_size)


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


def test_fit_checks_the_data_once_and_the_model_checks_only_types_and_shapes(random_images):
    """No switch: the models' methods make no pass over the values, which `fit` checks up front."""
    model = VAE(SMALL)
    logits, _, _ = model(random_images[:4] * 255)  # the training loop's own call: no scan
    assert logits.shape == (4, 1, 28, 28)
    with pytest.raises(ValueError, match=r"train must hold pixel intensities in \[0, 1\]"):
        fit(model, random_images[:4] * 255, epochs=1, progress=False, device="cpu")
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 1, 28, 28\)"):
        model(random_images[:4].flatten(start_dim=1))


def test_a_divergence_in_the_last_and_only_step_is_reported(random_images):
    model = VAE(SMALL)
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(TrainingDivergedError, match="the last step of the run") as caught:
        fit(model, random_images[:64], epochs=1, batch_size=64, lr=1e30, progress=False,
            device="cpu")  # fmt: skip
    assert caught.value.restored and len(caught.value.history) == 0
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_a_test_loss_that_explodes_while_training_looks_fine_is_reported():
    black, white = torch.zeros(64, 1, 28, 28), torch.ones(64, 1, 28, 28)
    seed_everything(0)
    model = VAE(SMALL)
    with pytest.raises(TrainingDivergedError, match="the test loss diverged") as caught:
        fit(model, black, white, epochs=5, batch_size=16, lr=1e-2, explode_factor=5,
            progress=False, device="cpu")  # fmt: skip
    assert not caught.value.restored
    assert all(math.isfinite(loss) for loss in caught.value.history.train_loss)
    assert caught.value.loss > caught.value.limit


def test_nan_weights_in_the_model_passed_to_fit_stop_training_at_the_first_step(random_images):
    model = VAE()
    with torch.no_grad():
        model.decoder[0].weight[0, 0] = float("nan")
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 1 .*not finite"):
        fit(model, random_images[:64], epochs=1, device="cpu", progress=False)
