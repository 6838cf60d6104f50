import math

import pytest
import torch

import vaelib.losses.elbo
import vaelib.measures.likelihood
from vaelib import (
    VAE,
    Autoencoder,
    MLPConfig,
    active_units,
    encode_dataset,
    evaluate,
    iwae_gap_per_image,
    iwae_log_likelihood,
    kl_per_dimension,
    latent_activity,
    reconstruction_gain_per_dimension,
)


@pytest.fixture
def vae():
    torch.manual_seed(0)
    return VAE(MLPConfig(hidden_dim=32, latent_dim=6))


def test_encode_dataset_returns_posterior_parameters_for_every_image(vae, random_images):
    mu, logvar = encode_dataset(vae, random_images, batch_size=100)
    assert mu.shape == logvar.shape == (256, 6)
    torch.testing.assert_close(mu, vae.encode(random_images)[0].detach())
    codes, none = encode_dataset(Autoencoder(MLPConfig(hidden_dim=32, latent_dim=6)), random_images)
    assert codes.shape == (256, 6) and none is None


def test_kl_per_dimension_sums_to_the_mean_kl(vae, random_images):
    per_dim = kl_per_dimension(vae, random_images)
    assert per_dim.shape == (6,)
    assert per_dim.sum().item() == pytest.approx(evaluate(vae, random_images)["kl"], rel=1e-5)


def test_active_units_count_dimensions_whose_mean_moves_with_x(vae, random_images):
    with torch.no_grad():
        vae.to_mu.weight[:4] = 0  # dimensions 1-4: μ is the same for every input
        vae.to_mu.bias[:4] = 0.3
        vae.to_mu.weight[4:] *= 50  # dimensions 5-6: μ varies strongly
    activity = latent_activity(vae, random_images)
    assert torch.all(activity[:4] == 0) and torch.all(activity[4:] > 0.01)
    assert active_units(vae, random_images) == 2
    assert active_units(vae, random_images, threshold=float("inf")) == 0


def test_iwae_bound_at_k_1_is_the_elbo(vae, random_images):
    elbo = -evaluate(vae, random_images)["loss"]
    # both are single-sample estimates from different noise: compare within a few nats
    assert iwae_log_likelihood(vae, random_images, k=1) == pytest.approx(elbo, abs=2.0)


def test_iwae_bound_tightens_as_k_grows(vae, random_images):
    bounds = [iwae_log_likelihood(vae, random_images, k=k) for k in (1, 10, 100)]
    assert bounds[0] < bounds[1] < bounds[2] < 0


def test_iwae_gap_per_image_is_zero_at_k_1_and_never_negative(vae, random_images):
    assert iwae_gap_per_image(vae, random_images[:6], k=1).abs().max() < 1e-4
    gaps = iwae_gap_per_image(vae, random_images[:6], k=20)
    assert gaps.shape == (6,) and (gaps >= 0).all() and (gaps > 0).any()


def test_iwae_gap_per_image_shares_the_draws_of_iwae_log_likelihood(vae, random_images):
    # L_k − (mean log w) averaged over the images, and the ELBO part from the same draws, must
    # add up to iwae_log_likelihood with the same seed and batch size
    x = random_images[:6]
    gaps = iwae_gap_per_image(vae, x, k=30, batch_size=3, seed=4)
    bound = iwae_log_likelihood(vae, x, k=30, batch_size=3, seed=4)
    elbo = -evaluate(vae, x)["loss"]
    assert bound - gaps.mean().item() == pytest.approx(elbo, abs=2.0)  # a 30-sample ELBO


def test_iwae_gap_per_image_grows_with_k_on_average(vae, random_images):
    x = random_images[:32]
    assert iwae_gap_per_image(vae, x, k=2).mean() < iwae_gap_per_image(vae, x, k=100).mean()


def test_iwae_gap_of_a_model_that_ignores_z_is_zero():
    x = torch.full((2, 1, 28, 28), 0.5)
    assert iwae_gap_per_image(_vae_that_ignores_z(), x, k=5).max() < 1e-4


def _vae_that_ignores_z() -> VAE:
    """All weights zero: q(z|x) = p(z), and the decoder draws p = 0.5 for every pixel."""
    vae = VAE(MLPConfig(hidden_dim=8, latent_dim=2))
    with torch.no_grad():
        for p in vae.parameters():
            p.zero_()
    return vae


def test_iwae_of_a_model_that_ignores_z_is_exact():
    # With decoder logits independent of z and q = p(z), every weight equals p(x): no gap at any k.
    vae = _vae_that_ignores_z()
    x = torch.full((3, 1, 28, 28), 0.5)
    expected = -784 * math.log(2)
    assert iwae_log_likelihood(vae, x, k=5) == pytest.approx(expected, rel=1e-6)


def test_iwae_from_the_prior_averages_p_x_given_z_over_prior_draws(vae, random_images):
    # k = 1: the estimate is log p(x|z) at the one z ~ N(0, I) the seeded generator draws.
    x = random_images[:3]
    eps = torch.randn((1, 3, 6), generator=torch.Generator().manual_seed(7))[0]
    with torch.no_grad():
        expected = -vaelib.losses.elbo.reconstruction_loss(vae.decode(eps), x).mean().item()
    got = iwae_log_likelihood(vae, x, k=1, seed=7, proposal="prior")
    assert got == pytest.approx(expected, rel=1e-5)


def test_iwae_from_the_prior_does_not_read_the_encoder(vae, random_images):
    before = iwae_log_likelihood(vae, random_images[:8], k=20, proposal="prior")
    with torch.no_grad():
        vae.to_mu.weight.mul_(10)
        vae.to_logvar.bias.add_(3)
    after = iwae_log_likelihood(vae, random_images[:8], k=20, proposal="prior")
    assert after == before
    assert iwae_log_likelihood(vae, random_images[:8], k=20) != before


def test_iwae_from_the_prior_is_exact_for_a_model_that_ignores_z():
    vae = _vae_that_ignores_z()
    x = torch.full((3, 1, 28, 28), 0.5)
    got = iwae_log_likelihood(vae, x, k=5, proposal="prior")
    assert got == pytest.approx(-784 * math.log(2), rel=1e-6)


def test_iwae_names_a_bad_proposal(vae, random_images):
    with pytest.raises(
        ValueError, match=r"proposal must be one of \('posterior', 'prior'\), got 'q'"
    ):
        iwae_log_likelihood(vae, random_images, proposal="q")
    with pytest.raises(TypeError, match="proposal must be a string"):
        iwae_log_likelihood(vae, random_images, proposal=None)


def test_metrics_that_read_the_posterior_need_a_vae(random_images):
    ae = Autoencoder(MLPConfig(hidden_dim=8, latent_dim=2))
    for measure in (kl_per_dimension, active_units, iwae_log_likelihood):
        with pytest.raises(TypeError, match="needs a VAE"):
            measure(ae, random_images)


def test_iwae_needs_a_positive_number_of_samples(vae, random_images):
    with pytest.raises(ValueError, match="k must be a positive integer"):
        iwae_log_likelihood(vae, random_images, k=0)


def test_iwae_decodes_at_most_a_fixed_number_of_images_at_once_whatever_k(
    vae, random_images, monkeypatch
):
    monkeypatch.setattr(vaelib.measures.likelihood, "MAX_ROWS_PER_CHUNK", 64)
    sizes = []
    decode = vae.decode
    monkeypatch.setattr(vae, "decode", lambda z: sizes.append(len(z)) or decode(z))
    iwae_log_likelihood(vae, random_images[:8], k=200, batch_size=8)
    assert max(sizes) == 64  # 8 samples × 8 images per chunk, 25 chunks
    assert sum(sizes) == 200 * 8


def test_iwae_in_chunks_is_exact_for_a_model_that_ignores_z(monkeypatch):
    monkeypatch.setattr(vaelib.measures.likelihood, "MAX_ROWS_PER_CHUNK", 4)
    vae = _vae_that_ignores_z()
    x = torch.full((3, 1, 28, 28), 0.5)
    assert iwae_log_likelihood(vae, x, k=50) == pytest.approx(-784 * math.log(2), rel=1e-6)


def test_iwae_in_small_chunks_agrees_with_one_chunk(vae, random_images, monkeypatch):
    whole = iwae_log_likelihood(vae, random_images[:32], k=200, batch_size=32)
    # 7 samples a chunk
    monkeypatch.setattr(vaelib.measures.likelihood, "MAX_ROWS_PER_CHUNK", 32 * 7)
    chunked = iwae_log_likelihood(vae, random_images[:32], k=200, batch_size=32)
    assert chunked == pytest.approx(whole, abs=0.5)  # different noise, the same bound


def test_measures_leave_the_global_random_generator_alone(vae, random_images):
    state = torch.get_rng_state()
    iwae_log_likelihood(vae, random_images[:8], k=5)
    reconstruction_gain_per_dimension(vae, random_images[:8])
    evaluate(vae, random_images[:8])
    assert torch.equal(torch.get_rng_state(), state)


def test_measures_restore_the_model_mode_even_after_an_error(vae, random_images):
    with torch.no_grad():
        vae.to_mu.weight.fill_(float("nan"))
    measures = [
        lambda: encode_dataset(vae, random_images) and kl_per_dimension(vae, random_images),
        lambda: iwae_log_likelihood(vae, random_images[:4], k=2),
        lambda: reconstruction_gain_per_dimension(vae, random_images[:4]),
        lambda: active_units(vae, random_images),
    ]
    for measure in measures:
        vae.train()
        with pytest.raises(ValueError, match="NaN"):
            measure()
        assert vae.training
        vae.eval()
        with pytest.raises(ValueError, match="NaN"):
            measure()
        assert not vae.training


def test_active_units_is_a_count_between_zero_and_d(vae, random_images):
    assert 0 <= active_units(vae, random_images, threshold=0) <= 6
    assert active_units(vae, random_images, threshold=0) == 6  # every mean moves a little


def test_iwae_refuses_an_absurd_k_with_the_reason(vae, random_images):
    from vaelib.measures.likelihood import MAX_K

    with pytest.raises(ValueError, match=r"k must be at most 1,000,000 samples per image"):
        iwae_log_likelihood(vae, random_images[:2], k=MAX_K + 1)


def test_iwae_shows_progress_on_long_runs_only(vae, random_images, capsys, monkeypatch):
    import vaelib.measures.likelihood as likelihood

    iwae_log_likelihood(vae, random_images[:4], k=2, batch_size=2)
    assert "log p(x)" not in capsys.readouterr().err  # a short run: no bar
    monkeypatch.setattr(likelihood, "LONG_RUN_DECODES", 4)
    iwae_log_likelihood(vae, random_images[:4], k=2, batch_size=2)
    assert "log p(x), k=2" in capsys.readouterr().err
    iwae_log_likelihood(vae, random_images[:4], k=2, batch_size=2, progress=False)
    assert "log p(x)" not in capsys.readouterr().err
