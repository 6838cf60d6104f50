"""`VAELIB_SEED` selects a realisation: every seed the library uses moves, and nothing else."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import vaelib
from vaelib._support.seeding import SEED_STRIDE, seeded_model


def _images(n: int = 64, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def _weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [t.clone() for t in model.state_dict().values()]


def test_unset_the_seeds_are_the_ones_the_chapter_names(monkeypatch):
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    assert vaelib.seed_offset() == 0
    assert vaelib.effective_seed(7) == 7
    assert vaelib.seeded_generator(7).initial_seed() == 7


def test_a_realisation_shifts_every_seed_by_a_million_per_step(monkeypatch):
    monkeypatch.setenv("VAELIB_SEED", "3")
    assert vaelib.effective_seed(5) == 3 * SEED_STRIDE + 5
    assert vaelib.seeded_generator(5).initial_seed() == 3 * SEED_STRIDE + 5


@given(
    st.integers(0, 999_999),
    st.integers(0, SEED_STRIDE - 1),
    st.integers(0, 999_999),
    st.integers(0, SEED_STRIDE - 1),
)
def test_two_realisations_never_share_a_seed(s, n, t, m):
    # effective_seed is n + s·stride: for seeds below the stride, equal results mean equal inputs
    if (s, n) != (t, m):
        assert n + s * SEED_STRIDE != m + t * SEED_STRIDE


@pytest.mark.parametrize("value", ["one", "1.5", "-1", "1000000"])
def test_a_bad_vaelib_seed_is_named_with_its_value_and_the_fix(monkeypatch, value):
    monkeypatch.setenv("VAELIB_SEED", value)
    with pytest.raises(ValueError, match=r"VAELIB_SEED.*unset it"):
        vaelib.seed_offset()


def test_seed_everything_follows_the_realisation(monkeypatch):
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    vaelib.seed_everything(0)
    first = torch.rand(3)
    monkeypatch.setenv("VAELIB_SEED", "1")
    vaelib.seed_everything(0)
    other = torch.rand(3)
    assert not torch.equal(first, other)
    vaelib.seed_everything(0)
    assert torch.equal(torch.rand(3), other)  # the same realisation gives the same draws


def test_training_gives_another_model_in_another_realisation_and_the_same_in_the_same(
    monkeypatch,
):
    train = _images()
    kwargs = dict(epochs=1, batch_size=32, device="cpu")
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    base, base_history = vaelib.train_vae(train, **kwargs)
    monkeypatch.setenv("VAELIB_SEED", "2")
    other, other_history = vaelib.train_vae(train, **kwargs)
    again, again_history = vaelib.train_vae(train, **kwargs)
    assert not all(torch.equal(a, b) for a, b in zip(_weights(base), _weights(other)))
    assert all(torch.equal(a, b) for a, b in zip(_weights(other), _weights(again)))
    assert other_history == again_history != base_history


def test_subsets_and_sampling_measures_follow_the_realisation(monkeypatch):
    data = vaelib.ImageData(_images(50), torch.arange(50) % 10, [str(d) for d in range(10)], "t")
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    base = data.subset(10, seed=0).labels
    monkeypatch.setenv("VAELIB_SEED", "4")
    assert not torch.equal(data.subset(10, seed=0).labels, base)
    assert torch.equal(data.subset(10, seed=0).labels, data.subset(10, seed=0).labels)


def test_the_model_cache_keeps_realisations_apart(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    train = _images()
    kwargs = dict(epochs=1, batch_size=32, device="cpu", cache=True)
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    vaelib.train_vae(train, **kwargs)
    monkeypatch.setenv("VAELIB_SEED", "1")
    vaelib.train_vae(train, **kwargs)
    assert len(list((tmp_path / "models").glob("*.pt"))) == 2


def test_fit_draws_its_random_numbers_on_the_cpu_whatever_the_device(monkeypatch):
    """The batches and the noise come from one CPU generator, so a GPU run sees the same draws."""
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    seen = []
    original = torch.randperm

    def spy(*args, **kwargs):
        seen.append(kwargs.get("generator").device.type)
        return original(*args, **kwargs)

    monkeypatch.setattr(torch, "randperm", spy)
    vaelib.fit(vaelib.VAE(), _images(), epochs=1, batch_size=32, device="cpu", progress=False)
    assert seen == ["cpu"]


def test_models_take_images_and_codes_from_any_dtype_and_move_them():
    vae = vaelib.VAE()
    x = _images(4).double()  # float64 images (e.g. from NumPy) are converted, not refused
    mu, logvar = vae.encode(x)
    assert mu.dtype == torch.float32 and mu.shape == (4, 20)
    assert vae.decode(mu.double()).shape == (4, 1, 28, 28)


def test_a_seeded_model_has_the_same_weights_each_time_and_leaves_the_global_state(monkeypatch):
    monkeypatch.delenv("VAELIB_SEED", raising=False)
    config = vaelib.MLPConfig(hidden_dim=8, latent_dim=2)
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    a = seeded_model(vaelib.VAE, 5, config)
    assert torch.equal(torch.random.get_rng_state(), state)  # the caller's draws are untouched
    b = seeded_model(vaelib.VAE, 5, config)
    torch.manual_seed(5)
    by_hand = vaelib.VAE(config)
    for p, q, r in zip(a.parameters(), b.parameters(), by_hand.parameters(), strict=True):
        assert torch.equal(p, q) and torch.equal(p, r)
    monkeypatch.setenv("VAELIB_SEED", "1")
    c = seeded_model(vaelib.VAE, 5, config)  # another realisation, other weights
    assert not torch.equal(next(c.parameters()), next(a.parameters()))
