"""The decoder of a 2-D VAE, exported so that a web page can run it.

The book's decoder is x = sigmoid(W₂ relu(W₁ z + b₁) + b₂): a 784-400-2 network, 315,984
numbers. The page holds W₁, b₁ and b₂ as float32 and the large W₂ (784 × 400) in one of three
precisions, measured by the largest change of a decoded grey level they cause:

- "float32": 1.25 MB of weights, round-off only;
- "float16": 0.63 MB, relative error 2⁻¹¹ per weight; on the chapter-8 decoder a tenth of a
  grey level (of 255) at most;
- "int8": 0.31 MB, one scale per row (per output pixel); on a trained decoder several grey
  levels, because a row's largest weight sets the step for all of them.

`export_decoder(model)` ("auto") takes the smallest precision whose decoded images stay within
half a grey level of the PyTorch decoder on a grid of z, so that the page's rounded grey levels
are within one level of PyTorch's.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vaelib.interactive._html import to_base64
from vaelib.models.mlp import VAE, Autoencoder

PRECISIONS = ("int8", "float16", "float32")  # smallest first: the order "auto" tries them in
GREY_TOLERANCE = 0.5 / 255  # "auto": largest allowed |page − PyTorch| of a grey level in [0, 1]


@dataclass(frozen=True)
class ExportedDecoder:
    """A 2-D decoder's weights exactly as a web page holds them.

    `w1` (hidden, 2), `b1` (hidden,), `b2` (pixels,): float32. `w2_stored` (pixels, hidden):
    int8, float16 or float32 as `precision` says; `w2_scale` (pixels,) float32 for "int8".
    """

    w1: np.ndarray
    b1: np.ndarray
    w2_stored: np.ndarray
    w2_scale: np.ndarray | None
    b2: np.ndarray
    precision: str
    image_shape: tuple[int, int, int]

    @property
    def w2(self) -> np.ndarray:
        """W₂ as the page computes with it, float64 (pixels, hidden)."""
        w2 = self.w2_stored.astype(np.float64)
        if self.w2_scale is not None:
            w2 = w2 * self.w2_scale.astype(np.float64)[:, None]
        return w2

    def decode(self, z: torch.Tensor | np.ndarray | tuple) -> np.ndarray:
        """Grey levels in [0, 1] the page draws for z: (2,) → (28, 28); (n, 2) → (n, 28, 28).

        The same float64 arithmetic as the page's JavaScript, with the stored weights; the two
        agree to float64 round-off.
        """
        z = np.asarray(z.tolist() if isinstance(z, torch.Tensor) else z, dtype=np.float64)
        single = z.ndim == 1
        z = np.atleast_2d(z)
        if z.ndim != 2 or z.shape[1] != 2 or not np.isfinite(z).all():
            raise ValueError(f"z must be finite with shape (2,) or (n, 2), got {z.shape}")
        h = np.maximum(z @ self.w1.astype(np.float64).T + self.b1.astype(np.float64), 0.0)
        logits = h @ self.w2.T + self.b2.astype(np.float64)  # (n, pixels)
        x = (1.0 / (1.0 + np.exp(-logits))).reshape(len(z), *self.image_shape[1:])
        return x[0] if single else x

    @property
    def checksum(self) -> float:
        """Σ|w| over every stored weight and bias, dequantised: compare with the model's own."""
        return float(
            sum(np.abs(a.astype(np.float64)).sum() for a in (self.w1, self.b1, self.w2, self.b2))
        )

    @property
    def size_bytes(self) -> int:
        """Bytes of the weights before base64 (which adds a third)."""
        arrays = (self.w1, self.b1, self.w2_stored, self.b2, self.w2_scale)
        return sum(a.nbytes for a in arrays if a is not None)

    @classmethod
    def from_payload(cls, payload: dict, image_shape=(1, 28, 28)) -> ExportedDecoder:
        """The decoder a page holds, read back from its `to_payload()` dict (e.g. in a test)."""

        def array(key: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
            raw = base64.b64decode(payload[key])
            return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)

        hidden, pixels, precision = payload["hidden"], payload["pixels"], payload["precision"]
        return cls(
            array("w1", "float32", (hidden, 2)),
            array("b1", "float32", (hidden,)),
            array("w2", precision, (pixels, hidden)),
            array("w2Scale", "float32", (pixels,)) if "w2Scale" in payload else None,
            array("b2", "float32", (pixels,)),
            precision,
            tuple(image_shape),
        )

    def to_payload(self) -> dict:
        """The weights as base64 strings with their shapes, for the page's script."""
        payload = {
            "hidden": int(self.w1.shape[0]),
            "pixels": int(self.b2.shape[0]),
            "precision": self.precision,
            "w1": to_base64(self.w1, "float32"),
            "b1": to_base64(self.b1, "float32"),
            "b2": to_base64(self.b2, "float32"),
            "w2": to_base64(self.w2_stored, str(self.w2_stored.dtype)),
        }
        if self.w2_scale is not None:
            payload["w2Scale"] = to_base64(self.w2_scale, "float32")
        return payload


def _decoder_layers(model: object) -> tuple[nn.Linear, nn.Linear]:
    if not isinstance(model, (VAE, Autoencoder)):
        raise TypeError(f"model must be a vaelib VAE or Autoencoder, got {type(model).__name__}")
    if model.config.latent_dim != 2:
        raise ValueError(
            f"the latent explorer draws a plane: model must have latent_dim 2, got "
            f"{model.config.latent_dim}; train vaelib.VAE(vaelib.MLPConfig(latent_dim=2))"
        )
    first, _, last = model.decoder  # Linear(2, hidden), ReLU, Linear(hidden, pixels)
    return first, last


def _quantise(model: VAE | Autoencoder, precision: str) -> ExportedDecoder:
    first, last = _decoder_layers(model)

    def as_numpy(p):
        return p.detach().cpu().to(torch.float32).numpy().copy()

    w2 = as_numpy(last.weight)  # (pixels, hidden)
    scale = None
    if precision == "int8":  # one scale per row: the row's largest |w| maps to ±127
        scale = (np.abs(w2).max(axis=1) / 127).astype(np.float32)
        scale[scale == 0] = 1.0
        stored = np.clip(np.round(w2 / scale[:, None]), -127, 127).astype(np.int8)
    else:
        stored = w2.astype(precision)
    return ExportedDecoder(
        as_numpy(first.weight),
        as_numpy(first.bias),
        stored,
        scale,
        as_numpy(last.bias),
        precision,
        tuple(model.config.image_shape),
    )


def z_grid(extent: float, n: int = 25) -> np.ndarray:
    """An n × n grid of codes over the square [−extent, extent]², (n², 2)."""
    axis = np.linspace(-extent, extent, n)
    return np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)


@torch.no_grad()
def torch_decode(model: VAE | Autoencoder, z: np.ndarray) -> np.ndarray:
    """The PyTorch decoder's grey levels sigmoid(logits(z)) for codes z (n, 2): (n, 28, 28)."""
    device = next(model.parameters()).device
    z = torch.as_tensor(np.asarray(z), dtype=torch.float32, device=device)
    return torch.sigmoid(model.decode(z)).cpu().double().numpy()[:, 0]


def max_grey_error(exported: ExportedDecoder, model: VAE | Autoencoder, z: np.ndarray) -> float:
    """Largest |page − PyTorch| of a decoded grey level in [0, 1] over the codes z (n, 2)."""
    return float(np.abs(exported.decode(z) - torch_decode(model, z)).max())


def export_decoder(
    model: VAE | Autoencoder,
    precision: str = "auto",
    *,
    extent: float = 4.0,
    tolerance: float = GREY_TOLERANCE,
) -> ExportedDecoder:
    """Export the decoder of a 2-D `model` for a web page.

    Args:
        model: a vaelib `VAE` or `Autoencoder` with latent_dim 2.
        precision: "int8", "float16", "float32", or "auto": the first of these, smallest first,
            whose decoded grey levels (in [0, 1]) stay within `tolerance` of the PyTorch decoder
            on a 25 × 25 grid of z over [−extent, extent]².
    """
    _decoder_layers(model)
    if precision not in (*PRECISIONS, "auto"):
        raise ValueError(f"precision must be one of {PRECISIONS} or 'auto', got {precision!r}")
    if precision != "auto":
        return _quantise(model, precision)
    grid = z_grid(extent)
    for candidate in PRECISIONS:
        exported = _quantise(model, candidate)
        if max_grey_error(exported, model, grid) <= tolerance:
            return exported
    return exported  # float32: round-off only
