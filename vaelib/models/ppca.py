"""Probabilistic PCA (Tipping & Bishop 1999): the linear VAE's optimum, in closed form.

pPCA is the linear VAE's generative model, p(x) = N(b, C) with C = W Wᵀ + σ² I. With λ_1 ≥ λ_2 ≥ …
the eigenvalues of the data's covariance and u_i its eigenvectors (`data_spectrum`), the
log-likelihood at a fixed σ² is largest for b = the data mean and

    W = [u_1 … u_d] diag(√max(λ_i − σ², 0))   (up to a rotation of z),

so latent direction i is switched off exactly when λ_i ≤ σ². The linear β-VAE reaches the same
optimum with σ² replaced by βσ² (Lucas et al. 2019): `linear_vae_optimum` says what it predicts
for each latent dimension, `ppca_model` builds it as a `LinearVAE`, `ppca_log_likelihood` gives
its log-likelihood and `linear_log_likelihood` the exact log p(x) of any linear VAE.
Eigendecompositions and likelihoods are computed in float64, on the CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from vaelib._support.checks import check_batch_size, check_images, check_number, check_positive_int
from vaelib.data.loading import ImageData
from vaelib.models.linear import LOG_2PI, LinearVAE
from vaelib.models.mlp import model_images

__all__ = [
    "LinearVAEOptimum",
    "Spectrum",
    "data_spectrum",
    "linear_log_likelihood",
    "linear_vae_optimum",
    "ppca_log_likelihood",
    "ppca_model",
]


@dataclass(frozen=True)
class Spectrum:
    """The data's mean and the eigendecomposition of its covariance, float64 on the CPU.

    `mean`: (D,); `eigenvalues`: (D,), λ_1 ≥ λ_2 ≥ … ≥ 0 in squared grey levels;
    `eigenvectors`: (D, D), column i is u_i. The covariance is S = (1/n) Σ (x − mean)(x − mean)ᵀ.
    `image_shape`: (c, h, w) of one image, D = c·h·w.
    """

    mean: torch.Tensor
    eigenvalues: torch.Tensor
    eigenvectors: torch.Tensor
    image_shape: tuple[int, int, int]


@torch.no_grad()
def data_spectrum(data: ImageData | torch.Tensor, batch_size: int = 10_000) -> Spectrum:
    """The mean, the covariance's eigenvalues (largest first) and eigenvectors of images.

    `data`: an `ImageData` or images (n, c, h, w) in [0, 1], n ≥ 2. Computed in float64 on the CPU
    (the data are moved there batch by batch). Eigenvalues below 0 by rounding are set to 0.
    """
    images = data.images if isinstance(data, ImageData) else data
    images = check_images(images, "data")
    batch_size = check_batch_size(batch_size)
    n = len(images)
    if n < 2:
        raise ValueError(f"data must hold at least 2 images to have a covariance, got {n}")
    flat = images.flatten(start_dim=1)  # (n, D)
    mean = flat.cpu().double().mean(dim=0)  # (D,)
    scatter = torch.zeros(flat.shape[1], flat.shape[1], dtype=torch.float64)
    for start in range(0, n, batch_size):
        centred = flat[start : start + batch_size].cpu().double() - mean  # (batch, D)
        scatter += centred.T @ centred
    eigenvalues, eigenvectors = torch.linalg.eigh(scatter / n)  # ascending
    image_shape = tuple(images.shape[1:])
    return Spectrum(mean, eigenvalues.flip(0).clamp(min=0), eigenvectors.flip(1), image_shape)


@dataclass(frozen=True)
class LinearVAEOptimum:
    """What the exact optimum of the linear β-VAE predicts for each of its d latent dimensions.

    With s² = βσ² (the threshold) and λ_i the i-th largest eigenvalue of the data's covariance:

    - `open`: (d,) bool, λ_i > s² (the dimension is in use; else it has collapsed);
    - `column_norm`: (d,) ‖w_i‖ = √max(λ_i − s², 0), the length of the i-th column of W;
    - `posterior_variance`: (d,) τ_i² = s² / max(λ_i, s²) (1 for a collapsed dimension);
    - `activity`: (d,) Var_x μ_i(x) = max(1 − s²/λ_i, 0), what `latent_activity` measures;
    - `kl`: (d,) R_i = ½ log(max(λ_i, s²) / s²) nats, what `kl_per_dimension` measures.
    """

    threshold: float
    open: torch.Tensor
    column_norm: torch.Tensor
    posterior_variance: torch.Tensor
    activity: torch.Tensor
    kl: torch.Tensor


def linear_vae_optimum(
    eigenvalues: torch.Tensor, latent_dim: int, sigma2: float, beta: float = 1.0
) -> LinearVAEOptimum:
    """The exact optimum of the linear β-VAE with d = `latent_dim`, per latent dimension.

    `eigenvalues`: (D,) the data covariance's eigenvalues, largest first (`data_spectrum`);
    `sigma2`: the decoder's σ² > 0; `beta`: β > 0. Returns float64 tensors (d,) on the CPU.
    """
    eigenvalues = _check_eigenvalues(eigenvalues)
    latent_dim = _check_latent_dim(latent_dim, eigenvalues)
    sigma2 = check_number(sigma2, "sigma2", minimum=0.0, strict_minimum=True)
    beta = check_number(beta, "beta", minimum=0.0, strict_minimum=True)
    s2 = beta * sigma2  # the threshold βσ²
    lam = eigenvalues[:latent_dim]  # (d,) λ_1 … λ_d
    kept = torch.clamp(lam, min=s2)  # max(λ_i, s²)
    return LinearVAEOptimum(
        threshold=s2,
        open=lam > s2,
        column_norm=(kept - s2).sqrt(),
        posterior_variance=s2 / kept,
        activity=1 - s2 / kept,
        kl=0.5 * torch.log(kept / s2),
    )


def ppca_log_likelihood(eigenvalues: torch.Tensor, latent_dim: int, sigma2: float) -> float:
    """The largest mean log-likelihood pPCA with d = `latent_dim` and a fixed σ² can reach.

    At the optimum (b = the data mean, W as in the module docstring) the covariance C has the
    eigenvalues c_j = max(λ_j, σ²) for j ≤ d and σ² for j > d, and the mean over the data of
    log N(x; b, C) is

        −½ Σ_j [log(2π c_j) + λ_j / c_j]    (nats per image, summed over all D directions).

    `eigenvalues`: (D,) largest first, of the covariance of the data it is evaluated on.
    """
    eigenvalues = _check_eigenvalues(eigenvalues)
    latent_dim = _check_latent_dim(latent_dim, eigenvalues)
    sigma2 = check_number(sigma2, "sigma2", minimum=0.0, strict_minimum=True)
    c = torch.full_like(eigenvalues, sigma2)  # (D,)
    c[:latent_dim] = torch.clamp(eigenvalues[:latent_dim], min=sigma2)
    return float(-0.5 * (torch.log(2 * math.pi * c) + eigenvalues / c).sum())


def ppca_model(spectrum: Spectrum, latent_dim: int, sigma2: float, beta: float = 1.0) -> LinearVAE:
    """A `LinearVAE` set to the exact optimum of the β-weighted objective, on the CPU.

    Decoder: b = the mean, W = U_d diag(‖w_i‖) (`linear_vae_optimum`), noise σ². Encoder: the
    exact posterior of the pPCA model with noise s² = βσ², μ(x) = diag(‖w_i‖ / max(λ_i, s²))
    U_dᵀ(x − b) and τ_i² = s² / max(λ_i, s²). At β = 1 its ELBO equals `ppca_log_likelihood`.
    """
    if not isinstance(spectrum, Spectrum):
        raise TypeError(f"spectrum must be a Spectrum (from data_spectrum), got {spectrum!r}")
    optimum = linear_vae_optimum(spectrum.eigenvalues, latent_dim, sigma2, beta)
    latent_dim = len(optimum.kl)
    model = LinearVAE(latent_dim, sigma2, image_shape=spectrum.image_shape)
    u = spectrum.eigenvectors[:, :latent_dim]  # (D, d)
    w = u * optimum.column_norm  # (D, d), W = U_d diag(‖w_i‖)
    kept = optimum.threshold / optimum.posterior_variance  # max(λ_i, s²)
    v = (u * (optimum.column_norm / kept)).T  # (d, D), V
    with torch.no_grad():
        model.decoder.weight.copy_(w)
        model.decoder.bias.copy_(spectrum.mean)
        model.encoder.weight.copy_(v)
        model.encoder.bias.copy_(-(v @ spectrum.mean))
        model.logvar.copy_(optimum.posterior_variance.log())
    return model


@torch.no_grad()
def linear_log_likelihood(
    model: LinearVAE, data: ImageData | torch.Tensor, batch_size: int = 10_000
) -> float:
    """The exact mean log p(x) = log N(x; b, WWᵀ + σ²I) of a linear VAE on images, nats per image.

    By the matrix determinant lemma and Woodbury's identity, with M = WᵀW + σ²I (d × d),
    log|C| = (D − d) log σ² + log|M| and (x − b)ᵀC⁻¹(x − b) = (‖x − b‖² − aᵀM⁻¹a) / σ²,
    a = Wᵀ(x − b). Computed in float64 on the CPU.
    """
    if not isinstance(model, LinearVAE):
        raise TypeError(f"model must be a LinearVAE, got {type(model).__name__}")
    images = model_images(data, model, "data")
    batch_size = check_batch_size(batch_size)
    w = model.decoder.weight.detach().cpu().double()  # (D, d)
    b = model.decoder.bias.detach().cpu().double()  # (D,)
    sigma2 = model.sigma2.item()
    dim, latent_dim = w.shape
    m = w.T @ w + sigma2 * torch.eye(latent_dim, dtype=torch.float64)  # (d, d)
    cholesky = torch.linalg.cholesky(m)
    log_det = (dim - latent_dim) * math.log(sigma2) + 2 * cholesky.diagonal().log().sum()
    total = 0.0
    for start in range(0, len(images), batch_size):
        centred = images[start : start + batch_size].flatten(1).cpu().double() - b  # (batch, D)
        a = centred @ w  # (batch, d)
        solved = torch.cholesky_solve(a.T, cholesky).T  # (batch, d), M⁻¹a
        quadratic = (centred.pow(2).sum(dim=1) - (a * solved).sum(dim=1)) / sigma2  # (batch,)
        total += float(quadratic.sum())
    return -0.5 * (dim * LOG_2PI + float(log_det) + total / len(images))


def _check_eigenvalues(eigenvalues: object) -> torch.Tensor:
    if not isinstance(eigenvalues, torch.Tensor) or eigenvalues.dim() != 1:
        raise TypeError(
            "eigenvalues must be a 1-D tensor, largest first (data_spectrum(data).eigenvalues), "
            f"got {type(eigenvalues).__name__}"
        )
    eigenvalues = eigenvalues.detach().cpu().double()
    if len(eigenvalues) == 0 or not torch.isfinite(eigenvalues).all() or eigenvalues.min() < 0:
        raise ValueError("eigenvalues must be finite and >= 0, at least one of them")
    if (eigenvalues[1:] > eigenvalues[:-1]).any():
        raise ValueError("eigenvalues must be sorted largest first (data_spectrum's order)")
    return eigenvalues


def _check_latent_dim(latent_dim: object, eigenvalues: torch.Tensor) -> int:
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    if latent_dim > len(eigenvalues):
        raise ValueError(
            f"latent_dim must be at most the data's dimension {len(eigenvalues)}, got {latent_dim}"
        )
    return latent_dim
