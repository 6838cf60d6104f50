"""The latent explorer of chapter 8: the 2-D VAE's decoder, running in the reader's browser.

The page draws the latent plane with the training codes coloured by digit; wherever the pointer
is (or wherever the arrow keys move it), the page decodes z with the exported decoder
(`vaelib.interactive.export_decoder`) and draws the 28 × 28 image beside the plane, with z.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from vaelib._support.checks import check_class_labels
from vaelib.interactive._html import InteractiveFigure, build_figure, to_base64
from vaelib.interactive.decoder_export import (
    ExportedDecoder,
    export_decoder,
    max_grey_error,
    z_grid,
)
from vaelib.models.mlp import VAE, Autoencoder

MAX_POINTS = 3000  # training codes drawn under the plane, at most
KEY_STEP = 0.1  # how far one arrow key moves z (Shift: five times as far)
DIGIT_COLOURS = (  # matplotlib's "tab10", the colours of plots.plot_latent_scatter
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
DEFAULT_TITLE = "The decoder in your browser: move over the latent plane to decode z"


class LatentExplorer(InteractiveFigure):
    """The latent-explorer figure, with what a notebook cell needs to check it.

    `decoder`: the exported weights the page computes with. `decode(z)`: the grey levels the
    page draws for z. `max_grey_error`: the largest |page − PyTorch| of a grey level (in [0, 1])
    over a 25 × 25 grid of the plane. `weights_checksum`: Σ|w| of the exported weights.
    """

    def __init__(self, figure: InteractiveFigure, decoder: ExportedDecoder, error: float):
        super().__init__(figure.kind, figure.title, figure.html, figure.id)
        self.decoder = decoder
        self.max_grey_error = error

    def decode(self, z) -> np.ndarray:
        """Grey levels in [0, 1] the page draws for z: (2,) → (28, 28); (n, 2) → (n, 28, 28)."""
        return self.decoder.decode(z)

    @property
    def weights_checksum(self) -> float:
        return self.decoder.checksum

    @property
    def precision(self) -> str:
        return self.decoder.precision


def _as_numpy(values: object) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def _checked_codes(codes: object, labels: object) -> tuple[np.ndarray, np.ndarray | None]:
    codes = _as_numpy(codes).astype(np.float64)
    if codes.ndim != 2 or codes.shape[1] != 2 or len(codes) == 0:
        raise ValueError(f"codes must have shape (n, 2), got {codes.shape}")
    if not np.isfinite(codes).all():
        raise ValueError("codes contains NaN or infinite values")
    if labels is None:
        return codes, None
    labels = torch.as_tensor(_as_numpy(labels))  # the digits 0–9 of an MNIST label tensor
    check_class_labels(labels, n=len(codes), num_classes=10, per="code")
    return codes, labels.numpy().astype(np.uint8)


def plane_extent(codes: np.ndarray) -> float:
    """Half-width of the square drawn: the 0.5 % and 99.5 % quantiles, rounded up to 0.5."""
    reach = np.abs(np.quantile(codes, [0.005, 0.995], axis=0)).max()
    return max(1.0, math.ceil(2 * reach) / 2)


def latent_explorer(
    model: VAE | Autoencoder,
    codes: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    max_points: int = MAX_POINTS,
    extent: float | None = None,
    precision: str = "auto",
    title: str = DEFAULT_TITLE,
) -> LatentExplorer:
    """An interactive figure: the latent plane of a 2-D model and its decoder, live.

    Args:
        model: a vaelib `VAE` or `Autoencoder` with latent_dim 2 (its decoder is exported).
        codes: (n, 2) codes to draw, e.g. the training set's posterior means from
            `vaelib.encode_dataset`; a fixed random subset of `max_points` is drawn.
        labels: (n,) digits 0–9 that colour the codes, or None for one colour.
        extent: the plane shows z in [−extent, extent]²; by default the codes' 0.5 %–99.5 %
            quantiles, rounded up to 0.5.
        precision: how the decoder's large matrix is stored (see `export_decoder`).

    The page shows z to 2 decimals and the decoded image with grey levels round(255 x).
    """
    codes, labels = _checked_codes(codes, labels)
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise ValueError(f"max_points must be a positive integer, got {max_points!r}")
    extent = plane_extent(codes) if extent is None else float(extent)
    if not (math.isfinite(extent) and extent > 0):
        raise ValueError(f"extent must be a finite number > 0, got {extent}")
    decoder = export_decoder(model, precision, extent=extent)
    error = max_grey_error(decoder, model, z_grid(extent))

    # A fixed subset, the same in every numpy version (the legacy RandomState is frozen).
    shown = np.sort(np.random.RandomState(0).permutation(len(codes))[:max_points])
    channels, height, width = decoder.image_shape
    if channels != 1:
        raise ValueError(
            f"the explorer draws grey-level images, got image_shape {decoder.image_shape}"
        )
    legend = ""
    if labels is not None:
        legend = (
            '<ul class="vf-legend" aria-label="Colour of each digit">'
            + "".join(
                f'<li><span class="vf-swatch" style="background:{colour}"></span>{digit}</li>'
                for digit, colour in enumerate(DIGIT_COLOURS)
            )
            + "</ul>"
        )
    scale = max(1, 196 // width)  # the decoded image is drawn 7 × larger: 196 px for MNIST
    body = (
        '<div class="vf-row">\n<div class="vf-col">\n'
        '<canvas class="vf-plane" width="360" height="360" style="width:360px" tabindex="0" '
        'aria-label="Latent plane with training codes coloured by digit. Move the pointer over '
        'it, or focus it and use the arrow keys, to choose the code z that is decoded."></canvas>\n'
        f"{legend}\n</div>\n"
        '<div class="vf-col vf-side">\n'
        f'<canvas class="vf-pixels" width="{width}" height="{height}" '
        f'style="width:{scale * width}px;height:{scale * height}px" role="img" '
        'aria-label="The image decoded from the current z"></canvas>\n'
        '<output class="vf-z vf-num" aria-live="polite">z = (0.00, 0.00)</output>\n'
        '<p class="vf-muted">The decoder\'s mean sigmoid(ℓ(z)), computed in this page.<br>'
        f"Arrow keys move z by {KEY_STEP:g} (with Shift by {5 * KEY_STEP:g}); "
        "Home returns to (0, 0).</p>\n</div>\n</div>"
    )
    data = {
        "codes": to_base64(codes[shown], "float16"),
        "labels": None if labels is None else to_base64(labels[shown], "uint8"),
        "colours": list(DIGIT_COLOURS),
        "extent": extent,
        "keyStep": KEY_STEP,
        "imageSize": [height, width],
        "decoder": decoder.to_payload(),
    }
    figure = build_figure("latent-explorer", title, body, data, "latent_explorer.js")
    return LatentExplorer(figure, decoder, error)
