import pytest
import torch

import vaelib
from vaelib import VAE, ConvConfig, ConvVAE, MLPConfig, evaluate, fit, train_vae
from vaelib.models.mlp import check_model


@pytest.fixture
def images():
    return torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def small():
    torch.manual_seed(0)
    return ConvVAE(ConvConfig(channels=(4, 8), latent_dim=3))


def test_conv_vae_shapes(images, small):
    mu, logvar = small.encode(images)
    assert mu.shape == logvar.shape == (6, 3)
    logits, mu2, _ = small(images)
    assert logits.shape == images.shape
    torch.testing.assert_close(mu, mu2)
    assert small.decode(torch.zeros(2, 3)).shape == (2, 1, 28, 28)
    assert small.reconstruct(images).shape == images.shape
    samples = small.sample(7, generator=torch.Generator().manual_seed(1))
    assert samples.shape == (7, 1, 28, 28) and 0 <= samples.min() and samples.max() <= 1


def test_default_is_two_stride_2_convolutions_of_32_and_64_channels_and_20_latents():
    model = ConvVAE()
    convolutions = [m for m in model.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [(m.out_channels, m.stride) for m in convolutions] == [(32, (2, 2)), (64, (2, 2))]
    transposed = [m for m in model.decoder if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [(m.out_channels, m.stride) for m in transposed] == [(32, (2, 2)), (1, (2, 2))]
    assert model.to_mu.out_features == model.config.latent_dim == 20


def test_a_conv_vae_is_a_vae_that_the_book_accepts(small):
    assert isinstance(small, VAE)
    assert check_model(small, vae=True) is small


def test_gradients_reach_every_weight_of_encoder_and_decoder(images, small):
    logits, mu, logvar = small(images)
    parts = vaelib.vae_loss(logits, images, mu, logvar)
    parts.total.backward()
    for name, parameter in small.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_it_overfits_one_batch():
    # eight random black-and-white images, 784 independent coin flips each: only a decoder that
    # reads the code can learn them, so the reconstruction falls far below the 543 nats of a guess
    torch.manual_seed(0)
    model = ConvVAE(ConvConfig(channels=(8, 16), latent_dim=4))
    x = (torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    first = evaluate(model, x, beta=0)["reconstruction"]
    fit(model, x, epochs=300, batch_size=8, lr=3e-3, beta=0, device="cpu", progress=False)
    last = evaluate(model, x, beta=0)["reconstruction"]
    assert first > 500 and last < 0.25 * first


def test_fit_trains_it_and_evaluate_scores_it(small):
    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    history = fit(small, x, x, epochs=2, batch_size=32, device="cpu", progress=False)
    assert len(history.test_loss) == 2
    assert history.train_loss[-1] < history.train_loss[0]
    scores = evaluate(small, x)
    assert scores["loss"] == pytest.approx(scores["reconstruction"] + scores["kl"])


def test_train_vae_builds_a_conv_vae_for_a_conv_config_reproducibly():
    x = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(3))
    config = ConvConfig(channels=(4, 8), latent_dim=2)
    a, _ = train_vae(x, epochs=1, config=config, device="cpu")
    b, _ = train_vae(x, epochs=1, config=config, device="cpu")
    assert type(a) is ConvVAE and a.config == config
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q)


def test_train_vae_caches_a_conv_vae(tmp_path, monkeypatch):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    x = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(4))
    config = ConvConfig(channels=(4, 8), latent_dim=2)
    trained, history = train_vae(x, epochs=1, config=config, device="cpu", cache=True)
    assert len(list((tmp_path / "models").glob("ConvVAE-*.pt"))) == 1
    read, history_read = train_vae(x, epochs=1, config=config, device="cpu", cache=True)
    assert history_read.train_loss == history.train_loss
    for p, q in zip(trained.parameters(), read.parameters()):
        torch.testing.assert_close(p, q)


def test_the_book_measures_take_a_conv_vae(images, small):
    assert vaelib.active_units(small, images) in range(4)
    assert vaelib.kl_per_dimension(small, images).shape == (3,)
    assert vaelib.sharpness(small.sample(4)).shape == (4,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"channels": (32,)}, "channels must be a pair"),
        ({"channels": (32, 0)}, "channels"),
        ({"image_shape": (1, 30, 30)}, "divisible by 4"),
        ({"image_shape": (28, 28)}, "image_shape"),
    ],
)
def test_bad_configs_are_refused_with_the_field_named(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        ConvConfig(**kwargs)


def test_a_conv_vae_needs_a_conv_config_and_train_vae_names_the_mismatch():
    with pytest.raises(TypeError, match="ConvConfig"):
        ConvVAE(MLPConfig())
    with pytest.raises(TypeError, match="MLPConfig"):
        vaelib.train_autoencoder(torch.rand(4, 1, 28, 28), config=ConvConfig())


def test_images_and_codes_of_the_wrong_shape_are_refused(small):
    with pytest.raises(ValueError, match="shape"):
        small.encode(torch.rand(2, 784))
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        small.decode(torch.zeros(2, 5))
