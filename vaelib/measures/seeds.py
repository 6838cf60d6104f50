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

η² ignores the order of the settings: it asks whether the rows differ, not whether the measure
rises or falls along the sweep. For an ordered setting such as β, a trend test asks the sharper
question. `rank_correlation` is Spearman's ρ between the setting of each cell and its value (the
Pearson correlation of their ranks, ties given their average rank): +1 when the measure is a
rising function of the setting alone, −1 when a falling one, near 0 when it has no trend. It
depends only on the order of the settings, so β and log β give the same ρ. `trend_p_value`
deals the values out at random, as `permutation_p_value` does, and returns how often a random
deal has a |ρ| as large.
"""

from __future__ import annotations

import torch

from vaelib._support.checks import check_positive_int, check_tensor
from vaelib._support.seeding import seeded_generator

__all__ = [
    "permutation_p_value",
    "rank_correlation",
    "seed_spread",
    "share_explained_by_setting",
    "trend_p_value",
]


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


def _ranks(values: torch.Tensor) -> torch.Tensor:
    """Ranks 1…n along the last dimension of (..., n), ties given their average rank."""
    order = values.argsort(dim=-1)
    ordinal = torch.empty_like(values)
    positions = torch.arange(1, values.shape[-1] + 1, dtype=values.dtype).expand_as(values)
    ordinal.scatter_(-1, order, positions.contiguous())  # 1…n, ties broken arbitrarily
    equal = values.unsqueeze(-1) == values.unsqueeze(-2)  # (..., n, n): ties
    return (equal * ordinal.unsqueeze(-2)).sum(-1) / equal.sum(-1)  # mean rank over each tie


def _spearman(settings: torch.Tensor, tables: torch.Tensor) -> torch.Tensor:
    """ρ between `settings` (settings,) and each of a stack of tables (n, settings, seeds): (n,)."""
    n, rows, columns = tables.shape
    x = _ranks(settings.double()).repeat_interleave(columns)  # (settings·seeds,)
    y = _ranks(tables.reshape(n, rows * columns))  # (n, settings·seeds)
    x = x - x.mean()
    y = y - y.mean(dim=1, keepdim=True)
    scale = x.norm() * y.norm(dim=1)  # (n,)
    if (scale == 0).any():
        raise ValueError("values are all equal, so they have no order to correlate")
    return (y @ x) / scale


def _settings(settings: object, table: torch.Tensor) -> torch.Tensor:
    """`settings` as a float64 vector with one distinct finite value per row of `table`."""
    try:
        settings = torch.as_tensor(settings, dtype=torch.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"settings must be a list of numbers, one per row of values, got "
            f"{type(settings).__name__}: {error}"
        ) from None
    check_tensor(settings, "settings", ndim=1)
    if len(settings) != table.shape[0]:
        raise ValueError(
            f"settings must give one value per row of values: got {len(settings)} settings for "
            f"{table.shape[0]} rows"
        )
    if len(torch.unique(settings)) != len(settings):
        raise ValueError(f"settings must be distinct, got {settings.tolist()}")
    return settings


def rank_correlation(settings: object, values: object) -> float:
    """Spearman's ρ between the setting of each cell of `values` and its value, in [−1, 1].

    `settings`: (settings,), e.g. the values of β, one per row; only their order matters.
    `values`: (settings, seeds), e.g. the MIG of every model of a β sweep. Every cell is one
    observation (setting of its row, value); ties get their average rank.
    """
    table = _table(values)
    return float(_spearman(_settings(settings, table), table.unsqueeze(0))[0])


def trend_p_value(
    settings: object, values: object, permutations: int = 10_000, seed: int = 0
) -> float:
    """How often a random deal of the values to the cells has a rank correlation as strong.

    Two-sided: a deal counts when its |ρ| (`rank_correlation`) is at least the real table's.
    `values`: (settings, seeds); the deals shuffle all its values over its cells (a generator
    seeded with `seed`: the same answer on every call). Returns (m + 1) / (permutations + 1), a
    p-value in (0, 1]. A small p says the measure rises or falls along the settings beyond what
    the seeds' scatter could produce; a large one, that the sweep shows no such trend.
    """
    table = _table(values)
    settings = _settings(settings, table)
    permutations = check_positive_int(permutations, "permutations")
    generator = seeded_generator(seed)
    observed = _spearman(settings, table.unsqueeze(0))[0].abs()
    flat = table.flatten()  # (settings·seeds,)
    order = torch.rand(permutations, len(flat), generator=generator).argsort(dim=1)
    rhos = _spearman(settings, flat[order].view(permutations, *table.shape)).abs()
    as_strong = int((rhos >= observed - 1e-12).sum())
    return (as_strong + 1) / (permutations + 1)
