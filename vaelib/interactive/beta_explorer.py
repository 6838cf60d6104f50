"""The β explorer of chapter 6: one slider over the sweep's β values.

For the chosen β the page shows that model's samples, its reconstructions of the same test
digits, its number of active units and its point on the rate–distortion plane. Every image is
computed in the notebook and embedded as a PNG; the page only switches between them.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from vaelib._support.checks import check_positive_int
from vaelib._support.seeding import seeded_generator
from vaelib.data.image_grid import image_grid
from vaelib.interactive._html import InteractiveFigure, build_figure, check_finite_numbers
from vaelib.models.mlp import VAE

DEFAULT_TITLE = "One slider over β: samples, reconstructions, active units and the (R, D) point"
W, H, LEFT, RIGHT, TOP, BOTTOM = 320, 240, 52, 14, 12, 40  # the rate–distortion plot, px


def png_data_uri(images: torch.Tensor, nrow: int) -> str:
    """A grid of grey-level images (n, 1, h, w) in [0, 1] as a PNG `data:` URI (white padding)."""
    grid = image_grid(images.detach().cpu().float().clamp(0, 1), nrow=nrow, padding=2, pad_value=1)
    grey = (grid[0] * 255).round().to(torch.uint8).numpy()  # (H, W)
    buffer = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buffer, format="PNG", compress_level=9)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _image_stack(images: object, name: str, count: int | None) -> torch.Tensor:
    """`images` as a float tensor (count, n, 1, h, w) with values in [0, 1]."""
    if isinstance(images, Sequence) and not isinstance(images, torch.Tensor):
        images = torch.stack([torch.as_tensor(x) for x in images])
    if not isinstance(images, torch.Tensor):
        raise TypeError(
            f"{name} must be a tensor or a list of tensors, got {type(images).__name__}"
        )
    expected = 5 if count is not None else 4
    if images.dim() != expected or images.shape[-3] != 1:
        shape = "(len(betas), n, 1, 28, 28)" if count is not None else "(n, 1, 28, 28)"
        raise ValueError(f"{name} must have shape {shape}, got {tuple(images.shape)}")
    if count is not None and len(images) != count:
        raise ValueError(f"{name} must hold one set of images per β ({count}), got {len(images)}")
    images = images.detach().float()
    if not torch.isfinite(images).all() or images.min() < 0 or images.max() > 1:
        raise ValueError(f"{name} must hold grey levels in [0, 1] (decoded with torch.sigmoid)")
    return images


@torch.no_grad()
def sweep_images(
    models: Sequence[VAE], originals: torch.Tensor, n_samples: int = 16, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """What the β explorer shows of each model: its samples and its reconstructions.

    Every model decodes the same codes z ~ N(0, I) (one generator seed for all), so the slider
    shows how the same z decodes as β changes. `originals`: (m, 1, 28, 28) in [0, 1].
    Returns samples (k, n_samples, 1, 28, 28) and reconstructions (k, m, 1, 28, 28), on the CPU.
    """
    check_positive_int(n_samples, "n_samples")
    samples, reconstructions = [], []
    for model in models:
        device = next(model.parameters()).device
        samples.append(model.sample(n_samples, seeded_generator(seed)).cpu())
        reconstructions.append(model.reconstruct(originals.to(device)).cpu())
    return torch.stack(samples), torch.stack(reconstructions)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values covering [low, high]."""
    if high - low < 1e-9:  # a single value: give it some room
        low, high = low - 1, high + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw)
    first = math.floor(low / step) * step
    return [round(first + i * step, 10) for i in range(int(math.ceil((high - first) / step)) + 1)]


def rate_distortion_svg(rates: list[float], distortions: list[float], labels: list[str]) -> str:
    """The (R, D) points as an inline SVG; the page highlights one with the class `vf-selected`."""
    x_ticks = nice_ticks(min(0.0, min(rates)), max(rates))
    y_ticks = nice_ticks(min(distortions), max(distortions))

    def sx(r):
        return LEFT + (r - x_ticks[0]) / (x_ticks[-1] - x_ticks[0]) * (W - LEFT - RIGHT)

    def sy(d):
        return H - BOTTOM - (d - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * (H - TOP - BOTTOM)

    parts = [
        f'<svg class="vf-plot" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        'aria-label="Rate–distortion plane: one point per β; the chosen β is highlighted">'
    ]
    for t in x_ticks:
        parts.append(
            f'<line class="vf-grid" x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{TOP}" '
            f'y2="{H - BOTTOM}"/><text x="{sx(t):.1f}" y="{H - BOTTOM + 14}" '
            f'text-anchor="middle">{t:g}</text>'
        )
    for t in y_ticks:
        parts.append(
            f'<line class="vf-grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(t):.1f}" '
            f'y2="{sy(t):.1f}"/><text x="{LEFT - 5}" y="{sy(t) + 4:.1f}" '
            f'text-anchor="end">{t:g}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + W - RIGHT) / 2:.1f}" y="{H - 6}" text-anchor="middle">'
        "rate R (nats per image)</text>"
    )
    parts.append(
        f'<text transform="translate(12 {(TOP + H - BOTTOM) / 2:.1f}) rotate(-90)" '
        'text-anchor="middle">distortion D (nats per image)</text>'
    )
    for i, (r, d, label) in enumerate(zip(rates, distortions, labels)):
        parts.append(
            f'<circle class="vf-point" data-index="{i}" cx="{sx(r):.1f}" '
            f'cy="{sy(d):.1f}" r="5"><title>β = {label}</title></circle>'
            f'<text class="vf-point-label" x="{sx(r) + 7:.1f}" y="{sy(d) - 6:.1f}">{label}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def beta_explorer(
    betas: Sequence[float],
    samples: torch.Tensor | Sequence[torch.Tensor],
    reconstructions: torch.Tensor | Sequence[torch.Tensor],
    originals: torch.Tensor,
    active_units: Sequence[int],
    rates: Sequence[float],
    distortions: Sequence[float],
    *,
    latent_dim: int | None = None,
    start: int | None = None,
    nrow: int = 8,
    title: str = DEFAULT_TITLE,
) -> InteractiveFigure:
    """An interactive figure: a slider over a β sweep that switches what each model did.

    Args:
        betas: the sweep's β values, (k,).
        samples: for each β, its model's samples, (k, n, 1, 28, 28) grey levels in [0, 1].
        reconstructions: for each β, its reconstructions of `originals`, (k, m, 1, 28, 28).
        originals: the m test digits all the models reconstruct, (m, 1, 28, 28).
        active_units: for each β, its count of active units, (k,).
        rates, distortions: for each β, R and D in nats per image, (k,).
        latent_dim: d, to show "a of d active units"; start: index of the β shown first
            (default: β = 1 if the sweep has it, else the first); nrow: images per grid row.
    """
    betas = check_finite_numbers(betas, "betas")
    k = len(betas)
    rates = check_finite_numbers(rates, "rates")
    distortions = check_finite_numbers(distortions, "distortions")
    active = [int(a) for a in np.asarray(active_units).tolist()]
    for name, values in (("rates", rates), ("distortions", distortions), ("active_units", active)):
        if len(values) != k:
            raise ValueError(f"{name} must have one value per β ({k}), got {len(values)}")
    samples = _image_stack(samples, "samples", k)
    reconstructions = _image_stack(reconstructions, "reconstructions", k)
    originals = _image_stack(originals, "originals", None)
    if reconstructions.shape[1:] != originals.shape:
        raise ValueError(
            f"reconstructions must be (len(betas), *originals.shape) = ({k}, "
            f"{', '.join(map(str, originals.shape))}), got {tuple(reconstructions.shape)}"
        )
    if start is None:
        start = betas.index(1.0) if 1.0 in betas else 0
    if not (isinstance(start, int) and 0 <= start < k):
        raise ValueError(f"start must be an index into betas, 0 to {k - 1}, got {start!r}")

    labels = [f"{b:g}" for b in betas]
    of_d = f" of {int(latent_dim)}" if latent_dim is not None else ""
    states = [
        {
            "beta": labels[i],
            "samples": png_data_uri(samples[i], nrow),
            "reconstructions": png_data_uri(reconstructions[i], nrow),
            "active": f"{active[i]}{of_d}",
            "rate": f"{rates[i]:.1f}",
            "distortion": f"{distortions[i]:.1f}",
        }
        for i in range(k)
    ]
    first = states[start]
    body = (
        '<label class="vf-control"><span>KL weight β</span>'
        f'<input type="range" name="beta" min="0" max="{k - 1}" step="1" value="{start}" '
        f'aria-valuetext="β = {first["beta"]}">'
        f'<output class="vf-num" data-vf="beta">{first["beta"]}</output></label>\n'
        '<div class="vf-row">\n<div class="vf-col">\n<span>Samples, decoded from z ~ N(0, I)</span>'
        f'<img class="vf-images" data-vf="samples" alt="Samples of the model for the chosen β" '
        f'src="{first["samples"]}">\n'
        "<span>Test digits (top) and their reconstructions (bottom)</span>"
        f'<img class="vf-images" alt="The test digits" src="{png_data_uri(originals, nrow)}">'
        f'<img class="vf-images" data-vf="reconstructions" alt="Their reconstructions for the '
        f'chosen β" src="{first["reconstructions"]}">\n</div>\n<div class="vf-col">\n'
        f"{rate_distortion_svg(rates, distortions, labels)}\n"
        '<p aria-live="polite">Active units: <output class="vf-num" data-vf="active">'
        f'{first["active"]}</output><br>R = <output class="vf-num" data-vf="rate">'
        f'{first["rate"]}</output>, D = <output class="vf-num" data-vf="distortion">'
        f"{first['distortion']}</output> nats per image</p>\n</div>\n</div>"
    )
    return build_figure("beta-explorer", title, body, {"states": states}, "beta_explorer.js")
