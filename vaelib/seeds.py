"""How much of a measure's variation over a sweep is due to the setting, and how much to the seed.

A sweep trains one model per setting (e.g. per value of β) and per random seed, and measures each
model: a table `values` of shape (settings, seeds). The seed changes the initial weights, the
order of the batches and the reparameterisation noise of training, nothing else. If a measure
depends on the setting, its rows differ much more than the models within a row; if it depends
mostly on luck, they do not.

`share_explained_by_setting` puts that in one number, the η² of a one-way analysis of variance:

    η² = Σ_b S·(m_b − m)² / Σ_b Σ_s (v_bs − m)²,

with m_b the mean of row b over its S seeds and m the mean of the whole table. It is the share of
the table's spread around its mean that the row means account for: 1 when the seeds agree
exactly at every setting, 0 when every row has the same mean. If the setting had no effect at all,
η² would still be about (B − 1)/(B·S − 1) for B settings by chance alone.

`permutation_p_value` says whether an η² is more than chance: it deals the table's values out to
the settings at random, many times, and returns how often a random deal explains as much.
"""

from __future__ import annotations

import torch

from vaelib._checks import check_positive_int, check_tensor
from vaelib.seeding import seeded_generator

__all__ = ["permutation_p_value", "seed_spread", "share_explained_by_setting"]


def _table(values: object) -> torch.Tensor:
    """`values` as a float64 tensor (settings, seeds) with at least 2 of each."""
    if not isinstance(values, torch.Tensor):
        try:
            values = torch.as_tensor(values, dtype=torch.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"values must be a (settings, seeds) table of numbers, e.g. a list of rows, "
                f"got {type(values).__name__}: {error}"
            ) from None
    elif not values.is_floating_point() and values.dtype != torch.bool:
        values = values.double()  # integer counts, e.g. active units
    check_tensor(values, "values", ndim=2)
    if min(values.shape) < 2:
        raise ValueError(
            f"values must hold at least 2 settings (rows) and 2 seeds (columns), got shape "
            f"{tuple(values.shape)}"
        )
    return values.double()


def seed_spread(values: object) -> torch.Tensor:
    """The range over seeds at each setting, max − min of each row: (settings,), >= 0.

    `values`: (settings, seeds), e.g. the MIG of every model of a β sweep, in its own unit.
    """
    table = _table(values)
    return table.amax(dim=1) - table.amin(dim=1)


def share_explained_by_setting(values: object) -> float:
    """η²: the share of the variation of `values` (settings, seeds) that the setting explains.

    Returns a number in [0, 1] (see the module docstring). A table with no variation at all has
    nothing to explain and is refused.
    """
    return float(_shares(_table(values).unsqueeze(0))[0])


def _shares(tables: torch.Tensor) -> torch.Tensor:
    """η² of each of a stack of tables (n, settings, seeds): (n,)."""
    deviations = tables - tables.mean(dim=(1, 2), keepdim=True)
    total = deviations.pow(2).sum(dim=(1, 2))  # (n,)
    if (total == 0).any():
        raise ValueError("values are all equal, so there is no variation to share out")
    between = deviations.mean(dim=2).pow(2).sum(dim=1) * tables.shape[2]  # (n,)
    return (between / total).clamp(0, 1)


def permutation_p_value(values: object, permutations: int = 10_000, seed: int = 0) -> float:
    """How often a random deal of the values to the settings explains as much as the real one.

    `values`: (settings, seeds). Each of `permutations` deals shuffles all the values of the
    table over its cells (a generator seeded with `seed`: the same answer on every call) and
    computes its η² (`share_explained_by_setting`). Returns (m + 1) / (permutations + 1), where m
    deals explain at least the real table's η²: a p-value in (0, 1]. A small p (say below 0.05)
    says the setting matters beyond the seeds' scatter; a large one, that the sweep shows no
    effect of the setting that the seeds alone could not have produced.
    """
    table = _table(values)
    permutations = check_positive_int(permutations, "permutations")
    generator = seeded_generator(seed)
    observed = _shares(table.unsqueeze(0))[0]
    flat = table.flatten()  # (settings·seeds,)
    order = torch.rand(permutations, len(flat), generator=generator).argsort(dim=1)
    shares = _shares(flat[order].view(permutations, *table.shape))  # (permutations,)
    as_large = int((shares >= observed - 1e-12).sum())  # ties count: they explain as much
    return (as_large + 1) / (permutations + 1)
