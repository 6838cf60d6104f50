"""The two models of the book: a plain autoencoder and a variational autoencoder (VAE).

Both are multilayer perceptrons over flattened 28×28 images, 784 → hidden → latent → hidden → 784,
with the sizes set by one `MLPConfig`. Both decoders return *logits* of Bernoulli pixel
probabilities, shaped like the images; `torch.sigmoid` turns them into grey levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vaelib._checks import check_images, check_positive_int, check_same_shape, check_tensor
from vaelib.data import ImageData


@dataclass(frozen=True)
class MLPConfig:
    """Sizes of an MLP autoencoder or VAE (the book's default is 784-400-20)."""

    image_shape: tuple[int, int, int] = (1, 28, 28)  # (channels, height, width) of one image
    hidden_dim: int = 400  # units in the one hidden layer of the encoder and of the decoder
    latent_dim: int = 20  # dimension d of the latent code z

    def __post_init__(self):
        object.__setattr__(self, "image_shape", tuple(self.image_shape))
        for name in ("hidden_dim", "latent_dim"):
            check_positive_int(getattr(self, name), name)
        if len(self.image_shape) != 3:
            raise ValueError(
                f"image_shape must be (channels, height, width), got {self.image_shape}"
            )

    @property
    def input_dim(self) -> int:
        c, h, w = self.image_shape
        return c * h * w


class _MLPBase(nn.Module):
    """What the autoencoder and the VAE share: the decoder and the input checks."""

    def __init__(self, config: MLPConfig):
        super().__init__()
        self.config = config
        self.decoder = nn.Sequential(
            nn.Linear(config.latent_dim, config.hidden_dim),
            nn.ReLU(),
            nn.Linear(config.hidden_dim, config.input_dim),
        )

    def _flatten(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "x", self.config.image_shape)
        return x.flatten(start_dim=1)  # (batch, 784)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Latent codes z (batch, d) → Bernoulli logits shaped like images, (batch, 1, 28, 28)."""
        check_tensor(z, "z", ndim=2)
        if z.shape[1] != self.config.latent_dim:
            raise ValueError(
                f"z must have shape (batch, {self.config.latent_dim}), got {tuple(z.shape)}"
            )
        return self.decoder(z).view(-1, *self.config.image_shape)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode `n` draws z ~ N(0, I): grey levels in [0, 1], (n, 1, 28, 28).

        For a VAE these are samples of the generative model; for a plain autoencoder they show
        what its decoder makes of codes from a distribution it was never trained to match.
        """
        check_positive_int(n, "n")
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.latent_dim, generator=generator).to(device)  # (n, d)
        return torch.sigmoid(self.decode(z))


class Autoencoder(_MLPBase):
    """A deterministic autoencoder: x → z = f(x) → logits of x̂. The baseline of chapter 1."""

    def __init__(self, config: MLPConfig | None = None):
        config = config or MLPConfig()
        super().__init__(config)
        self.encoder = nn.Sequential(
            nn.Linear(config.input_dim, config.hidden_dim),
            nn.ReLU(),
            nn.Linear(config.hidden_dim, config.latent_dim),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images x (batch, 1, 28, 28) in [0, 1] → codes z (batch, d)."""
        return self.encoder(self._flatten(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images x (batch, 1, 28, 28) → reconstruction logits (batch, 1, 28, 28)."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Images x → reconstructed grey levels in [0, 1], same shape."""
        return torch.sigmoid(self(x))


class VAE(_MLPBase):
    """A variational autoencoder (Kingma & Welling 2014): Gaussian encoder, Bernoulli decoder.

    Encoder q(z|x) = N(μ(x), diag σ²(x)); prior p(z) = N(0, I);
    decoder p(x|z) = Bernoulli(sigmoid(logits(z))), independently per pixel.
    """

    def __init__(self, config: MLPConfig | None = None):
        config = config or MLPConfig()
        super().__init__(config)
        self.encoder = nn.Sequential(nn.Linear(config.input_dim, config.hidden_dim), nn.ReLU())
        self.to_mu = nn.Linear(config.hidden_dim, config.latent_dim)
        self.to_logvar = nn.Linear(config.hidden_dim, config.latent_dim)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images x (batch, 1, 28, 28) in [0, 1] → (μ, log σ²), each (batch, d)."""
        h = self.encoder(self._flatten(x))  # (batch, hidden)
        return self.to_mu(h), self.to_logvar(h)

    @staticmethod
    def reparameterize(
        mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Draw z = μ + σ·ε with ε ~ N(0, I): a sample of q(z|x) that is differentiable in μ and σ.

        `mu`, `logvar`: (batch, d). Returns z, (batch, d).
        """
        if generator is None:
            eps = torch.randn_like(mu)
        else:
            eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(mu.device)
        return mu + torch.exp(0.5 * logvar) * eps  # σ = exp(½ log σ²)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One pass of the VAE: returns (reconstruction logits (batch, 1, 28, 28), μ, log σ²)."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Images x → grey levels in [0, 1] decoded from the posterior mean z = μ(x), same shape."""
        mu, _ = self.encode(x)
        return torch.sigmoid(self.decode(mu))


def model_images(data: ImageData | torch.Tensor, model: nn.Module, name: str) -> torch.Tensor:
    """The image tensor of `data` (an `ImageData` or a tensor), checked against `model`'s input.

    Raises a clear error for a model that is not a vaelib model, for a wrong shape or dtype,
    for NaNs, for an empty data set and for values outside [0, 1].
    """
    if not isinstance(model, (VAE, Autoencoder)):
        raise TypeError(f"model must be a vaelib VAE or Autoencoder, got {type(model).__name__}")
    images = data.images if isinstance(data, ImageData) else data
    check_images(images, name, model.config.image_shape)
    return images


@torch.no_grad()
def latent_interpolation(
    model: VAE | Autoencoder, x_start: torch.Tensor, x_end: torch.Tensor, steps: int = 9
) -> torch.Tensor:
    """Decode evenly spaced codes on the straight line between the codes of two sets of images.

    Each image is encoded to its code z (the posterior mean μ(x) for a VAE), and the codes
    z_t = (1 − t)·z_start + t·z_end, for t = 0, 1/(steps − 1), …, 1, are decoded to grey levels.
    The two ends are therefore the model's reconstructions, not the images themselves.

    `x_start`, `x_end`: (n, 1, 28, 28) in [0, 1], paired row by row.
    Returns grey levels in [0, 1], (n, steps, 1, 28, 28).
    """
    check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two ends), got {steps}")
    model_images(x_start, model, "x_start")
    model_images(x_end, model, "x_end")
    check_same_shape(x_start, x_end, "x_start and x_end")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    z_start, z_end = (model.encode(x.to(device)) for x in (x_start, x_end))
    if isinstance(model, VAE):  # encode returned (μ, log σ²): the code is μ
        z_start, z_end = z_start[0], z_end[0]
    t = torch.linspace(0, 1, steps, device=device).view(1, steps, 1)  # (1, steps, 1)
    z = (1 - t) * z_start.unsqueeze(1) + t * z_end.unsqueeze(1)  # (n, steps, d)
    images = torch.sigmoid(model.decode(z.flatten(0, 1)))  # (n·steps, 1, 28, 28)
    model.train(was_training)
    return images.view(len(x_start), steps, *model.config.image_shape).cpu()
