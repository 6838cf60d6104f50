import pytest
import torch

from vaelib import (
    ConditionalVAE,
    ImageData,
    MLPConfig,
    conditional_vae_loss,
    evaluate,
    fit,
    gaussian_kl,
    kl_per_dimension,
    reconstruction_loss,
)

SMALL = MLPConfig(hidden_dim=32, latent_dim=4)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return ConditionalVAE(SMALL, num_classes=10)


@pytest.fixture
def labels():
    return torch.arange(8) % 10  # (8,) int64


def test_encoder_and_decoder_read_the_one_hot_label(model):
    assert model.encoder[0].in_features == 784 + 10
    assert model.decoder[0].in_features == 4 + 10


def test_shapes_of_encode_decode_and_forward(model, random_images, labels):
    x = random_images[:8]
    mu, logvar = model.encode(x, labels)
    assert mu.shape == logvar.shape == (8, 4)
    assert model.decode(mu, labels).shape == (8, 1, 28, 28)
    logits, mu2, _ = model(x, labels)
    assert logits.shape == (8, 1, 28, 28) and torch.equal(mu, mu2)


def test_the_label_changes_both_the_code_and_the_image(model, random_images):
    x = random_images[:1]
    zeros, ones = torch.zeros(1, dtype=torch.int64), torch.ones(1, dtype=torch.int64)
    assert not torch.allclose(model.encode(x, zeros)[0], model.encode(x, ones)[0])
    z = torch.zeros(1, 4)
    assert not torch.allclose(model.decode(z, zeros), model.decode(z, ones))


def test_loss_is_reconstruction_plus_beta_kl_with_the_same_noise(model, random_images, labels):
    x = random_images[:8]
    parts = conditional_vae_loss(
        model, x, labels, beta=3.0, generator=torch.Generator().manual_seed(5)
    )
    mu, logvar = model.encode(x, labels)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(5))
    z = mu + torch.exp(0.5 * logvar) * eps
    reconstruction = reconstruction_loss(model.decode(z, labels), x).mean()
    kl = gaussian_kl(mu, logvar).mean()
    assert parts.reconstruction.item() == pytest.approx(reconstruction.item(), rel=1e-5)
    assert parts.kl.item() == pytest.approx(kl.item(), rel=1e-5)
    assert parts.total.item() == pytest.approx((reconstruction + 3.0 * kl).item(), rel=1e-5)


def test_sample_draws_one_image_per_requested_label_reproducibly(model):
    labels = torch.arange(10).repeat_interleave(3)
    a = model.sample(labels, generator=torch.Generator().manual_seed(1))
    b = model.sample(labels, generator=torch.Generator().manual_seed(1))
    assert a.shape == (30, 1, 28, 28) and torch.equal(a, b)
    assert a.min() >= 0 and a.max() <= 1


def test_reconstruct_decodes_the_posterior_mean_with_the_label(model, random_images, labels):
    x = random_images[:8]
    mu, _ = model.encode(x, labels)
    expected = torch.sigmoid(model.decode(mu, labels))
    assert torch.allclose(model.reconstruct(x, labels), expected)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (torch.arange(8).float(), TypeError, r"y\.long\(\)"),
        (torch.arange(7), ValueError, r"shape \(8,\)"),
        (torch.arange(8) + 5, ValueError, r"\[0, 10\), got values in \[5, 12\]"),
        (torch.arange(8) - 1, ValueError, r"\[-1, 6\]"),
        ([0, 1, 2, 3, 4, 5, 6, 7], TypeError, "torch.Tensor"),
    ],
)
def test_bad_labels_are_named_with_the_fix(model, random_images, bad, error, message):
    with pytest.raises(error, match=message):
        model.encode(random_images[:8], bad)


def test_sample_rejects_a_label_out_of_range(model):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\)"):
        model.sample(torch.tensor([3, 10]))


def test_training_on_one_batch_lowers_the_loss(model, random_images, labels):
    x = (random_images[:8] > 0.5).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(60):
        parts = conditional_vae_loss(model, x, labels)
        first = parts.total.item() if first is None else first
        optimizer.zero_grad()
        parts.total.backward()
        optimizer.step()
    assert parts.total.item() < 0.7 * first


def _labelled(images, n):
    binary = (images[:n] > 0.5).float()
    return ImageData(binary, torch.arange(n) % 10, [str(d) for d in range(10)], "random")


def test_fit_trains_a_conditional_vae_on_the_labels_of_its_data(model, random_images):
    train, test = _labelled(random_images, 192), _labelled(random_images[192:], 64)
    history = fit(model, train, test, epochs=3, batch_size=64, progress=False, device="cpu")
    assert len(history) == 3 and history.train_loss[-1] < history.train_loss[0]
    assert evaluate(model, test)["loss"] == pytest.approx(history.test_loss[-1], rel=1e-5)


def test_fit_asks_for_labelled_images_when_the_model_is_conditional(model, random_images):
    with pytest.raises(TypeError, match="train must be an ImageData"):
        fit(model, random_images, epochs=1, progress=False, device="cpu")


def test_code_measures_on_a_conditional_vae_ask_for_labelled_images(model, random_images):
    with pytest.raises(TypeError, match="data must be an ImageData"):
        kl_per_dimension(model, random_images[:8])


def test_labels_of_any_integer_dtype_encode_alike(model, random_images, labels):
    mu, logvar = model.encode(random_images[:8], labels)
    mu_32, logvar_32 = model.encode(random_images[:8], labels.to(torch.int32))
    assert torch.equal(mu, mu_32) and torch.equal(logvar, logvar_32)
