"""A dSprites-like data set with known factors of variation, drawn on the fly (no download).

dSprites (Matthey et al. 2017) is the standard test bed of disentanglement: white shapes on black
whose every image is one combination of a few independent *factors* — shape, scale, rotation and
position — and whose every combination appears exactly once. Because the factors are known, a
learned code can be compared with them (see `vaelib.measures.disentanglement`).

`load_shapes` draws a smaller version at MNIST's 28×28, deterministically: three shapes (square,
ellipse, heart), a few scales, optional rotations, and a grid of x and y positions. Each pixel is
the fraction of a `supersample`×`supersample` grid of points inside the shape, so edges are
anti-aliased and the same on every machine. With the defaults (3 shapes × 4 scales × 8 × 8
positions) the data set holds 768 images; with `rotations=4` it holds 3,072.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from vaelib._support.checks import check_positive_int
from vaelib._support.seeding import seeded_generator
from vaelib.data.loading import ImageData

SHAPES = ("square", "ellipse", "heart")
IMAGE_SIZE = 28
# sprite sizes and centres, in pixels (a pixel's centre lies at i + 0.5, for i = 0, …, 27)
SCALE_RANGE = (3.0, 6.0)  # radius of the sprite: the ellipse's long half-axis
POSITION_RANGE = (7.0, 21.0)  # centres of the sprite, in x and in y; the largest sprite fits
ROTATION_RANGE = 90.0  # rotations are spread over [0°, 90°), the square's period


@dataclass
class ShapesData(ImageData):
    """Images of sprites with the factors that made each one.

    Attributes (besides those of `ImageData`, whose `labels` are the shape indices):
        factors: (n, k) int64, the index of each image's value of each of the k factors.
        factor_names: the k factor names, e.g. ["shape", "scale", "x", "y"].
        factor_values: for each factor, the values its indices stand for: the shape names, the
            sprite radius in pixels, the rotation in degrees, the centre's x or y in pixels.

    Only factors that take more than one value are listed (rotation only if `rotations > 1`).
    Image i has factor indices `factors[i]`; the images run over the full grid of factor values
    with the last factor changing fastest, as in dSprites.
    """

    factors: torch.Tensor
    factor_names: list[str]
    factor_values: list[list]

    @property
    def factor_sizes(self) -> list[int]:
        """The number of values of each factor, e.g. [3, 4, 8, 8]."""
        return [len(values) for values in self.factor_values]

    def index(self, **factors: int) -> int:
        """The row of the image with the given factor indices, e.g. `index(shape=2, scale=0, …)`.

        Every factor of `factor_names` must be given, as an index into its `factor_values`.
        """
        if sorted(factors) != sorted(self.factor_names):
            raise ValueError(
                f"give one index per factor, for exactly {self.factor_names}; got {sorted(factors)}"
            )
        row = 0
        for name, size in zip(self.factor_names, self.factor_sizes):
            value = factors[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
                raise ValueError(f"{name} must be an integer index in [0, {size}), got {value!r}")
            row = row * size + value  # the last factor changes fastest
        return row

    def subset(self, n: int, seed: int | None = None) -> ShapesData:
        """The first `n` images, or `n` drawn without replacement when `seed` is given."""
        if not 0 < n <= len(self):
            raise ValueError(f"n must be between 1 and {len(self)}, got {n}")
        if seed is None:
            index = torch.arange(n)
        else:
            index = torch.randperm(len(self), generator=seeded_generator(seed))[:n]
        return ShapesData(
            self.images[index],
            self.labels[index],
            self.classes,
            f"{self.name}[:{n}]",
            self.factors[index],
            self.factor_names,
            self.factor_values,
        )


def load_shapes(
    scales: int = 4,
    positions: int = 8,
    rotations: int = 1,
    supersample: int = 8,
) -> ShapesData:
    """Draw every combination of shape, scale, rotation and x, y position, once each.

    Args:
        scales: number of sprite radii, evenly from 3 to 6 pixels.
        positions: number of centres along x and along y, evenly from 7 to 21 pixels (rounded
            to the nearest 1/supersample of a pixel).
        rotations: number of angles, evenly in [0°, 90°) (1: no rotation factor).
        supersample: each pixel is the mean of supersample² points (anti-aliasing).

    Returns:
        A `ShapesData` of 3·scales·rotations·positions² images (1, 28, 28), grey levels in
        [0, 1] (white sprite on black), with labels = shape index and classes = shape names.
    """
    for value, name in ((scales, "scales"), (positions, "positions"), (rotations, "rotations")):
        check_positive_int(value, name)
    check_positive_int(supersample, "supersample")
    radii = _even(SCALE_RANGE, scales)
    # centres on the grid of sample points, so that moving a sprite is an exact shift
    centres = [round(c * supersample) / supersample for c in _even(POSITION_RANGE, positions)]
    angles = [ROTATION_RANGE * i / rotations for i in range(rotations)]

    images = [
        _draw(shape, radius, angle, centres, supersample)
        for shape in SHAPES
        for radius in radii
        for angle in angles
    ]
    images = torch.cat(images).unsqueeze(1).float()  # (n, 1, 28, 28)

    sizes = [len(SHAPES), scales, rotations, positions, positions]
    grids = torch.meshgrid(*[torch.arange(size) for size in sizes], indexing="ij")
    factors = torch.stack([g.flatten() for g in grids], dim=1)  # (n, 5), last changes fastest
    names = ["shape", "scale", "rotation", "x", "y"]
    values = [list(SHAPES), radii, angles, centres, centres]
    keep = [i for i, size in enumerate(sizes) if size > 1]
    return ShapesData(
        images=images,
        labels=factors[:, 0].clone(),
        classes=list(SHAPES),
        name=f"shapes/{len(images)}",
        factors=factors[:, keep].contiguous(),
        factor_names=[names[i] for i in keep],
        factor_values=[values[i] for i in keep],
    )


def _even(bounds: tuple[float, float], n: int) -> list[float]:
    """n evenly spaced values from bounds[0] to bounds[1] (their midpoint when n = 1)."""
    low, high = bounds
    if n == 1:
        return [(low + high) / 2]
    return [low + (high - low) * i / (n - 1) for i in range(n)]


def _draw(
    shape: str, radius: float, angle: float, centres: list[float], supersample: int
) -> torch.Tensor:
    """One sprite at every (x, y) centre: grey levels, (len(centres)², 28, 28), x slowest.

    The sprite is sampled once, centred on a canvas twice the image's size; the image with the
    sprite at (x, y) is the canvas window that puts the canvas centre at (x, y), averaged over
    each pixel's supersample × supersample points. Centres lie on the grid of sample points, so
    every window is an exact shift of the one drawing.
    """
    s, size = supersample, IMAGE_SIZE * supersample  # sample points per pixel, per image side
    # offset of each canvas sample point from the canvas centre, in sprite radii: (2·size,)
    offsets = (torch.arange(2 * size, dtype=torch.float32) + 0.5 - size) / (s * radius)
    dy, dx = torch.meshgrid(offsets, offsets, indexing="ij")  # (2·size, 2·size), rows are y
    theta = math.radians(angle)  # turn the points back by θ: the sprite turns by θ
    u = math.cos(theta) * dx + math.sin(theta) * dy
    v = -math.sin(theta) * dx + math.cos(theta) * dy
    canvas = _inside(shape, u, v).float()  # 1 where a sample point lies in the sprite
    starts = [round((IMAGE_SIZE - c) * s) for c in centres]  # window whose centre sits at c
    windows = torch.stack(
        [canvas[y0 : y0 + size, x0 : x0 + size] for x0 in starts for y0 in starts]
    )  # (p², size, size), x slowest
    return torch.nn.functional.avg_pool2d(windows.unsqueeze(1), s).squeeze(1)  # (p², 28, 28)


def _inside(shape: str, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Whether the point (u, v), in sprite radii about the centre (v points down), is inside."""
    if shape == "square":  # side 1.4 radii, so its corners stay within 0.99 radii
        return torch.maximum(u.abs(), v.abs()) <= 0.7
    if shape == "ellipse":  # half-axes 1 and 0.5
        return u.pow(2) + (v / 0.5).pow(2) <= 1
    if shape == "heart":  # (a² + b² − 1)³ − a²b³ ≤ 0, with b pointing up, shrunk to ~1 radius
        a, b = u * 1.35, -v * 1.35 + 0.15
        return (a.pow(2) + b.pow(2) - 1).pow(3) - a.pow(2) * b.pow(3) <= 0
    raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
