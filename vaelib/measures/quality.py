"""What the eye judges, measured: how good a set of samples looks, and how sharp an image is.

`sample_quality` scores a set of generated images with an `ImageClassifier` of the data set
(`vaelib.train_classifier`), in three numbers:

- **confidence**: are the samples recognisably *some* class? The mean, over samples, of the
  classifier's largest class probability: 1 when every sample is classified with certainty,
  1/K (0.1 for ten classes) when the classifier cannot tell at all.
- **class coverage**: do the samples spread over *all* the classes? The effective number of
  classes exp H(p̄) of the mean predicted distribution p̄(y) = (1/n) Σ p(y|x): K when the classes
  are predicted equally often, 1 when every sample falls in one class.
- **Fréchet distance**: do the samples vary the way real images do? The Fréchet distance between
  Gaussians fitted to the classifier's features of the samples and of real images — the idea of
  the FID (Heusel et al. 2017) in the 64-dimensional feature space of the book's small
  classifier. Its values are **not comparable with published FIDs**, which use the 2048
  features of an Inception network trained on ImageNet, nor between classifiers.

`sharpness` measures blur: the mean squared response of the image to a Laplacian filter. It
counts every change of grey level from pixel to pixel, so speckle scores as high as a crisp edge.
`grain` tells the two apart: it keeps only what a 3 × 3 median filter (`median_filter`) removes —
isolated specks and pixel-scale mottle — and leaves out edges and smooth shading, which the median
keeps; `sharpness(median_filter(x))` is then the sharpness of the edges without the speckle.
"""

from __future__ import annotations

import math
import warnings
import weakref
from dataclasses import dataclass

import torch

from vaelib._support.checks import check_batch_size, check_images, check_probability, check_tensor
from vaelib.data.loading import ImageData
from vaelib.measures.classifier import ImageClassifier, _check_classifier


@dataclass(frozen=True)
class SampleQuality:
    """The classifier-based scores of a set of images; see `sample_quality`."""

    confidence: float  # mean largest class probability, from 1/K (guessing) to 1 (certain)
    class_coverage: float  # effective number of classes predicted, from 1 to K
    frechet_distance: float  # to the reference images' features, squared feature units; 0 = same
    n_samples: int  # number of images scored


def sample_quality(
    classifier: ImageClassifier,
    samples: torch.Tensor,
    reference: ImageData | torch.Tensor,
    batch_size: int = 1000,
) -> SampleQuality:
    """Score `samples` by how a classifier of the data set sees them, against real `reference`s.

    confidence = (1/n) Σ_i max_y p(y|x_i);  class_coverage = exp(−Σ_y p̄(y) ln p̄(y)) with
    p̄(y) = (1/n) Σ_i p(y|x_i);  frechet_distance = `frechet_distance` of the classifier's
    features of `samples` and of `reference`.

    `samples`: (n, 1, 28, 28) grey levels in [0, 1], e.g. `model.sample(1000)`. `reference`:
    real images (m, 1, 28, 28), e.g. the test set, which the classifier never trained on. The
    Fréchet distance of a finite set is biased upwards, the more so the fewer images: compare
    models at the same n (1,000 is the book's choice), and score real images held out from
    `reference` at that n too, as the floor that a perfect model would reach.

    The reference's features are remembered for the next call with the same classifier and the
    same reference tensor, both unchanged: scoring several sets against one reference runs the
    classifier over the reference once.
    """
    _check_classifier(classifier)
    batch_size = check_batch_size(batch_size)
    samples = check_images(samples, "samples", classifier.image_shape)
    reference_images = reference.images if isinstance(reference, ImageData) else reference
    reference_images = check_images(reference_images, "reference", classifier.image_shape)
    features, probabilities = classifier.features_and_probabilities(samples, batch_size)
    reference_features = _reference_features(classifier, reference_images, batch_size)

    mean_distribution = probabilities.double().mean(dim=0)  # p̄(y), (K,)
    entropy = -torch.special.xlogy(mean_distribution, mean_distribution).sum()  # nats
    return SampleQuality(
        confidence=probabilities.max(dim=1).values.mean().item(),
        class_coverage=math.exp(entropy.item()),
        frechet_distance=frechet_distance(features, reference_features),
        n_samples=len(samples),
    )


# The last reference scored: (classifier, its weights' versions, reference, its version, batch size)
# → its features. Weak references, so that the memo keeps neither object alive.
_last_reference: dict[str, object] = {}


def _reference_features(
    classifier: ImageClassifier, reference: torch.Tensor, batch_size: int
) -> torch.Tensor:
    """The classifier's features (m, F) of `reference`, computed once per unchanged pair."""
    key = (tuple(p._version for p in classifier.parameters()), reference._version, batch_size)
    memo = _last_reference
    if (
        memo.get("key") == key
        and memo["classifier"]() is classifier
        and memo["reference"]() is reference
    ):
        return memo["features"]
    features, _ = classifier.features_and_probabilities(reference, batch_size)
    memo.update(
        key=key,
        classifier=weakref.ref(classifier),
        reference=weakref.ref(reference),
        features=features,
    )
    return features


def confident_fraction(
    classifier: ImageClassifier, images: torch.Tensor, threshold: float = 0.9
) -> float:
    """The fraction of `images` (n, 1, 28, 28) that `classifier` names with p > `threshold`.

    A sample counts as recognised "with confidence" when its largest class probability
    max_y p(y|x) exceeds `threshold` (a probability in [0, 1]). Returns a fraction in [0, 1].
    """
    _check_classifier(classifier)
    images = check_images(images, "images", classifier.image_shape)
    threshold = check_probability(threshold, "threshold")
    _, probabilities = classifier.features_and_probabilities(images)
    return (probabilities.max(dim=1).values > threshold).float().mean().item()


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """Fréchet (2-Wasserstein) distance² between Gaussians fitted to two sets of feature vectors.

    d² = ‖μ_a − μ_b‖² + tr(Σ_a + Σ_b − 2 (Σ_a^½ Σ_b Σ_a^½)^½),

    with μ and Σ the mean and the (n − 1)-normalised covariance of each set. The matrix square
    roots are taken through the eigendecomposition of symmetric matrices, in float64, with
    eigenvalues below 0 (rounding) set to 0. 0 for two identical sets; in squared feature units.

    `features_a`: (n, F); `features_b`: (m, F); n, m ≥ 2. With fewer vectors than F dimensions
    the covariance is singular and the distance is dominated by sampling error: a warning says so.
    """
    for name, x in (("features_a", features_a), ("features_b", features_b)):
        check_tensor(x, name, ndim=2)
        if len(x) < 2:
            raise ValueError(f"{name} needs at least 2 vectors for a covariance, got {len(x)}")
        if len(x) <= x.shape[1]:
            warnings.warn(
                f"{name} has {len(x)} vectors of {x.shape[1]} features: its covariance is "
                f"singular and the Fréchet distance unreliable; use more than {x.shape[1]}",
                stacklevel=2,
            )
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            f"features_a and features_b must have the same number of features, "
            f"got {features_a.shape[1]} and {features_b.shape[1]}"
        )
    a, b = features_a.double(), features_b.double()
    mean_a, mean_b = a.mean(dim=0), b.mean(dim=0)  # (F,)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)  # (F, F)
    root_a = _symmetric_sqrt(cov_a)  # Σ_a^½
    middle = root_a @ cov_b @ root_a  # symmetric, positive semi-definite
    eigenvalues = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0)
    trace_cross = eigenvalues.sqrt().sum()  # tr (Σ_a^½ Σ_b Σ_a^½)^½
    distance = (mean_a - mean_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * trace_cross
    return max(distance.item(), 0.0)


def _symmetric_sqrt(matrix: torch.Tensor) -> torch.Tensor:
    """The positive semi-definite square root of a symmetric matrix, (F, F)."""
    eigenvalues, eigenvectors = torch.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * eigenvalues.clamp(min=0).sqrt()) @ eigenvectors.T


_LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def sharpness(images: torch.Tensor) -> torch.Tensor:
    """Mean squared Laplacian of each image: how much its grey levels curve from pixel to pixel.

    (Δx)_ij = x_{i−1,j} + x_{i+1,j} + x_{i,j−1} + x_{i,j+1} − 4 x_ij at every interior pixel;
    the score is the mean of (Δx)² over the interior pixels and the channels, in (grey level)²
    per pixel. Blurring lowers it sharply; a flat image or a linear ramp scores 0. Unlike
    `total_variation`, which a blur that keeps each edge's height leaves nearly unchanged,
    it falls whenever an edge is spread over more pixels (the "variance of the Laplacian" focus
    measure of Pech-Pacheco et al. 2000, with the mean Laplacian, ≈ 0, not subtracted).

    `images`: (n, channels, height, width) with height, width ≥ 3. Returns (n,).
    """
    check_tensor(images, "images", ndim=4)
    n, channels, height, width = images.shape
    if height < 3 or width < 3:
        raise ValueError(f"images must be at least 3×3 pixels, got shape {tuple(images.shape)}")
    kernel = _LAPLACIAN.to(images).expand(channels, 1, 3, 3)  # one filter per channel
    response = torch.nn.functional.conv2d(images, kernel, groups=channels)  # (n, c, h−2, w−2)
    return response.pow(2).flatten(start_dim=1).mean(dim=1)


def median_filter(images: torch.Tensor) -> torch.Tensor:
    """The median of each pixel's 3 × 3 neighbourhood (borders repeated): (n, c, h, w), same shape.

    A median keeps a straight edge and a smooth ramp where they are, and removes an isolated
    speck or a one-pixel line: the classic filter against salt-and-pepper noise.
    """
    check_tensor(images, "images", ndim=4)
    padded = torch.nn.functional.pad(images, (1, 1, 1, 1), mode="replicate")
    windows = padded.unfold(2, 3, 1).unfold(3, 3, 1)  # (n, c, h, w, 3, 3)
    return windows.flatten(start_dim=-2).median(dim=-1).values


def grain(images: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between each image and its 3 × 3 median: pixel-scale speckle, (n,).

    (grey level)² per pixel, averaged over the pixels and channels. A flat image, a straight edge
    or a smooth ramp scores 0: the median filter (`median_filter`) leaves them as they are. An
    isolated speck, mottle a pixel or two across, or a texture finer than three pixels scores
    high. Blurring lowers it, as it lowers `sharpness`; unlike `sharpness`, it does not count
    edges.

    `images`: (n, channels, height, width). Returns (n,).
    """
    check_tensor(images, "images", ndim=4)
    return (images - median_filter(images)).pow(2).flatten(start_dim=1).mean(dim=1)
