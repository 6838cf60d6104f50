"""A trained classifier is kept on disk and reused: the same weights, without training again."""

import torch

import vaelib
from vaelib.data.loading import ImageData
from vaelib.measures import classifier


def _tiny_data() -> ImageData:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(64, 1, 28, 28, generator=generator)
    labels = torch.arange(64) % 10
    return ImageData(images, labels, [str(k) for k in range(10)], "tiny")


def test_a_cached_classifier_has_the_weights_training_gives(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    data = _tiny_data()
    trained = vaelib.train_classifier(data, epochs=1, device="cpu")
    assert len(list((tmp_path / "classifiers").glob("*.pt"))) == 1
    cached = vaelib.train_classifier(data, epochs=1, device="cpu")
    fresh = vaelib.train_classifier(data, epochs=1, device="cpu", cache=False)
    for a, b, c in zip(
        trained.state_dict().values(), cached.state_dict().values(), fresh.state_dict().values()
    ):
        assert torch.equal(a, b) and torch.equal(a, c)


def test_other_settings_or_data_do_not_reuse_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    data = _tiny_data()
    vaelib.train_classifier(data, epochs=1, device="cpu")
    vaelib.train_classifier(data, epochs=1, seed=1, device="cpu")
    data.images[0, 0, 0, 0] = 0.5
    vaelib.train_classifier(data, epochs=1, device="cpu")
    assert len(list((tmp_path / "classifiers").glob("*.pt"))) == 3


def test_a_corrupt_cache_entry_is_trained_again(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    data = _tiny_data()
    first = vaelib.train_classifier(data, epochs=1, device="cpu")
    (entry,) = (tmp_path / "classifiers").glob("*.pt")
    entry.write_bytes(b"not a checkpoint")
    again = vaelib.train_classifier(data, epochs=1, device="cpu")
    assert all(
        torch.equal(a, b) for a, b in zip(first.state_dict().values(), again.state_dict().values())
    )


def test_another_thread_count_does_not_reuse_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    data = _tiny_data()
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        vaelib.train_classifier(data, epochs=1, device="cpu")
        torch.set_num_threads(2)
        vaelib.train_classifier(data, epochs=1, device="cpu")
    finally:
        torch.set_num_threads(threads)
    assert len(list((tmp_path / "classifiers").glob("*.pt"))) == 2


def test_reading_the_cache_leaves_global_rng_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    data = _tiny_data()
    vaelib.train_classifier(data, epochs=1, device="cpu")
    state = torch.get_rng_state()
    vaelib.train_classifier(data, epochs=1, device="cpu")  # read from the cache
    assert torch.equal(torch.get_rng_state(), state)


def test_a_new_classifier_code_version_does_not_reuse_the_cache(tmp_path, monkeypatch):
    """A classifier cached by older code is not the one a fresh machine would train now."""
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    data = _tiny_data()
    vaelib.train_classifier(data, epochs=1, device="cpu")
    version = classifier.CLASSIFIER_CODE_VERSION
    monkeypatch.setattr(classifier, "CLASSIFIER_CODE_VERSION", version + 1)
    vaelib.train_classifier(data, epochs=1, device="cpu")
    assert len(list((tmp_path / "classifiers").glob("*.pt"))) == 2
