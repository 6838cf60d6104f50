"""Where the ELBO's gap comes from (Cremer, Li & Duvenaud 2018): approximation and amortisation.

For one image x, with the encoder's Gaussian q_φ(z|x) and the best Gaussian q*(z|x) for that
image (the N(μ, diag σ²) whose ELBO is highest, found by optimising μ and σ directly),

    log p(x) − ELBO(q_φ) = [log p(x) − ELBO(q*)]  +  [ELBO(q*) − ELBO(q_φ)]
         total gap       =   approximation gap   +   amortisation gap.

The approximation gap is what a diagonal Gaussian cannot do however it is chosen; the
amortisation gap is what one encoder, shared by all images, gives away against choosing each
image's Gaussian by hand. `inference_gaps` measures the three, image by image.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vaelib._support.checks import check_batch_size, check_non_negative, check_positive_int
from vaelib._support.device import batches
from vaelib._support.seeding import seeded_generator
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import gaussian_kl, reconstruction_loss
from vaelib.measures.likelihood import MAX_ROWS_PER_CHUNK, importance_weighted_bound
from vaelib.models.mlp import (
    VAE,
    check_model,
    eval_mode,
    model_device,
    model_images,
    reparameterize,
    standard_normal,
)


def optimise_posterior(
    model: VAE,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    steps: int = 300,
    lr: float = 0.01,
    samples: int = 10,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each image's own Gaussian q(z|x) = N(μ, diag σ²), fitted by gradient ascent on its ELBO.

    Starts from (`mu`, `logvar`), (b, d) each (the encoder's output), and takes `steps` Adam
    steps of size `lr` on μ and log σ² of every image at once, the decoder held fixed. Each step
    estimates ELBO(x) = E_q[log p(x|z)] − KL(q ‖ p(z)) with `samples` codes per image (the KL in
    closed form). The images do not interact: the objective is the sum of their ELBOs.
    `x`: (b, 1, 28, 28) in [0, 1]. Returns (μ, log σ²), each (b, d), detached.
    """
    mu = mu.detach().clone().requires_grad_(True)
    logvar = logvar.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([mu, logvar], lr=lr)
    x_s = x.expand(samples, *x.shape).flatten(0, 1)  # (samples·b, 1, 28, 28)
    for _ in range(steps):
        eps = standard_normal((samples, *mu.shape), generator, mu)  # (s, b, d)
        z = reparameterize(mu, logvar, eps=eps)  # (s, b, d)
        log_p_x_given_z = -reconstruction_loss(model.decode(z.flatten(0, 1)), x_s)  # (s·b,)
        elbo = log_p_x_given_z.view(samples, -1).mean(dim=0) - gaussian_kl(mu, logvar)  # (b,)
        # gradients for μ and log σ² only: the decoder's weights are left untouched
        grad_mu, grad_logvar = torch.autograd.grad(-elbo.sum(), [mu, logvar])
        mu.grad, logvar.grad = grad_mu, grad_logvar
        optimizer.step()
    return mu.detach(), logvar.detach()


@torch.no_grad()
def gaussian_elbo(
    model: VAE,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    samples: int = 1000,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """ELBO(x) of the Gaussian q(z|x) = N(μ, diag σ²): E_q[log p(x|z)] (a mean over `samples`
    codes) − KL(q ‖ p(z)) (closed form). `x`: (b, 1, 28, 28); `mu`, `logvar`: (b, d).
    Returns nats per image, (b,)."""
    total = torch.zeros(len(x), device=mu.device)
    chunk = max(1, MAX_ROWS_PER_CHUNK // len(x))
    for done in range(0, samples, chunk):
        c = min(chunk, samples - done)
        eps = standard_normal((c, *mu.shape), generator, mu)  # (c, b, d)
        z = reparameterize(mu, logvar, eps=eps)  # (c, b, d)
        x_c = x.expand(c, *x.shape).flatten(0, 1)
        total += -reconstruction_loss(model.decode(z.flatten(0, 1)), x_c).view(c, -1).sum(dim=0)
    return total / samples - gaussian_kl(mu, logvar)


@dataclass
class InferenceGaps:
    """Per-image results of `inference_gaps`, each (n,) in nats, on the CPU.

    `log_likelihood`: the estimate of log p(x) (the larger of L_k with q_φ and with q* as
    proposal); `elbo_encoder`: ELBO(q_φ); `elbo_optimised`: ELBO(q*). The gaps are differences of
    these, so `approximation + amortisation == total` holds image by image.
    """

    log_likelihood: torch.Tensor
    elbo_encoder: torch.Tensor
    elbo_optimised: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        """log p(x) − ELBO(q_φ), (n,)."""
        return self.log_likelihood - self.elbo_encoder

    @property
    def approximation(self) -> torch.Tensor:
        """log p(x) − ELBO(q*), (n,): what no Gaussian can close."""
        return self.log_likelihood - self.elbo_optimised

    @property
    def amortisation(self) -> torch.Tensor:
        """ELBO(q*) − ELBO(q_φ), (n,): what the shared encoder gives away; >= 0."""
        return self.elbo_optimised - self.elbo_encoder


def inference_gaps(
    model: VAE,
    data: ImageData | torch.Tensor,
    *,
    steps: int = 300,
    lr: float = 0.01,
    samples: int = 10,
    elbo_samples: int = 1000,
    k: int = 5000,
    batch_size: int = 100,
    seed: int = 0,
) -> InferenceGaps:
    """Split each image's gap log p(x) − ELBO into approximation and amortisation (Cremer et al.).

    For every image of `data` ((n, 1, 28, 28) in [0, 1], e.g. binarised test images):
    q* = `optimise_posterior` from the encoder's q_φ (`steps`, `lr`, `samples`); both ELBOs by
    `gaussian_elbo` with the same `elbo_samples` codes (common random numbers, so their
    difference is precise); log p(x) as the larger of the two bounds L_`k`, with q_φ and with q*
    as proposal (each is a lower bound on log p(x); the larger is the tighter). Should the
    optimisation end below the encoder's ELBO for an image, q* is the encoder's q (the best
    Gaussian found includes it), so the amortisation gap is never negative. The noise comes from
    generators seeded with `seed`; the model's mode is restored afterwards.
    """
    check_model(model, vae=True)
    steps = check_positive_int(steps, "steps")
    lr = check_non_negative(lr, "lr")
    samples = check_positive_int(samples, "samples")
    elbo_samples = check_positive_int(elbo_samples, "elbo_samples")
    k = check_positive_int(k, "k")
    batch_size = check_batch_size(batch_size)
    images = model_images(data, model, "data")
    device = model_device(model)
    generator = seeded_generator(seed)
    parts = {"log_likelihood": [], "elbo_encoder": [], "elbo_optimised": []}
    with eval_mode(model):
        for x, _ in batches(images, batch_size, device):  # (b, 1, 28, 28)
            with torch.no_grad():
                mu, logvar = model.encode(x)  # q_φ, (b, d) each
            mu_star, logvar_star = optimise_posterior(
                model, x, mu, logvar, steps, lr, samples, generator
            )
            state = generator.get_state()  # the same codes for both ELBOs
            elbo_encoder = gaussian_elbo(model, x, mu, logvar, elbo_samples, generator)
            generator.set_state(state)
            elbo_star = gaussian_elbo(model, x, mu_star, logvar_star, elbo_samples, generator)
            keep = elbo_star >= elbo_encoder  # (b,): else the encoder's q is the best found
            mu_star = torch.where(keep[:, None], mu_star, mu)
            logvar_star = torch.where(keep[:, None], logvar_star, logvar)
            elbo_star = torch.maximum(elbo_star, elbo_encoder)
            bound_encoder, _ = importance_weighted_bound(model, x, mu, logvar, k, generator)
            bound_star, _ = importance_weighted_bound(model, x, mu_star, logvar_star, k, generator)
            parts["log_likelihood"].append(torch.maximum(bound_encoder, bound_star).cpu())
            parts["elbo_encoder"].append(elbo_encoder.cpu())
            parts["elbo_optimised"].append(elbo_star.cpu())
    return InferenceGaps(**{name: torch.cat(values) for name, values in parts.items()})
