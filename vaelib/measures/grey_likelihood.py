"""The ELBO of the Bernoulli decoder on grey levels, and the same ELBO made a bound on a density.

The book's decoder gives each pixel the "likelihood" p^x (1 − p)^(1 − x) with p = sigmoid(ℓ).
For x ∈ {0, 1} that is a probability. For a grey level x ∈ [0, 1] it is not a density: its
integral over [0, 1] is

    m(p) = ∫₀¹ p^x (1 − p)^(1 − x) dx = (2p − 1) / ln(p / (1 − p)) = tanh(ℓ/2) / ℓ  ≤ ½,

(with m = ½ at p = ½), so a decoder's total mass over the grey-level images [0, 1]^784 is
Π_j m(p_j) ≤ 2^−784, and log p(x|z) as the book computes it is not a log-density. Dividing by
the mass makes it one: C(λ) λ^x (1 − λ)^(1 − x) with C = 1/m is the continuous Bernoulli
(Loaiza-Ganem and Cunningham 2019), a normalised density on [0, 1].

`grey_level_elbo(model, data)` returns the book's ELBO, the log of the decoder's total mass
Σ_j ln m(p_j) (`vaelib.measures.normalisation.bernoulli_log_mass`) under q(z|x), and the ELBO
of the same networks read as a continuous-Bernoulli decoder: a lower bound on the log of a true
density.
"""

from __future__ import annotations

import torch

from vaelib._support.checks import check_batch_size
from vaelib._support.device import batches
from vaelib._support.seeding import seeded_generator
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import gaussian_kl, reconstruction_loss
from vaelib.measures.normalisation import bernoulli_log_mass
from vaelib.models.mlp import VAE, check_model, eval_mode, model_device, model_images


@torch.no_grad()
def grey_level_elbo(
    model: VAE, data: ImageData | torch.Tensor, batch_size: int = 1000, seed: int = 0
) -> dict[str, float]:
    """The ELBO as the book computes it, the decoder's log mass, and the normalised ELBO.

    With one z ~ q(z|x) per image, drawn exactly as `vaelib.evaluate(model, data, seed=seed,
    batch_size=batch_size)` draws it (so "elbo" is minus that call's "loss"):

        "elbo": −[−log p(x|z) + KL(q(z|x) ‖ p(z))], the Bernoulli ELBO on grey levels;
        "log_mass": Σ_j ln m(p_j(z)) (`bernoulli_log_mass`), the log of the decoder's total
            mass over [0, 1]^784 at that z, ≤ −784 ln 2;
        "normalised_elbo": elbo − log_mass, the ELBO of the same encoder and decoder read as a
            continuous-Bernoulli decoder, a lower bound on the log of a normalised density.

    All in nats per image, averaged over `data` (images (n, 1, 28, 28) in [0, 1]).
    """
    check_model(model, vae=True)
    batch_size = check_batch_size(batch_size)
    generator = seeded_generator(seed)
    images = model_images(data, model, "data")
    device = model_device(model)
    elbo = log_mass = 0.0
    with eval_mode(model):
        for x, _ in batches(images, batch_size, device):  # (b, 1, 28, 28)
            logits, mu, logvar = model(x, generator)  # the sample z of `evaluate`
            per_image = -(reconstruction_loss(logits, x) + gaussian_kl(mu, logvar))  # (b,)
            elbo += per_image.sum().item()
            log_mass += bernoulli_log_mass(logits).sum().item()
    n = len(images)
    return {
        "elbo": elbo / n,
        "log_mass": log_mass / n,
        "normalised_elbo": (elbo - log_mass) / n,
    }
