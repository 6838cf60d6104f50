"""The book's sample-quality measure: a small classifier of the data set, the three scores read
from it (confidence, class coverage, Fréchet distance), and the sharpness measure of blur.

The last tests train the classifier on the real MNIST and check, on samples of quickly trained
models, the ordering the chapters state: real images, then β = 1 samples, then the plain
autoencoder's and β = 30's."""

import math
import os

import pytest
import torch

import vaelib
from vaelib import (
    ImageClassifier,
    ImageData,
    SampleQuality,
    classifier_accuracy,
    confident_fraction,
    frechet_distance,
    grain,
    median_filter,
    sample_quality,
    sharpness,
    total_variation,
    train_classifier,
)

# --- a tiny two-class data set: a bright top half or a bright bottom half, with noise ---


def _halves(n: int, seed: int) -> ImageData:
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2  # (n,) alternating 0, 1
    images = 0.2 * torch.rand(n, 1, 28, 28, generator=generator)
    images[labels == 0, :, :14] += 0.8  # class 0: bright top
    images[labels == 1, :, 14:] += 0.8  # class 1: bright bottom
    return ImageData(images.clamp(0, 1), labels, ["top", "bottom"], f"halves/{seed}")


@pytest.fixture(scope="module")
def halves_classifier():
    return train_classifier(_halves(512, seed=0), epochs=2, batch_size=32, seed=0, device="cpu")


# --- the classifier ---


def test_classifier_reads_features_and_class_scores(halves_classifier):
    x = _halves(5, seed=1).images
    assert halves_classifier.features(x).shape == (5, 64)
    assert halves_classifier.logits(x).shape == (5, 2)
    assert (halves_classifier.features(x) >= 0).all()  # after a ReLU


def test_classifier_learns_an_easy_task(halves_classifier):
    assert classifier_accuracy(halves_classifier, _halves(200, seed=1)) == 1.0


def test_same_seed_gives_the_same_classifier_and_leaves_global_rng_alone():
    data = _halves(64, seed=0)
    state = torch.get_rng_state()
    a = train_classifier(data, epochs=1, batch_size=16, seed=3, device="cpu")
    assert torch.equal(torch.get_rng_state(), state)
    b = train_classifier(data, epochs=1, batch_size=16, seed=3, device="cpu")
    c = train_classifier(data, epochs=1, batch_size=16, seed=4, device="cpu")
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.head.weight, c.head.weight)


def test_train_classifier_needs_labelled_image_data():
    with pytest.raises(TypeError, match="ImageData"):
        train_classifier(torch.rand(10, 1, 28, 28))
    bad = _halves(10, seed=0)
    bad.labels = bad.labels + 5
    message = r"train\.labels must lie in \[0, 2\), got values in \[5, 6\]"
    with pytest.raises(ValueError, match=message):
        train_classifier(bad)


def test_classifier_accuracy_refuses_a_data_set_of_other_classes(halves_classifier):
    other = _halves(10, seed=0)
    other.classes = ["left", "right"]
    with pytest.raises(ValueError, match="train one on this data set"):
        classifier_accuracy(halves_classifier, other)


# --- the scores ---


def test_confident_balanced_samples_score_high_and_uniformly(halves_classifier):
    quality = sample_quality(halves_classifier, _halves(200, seed=1).images, _halves(200, seed=2))
    assert isinstance(quality, SampleQuality) and quality.n_samples == 200
    assert quality.confidence > 0.95
    assert quality.class_coverage == pytest.approx(2.0, abs=0.01)  # both classes, equally often
    assert quality.frechet_distance < 1.0


def test_samples_of_one_class_cover_one_class(halves_classifier):
    data = _halves(200, seed=1)
    quality = sample_quality(halves_classifier, data.images[data.labels == 0], data)
    assert quality.class_coverage == pytest.approx(1.0, abs=0.05)
    balanced = sample_quality(halves_classifier, data.images, data)
    assert quality.frechet_distance > balanced.frechet_distance + 1.0  # a different spread


def test_class_coverage_is_the_exponential_of_the_mean_prediction_entropy(halves_classifier):
    data = _halves(100, seed=1)
    _, p = halves_classifier.features_and_probabilities(data.images)
    mean = p.double().mean(dim=0)
    expected = math.exp(-(mean * mean.log()).sum().item())
    assert sample_quality(halves_classifier, data.images, data).class_coverage == pytest.approx(
        expected
    )


def test_sample_quality_refuses_images_outside_the_unit_interval(halves_classifier):
    with pytest.raises(ValueError, match=r"samples must hold pixel intensities in \[0, 1\]"):
        sample_quality(halves_classifier, torch.full((4, 1, 28, 28), 2.0), _halves(8, seed=0))


def test_sample_quality_needs_an_image_classifier():
    with pytest.raises(TypeError, match="ImageClassifier"):
        sample_quality(torch.nn.Linear(2, 2), torch.rand(4, 1, 28, 28), torch.rand(4, 1, 28, 28))


# --- the Fréchet distance ---


def test_frechet_distance_of_a_set_to_itself_is_zero():
    a = torch.randn(500, 8, generator=torch.Generator().manual_seed(0))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_a_shift_by_c_adds_the_squared_length_of_c():
    a = torch.randn(500, 8, generator=torch.Generator().manual_seed(0))
    c = torch.arange(8.0) / 4
    assert frechet_distance(a, a + c) == pytest.approx(c.pow(2).sum().item(), rel=1e-6)


def test_frechet_distance_matches_scipy_sqrtm_on_non_commuting_covariances():
    linalg = pytest.importorskip("scipy.linalg")
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(400, 6, generator=generator) @ torch.randn(6, 6, generator=generator)
    b = torch.randn(300, 6, generator=generator) @ torch.randn(6, 6, generator=generator) + 1
    mean_a, mean_b = a.double().mean(0).numpy(), b.double().mean(0).numpy()
    cov_a, cov_b = torch.cov(a.double().T).numpy(), torch.cov(b.double().T).numpy()
    cross = linalg.sqrtm(cov_a @ cov_b).real  # the usual FID implementation
    expected = ((mean_a - mean_b) ** 2).sum() + (cov_a + cov_b - 2 * cross).trace()
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)
    assert frechet_distance(b, a) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_warns_when_there_are_fewer_vectors_than_features():
    with pytest.warns(UserWarning, match="covariance is singular"):
        frechet_distance(torch.randn(10, 16), torch.randn(100, 16))


def test_frechet_distance_refuses_one_vector_or_mismatched_features():
    with pytest.raises(ValueError, match="at least 2 vectors"):
        frechet_distance(torch.randn(1, 4), torch.randn(10, 4))
    with pytest.raises(ValueError, match="same number of features"):
        frechet_distance(torch.randn(10, 4), torch.randn(10, 5))


# --- sharpness ---


def test_flat_images_and_linear_ramps_have_zero_sharpness():
    ramp = torch.linspace(0, 1, 28).expand(1, 1, 28, 28)
    assert sharpness(torch.full((2, 1, 28, 28), 0.4)).abs().max() == 0
    assert sharpness(ramp).item() == pytest.approx(0.0, abs=1e-12)


def test_sharpness_of_a_single_bright_pixel_is_twenty_over_nine():
    x = torch.zeros(1, 1, 5, 5)
    x[..., 2, 2] = 1.0  # Laplacian: −4 at the pixel, +1 at its 4 neighbours, over 3×3 interior
    assert sharpness(x).item() == pytest.approx(20 / 9)


def test_blurring_lowers_sharpness(random_images):
    blurred = torch.nn.functional.avg_pool2d(random_images, 3, stride=1, padding=1)
    assert (sharpness(blurred) < sharpness(random_images) / 5).all()


def test_spreading_an_edge_lowers_sharpness_but_not_total_variation():
    step = torch.zeros(1, 1, 6, 6)
    step[..., 3:] = 1.0  # 0 0 0 1 1 1 in every row
    ramp = torch.zeros(1, 1, 6, 6)
    ramp[..., 2], ramp[..., 3:] = 0.5, 1.0  # 0 0 ½ 1 1 1: the same edge over two pixels
    assert total_variation(ramp).item() == pytest.approx(total_variation(step).item())
    assert sharpness(ramp).item() == pytest.approx(sharpness(step).item() / 4)


def test_sharpness_refuses_tiny_or_flat_tensors():
    with pytest.raises(ValueError, match="at least 3×3"):
        sharpness(torch.rand(2, 1, 2, 8))
    with pytest.raises(ValueError, match="4 dimensions"):
        sharpness(torch.rand(2, 784))


# --- on MNIST: the classifier's accuracy and the ordering the chapters state ---


@pytest.fixture(scope="module")
def mnist():
    root = os.environ.get(vaelib.DATA_ENV_VAR)
    if not root:
        pytest.skip(f"{vaelib.DATA_ENV_VAR} is not set: no local MNIST to test against")
    return vaelib.load_mnist("train", root=root), vaelib.load_mnist("test", root=root)


@pytest.fixture(scope="module")
def mnist_classifier(mnist):
    return train_classifier(mnist[0], seed=0, device="cpu")


@pytest.fixture(scope="module")
def scored_sets(mnist, mnist_classifier):
    """Scores of 1,000 images of each kind against the other 9,000 test images."""
    train, test = mnist
    subset = train.subset(10_000, seed=0)
    images = {"test images": test.images[:1000]}
    for name, model_class, beta in [
        ("autoencoder", vaelib.Autoencoder, 1.0),
        ("β = 1", vaelib.VAE, 1.0),
        ("β = 30", vaelib.VAE, 30.0),
    ]:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = model_class()  # 784-400-20, the same initial weights on every run
        vaelib.fit(model, subset, epochs=3, beta=beta, seed=0, device="cpu", progress=False)
        images[name] = model.sample(1000, generator=torch.Generator().manual_seed(0))
    reference = test.images[1000:]
    return {
        name: (sample_quality(mnist_classifier, x, reference), sharpness(x).mean().item())
        for name, x in images.items()
    }


def test_the_mnist_classifier_reaches_98_percent_test_accuracy(mnist, mnist_classifier):
    assert isinstance(mnist_classifier, ImageClassifier)
    assert classifier_accuracy(mnist_classifier, mnist[1]) >= 0.98


def test_real_images_beat_beta_1_samples_which_beat_autoencoder_and_beta_30(scored_sets):
    q = {name: quality for name, (quality, _) in scored_sets.items()}
    real, vae, ae, collapsed = q["test images"], q["β = 1"], q["autoencoder"], q["β = 30"]
    # Fréchet distance: real images an order of magnitude closer than any model's samples
    assert real.frechet_distance < vae.frechet_distance / 10
    assert vae.frechet_distance * 1.2 < ae.frechet_distance
    assert vae.frechet_distance * 1.2 < collapsed.frechet_distance
    # confidence: real digits are recognised, β = 1 samples more often than the others
    assert real.confidence > 0.95 and real.confidence > vae.confidence + 0.2
    assert vae.confidence > ae.confidence + 0.05
    assert vae.confidence > collapsed.confidence + 0.1
    # coverage: real images and β = 1 samples span nearly all ten digits, β = 30 far fewer
    assert real.class_coverage > 9.5 and vae.class_coverage > 9.0
    assert collapsed.class_coverage < vae.class_coverage - 2


def test_model_samples_are_blurrier_than_real_digits_and_beta_30_the_blurriest(scored_sets):
    sharp = {name: value for name, (_, value) in scored_sets.items()}
    assert sharp["test images"] > 5 * max(sharp["β = 1"], sharp["autoencoder"])
    assert sharp["β = 30"] < sharp["β = 1"] / 1.5


def test_confident_fraction_counts_images_named_above_the_threshold(halves_classifier):
    x = _halves(50, seed=2).images
    _, probabilities = halves_classifier.features_and_probabilities(x)
    top = probabilities.max(dim=1).values
    for threshold in (0.5, 0.9, 0.99):
        expected = (top > threshold).float().mean().item()
        assert confident_fraction(halves_classifier, x, threshold) == expected
    assert confident_fraction(halves_classifier, x, threshold=1.0) == 0.0


def test_confident_fraction_refuses_a_threshold_outside_zero_to_one(halves_classifier):
    with pytest.raises(ValueError, match="threshold"):
        confident_fraction(halves_classifier, _halves(4, seed=0).images, threshold=1.5)


def test_the_reference_features_are_computed_once_while_nothing_changes(monkeypatch):
    """Scoring several sample sets against one reference runs the classifier over it once; a
    changed reference or classifier is scored again."""
    data = ImageData(
        torch.rand(300, 1, 28, 28, generator=torch.Generator().manual_seed(0)),
        torch.arange(300) % 10,
        [str(k) for k in range(10)],
        "tiny",
    )
    classifier = vaelib.train_classifier(data, epochs=1, device="cpu", cache=False)
    reference, samples = data.images[100:], data.images[:100]
    calls = []
    original = classifier.features_and_probabilities

    def counted(images, batch_size=1000):
        calls.append(len(images))
        return original(images, batch_size)

    monkeypatch.setattr(classifier, "features_and_probabilities", counted)
    first = vaelib.sample_quality(classifier, samples, reference)
    second = vaelib.sample_quality(classifier, samples, reference)
    assert calls == [100, 200, 100] and first == second
    reference[0] = 0.0  # an in-place change to the reference
    changed = vaelib.sample_quality(classifier, samples, reference)
    assert calls[-2:] == [100, 200] and changed != first
    with torch.no_grad():
        classifier.body[0].bias += 0.1  # and to the classifier's weights
    vaelib.sample_quality(classifier, samples, reference)
    assert calls[-2:] == [100, 200] and len(calls) == 7


# --- grain ---


def test_edges_ramps_and_flat_images_have_no_grain():
    step = torch.zeros(1, 1, 8, 8)
    step[..., 4:] = 1.0
    ramp = torch.linspace(0, 1, 8).expand(1, 1, 8, 8)
    for image in (step, ramp, torch.full((1, 1, 8, 8), 0.3)):
        assert grain(image).item() == pytest.approx(0.0, abs=1e-12)
    assert sharpness(step).item() > 0  # the edge that sharpness counts


def test_an_isolated_speck_is_all_grain():
    x = torch.zeros(1, 1, 5, 5)
    x[..., 2, 2] = 1.0  # the median of every 3×3 window is 0
    assert median_filter(x).abs().max() == 0
    assert grain(x).item() == pytest.approx(1 / 25)


def test_speckle_raises_grain_far_more_than_a_blur_of_the_same_image():
    step = torch.zeros(1, 1, 28, 28)
    step[..., 14:] = 1.0
    noise = 0.3 * (torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(0)) - 0.5)
    blurred = torch.nn.functional.avg_pool2d(step, 3, stride=1, padding=1, count_include_pad=False)
    assert grain(step + noise).item() > 100 * grain(blurred).item() + 1e-4


def test_median_filter_keeps_the_shape_and_refuses_flat_tensors(random_images):
    assert median_filter(random_images).shape == random_images.shape
    with pytest.raises(ValueError, match="4 dimensions"):
        grain(torch.rand(2, 784))
