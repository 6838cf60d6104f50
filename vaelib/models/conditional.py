"""The conditional VAE (Sohn et al. 2015): a VAE told each image's label.

Both halves see the label y as a one-hot vector: the encoder q(z|x, y) reads [x, onehot(y)] and
the decoder p(x|z, y) reads [z, onehot(y)]; the prior stays p(z) = N(0, I). Since the decoder is
given the label, the code z need not carry it, and it is free to hold what the label does not
say — for digits, the style: slant, thickness, width. Decoding one code with each of the ten
labels writes the same style as ten different digits.

The objective is the negative conditional ELBO, in nats per image,

    −ELBO(x | y) = E_q(z|x,y)[−log p(x|z, y)] + KL(q(z|x, y) ‖ p(z)),

with the same parts, reductions and options (β, free bits, capacity) as
`vaelib.losses.elbo.vae_loss`.
"""

from __future__ import annotations

import torch
from torch import nn

from vaelib._support.checks import check_class_labels, check_generator, check_positive_int
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import LossParts, vae_loss
from vaelib.models.mlp import VAE, MLPConfig, reparameterize


def model_labels(data: object, model: object, name: str) -> torch.Tensor | None:
    """The labels a model trains on: `data.labels` for a `ConditionalVAE`, else None.

    A conditional model needs labelled images, so `data` must then be an `ImageData`.
    """
    if not isinstance(model, ConditionalVAE):
        return None
    if not isinstance(data, ImageData):
        raise TypeError(
            f"a ConditionalVAE learns from labelled images: {name} must be an ImageData "
            f"(images and labels), got {type(data).__name__}"
        )
    check_class_labels(
        data.labels, f"{name}.labels", n=len(data.images), num_classes=model.num_classes
    )
    return data.labels


class ConditionalVAE(VAE):
    """A VAE whose encoder and decoder both read the label: q(z|x, y) and p(x|z, y).

    The sizes are those of `MLPConfig` (784-400-20 by default), with `num_classes` one-hot inputs
    added to the encoder's first layer and to the decoder's first layer. It is a `VAE`, so `fit`
    and `evaluate` train and score it, reading the labels of the `ImageData` they are given;
    every method takes the labels y (batch,) next to the images or codes. Measures written for
    the plain VAE, which call `encode(x)` alone, stop with an error that says so.
    """

    def __init__(self, config: MLPConfig | None = None, num_classes: int = 10):
        super().__init__(config)
        config = self.config
        self.num_classes = check_positive_int(num_classes, "num_classes")
        # the first layer of each half gains one input per class: [x, onehot(y)] and [z, onehot(y)]
        self.encoder[0] = nn.Linear(config.input_dim + num_classes, config.hidden_dim)
        self.decoder[0] = nn.Linear(config.latent_dim + num_classes, config.hidden_dim)

    def _one_hot(self, y: object, n: int) -> torch.Tensor:
        if y is None:
            raise TypeError(
                "a ConditionalVAE needs the labels y (an int64 tensor, one per image) next to "
                "the images or codes; pass them, or measure an ImageData with a measure that reads "
                "its labels (vaelib.encode_dataset, kl_per_dimension, active_units)"
            )
        check_class_labels(y, "y", n=n, num_classes=self.num_classes)
        weight = self._weight()
        return nn.functional.one_hot(y.to(weight.device, torch.int64), self.num_classes).to(
            weight.dtype
        )

    def encode(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Images x (batch, 1, 28, 28), labels y (batch,) → (μ, log σ²), each (batch, d)."""
        x = self._flat_images(x)  # (batch, 784)
        h = self.encoder(torch.cat([x, self._one_hot(y, len(x))], dim=1))  # (batch, hidden)
        return self.to_mu(h), self.to_logvar(h)  # (batch, d) each

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Codes z (batch, d) and labels y (batch,) → Bernoulli logits (batch, 1, 28, 28)."""
        z = self._codes(z)  # (batch, d)
        inputs = torch.cat([z, self._one_hot(y, len(z))], dim=1)  # (batch, d + classes)
        return self.decoder(inputs).view(-1, *self.config.image_shape)  # (batch, 1, 28, 28)

    def forward(
        self, x: torch.Tensor, y: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One pass with z ~ q(z|x, y): (reconstruction logits (batch, 1, 28, 28), μ, log σ²)."""
        mu, logvar = self.encode(x, y)  # q(z|x, y): (batch, d) each
        z = reparameterize(mu, logvar, generator)  # z ~ q(z|x, y), (batch, d)
        return self.decode(z, y), mu, logvar  # logits of p(x|z, y): (batch, 1, 28, 28)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Images x, labels y → grey levels in [0, 1] decoded from z = μ(x, y), shaped like x."""
        mu, _ = self.encode(self._checked_images(x), y)
        return torch.sigmoid(self.decode(mu, y))

    @torch.no_grad()
    def sample(
        self, labels: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """One image per requested label, decoded from z ~ N(0, I): grey levels, (n, 1, 28, 28).

        E.g. `model.sample(torch.arange(10).repeat_interleave(8))`: eight samples of each digit.
        """
        check_class_labels(labels, num_classes=self.num_classes)
        check_generator(generator)
        weight = self._weight()
        z = torch.randn(len(labels), self.config.latent_dim, generator=generator)  # (n, d), CPU
        return torch.sigmoid(self.decode(z.to(weight.device, weight.dtype), labels))


def conditional_vae_loss(
    model: ConditionalVAE,
    x: torch.Tensor,
    y: torch.Tensor,
    beta: float = 1.0,
    free_bits: float = 0.0,
    capacity: float | None = None,
    generator: torch.Generator | None = None,
) -> LossParts:
    """The β-weighted negative conditional ELBO of a batch and its parts, nats per image.

    Runs `model` on images x (batch, 1, 28, 28) with labels y (batch,), one z ~ q(z|x, y) per
    image, and scores it with `vae_loss`: reconstruction −log p(x|z, y) summed over pixels, plus
    β·KL(q(z|x, y) ‖ N(0, I)) summed over latent dimensions, averaged over the batch.
    """
    if not isinstance(model, ConditionalVAE):
        raise TypeError(f"model must be a vaelib ConditionalVAE, got {type(model).__name__}")
    logits, mu, logvar = model(x, y, generator)
    return vae_loss(logits, x, mu, logvar, beta=beta, free_bits=free_bits, capacity=capacity)
