"""Seeds: every random choice in the book starts from a seed, and one switch moves them all.

A chapter names its seeds (`seed_everything(0)`, `fit(..., seed=0)`, `seeded_generator(1)`), so
that it prints the same numbers on every run. Those numbers are one realisation of each
experiment. The environment variable `VAELIB_SEED` (an integer s >= 0, default 0) turns every
seed n that the library uses into

    effective_seed(n) = n + s · 1,000,000,

so a chapter run with `VAELIB_SEED=3` is a new, independent realisation of the same experiments
(chapters use seeds far below a million, so no two realisations share a seed). The outputs
stored in the notebooks are those of `VAELIB_SEED=0`, where every seed is what the chapter says.
A claim the book makes must hold at every s, not only at 0.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import torch

from vaelib._support.checks import check_seed

SEED_ENV_VAR = "VAELIB_SEED"
SEED_STRIDE = 1_000_000  # the seeds of two realisations never meet below this
MAX_SEED_OFFSET = 1_000_000  # keeps every effective seed far below 2⁶³

__all__ = [
    "SEED_ENV_VAR",
    "effective_seed",
    "seed_everything",
    "seed_offset",
    "seeded_generator",
    "seeded_model",
]

Model = TypeVar("Model")


def seed_offset() -> int:
    """The realisation s that `VAELIB_SEED` selects: an integer in [0, 1,000,000), default 0."""
    text = os.environ.get(SEED_ENV_VAR, "").strip()
    if not text:
        return 0
    try:
        offset = int(text)
    except ValueError:
        raise ValueError(
            f"{SEED_ENV_VAR} must be a whole number such as 0, 1 or 2, got {text!r}; "
            f"unset it for the book's stored realisation (0)"
        ) from None
    if not 0 <= offset < MAX_SEED_OFFSET:
        raise ValueError(
            f"{SEED_ENV_VAR} must be between 0 and {MAX_SEED_OFFSET - 1}, got {offset}; "
            f"unset it for the book's stored realisation (0)"
        )
    return offset


def effective_seed(seed: int) -> int:
    """The seed the library really uses for the seed `seed` a chapter names: n + s · 1,000,000."""
    return check_seed(seed) + seed_offset() * SEED_STRIDE


def seeded_generator(seed: int) -> torch.Generator:
    """A CPU `torch.Generator` seeded with `effective_seed(seed)`.

    Draws made from it are the same on every device: the library draws on the CPU and moves the
    result to the model's device, so a GPU sees the same random numbers as the CPU.
    """
    return torch.Generator().manual_seed(effective_seed(seed))


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's global random number generators.

    The chapters call it before building a model, which fixes the model's initial weights.
    `seed`: an integer in [0, 2⁶³) (NumPy integers too), shifted by `VAELIB_SEED` as every seed
    is (`effective_seed`); NumPy receives the effective seed mod 2³².
    """
    seed = effective_seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def seeded_model(build: Callable[..., Model], seed: int, *args: object) -> Model:
    """`build(*args)` with its initial weights drawn from `effective_seed(seed)`, e.g. a new VAE.

    The one seeded model builder: the same seed gives the same weights on every call, and the
    caller's global random state is left as it was (`torch.random.fork_rng`), so building a
    model never changes what the chapter's own draws see.
    """
    seed = effective_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build(*args)
