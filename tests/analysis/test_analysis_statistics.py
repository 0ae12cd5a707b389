"""Comparisons (Welch / Mann-Whitney, Holm, effect sizes, flags), trends and reliability edges."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.compare import (
    compare,
    compare_with_previous_wave,
    compare_with_rest,
    flag_differences,
    holm,
)
from analysis.gate import GateConfig, Suppressed, check_k
from analysis.reliability import cronbach_alpha
from analysis.trends import trend_over_waves


def test_holm_against_a_hand_computed_vector() -> None:
    # statsmodels multipletests([.01, .04, .03, .005], method="holm") by hand:
    # sorted .005*4=.02, .01*3=.03, .03*2=.06, .04*1=.04 -> running max .02 .03 .06 .06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]).size == 0


def test_welch_and_cohens_d() -> None:
    a, b = np.array([4, 5, 4, 5, 4, 5.0]), np.array([2, 3, 2, 3, 2, 3, 2, 3.0])
    result = compare(a, b, "welch")
    expected = stats.ttest_ind(a, b, equal_var=False)
    assert result.p_value == pytest.approx(expected.pvalue)
    pooled = np.sqrt((5 * a.var(ddof=1) + 7 * b.var(ddof=1)) / 12)
    assert result.effect_size == pytest.approx((a.mean() - b.mean()) / pooled)
    assert result.difference == pytest.approx(2.0)


def test_mann_whitney_rank_biserial_is_one_when_every_answer_is_higher() -> None:
    result = compare(np.array([5, 5, 4, 5.0]), np.array([1, 2, 2, 1, 3.0]), "mannwhitney")
    assert result.effect_size == pytest.approx(1.0)
    assert result.statistic == pytest.approx(20)


def test_flagged_only_when_significant_and_large_enough() -> None:
    rng = np.random.default_rng(3)
    tiny_shift = compare(
        rng.normal(3.12, 1, 4000), rng.normal(3.0, 1, 4000), "welch", "tiny"
    )  # significant, too small to matter
    real = compare(rng.normal(4.0, 0.5, 30), rng.normal(3.0, 0.5, 30), "welch", "real")
    noise = compare(rng.normal(3, 1, 10), rng.normal(3, 1, 10), "welch", "noise")
    flagged = {c.label: c for c in flag_differences([tiny_shift, real, noise], min_difference=0.3)}
    assert flagged["tiny"].p_adjusted < 0.05 and not flagged["tiny"].flagged
    assert flagged["real"].flagged
    assert not flagged["noise"].flagged


def test_comparisons_respect_the_gate() -> None:
    scores = np.arange(20, dtype=float)
    in_group = np.zeros(20, bool)
    in_group[:6] = True
    assert isinstance(compare_with_rest(scores, in_group, group_visible=False), Suppressed)
    assert not isinstance(compare_with_rest(scores, in_group, group_visible=True), Suppressed)
    in_group[:17] = True  # the rest is only 3 people
    assert isinstance(compare_with_rest(scores, in_group, group_visible=True), Suppressed)
    now, before = np.arange(6.0), np.arange(6.0)
    assert isinstance(compare_with_previous_wave(now, before, True, False), Suppressed)


def test_trend_skips_hidden_waves() -> None:
    rng = np.random.default_rng(5)
    waves = ["2024", "2025", "2026"]
    scores = [rng.normal(3.0, 0.3, 40), rng.normal(3.5, 0.3, 3), rng.normal(4.0, 0.3, 40)]
    trend = trend_over_waves(waves, scores, visible=[True, True, True])
    assert isinstance(trend.points[1].mean, Suppressed)  # 3 answers: below k
    assert len(trend.changes) == 1 and trend.changes[0].label == "2024 -> 2026"
    assert trend.changes[0].flagged
    assert trend.slope == pytest.approx((scores[2].mean() - scores[0].mean()) / 2)


def test_minimum_group_sizes() -> None:
    assert GateConfig() == GateConfig(5, 5, 10)
    with pytest.raises(ValueError, match="at least 3"):
        check_k(2)
    with pytest.raises(ValueError, match="must not be below"):
        GateConfig(k=6, k_comments=5)


def test_alpha_if_deleted_uses_the_same_respondents_and_needs_two_items() -> None:
    data = np.array([[1, 2, 1], [2, 2, 3], [4, 5, 4], [5, 4, 5], [np.nan, 1, 1.0]])
    result = cronbach_alpha(data, ("a", "b", "c"))
    assert result.n == 4
    drop_a = cronbach_alpha(data[:4, 1:], ("b", "c"))
    assert result.alpha_if_deleted[0] == pytest.approx(drop_a.alpha)
    with pytest.raises(ValueError):
        cronbach_alpha(data[:, :1])
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(data, missing="mean")  # type: ignore[arg-type]
