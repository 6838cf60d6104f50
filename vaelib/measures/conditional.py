"""Measurements that only a conditional VAE has: analogies, and correlations within a class.

The code measures of `vaelib.measures.codes` (`encode_dataset`, `kl_per_dimension`,
`active_units`) serve a `ConditionalVAE` as they are, each image encoded with its own label, so
the numbers of a plain VAE and of a conditional one are directly comparable (chapter 11). What
is left here needs the label as an input to vary:

- `class_analogies`: the "analogies" of Kingma et al. (2014): each image's code, decoded with
  every label in turn — the same style written as each class.
- `within_class_correlation`: the correlation of two measurements of the same images (e.g. the
  ink of an original and of its analogies) once each class's mean is removed from both, so that
  the classes' differences (a 1 takes less ink than a 0) cannot produce it.
"""

from __future__ import annotations

import torch

from vaelib._support.checks import check_class_labels, check_tensor
from vaelib.models.conditional import ConditionalVAE
from vaelib.models.mlp import eval_mode


@torch.no_grad()
def class_analogies(
    model: ConditionalVAE, images: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """Each image's code decoded with every label: grey levels, (n, num_classes, 1, 28, 28).

    Image i is encoded with its own label, z_i = μ(x_i, y_i), and z_i is decoded with each label
    k = 0 … num_classes − 1: entry [i, k] is sigmoid(decoder(z_i, k)). If the code holds the
    style and the label the class, row i writes the style of image i as every class.

    `images`: (n, 1, 28, 28) in [0, 1]; `labels`: (n,) int64, the images' own classes.
    """
    model = _check_conditional(model)
    check_class_labels(labels, n=len(images), num_classes=model.num_classes)
    k = model.num_classes
    with eval_mode(model):
        mu, _ = model.encode(images.to(model._weight().device), labels)  # (n, d)
        codes = mu.repeat_interleave(k, dim=0)  # (n·k, d): each code k times
        every_label = torch.arange(k).repeat(len(mu))  # (n·k,): 0 … k − 1 for each code
        decoded = torch.sigmoid(model.decode(codes, every_label))  # (n·k, 1, 28, 28)
    return decoded.view(len(mu), k, *decoded.shape[1:]).cpu()


def within_class_correlation(a: torch.Tensor, b: torch.Tensor, labels: torch.Tensor) -> float:
    """Pearson's correlation of `a` and `b` within classes: each centred on its class's mean.

        r = Σ_i (a_i − ā_{y_i})(b_i − b̄_{y_i}) / sqrt(Σ_i (a_i − ā_{y_i})² · Σ_i (b_i − b̄_{y_i})²),

    where ā_y is the mean of `a` over the items of class y (the pooled within-class correlation).
    Unlike the plain correlation, it cannot come from the classes alone: adding any constant per
    class to `a` or to `b` leaves it unchanged. With a single class it is the plain correlation.

    `a`, `b`: finite floating-point (n,), two measurements of the same n items; `labels`: (n,)
    integers, the items' classes. Returns a number in [−1, 1]. Raises `ValueError` if `a` or
    `b` does not vary within any class (every item alone in its class, say).
    """
    check_tensor(a, "a", ndim=1)
    check_tensor(b, "b", ndim=1)
    check_class_labels(labels)
    if not len(a) == len(b) == len(labels):
        raise ValueError(
            f"a, b and labels must have one entry per item, got lengths {len(a)}, {len(b)} "
            f"and {len(labels)}"
        )
    classes = torch.unique(labels.cpu(), return_inverse=True)[1]  # (n,) in [0, k)
    counts = torch.bincount(classes).double()  # (k,)
    residuals = []
    for x, name in ((a, "a"), (b, "b")):
        x = x.detach().cpu().double()
        means = torch.zeros_like(counts).index_add_(0, classes, x) / counts  # (k,) class means
        r = x - means[classes]  # (n,)
        if r.norm() <= 1e-12 * x.norm():
            raise ValueError(
                f"{name} does not vary within any class, so it has no within-class correlation; "
                f"each class needs at least two items with different values"
            )
        residuals.append(r)
    ra, rb = residuals
    return (ra @ rb / (ra.norm() * rb.norm())).clamp(-1, 1).item()


def _check_conditional(model: object) -> ConditionalVAE:
    if not isinstance(model, ConditionalVAE):
        raise TypeError(
            f"model must be a vaelib ConditionalVAE (for a plain VAE use vaelib.kl_per_dimension "
            f"and vaelib.active_units), got {type(model).__name__}"
        )
    return model
