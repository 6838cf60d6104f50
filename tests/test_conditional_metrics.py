import pytest
import torch

from vaelib import (
    VAE,
    ConditionalVAE,
    ImageData,
    MLPConfig,
    active_units,
    class_analogies,
    encode_dataset,
    evaluate,
    gaussian_kl,
    kl_per_dimension,
    latent_activity,
    within_class_correlation,
)
from vaelib._support.checks import NonFiniteError

SMALL = MLPConfig(hidden_dim=32, latent_dim=4)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return ConditionalVAE(SMALL, num_classes=10)


@pytest.fixture
def data(random_images):
    labels = torch.arange(len(random_images)) % 10
    return ImageData(random_images, labels, [str(k) for k in range(10)], "random")


# The code measures of vaelib.measures.codes serve a ConditionalVAE as they are, encoding each
# image with its own label: q(z|x, y).


def test_encode_dataset_encodes_each_image_with_its_own_label(model, data):
    mu, logvar = encode_dataset(model, data, batch_size=16)
    mu_all, logvar_all = model.encode(data.images, data.labels)  # one batch
    torch.testing.assert_close(mu, mu_all, atol=1e-6, rtol=0)
    torch.testing.assert_close(logvar, logvar_all, atol=1e-6, rtol=0)
    relabelled = ImageData(data.images, (data.labels + 1) % 10, data.classes, "relabelled")
    assert not torch.allclose(encode_dataset(model, relabelled)[0], mu)  # the label is read


def test_kl_per_dimension_sums_to_the_rate_that_evaluate_reports(model, data):
    kl = kl_per_dimension(model, data)
    assert kl.shape == (4,) and (kl >= 0).all()
    assert kl.sum().item() == pytest.approx(evaluate(model, data)["kl"], rel=1e-5)


def test_kl_per_dimension_matches_the_closed_form_kl_of_the_labelled_codes(model, data):
    mu, logvar = model.encode(data.images, data.labels)
    expected = gaussian_kl(mu, logvar).mean()
    assert kl_per_dimension(model, data).sum().item() == pytest.approx(expected.item(), rel=1e-5)


def test_latent_activity_is_the_variance_of_the_posterior_means(model, data):
    mu, _ = model.encode(data.images, data.labels)
    torch.testing.assert_close(latent_activity(model, data), mu.var(dim=0).detach())


def test_active_units_counts_dimensions_above_the_threshold(model, data):
    activity = latent_activity(model, data)
    threshold = activity.sort().values[1].item()  # two dimensions lie strictly above it
    assert active_units(model, data, threshold=threshold) == 2
    assert active_units(model, data, threshold=0.0) == 4
    assert active_units(model, data, threshold=float("inf")) == 0


def test_analogies_decode_each_code_with_every_label(model, random_images):
    images, labels = random_images[:3], torch.tensor([7, 0, 3])
    grid = class_analogies(model, images, labels)
    assert grid.shape == (3, 10, 1, 28, 28)
    mu, _ = model.encode(images, labels)
    expected = torch.sigmoid(model.decode(mu[1:2], torch.tensor([5])))
    torch.testing.assert_close(grid[1, 5], expected[0].detach())
    assert not torch.allclose(grid[0, 0], grid[0, 1])  # the label changes the image


def test_analogies_leave_the_model_in_its_own_mode(model, random_images):
    model.train()
    class_analogies(model, random_images[:2], torch.tensor([1, 2]))
    assert model.training


def test_a_plain_vae_measured_on_labelled_images_ignores_the_labels(data):
    torch.manual_seed(0)
    plain = VAE(SMALL)
    torch.testing.assert_close(kl_per_dimension(plain, data), kl_per_dimension(plain, data.images))


def test_a_conditional_vae_measured_on_bare_images_asks_for_the_labels(model, data):
    with pytest.raises(TypeError, match="data must be an ImageData"):
        kl_per_dimension(model, data.images)


def test_labels_that_do_not_match_the_images_are_refused(model, random_images):
    with pytest.raises(ValueError, match="labels must have shape"):
        class_analogies(model, random_images[:3], torch.tensor([1, 2]))


def test_one_image_has_no_activity_to_measure(model, data):
    with pytest.raises(ValueError, match="at least 2 images"):
        latent_activity(model, data.subset(1))


# within_class_correlation: class 0 has residuals a (−1, 0, 1), b (−1, 1, 0); class 1 the same
# residuals around other means. By hand: Σ ra·rb = 2, Σ ra² = Σ rb² = 4, so r = 2 / 4 = 0.5.
A = torch.tensor([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
B = torch.tensor([0.0, 2.0, 1.0, -5.0, -3.0, -4.0])
CLASSES = torch.tensor([0, 0, 0, 1, 1, 1])


def test_within_class_correlation_matches_a_hand_computation():
    assert within_class_correlation(A, B, CLASSES) == pytest.approx(0.5)


def test_within_class_correlation_ignores_the_differences_between_class_means():
    plain = torch.corrcoef(torch.stack([A, B]))[0, 1].item()
    assert plain < 0  # the class means alone make the plain correlation negative
    shifted = A + torch.tensor([0.0, 0.0, 0.0, 100.0, 100.0, 100.0])
    assert within_class_correlation(shifted, B, CLASSES) == pytest.approx(0.5)


def test_within_class_correlation_of_one_class_is_pearsons_correlation():
    a, b = torch.randn(2, 50, generator=torch.Generator().manual_seed(0))
    expected = torch.corrcoef(torch.stack([a, b]))[0, 1].item()
    labels = torch.zeros(50, dtype=torch.int64)
    assert within_class_correlation(a, b, labels) == pytest.approx(expected, abs=1e-6)


def test_within_class_correlation_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="one entry per item"):
        within_class_correlation(A, B[:5], CLASSES)


def test_within_class_correlation_refuses_nan():
    with pytest.raises(NonFiniteError, match="NaN"):
        within_class_correlation(torch.tensor([0.0, float("nan"), 2.0, 1, 2, 3]), B, CLASSES)


def test_within_class_correlation_refuses_measurements_that_are_not_one_dimensional():
    with pytest.raises(ValueError, match="must have 1 dimensions"):
        within_class_correlation(A[:, None], B, CLASSES)


def test_within_class_correlation_refuses_integer_measurements():
    with pytest.raises(TypeError, match="floating-point"):
        within_class_correlation(CLASSES, B, CLASSES)


def test_within_class_correlation_refuses_floating_point_labels():
    with pytest.raises(TypeError, match="integer tensor of classes"):
        within_class_correlation(A, B, CLASSES.float())


def test_within_class_correlation_refuses_a_measurement_constant_within_every_class():
    per_class_constant = torch.tensor([1.0, 1.0, 1.0, 7.0, 7.0, 7.0])
    with pytest.raises(ValueError, match="does not vary within any class"):
        within_class_correlation(per_class_constant, B, CLASSES)
