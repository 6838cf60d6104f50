"""A model kept on disk by `train_vae(..., cache=True)` is the model training gives, bit for bit."""

import pytest
import torch

import vaelib
from vaelib.train import model_cache


def _images(n: int = 96, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def _entries(root) -> list:
    return sorted((root / "models").glob("*.pt"))


def test_a_cached_vae_has_the_weights_and_history_training_gives(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train, test = _images(), _images(32, seed=1)
    kwargs = dict(epochs=2, batch_size=32, beta=2.0, device="cpu")
    trained, trained_history = vaelib.train_vae(train, test, cache=True, **kwargs)
    assert len(_entries(tmp_path)) == 1
    cached, cached_history = vaelib.train_vae(train, test, cache=True, **kwargs)
    fresh, fresh_history = vaelib.train_vae(train, test, **kwargs)
    assert _same_weights(trained, cached) and _same_weights(trained, fresh)
    assert trained_history == cached_history == fresh_history
    assert cached.training == fresh.training  # both come back in train mode, as fit leaves them


def test_a_cached_autoencoder_is_the_one_seed_everything_and_fit_give(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images()
    vaelib.train_autoencoder(train, epochs=1, batch_size=32, device="cpu", cache=True)
    cached, history = vaelib.train_autoencoder(
        train, epochs=1, batch_size=32, device="cpu", cache=True
    )
    vaelib.seed_everything(0)
    by_hand = vaelib.Autoencoder()
    by_hand_history = vaelib.fit(by_hand, train, epochs=1, batch_size=32, seed=0, progress=False)
    assert _same_weights(cached, by_hand)
    assert history == by_hand_history


def test_other_settings_data_or_models_do_not_reuse_an_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images()
    base = dict(epochs=1, batch_size=32, device="cpu", cache=True)
    vaelib.train_vae(train, **base)
    vaelib.train_vae(train, **base, seed=1)
    vaelib.train_vae(train, **base, beta=0.5)
    vaelib.train_vae(train, **base, config=vaelib.MLPConfig(latent_dim=2))
    vaelib.train_vae(train, _images(32), **base)  # a test set adds a test history
    vaelib.train_autoencoder(train, **base)
    changed = train.clone()
    changed[0, 0, 0, 0] = 0.5
    vaelib.train_vae(changed, **base)
    assert len(_entries(tmp_path)) == 7
    vaelib.train_vae(train, **base, progress=True)  # a progress bar does not change the model
    assert len(_entries(tmp_path)) == 7


def test_a_new_training_code_version_trains_again(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images()
    vaelib.train_vae(train, epochs=1, batch_size=32, device="cpu", cache=True)
    version = model_cache.TRAINING_CODE_VERSION
    monkeypatch.setattr(model_cache, "TRAINING_CODE_VERSION", version + 1)
    vaelib.train_vae(train, epochs=1, batch_size=32, device="cpu", cache=True)
    assert len(_entries(tmp_path)) == 2


def test_the_key_is_the_version_and_the_settings_not_the_files(tmp_path, monkeypatch):
    """Moving or editing a module does not retrain: only `TRAINING_CODE_VERSION` stands for the
    code, so the key reads no source file."""
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    model, settings, data = vaelib.VAE(), {"seed": 0}, (_images(8),)
    path = model_cache.entry_path(model, settings, data)
    monkeypatch.setattr(
        type(tmp_path), "read_bytes", lambda self: pytest.fail(f"the key read {self}")
    )
    assert model_cache.entry_path(model, settings, data) == path
    version = model_cache.TRAINING_CODE_VERSION
    assert model_cache.run_digest(data, version, settings) != model_cache.run_digest(
        data, version + 1, settings
    )


def test_a_corrupt_entry_is_trained_again_and_overwritten(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images()
    first, history = vaelib.train_vae(train, epochs=1, batch_size=32, device="cpu", cache=True)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(b"not a checkpoint")
    again, again_history = vaelib.train_vae(
        train, epochs=1, batch_size=32, device="cpu", cache=True
    )
    assert _same_weights(first, again) and history == again_history
    assert model_cache.load_entry(entry, vaelib.VAE()) is not None  # rewritten, readable


def test_an_unwritable_cache_folder_still_trains(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("VAELIB_CACHE", str(blocker))
    model, history = vaelib.train_vae(_images(), epochs=1, batch_size=32, device="cpu", cache=True)
    assert len(history) == 1 and isinstance(model, vaelib.VAE)


def test_reading_the_cache_leaves_the_global_random_state_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images()
    vaelib.train_vae(train, epochs=1, batch_size=32, device="cpu", cache=True)
    state = torch.get_rng_state()
    vaelib.train_vae(train, epochs=1, batch_size=32, device="cpu", cache=True)
    assert torch.equal(torch.get_rng_state(), state)


def test_the_cache_folder_follows_vaelib_cache_then_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path / "mine"))
    assert model_cache.cache_root() == tmp_path / "mine"
    assert vaelib.classifier_cache_dir() == tmp_path / "mine" / "classifiers"
    monkeypatch.delenv("VAELIB_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_cache.cache_root() == tmp_path / "xdg" / "vaelib"


def test_bad_cache_and_config_arguments_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    with pytest.raises(TypeError, match="cache"):
        vaelib.train_vae(_images(), epochs=1, cache="yes")
    with pytest.raises(TypeError, match="config must be an MLPConfig"):
        vaelib.train_autoencoder(_images(), epochs=1, config={"latent_dim": 2})


def test_spelling_out_a_default_finds_the_same_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images(64)
    vaelib.train_autoencoder(train, epochs=1, device="cpu", cache=True)
    vaelib.train_autoencoder(train, epochs=1, batch_size=128, lr=1e-3, device="cpu", cache=True)
    assert len(_entries(tmp_path)) == 1
