"""Probes of codes and images: Fano's bound on the error of any classifier of a code, two simple
classifiers of codes, and the share of grey pixels."""

import math

import pytest
import torch

from vaelib import (
    between_class_variance,
    fano_lowest_error,
    gaussian_kl,
    grey_share,
    nearest_class_mean_accuracy,
    nearest_neighbour_accuracy,
)

# --- Fano's inequality ---


def _fano_by_brute_force(conditional_entropy: float, n_classes: int) -> float:
    """The smallest P_e on a grid of step 1e-6 with h(P_e) + P_e ln(K − 1) >= H(y|z)."""
    p = torch.linspace(0, 1 - 1 / n_classes, 1_000_001, dtype=torch.float64)
    h = -(torch.xlogy(p, p) + torch.xlogy(1 - p, 1 - p))
    allowed = h + p * math.log(n_classes - 1) >= conditional_entropy
    return p[allowed][0].item()


@pytest.mark.parametrize("n_classes", [2, 3, 10])
@pytest.mark.parametrize("fraction", [0.01, 0.3, 0.7, 0.99])
def test_fano_lowest_error_matches_a_brute_force_solve(n_classes, fraction):
    entropy = fraction * math.log(n_classes)
    expected = _fano_by_brute_force(entropy, n_classes)
    assert fano_lowest_error(entropy, n_classes) == pytest.approx(expected, abs=2e-6)


def test_fano_bound_holds_with_equality_at_the_lowest_error():
    error = fano_lowest_error(1.5)
    h = -error * math.log(error) - (1 - error) * math.log(1 - error)
    assert h + error * math.log(9) == pytest.approx(1.5, abs=1e-9)


def test_no_uncertainty_allows_no_error_and_full_uncertainty_forces_chance():
    assert fano_lowest_error(0.0) == 0.0
    assert fano_lowest_error(-0.4) == 0.0  # H(y) − R below 0: the bound says nothing
    assert fano_lowest_error(math.log(10)) == pytest.approx(0.9)
    assert fano_lowest_error(5.0, n_classes=4) == pytest.approx(0.75)


def test_more_conditional_entropy_forces_more_error():
    errors = [fano_lowest_error(h) for h in (0.1, 0.5, 1.0, 2.0)]
    assert errors == sorted(errors) and len(set(errors)) == 4


def test_fano_lowest_error_refuses_bad_arguments():
    with pytest.raises(ValueError, match="conditional_entropy must be finite"):
        fano_lowest_error(float("nan"))
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        fano_lowest_error(0.5, n_classes=1)


# --- classifiers of codes ---


@pytest.fixture
def two_clusters():
    """Training codes around (0, 0) labelled 3 and around (10, 0) labelled 7."""
    train = torch.tensor([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    return train, torch.tensor([3, 3, 7, 7])


def test_nearest_class_mean_assigns_each_code_to_the_nearest_mean(two_clusters):
    train, labels = two_clusters
    test = torch.tensor([[1.0, 0.5], [9.0, 0.5], [4.0, 0.0], [6.0, 0.0]])
    assert nearest_class_mean_accuracy(train, labels, test, torch.tensor([3, 7, 3, 7])) == 1.0
    assert nearest_class_mean_accuracy(train, labels, test, torch.tensor([3, 7, 7, 7])) == 0.75


def test_nearest_class_mean_uses_the_mean_not_the_nearest_code():
    train = torch.tensor([[0.0], [1.0], [10.0], [4.0]])  # class 0: mean 0.5; class 1: mean 7
    labels = torch.tensor([0, 0, 1, 1])
    test = torch.tensor([[3.5]])  # nearest code is class 1's 4.0, nearest mean is class 0's
    assert nearest_class_mean_accuracy(train, labels, test, torch.tensor([0])) == 1.0
    assert nearest_neighbour_accuracy(train, labels, test, torch.tensor([1])) == 1.0


def test_nearest_neighbour_takes_the_label_of_the_nearest_training_code(two_clusters):
    train, labels = two_clusters
    test = torch.tensor([[0.0, 0.9], [10.0, 0.2], [5.1, 0.0]])
    assert nearest_neighbour_accuracy(train, labels, test, torch.tensor([3, 7, 7])) == 1.0
    assert nearest_neighbour_accuracy(
        train, labels, test, torch.tensor([7, 7, 7])
    ) == pytest.approx(2 / 3)


def test_nearest_neighbour_gives_the_same_answer_in_any_chunk_size():
    generator = torch.Generator().manual_seed(0)
    train, test = torch.randn(300, 5, generator=generator), torch.randn(101, 5, generator=generator)
    train_labels = torch.randint(0, 10, (300,), generator=generator)
    test_labels = torch.randint(0, 10, (101,), generator=generator)
    results = {
        nearest_neighbour_accuracy(train, train_labels, test, test_labels, batch_size=b)
        for b in (1, 7, 1000)
    }
    assert len(results) == 1


def test_classifiers_of_codes_refuse_mismatched_inputs(two_clusters):
    train, labels = two_clusters
    with pytest.raises(ValueError, match="same dimension d"):
        nearest_neighbour_accuracy(train, labels, torch.zeros(2, 3), torch.tensor([3, 7]))
    with pytest.raises(ValueError, match="one label per code"):
        nearest_class_mean_accuracy(train, labels[:3], train, labels)
    with pytest.raises(TypeError, match="integer class indices"):
        nearest_class_mean_accuracy(train, labels.float(), train, labels)


# --- grey share ---


def test_grey_share_counts_pixels_strictly_between_the_thresholds():
    images = torch.tensor([[0.0, 0.5, 1.0, 0.04, 0.96, 0.06]])  # 0.5 and 0.06 are grey
    assert grey_share(images) == pytest.approx(2 / 6)
    assert grey_share(images, low=0.0, high=1.0) == pytest.approx(4 / 6)


def test_black_and_white_images_have_no_grey():
    images = (torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    assert grey_share(images) == 0.0


def test_grey_share_refuses_bad_thresholds_and_values():
    with pytest.raises(ValueError, match="low must be below high"):
        grey_share(torch.rand(2, 4), low=0.6, high=0.4)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        grey_share(torch.full((2, 4), 3.0))


def test_between_class_variance_of_two_classes_with_known_means():
    codes = torch.tensor([[0.0, 0.0], [0.0, 2.0], [4.0, 0.0], [4.0, 2.0]])
    labels = torch.tensor([0, 0, 1, 1])  # class means (0, 1) and (4, 1); overall mean (2, 1)
    between, share = between_class_variance(codes, labels)
    assert between == pytest.approx(4.0)  # ½·2² + ½·2²
    assert share == pytest.approx(4.0 / 5.0)  # total: E‖code − c̄‖² = 4 + 1


def test_between_class_variance_is_zero_when_every_class_has_the_same_mean():
    codes = torch.tensor([[1.0], [-1.0], [2.0], [-2.0]])
    between, share = between_class_variance(codes, torch.tensor([0, 0, 1, 1]))
    assert between == pytest.approx(0.0, abs=1e-12) and share == pytest.approx(0.0, abs=1e-12)


def test_half_the_between_class_variance_is_the_kl_that_centring_the_classes_saves():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 10, (500,), generator=generator)
    mu = torch.randn(500, 3, generator=generator) + labels[:, None] * 0.3
    means = torch.stack([mu[labels == k].mean(dim=0) for k in range(10)])
    centred = mu - means[labels] + mu.mean(dim=0)  # each class moved to the common centre
    logvar = torch.zeros_like(mu)
    saving = (gaussian_kl(mu, logvar) - gaussian_kl(centred, logvar)).mean().item()
    assert saving == pytest.approx(0.5 * between_class_variance(mu, labels)[0], rel=1e-4)


def test_between_class_variance_names_bad_labels():
    codes = torch.zeros(3, 2)
    with pytest.raises(TypeError, match="labels must hold integer class indices"):
        between_class_variance(codes, torch.tensor([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\), one label per code"):
        between_class_variance(codes, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r">= 0, got values in \[-1, 1\]"):
        between_class_variance(codes, torch.tensor([0, -1, 1]))
