"""The convolutional VAE of chapter 12: two stride-2 convolutions each way.

The encoder reads the 28×28 image with two stride-2 convolutions (4×4 kernels, 32 then 64
channels by default, each followed by a ReLU), as the TensorFlow CVAE tutorial does, and maps
the flattened 7×7 features to μ and log σ². The decoder mirrors it: a linear layer to a 7×7 grid
of 64 channels, then two stride-2 transposed convolutions (4×4, 32 channels, ReLU, then one
channel of Bernoulli logits) up to 28×28. (The tutorial's decoder adds a third layer at the full
28×28 resolution with 32 channels, which alone costs more than the rest; a 4×4 kernel at stride
2 covers every output pixel equally often, which avoids the checkerboard pattern of 3×3 kernels.)
The probabilistic model is the book's VAE, unchanged:

    q(z|x) = N(μ(x), diag σ²(x)),  p(z) = N(0, I),  p(x|z) = Bernoulli(sigmoid(logits(z))),

with the pixels independent given z. Only the networks that compute μ, σ² and the logits differ
from the 784-400-20 MLP's. A `ConvVAE` is a `VAE`: `fit`, `evaluate`, `train_vae` (given a
`ConvConfig`), `sample`, `reconstruct` and every measure of the book take it as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vaelib._support.checks import check_images, check_positive_int
from vaelib.models.mlp import VAE

__all__ = ["ConvConfig", "ConvVAE"]


@dataclass(frozen=True)
class ConvConfig:
    """Sizes of the convolutional VAE (by default the TensorFlow tutorial's widths, d = 20)."""

    image_shape: tuple[int, int, int] = (1, 28, 28)  # (channels, height, width), H and W ÷ 4
    channels: tuple[int, int] = (32, 64)  # channels of the encoder's two stride-2 convolutions
    latent_dim: int = 20  # dimension d of the latent code z

    def __post_init__(self):
        shape = self.image_shape
        if not isinstance(shape, (tuple, list)) or len(shape) != 3:
            raise ValueError(f"image_shape must be (channels, height, width), got {shape!r}")
        shape = tuple(check_positive_int(n, "each entry of image_shape") for n in shape)
        if shape[1] % 4 or shape[2] % 4:
            raise ValueError(
                f"image_shape's height and width must be divisible by 4 (two stride-2 layers), "
                f"got {shape!r}; e.g. (1, 28, 28)"
            )
        object.__setattr__(self, "image_shape", shape)
        channels = self.channels
        if not isinstance(channels, (tuple, list)) or len(channels) != 2:
            raise ValueError(f"channels must be a pair (first, second), got {channels!r}")
        channels = tuple(check_positive_int(n, "each entry of channels") for n in channels)
        object.__setattr__(self, "channels", channels)
        object.__setattr__(self, "latent_dim", check_positive_int(self.latent_dim, "latent_dim"))


class ConvVAE(VAE):
    """A VAE whose encoder and decoder are convolutional networks (sizes from a `ConvConfig`).

    Same interface as `VAE`: `encode(x)` → (μ, log σ²), each (batch, d); `decode(z)` → logits
    (batch, 1, 28, 28); `reparameterize`, `forward`, `reconstruct` and `sample` are the VAE's.
    """

    def __init__(self, config: ConvConfig | None = None):
        config = ConvConfig() if config is None else config
        if not isinstance(config, ConvConfig):
            raise TypeError(
                f"config must be a ConvConfig, got {type(config).__name__} {config!r}; "
                f"e.g. ConvConfig(latent_dim=2)"
            )
        nn.Module.__init__(self)  # the VAE's MLP layers are not built; its methods are shared
        self.config = config
        c, h, w = config.image_shape
        c1, c2 = config.channels
        self.grid = (h // 4, w // 4)  # the 7×7 grid the decoder starts from
        self.encoder = nn.Sequential(
            nn.Conv2d(c, c1, 4, stride=2, padding=1),  # (batch, c1, 14, 14)
            nn.ReLU(),
            nn.Conv2d(c1, c2, 4, stride=2, padding=1),  # (batch, c2, 7, 7)
            nn.ReLU(),
            nn.Flatten(),  # (batch, c2·7·7)
        )
        features = c2 * self.grid[0] * self.grid[1]
        self.to_mu = nn.Linear(features, config.latent_dim)
        self.to_logvar = nn.Linear(features, config.latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(config.latent_dim, features),  # (batch, c2·7·7)
            nn.ReLU(),
            nn.Unflatten(1, (c2, *self.grid)),  # (batch, c2, 7, 7)
            nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1),  # (batch, c1, 14, 14)
            nn.ReLU(),
            nn.ConvTranspose2d(c1, c, 4, stride=2, padding=1),  # (batch, 1, 28, 28): logits
        )

    def _weight(self) -> torch.Tensor:
        return self.to_mu.weight

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z|x): images x (batch, 1, 28, 28) in [0, 1] → (μ, log σ²), each (batch, d)."""
        image_shape, dtype = self.config.image_shape, self._weight().dtype
        x = check_images(x, "x", image_shape, dtype=dtype, values=False)  # type, shape
        h = self.encoder(self._on_my_device(x))  # (batch, 1, 28, 28) → (batch, c2·7·7)
        return self.to_mu(h), self.to_logvar(h)  # (batch, d) each

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """p(x|z): codes z (batch, d) → Bernoulli logits (batch, 1, 28, 28)."""
        return self.decoder(self._codes(z))  # (batch, d) → (batch, 1, 28, 28)
