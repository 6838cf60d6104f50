"""The linear VAE: posterior collapse where everything is exact.

The linear VAE (Lucas, Tucker, Grosse & Norouzi 2019) has

    prior    p(z)   = N(0, I_d),
    decoder  p(x|z) = N(W z + b, σ² I_D)           (W: D × d, b: D, σ² the decoder's noise),
    encoder  q(z|x) = N(V x + c, diag τ²)          (τ² the same for every image).

Its marginal p(x) = N(b, C) with C = W Wᵀ + σ² I is probabilistic PCA (Tipping & Bishop 1999).
With λ_1 ≥ λ_2 ≥ … the eigenvalues of the data's covariance and u_i its eigenvectors, the
maximum of the log-likelihood at a fixed σ² has b = the data mean and

    W = [u_1 … u_d] diag(√max(λ_i − σ², 0))   (up to a rotation of z),

so latent direction i is switched off (a zero column of W, q(z_i|x) = p(z_i)) exactly when
λ_i ≤ σ². The linear VAE reaches that maximum, with a zero gap between ELBO and log-likelihood;
with a weight β on the KL its optimum is the same with σ² replaced by βσ² (Lucas et al. 2019).
`vaelib.models.ppca` computes that optimum in closed form.

Reductions as everywhere in the book: sums over pixels and latent dimensions, means over images,
nats per image. The densities are over R^784 (grey levels as real numbers), so −log p(x|z) can
be negative: these nats are comparable with each other, not with the Bernoulli decoder's.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from vaelib._support.checks import check_bool, check_number, check_positive_int
from vaelib.losses.elbo import LossParts, gaussian_kl
from vaelib.models.mlp import VAE, MLPConfig, check_model, standard_normal

__all__ = ["LinearVAE", "linear_vae_loss"]

LOG_2PI = math.log(2 * math.pi)


class LinearVAE(VAE):
    """The linear VAE: linear Gaussian encoder q(z|x) = N(Vx + c, diag τ²), decoder N(Wz + b, σ²I).

    A `VAE` in its interface (encode, decode, reparameterize, forward), so `fit`, `evaluate` and
    the measures of `vaelib.measures.codes` take it; its layers are its own (none of the MLP's).
    `decode` returns the decoder's mean W z + b shaped like images, not logits.

    Args:
        latent_dim: d. sigma2: the decoder's noise variance σ² > 0, in squared grey levels.
        learn_sigma2: if True, σ² is a parameter that `fit` learns (stored as log σ²).
        image_shape: (channels, height, width) of one image.
    """

    def __init__(
        self,
        latent_dim: int = 20,
        sigma2: float = 1.0,
        learn_sigma2: bool = False,
        image_shape: tuple[int, int, int] = (1, 28, 28),
    ):
        nn.Module.__init__(self)  # a VAE in interface, not in layers: build none of the MLP's
        latent_dim = check_positive_int(latent_dim, "latent_dim")
        sigma2 = check_number(sigma2, "sigma2", minimum=0.0, strict_minimum=True)
        learn_sigma2 = check_bool(learn_sigma2, "learn_sigma2")
        self.config = MLPConfig(image_shape, hidden_dim=latent_dim, latent_dim=latent_dim)
        input_dim = self.config.input_dim  # D
        self.encoder = nn.Linear(input_dim, latent_dim)  # μ(x) = V x + c
        self.logvar = nn.Parameter(torch.zeros(latent_dim))  # log τ², one per dimension
        self.decoder = nn.Linear(latent_dim, input_dim)  # mean of p(x|z): W z + b
        # Start with columns of W of length about 1 and b = 0 (PyTorch's default, U(±1/√d),
        # gives columns of length √(D/3d), several times those of the optimum on MNIST).
        nn.init.normal_(self.decoder.weight, std=input_dim**-0.5)
        nn.init.zeros_(self.decoder.bias)
        self.log_sigma2 = nn.Parameter(
            torch.tensor(math.log(sigma2)), requires_grad=learn_sigma2
        )  # log σ²

    @property
    def sigma2(self) -> torch.Tensor:
        """The decoder's noise variance σ², a scalar tensor."""
        return self.log_sigma2.exp()

    def _weight(self) -> torch.Tensor:
        return self.decoder.weight  # W, (D, d)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images x (batch, 1, 28, 28) in [0, 1] → (μ, log τ²), each (batch, d)."""
        mu = self.encoder(self._flat_images(x))  # (batch, d)
        return mu, self.logvar.expand_as(mu)  # τ² does not depend on x

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Codes z (batch, d) → the decoder's mean W z + b, as images (batch, 1, 28, 28)."""
        z = self._codes(z)
        return self.decoder(z).view(-1, *self.config.image_shape)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """The decoder's means W z + b for `n` draws z ~ N(0, I), (n, 1, 28, 28) (not clamped)."""
        n = check_positive_int(n, "n")
        z = standard_normal((n, self.config.latent_dim), generator, self._weight())
        return self.decode(z)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Images x → the decoder's mean at z = μ(x), shaped like x (not clamped to [0, 1])."""
        mu, _ = self.encode(x)
        return self.decode(mu)


def linear_vae_loss(model: LinearVAE, x: torch.Tensor, beta: float = 1.0) -> LossParts:
    """The linear VAE's β-weighted negative ELBO, with E_q[−log p(x|z)] in closed form.

    With μ = Vx + c and r = x − Wμ − b, the reconstruction term of one image is

        E_q[−log p(x|z)] = D/2 · log(2πσ²) + (‖r‖² + Σ_i τ_i² ‖w_i‖²) / (2σ²),

    since z = μ + τ ⊙ ε moves Wz by Σ_i τ_i ε_i w_i (w_i the i-th column of W). No sample is
    drawn: the objective and its gradient are exact. The KL term is `gaussian_kl`.

    `x`: (batch, 1, 28, 28) in [0, 1]. Returns `LossParts` in nats per image (batch means);
    `reconstruction` may be negative (a density over real-valued pixels).
    """
    check_model(model)
    if not isinstance(model, LinearVAE):
        raise TypeError(f"model must be a LinearVAE, got {type(model).__name__}")
    beta = check_number(beta, "beta", minimum=0.0)
    x = model._flat_images(x)  # (batch, D)
    mu = model.encoder(x)  # (batch, d), μ = Vx + c
    logvar = model.logvar.expand_as(mu)  # (batch, d), log τ²
    w = model.decoder.weight  # W, (D, d)
    residual = x - model.decoder(mu)  # r = x − Wμ − b, (batch, D)
    spread = (logvar[0].exp() * w.pow(2).sum(dim=0)).sum()  # Σ_i τ_i² ‖w_i‖², a scalar
    sigma2 = model.sigma2
    dim = x.shape[1]  # D
    reconstruction = 0.5 * dim * (LOG_2PI + model.log_sigma2) + (
        residual.pow(2).sum(dim=1) + spread
    ) / (2 * sigma2)  # (batch,)
    reconstruction = reconstruction.mean()
    kl = gaussian_kl(mu, logvar).mean()
    return LossParts(total=reconstruction + beta * kl, reconstruction=reconstruction, kl=kl)
