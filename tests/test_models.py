import inspect

import pytest
import torch

import vaelib
from vaelib import VAE, Autoencoder, MLPConfig, eval_mode, evaluate, fit
from vaelib._support.checks import NonFiniteError


@pytest.fixture
def images():
    return torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(0))


def test_vae_shapes(images):
    vae = VAE(MLPConfig(hidden_dim=32, latent_dim=3))
    mu, logvar = vae.encode(images)
    assert mu.shape == logvar.shape == (5, 3)
    logits, mu2, _ = vae(images)
    assert logits.shape == images.shape
    torch.testing.assert_close(mu, mu2)
    assert vae.reconstruct(images).shape == images.shape
    samples = vae.sample(7)
    assert samples.shape == (7, 1, 28, 28) and 0 <= samples.min() and samples.max() <= 1


def test_autoencoder_shapes(images):
    ae = Autoencoder(MLPConfig(hidden_dim=32, latent_dim=3))
    assert ae.encode(images).shape == (5, 3)
    assert ae(images).shape == images.shape
    assert ae.sample(4).shape == (4, 1, 28, 28)


def test_default_sizes_are_784_400_20():
    vae = VAE()
    assert vae.encoder[0].in_features == 784
    assert vae.encoder[0].out_features == 400
    assert vae.to_mu.out_features == 20


def test_gradients_flow_through_the_reparameterisation():
    mu = torch.zeros(4, 2, requires_grad=True)
    logvar = torch.zeros(4, 2, requires_grad=True)
    z = VAE.reparameterize(mu, logvar)
    z.pow(2).sum().backward()
    assert mu.grad.abs().sum() > 0
    assert logvar.grad.abs().sum() > 0


def test_reparameterisation_has_the_posterior_moments():
    mu, logvar = (
        torch.full((200_000, 1), 1.5),
        torch.full((200_000, 1), 2 * torch.tensor(0.3).log()),
    )
    z = VAE.reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))
    assert abs(z.mean().item() - 1.5) < 0.01
    assert abs(z.std().item() - 0.3) < 0.01


def test_sampling_with_a_generator_is_reproducible():
    vae = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    first = vae.sample(3, generator=torch.Generator().manual_seed(1))
    second = vae.sample(3, generator=torch.Generator().manual_seed(1))
    assert torch.equal(first, second)


def test_flat_images_are_rejected_with_the_expected_shape(images):
    with pytest.raises(ValueError, match=r"shape \(batch, 1, 28, 28\)"):
        VAE().encode(images.flatten(start_dim=1))


def test_uint8_images_are_rejected_with_a_hint():
    with pytest.raises(TypeError, match="divide uint8 images by 255"):
        VAE().encode(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))


def test_nan_and_out_of_range_pixels_are_rejected_by_the_entry_points(images):
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        VAE().reconstruct(images * 255)
    with pytest.raises(ValueError, match="data must hold pixel intensities in \\[0, 1\\]"):
        evaluate(VAE(), images * 255)
    images[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        Autoencoder().reconstruct(images)
    with pytest.raises(ValueError, match="NaN"):
        fit(VAE(), images, epochs=1, progress=False, device="cpu")


def test_encode_checks_type_and_shape_for_free_and_leaves_the_values_to_the_entry_points(images):
    """The training loop calls `encode` on every batch: it makes no pass over the values."""
    mu, _ = VAE().encode(images * 255)
    assert mu.shape == (len(images), 20)


def test_codes_of_the_wrong_size_are_rejected():
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 20\)"):
        VAE().decode(torch.zeros(3, 2))


@pytest.mark.parametrize("field", ["hidden_dim", "latent_dim"])
def test_config_sizes_must_be_positive(field):
    with pytest.raises(ValueError, match=field):
        MLPConfig(**{field: 0})


def test_forward_with_a_generator_is_reproducible_and_leaves_the_global_one_alone(images):
    vae = VAE(MLPConfig(hidden_dim=16, latent_dim=2))
    state = torch.get_rng_state()
    first = vae(images, torch.Generator().manual_seed(4))[0]
    second = vae(images, torch.Generator().manual_seed(4))[0]
    assert torch.equal(first, second)
    assert torch.equal(torch.get_rng_state(), state)


def test_a_generator_must_be_a_torch_generator(images):
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        VAE.reparameterize(torch.zeros(2, 2), torch.zeros(2, 2), generator=0)
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        VAE(MLPConfig(hidden_dim=8, latent_dim=2)).sample(2, generator="seed")


def test_a_variance_that_overflows_is_reported_by_evaluate_not_returned(images):
    vae = VAE(MLPConfig(hidden_dim=8, latent_dim=2))
    with torch.no_grad():
        vae.to_logvar.bias.fill_(200.0)  # σ = exp(100) overflows float32
    with pytest.raises(NonFiniteError, match="the loss on data is not finite"):
        evaluate(vae, images)


def test_one_reparameterisation_serves_the_model_and_the_measures():
    from vaelib.measures import codes, disentanglement, likelihood
    from vaelib.models import mlp

    assert VAE.reparameterize is mlp.reparameterize
    for module in (likelihood, codes, disentanglement):
        assert module.reparameterize is mlp.reparameterize
        assert "torch.exp(0.5" not in inspect.getsource(module)  # no second copy of z = μ + σ·ε


def test_reparameterize_is_mu_plus_sigma_times_the_noise():
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    eps = vaelib.models.mlp.standard_normal(mu.shape, torch.Generator().manual_seed(2), mu)
    z = VAE.reparameterize(mu, logvar, torch.Generator().manual_seed(2))
    assert torch.equal(z, mu + torch.exp(0.5 * logvar) * eps)
    assert torch.equal(VAE.reparameterize(mu, logvar, eps=eps), z)


def test_codes_of_other_float_dtypes_are_decoded_in_float32():
    vae = VAE(MLPConfig(hidden_dim=8, latent_dim=2))
    for dtype in (torch.float16, torch.bfloat16, torch.float64):
        assert vae.decode(torch.zeros(3, 2, dtype=dtype)).dtype == torch.float32


def test_eval_mode_restores_the_previous_mode_even_after_an_error():
    vae = VAE(MLPConfig(hidden_dim=8, latent_dim=2))
    with pytest.raises(RuntimeError), eval_mode(vae):
        assert not vae.training
        raise RuntimeError("inside the block")
    assert vae.training
    vae.eval()
    with eval_mode(vae):
        pass
    assert not vae.training


def test_config_sizes_must_be_integers():
    with pytest.raises(TypeError, match=r"latent_dim must be an integer, got float 2.0"):
        MLPConfig(latent_dim=2.0)
    with pytest.raises(ValueError, match="each entry of image_shape"):
        MLPConfig(image_shape=(1, 0, 28))
