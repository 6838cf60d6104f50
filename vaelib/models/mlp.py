"""The two models of the book: a plain autoencoder and a variational autoencoder (VAE).

Both are multilayer perceptrons over flattened 28×28 images, 784 → hidden → latent → hidden → 784,
with the sizes set by one `MLPConfig`. Both decoders return *logits* of Bernoulli pixel
probabilities, shaped like the images; `torch.sigmoid` turns them into grey levels.

`encode`, `decode`, `forward` and `reparameterize`, which training calls on every batch, are
the mathematics: they check type and shape only (free); the values (grey levels in [0, 1], no
NaN) are checked once by the entry points that take data (`fit`, `evaluate`, the measures).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from vaelib._support.checks import (
    NonFiniteError,
    check_choice,
    check_generator,
    check_images,
    check_int,
    check_positive_int,
    check_same_shape,
    check_tensor,
)
from vaelib.data.loading import ImageData


@dataclass(frozen=True)
class MLPConfig:
    """Sizes of an MLP autoencoder or VAE (the book's default is 784-400-20)."""

    image_shape: tuple[int, int, int] = (1, 28, 28)  # (channels, height, width) of one image
    hidden_dim: int = 400  # units in each hidden layer of the encoder and of the decoder
    latent_dim: int = 20  # dimension d of the latent code z
    hidden_layers: int = 1  # hidden layers in the encoder and in the decoder (Burda et al.: 2)
    activation: str = "relu"  # of the hidden layers: "relu", or "tanh" (Burda et al.)

    def __post_init__(self):
        shape = self.image_shape
        if not isinstance(shape, (tuple, list)) or len(shape) != 3:
            raise ValueError(f"image_shape must be (channels, height, width), got {shape!r}")
        shape = tuple(check_positive_int(n, "each entry of image_shape") for n in shape)
        object.__setattr__(self, "image_shape", shape)
        for name in ("hidden_dim", "latent_dim", "hidden_layers"):
            object.__setattr__(self, name, check_positive_int(getattr(self, name), name))
        check_choice(self.activation, "activation", tuple(ACTIVATIONS))

    @property
    def input_dim(self) -> int:
        c, h, w = self.image_shape
        return c * h * w

    def hidden_stack(self, in_dim: int) -> list[nn.Module]:
        """`hidden_layers` × (Linear, activation), from `in_dim` to `hidden_dim` units."""
        layers = []
        for i in range(self.hidden_layers):
            layers += [nn.Linear(in_dim if i == 0 else self.hidden_dim, self.hidden_dim)]
            layers += [ACTIVATIONS[self.activation]()]
        return layers


# The activations a hidden layer may use, by the name `MLPConfig.activation` gives.
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def reparameterize(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    generator: torch.Generator | None = None,
    eps: torch.Tensor | None = None,
) -> torch.Tensor:
    """z = μ + σ ⊙ ε with ε ~ N(0, I): a sample of q(z|x) that gradients can pass through.

    `mu`, `logvar`: (batch, d). Returns z, (batch, d). ε is drawn from `generator` (default:
    torch's global one) unless the caller passes the noise `eps` it has drawn (z then has the
    broadcast shape of μ and ε: `eps` (k, batch, d) gives k samples per image).
    """
    if eps is None:
        eps = standard_normal(mu.shape, generator, mu)  # (batch, d)
    return mu + torch.exp(0.5 * logvar) * eps  # σ = exp(½ log σ²)


def standard_normal(
    shape: tuple[int, ...], generator: torch.Generator | None, like: torch.Tensor
) -> torch.Tensor:
    """N(0, 1) draws shaped `shape` from `generator` (CPU: the same numbers on every device),
    on `like`'s device and dtype."""
    if generator is None:
        return torch.randn(shape, dtype=like.dtype, device=like.device)
    check_generator(generator)
    eps = torch.randn(shape, generator=generator, dtype=like.dtype, device=generator.device)
    return eps.to(like.device)


class _MLPBase(nn.Module):
    """What the autoencoder and the VAE share: the decoder and the input checks."""

    def __init__(self, config: MLPConfig):
        if not isinstance(config, MLPConfig):
            raise TypeError(
                f"config must be an MLPConfig, got {type(config).__name__} {config!r}; "
                f"e.g. MLPConfig(latent_dim=2)"
            )
        super().__init__()
        self.config = config
        self.decoder = nn.Sequential(
            *config.hidden_stack(config.latent_dim),  # latent → hidden (→ hidden …)
            nn.Linear(config.hidden_dim, config.input_dim),
        )

    def _weight(self) -> torch.Tensor:
        return self.decoder[0].weight

    def _on_my_device(self, x: torch.Tensor) -> torch.Tensor:
        """`x` on the model's device, in the model's dtype: callers pass tensors from anywhere."""
        weight = self._weight()
        return x.to(device=weight.device, dtype=weight.dtype)

    def _flat_images(self, x: torch.Tensor) -> torch.Tensor:
        """Images (batch, 1, 28, 28) → (batch, 784) in the model's device and dtype (checked:
        type, dtype, shape; no pass over the values)."""
        image_shape, dtype = self.config.image_shape, self._weight().dtype
        x = check_images(x, "x", image_shape, dtype=dtype, values=False)
        return self._on_my_device(x).flatten(start_dim=1)  # (batch, 784)

    def _codes(self, z: torch.Tensor) -> torch.Tensor:
        """Codes (batch, d), checked for type and shape, on the model's device and dtype."""
        check_tensor(z, "z", ndim=2, finite=False)
        if z.shape[1] != self.config.latent_dim:
            raise ValueError(
                f"z must have shape (batch, {self.config.latent_dim}), got {tuple(z.shape)}"
            )
        return self._on_my_device(z)

    def _checked_images(self, x: torch.Tensor) -> torch.Tensor:  # values too: [0, 1], no NaN
        return check_images(x, "x", self.config.image_shape, dtype=self._weight().dtype)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """p(x|z): codes z (batch, d) → Bernoulli logits shaped like images, (batch, 1, 28, 28).

        float16/bfloat16/float64 codes are converted to the model's dtype (float32).
        """
        logits = self.decoder(self._codes(z))  # (batch, 784)
        return logits.view(-1, *self.config.image_shape)  # (batch, 1, 28, 28)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode `n` draws z ~ N(0, I): grey levels in [0, 1], (n, 1, 28, 28).

        For a VAE these are samples of the generative model; for a plain autoencoder they show
        what its decoder makes of codes from a distribution it was never trained to match.
        """
        n = check_positive_int(n, "n")
        z = standard_normal((n, self.config.latent_dim), generator, self._weight())  # (n, d)
        return torch.sigmoid(_finite_output(self.decode(z), "decoder"))


class Autoencoder(_MLPBase):
    """A deterministic autoencoder: x → z = f(x) → logits of x̂. The baseline of chapter 1."""

    def __init__(self, config: MLPConfig | None = None):
        super().__init__(MLPConfig() if config is None else config)
        config = self.config
        self.encoder = nn.Sequential(
            *config.hidden_stack(config.input_dim),
            nn.Linear(config.hidden_dim, config.latent_dim),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images x (batch, 1, 28, 28) in [0, 1] → codes z = f(x), (batch, d)."""
        return self.encoder(self._flat_images(x))  # (batch, 784) → (batch, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images x (batch, 1, 28, 28) → reconstruction logits (batch, 1, 28, 28)."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Images x → reconstructed grey levels in [0, 1], same shape."""
        logits = self(self._checked_images(x))
        return torch.sigmoid(_finite_output(logits, "model"))


class VAE(_MLPBase):
    """A variational autoencoder (Kingma & Welling 2014): Gaussian encoder, Bernoulli decoder.

    Encoder q(z|x) = N(μ(x), diag σ²(x)); prior p(z) = N(0, I);
    decoder p(x|z) = Bernoulli(sigmoid(logits(z))), independently per pixel.
    """

    def __init__(self, config: MLPConfig | None = None):
        super().__init__(MLPConfig() if config is None else config)
        config = self.config
        self.encoder = nn.Sequential(*config.hidden_stack(config.input_dim))
        self.to_mu = nn.Linear(config.hidden_dim, config.latent_dim)
        self.to_logvar = nn.Linear(config.hidden_dim, config.latent_dim)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z|x): images x (batch, 1, 28, 28) in [0, 1] → (μ, log σ²), each (batch, d)."""
        h = self.encoder(self._flat_images(x))  # (batch, 784) → (batch, hidden)
        return self.to_mu(h), self.to_logvar(h)  # (batch, d) each

    reparameterize = staticmethod(reparameterize)  # z = μ + σ·ε: the module's function

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One pass of the VAE: returns (reconstruction logits (batch, 1, 28, 28), μ, log σ²).

        The sample z ~ q(z|x) draws its noise from `generator` (default: torch's global one).
        """
        mu, logvar = self.encode(x)  # q(z|x): (batch, d) each
        z = reparameterize(mu, logvar, generator)  # z ~ q(z|x), (batch, d)
        return self.decode(z), mu, logvar  # logits of p(x|z): (batch, 1, 28, 28)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Images x → grey levels in [0, 1] decoded from the posterior mean z = μ(x), same shape."""
        mu, _ = self.encode(self._checked_images(x))
        return torch.sigmoid(_finite_output(self.decode(mu), "model"))


def _finite_output(output: torch.Tensor, part: str) -> torch.Tensor:
    """`output` of the model's `part`, unless it holds NaN or inf (then `NonFiniteError`)."""
    if not torch.isfinite(output).all():
        raise NonFiniteError(
            f"the {part}'s output holds NaN or infinite values: the model's weights are not "
            f"finite or far too large (a diverged training?); retrain or reload the model"
        )
    return output


def check_model(model: object, name: str = "model", *, vae: bool = False) -> VAE | Autoencoder:
    """Return `model` if it is a vaelib `VAE` (or, unless `vae`, an `Autoencoder`), else raise."""
    if vae and not isinstance(model, VAE):
        raise TypeError(
            f"this measure needs a VAE (it reads q(z|x)), got {name} of type {type(model).__name__}"
        )
    if not isinstance(model, (VAE, Autoencoder)):
        raise TypeError(f"{name} must be a vaelib VAE or Autoencoder, got {type(model).__name__}")
    return model


def model_device(model: VAE | Autoencoder) -> torch.device:
    """The device that holds `model`'s weights."""
    return model._weight().device


def model_images(data: ImageData | torch.Tensor, model: nn.Module, name: str) -> torch.Tensor:
    """The image tensor of `data` (an `ImageData` or a tensor), checked against `model`'s input.

    Returns the images in the model's dtype (float16/bfloat16/float64 images are converted to
    float32 here, once). Raises a clear error for a model that is not a vaelib model, for a
    wrong type, shape or dtype, for NaNs, for an empty data set and for values outside [0, 1].
    """
    check_model(model)
    images = data.images if isinstance(data, ImageData) else data
    if not isinstance(images, torch.Tensor):
        raise TypeError(
            f"{name} must be an ImageData or a tensor of images (n, "
            f"{', '.join(map(str, model.config.image_shape))}), got {type(data).__name__}"
        )
    return check_images(images, name, model.config.image_shape, dtype=model._weight().dtype)


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Put `model` in eval mode for the `with` block, then back in the mode it was in.

    The previous mode comes back even when the block raises, so an error inside a metric never
    leaves a model switched to eval mode.
    """
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


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
    steps = check_int(steps, "steps", minimum=2)
    x_start = model_images(x_start, model, "x_start")
    x_end = model_images(x_end, model, "x_end")
    check_same_shape(x_start, x_end, "x_start and x_end")
    device = model_device(model)
    with eval_mode(model):
        z_start, z_end = (model.encode(x.to(device)) for x in (x_start, x_end))
        if isinstance(model, VAE):  # encode returned (μ, log σ²): the code is μ
            z_start, z_end = z_start[0], z_end[0]
        t = torch.linspace(0, 1, steps, device=device).view(1, steps, 1)  # (1, steps, 1)
        z = (1 - t) * z_start.unsqueeze(1) + t * z_end.unsqueeze(1)  # (n, steps, d)
        logits = _finite_output(model.decode(z.flatten(0, 1)), "model")
        images = torch.sigmoid(logits)  # (n·steps, 1, 28, 28)
    return images.view(len(x_start), steps, *model.config.image_shape).cpu()
