"""Probes: what a code tells about the label, and what a data set's pixels are like.

- `fano_lowest_error`: the smallest error that Fano's inequality allows *any* classifier of a
  code with a given conditional entropy H(y|z) (chapter 5);
- `nearest_class_mean_accuracy` and `nearest_neighbour_accuracy`: two simple classifiers of
  codes, trained on labelled codes and scored on others (chapters 5, 8 and 11);
- `between_class_variance`: how far apart the classes' mean codes sit (chapter 11);
- `grey_share`: the share of pixels that are neither near black nor near white (chapter 9).
"""

from __future__ import annotations

import math

import torch

from vaelib._support.checks import (
    check_batch_size,
    check_class_labels,
    check_images,
    check_int,
    check_number,
    check_tensor,
)


def fano_lowest_error(conditional_entropy: float, n_classes: int = 10) -> float:
    """The smallest error probability P_e that Fano's inequality allows, given H(y|z) in nats.

    Fano's inequality for a label y with K classes predicted from z by any rule,

        h(P_e) + P_e ln(K − 1) ≥ H(y|z),   h(p) = −p ln p − (1 − p) ln(1 − p),

    has a left side that rises from 0 at P_e = 0 to ln K at P_e = 1 − 1/K. The lowest error
    allowed is therefore 0 if H(y|z) ≤ 0, 1 − 1/K if H(y|z) ≥ ln K, and otherwise the P_e in
    [0, 1 − 1/K] where the two sides are equal, found by bisection to within 1e-12.

    `conditional_entropy`: H(y|z) in nats (a lower bound such as H(y) − I(x; z) may be < 0).
    Returns a probability in [0, 1 − 1/K]; 1 minus it bounds any classifier's accuracy.
    """
    conditional_entropy = check_number(conditional_entropy, "conditional_entropy")
    n_classes = check_int(n_classes, "n_classes", minimum=2)

    def fano_left_side(p: float) -> float:  # h(p) + p ln(K − 1), rising on [0, 1 − 1/K]
        entropy = -sum(q * math.log(q) for q in (p, 1 - p) if q > 0)
        return entropy + p * math.log(n_classes - 1)

    low, high = 0.0, 1 - 1 / n_classes
    if conditional_entropy <= 0:
        return low
    if conditional_entropy >= math.log(n_classes):
        return high
    while high - low > 1e-12:
        middle = (low + high) / 2
        if fano_left_side(middle) < conditional_entropy:
            low = middle
        else:
            high = middle
    return high


@torch.no_grad()
def nearest_class_mean_accuracy(
    train_codes: torch.Tensor,
    train_labels: torch.Tensor,
    test_codes: torch.Tensor,
    test_labels: torch.Tensor,
) -> float:
    """Accuracy of assigning each test code to the class whose mean training code is nearest.

    The mean code of each class present in `train_labels` is computed from `train_codes`; each
    test code gets the label of the nearest mean in Euclidean distance.

    `train_codes`: (n, d), `train_labels`: (n,) integers; `test_codes`: (m, d), `test_labels`:
    (m,). Returns the fraction of test codes labelled correctly, in [0, 1].
    """
    _check_labelled_codes(train_codes, train_labels, test_codes, test_labels)
    classes = train_labels.unique()  # (K,), sorted
    means = torch.stack([train_codes[train_labels == k].mean(dim=0) for k in classes])  # (K, d)
    predicted = classes[torch.cdist(test_codes.float(), means.float()).argmin(dim=1)]  # (m,)
    return (predicted == test_labels).float().mean().item()


@torch.no_grad()
def nearest_neighbour_accuracy(
    train_codes: torch.Tensor,
    train_labels: torch.Tensor,
    test_codes: torch.Tensor,
    test_labels: torch.Tensor,
    batch_size: int = 1000,
) -> float:
    """Accuracy of the 1-nearest-neighbour rule: each test code takes the label of the nearest
    training code (Euclidean distance; the first of equally near ones).

    Distances are computed `batch_size` test codes at a time, so memory stays at
    `batch_size` × n floats. Shapes as in `nearest_class_mean_accuracy`. Returns a fraction in
    [0, 1].
    """
    _check_labelled_codes(train_codes, train_labels, test_codes, test_labels)
    batch_size = check_batch_size(batch_size)
    nearest = torch.cat(  # index of the nearest training code, (m,)
        [
            torch.cdist(chunk.float(), train_codes.float()).argmin(dim=1)
            for chunk in test_codes.split(batch_size)
        ]
    )
    return (train_labels[nearest] == test_labels).float().mean().item()


def grey_share(images: torch.Tensor, low: float = 0.05, high: float = 0.95) -> float:
    """The share of all pixels whose grey level lies strictly between `low` and `high`.

    For nearly black-and-white images such as MNIST digits it is small; for photographs of
    shaded, textured objects it is large. `images`: (batch, …) grey levels in [0, 1], e.g.
    (n, 1, 28, 28).
    Returns a fraction in [0, 1].
    """
    images = check_images(images, "images")
    low, high = check_number(low, "low", minimum=0.0), check_number(high, "high", maximum=1.0)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low!r}, high={high!r}")
    return ((images > low) & (images < high)).float().mean().item()


def _check_labelled_codes(
    train_codes: torch.Tensor,
    train_labels: torch.Tensor,
    test_codes: torch.Tensor,
    test_labels: torch.Tensor,
) -> None:
    check_tensor(train_codes, "train_codes", ndim=2)
    check_tensor(test_codes, "test_codes", ndim=2)
    if train_codes.shape[1] != test_codes.shape[1]:
        raise ValueError(
            f"train_codes and test_codes must have the same dimension d, got "
            f"{train_codes.shape[1]} and {test_codes.shape[1]}"
        )
    for codes, labels, name in (
        (train_codes, train_labels, "train"),
        (test_codes, test_labels, "test"),
    ):
        check_class_labels(labels, f"{name}_labels", n=len(codes), per="code")


@torch.no_grad()
def between_class_variance(codes: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """How far apart the classes' mean codes sit: Σ_y p(y) ‖c_y − c̄‖², and its share of the total.

    `codes` (n, d) and integer `labels` (n,). With c_y the mean code of class y, p(y) its share
    of the n codes and c̄ the mean of all codes, returns the between-class variance, summed over
    the d dimensions (squared code units), and its share of the codes' total variance
    E‖code − c̄‖² (a number in [0, 1]: 0 when every class has the same mean code).

    For posterior means μ, half the between-class variance is the KL (nats per image) an encoder
    that knows the label could save by shifting each class's codes to a common centre.
    """
    check_tensor(codes, "codes", ndim=2)
    check_class_labels(labels, n=len(codes), per="code")
    codes = codes.detach().cpu().double()  # float64 only on the CPU
    labels = labels.cpu()
    centre = codes.mean(dim=0)  # (d,)
    total = (codes - centre).pow(2).sum(dim=1).mean().item()
    counts = torch.bincount(labels)  # (classes,)
    present = counts.nonzero().flatten()
    means = torch.stack([codes[labels == k].mean(dim=0) for k in present.tolist()])  # (k, d)
    weights = counts[present].double() / len(codes)  # p(y)
    between = (weights[:, None] * (means - centre).pow(2)).sum().item()
    return between, (between / total if total > 0 else 0.0)
