"""Saving and loading models: a round trip is exact, and every kind of bad file or argument gets
its own error, raised before anything large is built."""

import time

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vaelib import VAE, Autoencoder, MLPConfig, load_model, save_model
from vaelib._support.checks import NonFiniteError

TINY = MLPConfig(hidden_dim=4, latent_dim=2)


def _write(path, model="VAE", config=None, state=None):
    """Write a checkpoint by hand, as a corrupt or hostile file could be."""
    config = {"image_shape": (1, 28, 28), "hidden_dim": 4, "latent_dim": 2, **(config or {})}
    state = VAE(TINY).state_dict() if state is None else state
    torch.save({"model": model, "config": config, "state_dict": state}, path)
    return path


@pytest.mark.parametrize("cls", [VAE, Autoencoder])
def test_a_round_trip_restores_the_class_config_and_weights(tmp_path, cls):
    model = cls(TINY)
    loaded = load_model(save_model(model, tmp_path / "m.pt"))
    assert type(loaded) is cls and loaded.config == TINY
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), name


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_cuda_without_it_blames_the_device_not_the_file(tmp_path):
    path = save_model(VAE(TINY), tmp_path / "m.pt")
    with pytest.raises(ValueError, match="not available on this machine") as error:
        load_model(path, device="cuda")
    assert "device" in str(error.value) and "not a checkpoint" not in str(error.value)


def test_an_unknown_device_name_is_named(tmp_path):
    path = save_model(VAE(TINY), tmp_path / "m.pt")
    with pytest.raises(ValueError, match="device 'gpu'"):
        load_model(path, device="gpu")
    with pytest.raises(TypeError, match="device"):
        load_model(path, device=0.5)


def test_a_config_far_out_of_bounds_is_refused_before_anything_is_built(tmp_path):
    path = _write(tmp_path / "huge.pt", config={"hidden_dim": 10**9})
    start = time.perf_counter()
    with pytest.raises(
        ValueError, match=r"hidden_dim must be an integer in 1 … 16384, got 1000000000"
    ):
        load_model(path)
    assert time.perf_counter() - start < 2


def test_a_config_in_bounds_that_does_not_match_its_weights_allocates_nothing(tmp_path):
    # 4 × 512 × 512 inputs and 16384 hidden units would be 68 GB of weights: only the meta
    # device can build that, and the shape check must stop before a real model is built.
    config = {"image_shape": (4, 512, 512), "hidden_dim": 16384, "latent_dim": 1024}
    path = _write(tmp_path / "big.pt", config=config)
    with pytest.raises(ValueError, match="has shape .* but the saved config needs"):
        load_model(path)


@pytest.mark.parametrize(
    "field, value",
    [
        ("latent_dim", 0),
        ("latent_dim", 2.0),
        ("latent_dim", True),
        ("hidden_dim", "400"),
        ("image_shape", (1, 28)),
        ("image_shape", (1, 28, 10**6)),
    ],
)
def test_each_bad_config_field_is_named(tmp_path, field, value):
    path = _write(tmp_path / "bad.pt", config={field: value})
    expected = "width" if value == (1, 28, 10**6) else field
    with pytest.raises(ValueError, match=expected):
        load_model(path)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"model": "GAN"}, "unknown model class 'GAN'"),
        ({"model": ["VAE"]}, "unknown model class"),
        ({"config": {"depth": 3}}, r"unknown fields \['depth'\]"),
        ({"state": {"decoder.0.weight": torch.zeros(4, 2)}}, "weights missing"),
        ({"state": {k: v.long() for k, v in VAE(TINY).state_dict().items()}}, "floating point"),
    ],
)
def test_a_checkpoint_with_foreign_contents_is_a_clear_error(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_model(_write(tmp_path / "x.pt", **kwargs))


def test_non_finite_weights_are_refused_when_saving_and_loading(tmp_path):
    model = VAE(TINY)
    with torch.no_grad():
        model.to_mu.weight.fill_(float("nan"))
    with pytest.raises(NonFiniteError, match="to_mu.weight"):
        save_model(model, tmp_path / "nan.pt")
    with pytest.raises(NonFiniteError, match="to_mu.weight"):
        load_model(_write(tmp_path / "nan.pt", state=model.state_dict()))


def test_files_folders_and_permissions_each_get_their_own_error(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_model(tmp_path / "missing.pt")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load_model(tmp_path)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save_model(VAE(TINY), tmp_path)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a checkpoint written by vaelib.save_model"):
        load_model(tmp_path / "junk.pt")
    path = save_model(VAE(TINY), tmp_path / "m.pt")

    def no_permission(*args, **kwargs):  # what torch.load meets on a file mode 000
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(torch, "load", no_permission)
    with pytest.raises(PermissionError, match="permission denied") as error:
        load_model(path)
    assert "not a checkpoint" not in str(error.value)


def test_bad_arguments_to_save_and_load_are_named(tmp_path):
    with pytest.raises(TypeError, match="model must be a vaelib VAE"):
        save_model(torch.nn.Linear(2, 2), tmp_path / "m.pt")
    with pytest.raises(TypeError, match="path"):
        save_model(VAE(TINY), 3)
    with pytest.raises(TypeError, match="path"):
        load_model(None)
    with pytest.raises(ValueError, match="path is an empty string"):
        load_model("")


SIZES = st.integers(-3, 40) | st.sampled_from([10**9, 2.0, "4", None, True])


@settings(max_examples=25, deadline=None)
@given(hidden_dim=SIZES, latent_dim=SIZES)
def test_any_saved_config_loads_or_names_the_bad_field(tmp_path_factory, hidden_dim, latent_dim):
    path = tmp_path_factory.mktemp("ck") / "c.pt"
    _write(path, config={"hidden_dim": hidden_dim, "latent_dim": latent_dim})
    matches = (hidden_dim, latent_dim) == (4, 2) and all(
        type(v) is int for v in (hidden_dim, latent_dim)
    )
    if matches:
        assert load_model(path).config == TINY
        return
    with pytest.raises(ValueError) as error:
        load_model(path)
    message = str(error.value)
    assert "hidden_dim" in message or "latent_dim" in message or "shape" in message, message
