"""The split of a sweep's variation into the part due to the setting and the part due to the seed,
and the figure of several measures against β."""

import math

import pytest
import torch

from vaelib import permutation_p_value, seed_spread, share_explained_by_setting
from vaelib.plots import plot_measures_against_beta


def test_seeds_that_agree_leave_everything_to_the_setting():
    assert share_explained_by_setting([[1.0, 1.0, 1.0], [5.0, 5.0, 5.0]]) == pytest.approx(1.0)


def test_rows_with_equal_means_leave_nothing_to_the_setting():
    assert share_explained_by_setting([[0.0, 2.0], [2.0, 0.0], [1.0, 1.0]]) == pytest.approx(0.0)


def test_share_matches_a_hand_computed_analysis_of_variance():
    # rows [1, 3] and [4, 8]: grand mean 4, total SS = 9 + 1 + 0 + 16 = 26,
    # row means 2 and 6, between SS = 2·(4 + 4) = 16
    assert share_explained_by_setting([[1.0, 3.0], [4.0, 8.0]]) == pytest.approx(16 / 26)


def test_share_is_about_its_chance_level_when_the_setting_does_nothing():
    # B settings, S seeds, pure noise: E[η²] = (B − 1)/(B·S − 1) for Gaussian values
    generator = torch.Generator().manual_seed(0)
    shares = [
        share_explained_by_setting(torch.randn(5, 3, generator=generator)) for _ in range(1000)
    ]
    assert sum(shares) / len(shares) == pytest.approx(4 / 14, abs=0.025)


def test_share_accepts_integer_tables_and_ignores_the_order_of_the_seeds():
    table = torch.tensor([[3, 1, 2], [7, 9, 8]])
    assert share_explained_by_setting(table) == pytest.approx(
        share_explained_by_setting(table.flip(1).double())
    )


@pytest.mark.parametrize(
    "values, message",
    [
        ([[1.0, 2.0, 3.0]], "at least 2 settings"),
        ([[1.0], [2.0]], "2 seeds"),
        ([[1.0, 1.0], [1.0, 1.0]], "no variation"),
        ([1.0, 2.0], "2 dimensions"),
        ([[1.0, math.nan], [2.0, 3.0]], "NaN"),
        ("a table", "table of numbers"),
    ],
)
def test_bad_tables_are_refused_with_a_message_naming_the_problem(values, message):
    with pytest.raises((TypeError, ValueError), match=message):
        share_explained_by_setting(values)


def test_rows_kept_apart_by_the_setting_are_rarely_matched_by_a_random_deal():
    # 3 × 3 distinct, well-separated rows: a deal keeps every row together with chance
    # 3!·(3!)³ / 9! = 1/280, and only those deals explain as much
    p = permutation_p_value([[1.0, 2.0, 3.0], [11.0, 12.0, 13.0], [21.0, 22.0, 23.0]])
    assert p == pytest.approx(1 / 280, rel=0.35)


def test_rows_with_equal_means_get_p_value_one():
    assert permutation_p_value([[0.0, 2.0], [2.0, 0.0], [1.0, 1.0]], permutations=200) == 1.0


def test_p_values_of_pure_noise_are_uniform_on_average():
    generator = torch.Generator().manual_seed(1)
    ps = [
        permutation_p_value(torch.randn(4, 3, generator=generator), permutations=200, seed=i)
        for i in range(200)
    ]
    assert sum(ps) / len(ps) == pytest.approx(0.5, abs=0.06)
    assert sum(p < 0.05 for p in ps) / len(ps) < 0.1


def test_the_p_value_is_the_same_on_every_call_with_one_seed():
    table = [[0.1, 0.3, 0.2], [0.2, 0.5, 0.1]]
    assert permutation_p_value(table, seed=3) == permutation_p_value(table, seed=3)


def test_the_number_of_permutations_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="permutations"):
        permutation_p_value([[1.0, 2.0], [3.0, 4.0]], permutations=0)


def test_seed_spread_is_the_range_of_each_row():
    spread = seed_spread([[0.1, 0.4, 0.2], [0.5, 0.5, 0.5]])
    assert torch.allclose(spread, torch.tensor([0.3, 0.0], dtype=torch.float64))


def test_measures_against_beta_draw_one_panel_per_measure_with_the_onset_in_each():
    fig = plot_measures_against_beta(
        [1, 4, 16],
        {"MIG": [[0.1, 0.3], [0.2, 0.2], [0.0, 0.0]], "D (nats)": [[10, 11], [20, 21], [30, 31]]},
        onset=16,
        title="two measures",
    )
    assert [ax.get_ylabel() for ax in fig.axes] == ["MIG", "D (nats)"]
    for ax in fig.axes:
        assert any(list(line.get_xdata()) == [16, 16] for line in ax.get_lines())
    assert fig.axes[-1].get_xlabel() == "β (log scale)" and fig.axes[0].get_xlabel() == ""
    assert fig._suptitle.get_text() == "two measures"


@pytest.mark.parametrize(
    "betas, measures, onset, message",
    [
        ([1, 4], {}, None, "non-empty dict"),
        ([1, 4], [[0.1, 0.2], [0.3, 0.4]], None, "non-empty dict"),
        ([1, 4], {"MIG": [[0.1, 0.2], [0.3, 0.4]]}, 8, "not one of the β values"),
        ([1, 4], {"MIG": [[0.1, 0.2]]}, None, "one per β"),
    ],
)
def test_measures_against_beta_refuse_bad_arguments(betas, measures, onset, message):
    with pytest.raises((TypeError, ValueError), match=message):
        plot_measures_against_beta(betas, measures, onset=onset)


def test_rank_correlation_is_one_for_a_measure_that_rises_with_the_setting():
    from vaelib import rank_correlation

    assert rank_correlation([1, 2, 4], [[1.0, 1.0], [3.0, 3.0], [5.0, 5.0]]) == pytest.approx(1.0)
    assert rank_correlation([1, 2, 4], [[5.0, 5.0], [3.0, 3.0], [1.0, 1.0]]) == pytest.approx(-1.0)


def test_rank_correlation_matches_pearson_of_average_ranks_computed_by_hand():
    from vaelib import rank_correlation

    # cells (setting, value): (1, 3) (1, 1) (2, 2) (2, 4); setting ranks 1.5 1.5 3.5 3.5,
    # value ranks 3 1 2 4: centred (-1, -1, 1, 1) and (0.5, -1.5, -0.5, 1.5), ρ = 2 / √(4·5)
    rho = rank_correlation([1.0, 2.0], [[3.0, 1.0], [2.0, 4.0]])
    assert rho == pytest.approx(2 / math.sqrt(20))


def test_rank_correlation_sees_only_the_order_of_the_settings_and_the_values():
    from vaelib import rank_correlation

    table = torch.tensor([[0.3, 0.1, 0.2], [0.05, 0.25, 0.0], [0.02, 0.01, 0.03]])
    betas = [1.0, 4.0, 16.0]
    rho = rank_correlation(betas, table)
    assert rank_correlation([math.log(b) for b in betas], table) == pytest.approx(rho)
    assert rank_correlation(betas, table.exp()) == pytest.approx(rho)


def test_a_strict_trend_over_many_cells_gets_a_small_trend_p_value():
    from vaelib import trend_p_value

    table = torch.arange(15.0).view(5, 3)  # rises along the settings
    assert trend_p_value([1, 2, 4, 8, 16], table, permutations=2000) < 0.002


def test_a_table_with_no_trend_gets_trend_p_value_one():
    from vaelib import trend_p_value

    # ranks of the settings 1.5 1.5 3.5 3.5 5.5 5.5 against values with ρ = 0 exactly
    assert trend_p_value([1, 2, 3], [[1.0, 2.0], [2.0, 1.0], [1.0, 2.0]], permutations=200) == 1.0


def test_trend_p_values_of_pure_noise_are_uniform_on_average():
    from vaelib import trend_p_value

    generator = torch.Generator().manual_seed(2)
    ps = [
        trend_p_value([1, 2, 3, 4], torch.randn(4, 3, generator=generator), 200, seed=i)
        for i in range(200)
    ]
    assert sum(ps) / len(ps) == pytest.approx(0.5, abs=0.06)
    assert sum(p < 0.05 for p in ps) / len(ps) < 0.1


def test_trend_p_value_detects_a_steady_trend_more_often_than_eta_squared():
    from vaelib import permutation_p_value, trend_p_value

    # a small steady fall under a wide scatter: the rows hardly differ, but they differ in order
    generator = torch.Generator().manual_seed(3)
    tables = [
        -0.3 * torch.arange(6.0).unsqueeze(1) + torch.randn(6, 3, generator=generator)
        for _ in range(100)
    ]
    trend = sum(trend_p_value(range(6), t, permutations=300) < 0.05 for t in tables)
    eta = sum(permutation_p_value(t, permutations=300) < 0.05 for t in tables)
    assert trend > 1.5 * eta


@pytest.mark.parametrize(
    "settings, values, message",
    [
        ([1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], "one value per row"),
        ([1, 1], [[1.0, 2.0], [3.0, 4.0]], "distinct"),
        ("β", [[1.0, 2.0], [3.0, 4.0]], "list of numbers"),
        ([1, 2], [[1.0, 1.0], [1.0, 1.0]], "no order"),
    ],
)
def test_bad_trend_arguments_are_refused_with_a_message_naming_the_problem(
    settings, values, message
):
    from vaelib import rank_correlation

    with pytest.raises((TypeError, ValueError), match=message):
        rank_correlation(settings, values)
