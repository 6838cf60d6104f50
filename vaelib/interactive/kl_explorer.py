"""The KL explorer of chapter 3: sliders for μ and σ of q = N(μ, σ²), drawn against N(0, 1).

The page computes the closed form the chapter derives, one dimension at a time, and shows it
split into the two parts the chapter names:

    KL(N(μ, σ²) ‖ N(0, 1)) = ½μ² + ½(σ² − 1 − log σ²)   (nats),
                              offset   sharpness

both to 3 decimals; `vaelib.gaussian_kl_per_dim(μ, log σ²)` gives the same numbers.
"""

from __future__ import annotations

import html
import math

from vaelib.interactive._html import InteractiveFigure, build_figure

STEP = 0.01  # slider resolution of μ and σ
TOTAL_ROW = ' class="vf-total"'
DEFAULT_TITLE = "KL(q ‖ p) for q = N(μ, σ²) and p = N(0, 1): move μ and σ"


def _check_range(values: object, name: str, low_limit: float) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in values)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {values!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low_limit <= low < high):
        raise ValueError(
            f"{name} must be finite with {low_limit:g} <= low < high, got ({low:g}, {high:g})"
        )
    return low, high


def _check_start(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must lie in its slider's range [{low:g}, {high:g}], got {value}")
    return round(float(value) / STEP) * STEP  # on the slider's grid, as the browser would snap it


def _slider(name: str, label: str, low: float, high: float, value: float) -> str:
    return (
        f'<label class="vf-control"><span>{html.escape(label)}</span>'
        f'<input type="range" name="{name}" min="{low:g}" max="{high:g}" step="{STEP:g}" '
        f'value="{value:.2f}">'
        f'<output class="vf-num" data-vf="{name}">{value:.2f}</output></label>'
    )


def kl_explorer(
    mu: float = 1.0,
    sigma: float = 0.5,
    *,
    mu_range: tuple[float, float] = (-3.0, 3.0),
    sigma_range: tuple[float, float] = (0.1, 3.0),
    title: str = DEFAULT_TITLE,
) -> InteractiveFigure:
    """An interactive figure: q = N(μ, σ²) against p = N(0, 1), with their KL and its two parts.

    Args:
        mu, sigma: where the sliders start (σ is the standard deviation, not the variance).
        mu_range, sigma_range: the sliders' ranges; both move in steps of 0.01.
        title: the line above the figure.

    The readout shows the offset part ½μ², the sharpness part ½(σ² − 1 − log σ²) and their sum,
    KL(q ‖ p) in nats, each to 3 decimals. The HTML depends only on the arguments.
    """
    mu_low, mu_high = _check_range(mu_range, "mu_range", -math.inf)
    sigma_low, sigma_high = _check_range(sigma_range, "sigma_range", STEP)
    mu = _check_start(mu, "mu", mu_low, mu_high)
    sigma = _check_start(sigma, "sigma", sigma_low, sigma_high)
    parts = (
        ("offset", "offset part ½μ²"),
        ("sharpness", "sharpness part ½(σ² − 1 − log σ²)"),
        ("kl", "KL(q ‖ p), nats"),
    )
    rows = "".join(
        f"<tr{TOTAL_ROW if key == 'kl' else ''}><td>{label}</td>"
        f'<td><output class="vf-num" data-vf="{key}">–</output></td></tr>'
        for key, label in parts
    )
    body = (
        '<div class="vf-row">\n<div class="vf-col">\n'
        + _slider("mu", "mean μ", mu_low, mu_high, mu)
        + "\n"
        + _slider("sigma", "standard deviation σ", sigma_low, sigma_high, sigma)
        + '\n</div>\n<table class="vf-parts" aria-live="polite"><tbody>'
        + rows
        + "</tbody></table>\n</div>\n"
        + '<svg class="vf-plot" viewBox="0 0 560 230" width="560" height="230" role="img" '
        'aria-label="The densities of q = N(μ, σ²) (solid) and p = N(0, 1) (dashed) over z">'
        "</svg>"
    )
    z_limit = max(abs(mu_low), abs(mu_high)) + 3.0  # the plot's z axis runs over ±z_limit
    data = {"zLimit": z_limit}
    return build_figure("kl-explorer", title, body, data, "kl_explorer.js")
