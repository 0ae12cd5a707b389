"""Comparisons: a group against the rest of the organisation or its previous wave.

Welch's t (unequal variances) or Mann-Whitney U, Holm's correction over the family of
comparisons, and an effect size. A difference is flagged only when it is significant
after correction *and* at least `min_difference` (in answer points) — a tiny difference
in a large organisation is significant but does not matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import stats

from analysis.gate import DEFAULT_K, Suppressed, check_k

Method = Literal["welch", "mannwhitney"]
DEFAULT_ALPHA = 0.05
DEFAULT_MIN_DIFFERENCE = 0.2


@dataclass(frozen=True)
class Comparison:
    """One comparison of `group` against `reference` (positive difference: group is higher).

    ``effect_size`` is Cohen's d with the pooled SD for Welch's t, and the rank-biserial
    correlation for Mann-Whitney U. ``p_adjusted`` and ``flagged`` are filled in by
    `flag_differences` (Holm over the family).
    """

    label: str
    method: Method
    n_group: int
    n_reference: int
    mean_group: float
    mean_reference: float
    difference: float
    statistic: float
    p_value: float
    effect_size: float
    p_adjusted: float = float("nan")
    flagged: bool = False


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1).

    Parameters
    ----------
    p_values : sequence of float

    Returns
    -------
    ndarray
        Adjusted p-values in the input order (as statsmodels ``multipletests(method="holm")``).
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    """Standardised mean difference with the pooled SD: ``(mean_a - mean_b) / s_pooled``."""
    na, nb = a.size, b.size
    pooled = ((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2)
    return float((a.mean() - b.mean()) / np.sqrt(pooled)) if pooled > 0 else 0.0


def compare(
    group: np.ndarray, reference: np.ndarray, method: Method = "welch", label: str = ""
) -> Comparison:
    """Compare two independent samples of scores (NaN = missing, dropped).

    Parameters
    ----------
    group, reference : ndarray
    method : {"welch", "mannwhitney"}
    label : str
        What is compared, carried into the result.

    Returns
    -------
    Comparison
        Unadjusted; run `flag_differences` over all comparisons of a report.
    """
    a = np.asarray(group, dtype=float)
    b = np.asarray(reference, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size < 2 or b.size < 2:
        raise ValueError("each side needs at least two answers")
    if method == "welch":
        result = stats.ttest_ind(a, b, equal_var=False)
        statistic, p_value, effect = float(result.statistic), float(result.pvalue), cohens_d(a, b)
    elif method == "mannwhitney":
        result = stats.mannwhitneyu(a, b, alternative="two-sided")
        statistic, p_value = float(result.statistic), float(result.pvalue)
        # Rank-biserial r = 2U/(n1 n2) - 1, with U the statistic of `group`: +1 all higher.
        effect = 2 * statistic / (a.size * b.size) - 1
    else:
        raise ValueError(f"method must be welch or mannwhitney, not {method!r}")
    if np.isnan(p_value):  # both sides constant and equal
        p_value = 1.0
    return Comparison(
        label=label,
        method=method,
        n_group=a.size,
        n_reference=b.size,
        mean_group=float(a.mean()),
        mean_reference=float(b.mean()),
        difference=float(a.mean() - b.mean()),
        statistic=statistic,
        p_value=p_value,
        effect_size=float(effect),
    )


def flag_differences(
    comparisons: Sequence[Comparison],
    alpha: float = DEFAULT_ALPHA,
    min_difference: float = DEFAULT_MIN_DIFFERENCE,
) -> list[Comparison]:
    """Holm-adjust a family of comparisons and flag those that are significant and large enough.

    Parameters
    ----------
    comparisons : sequence of Comparison
    alpha : float
        Family-wise error rate.
    min_difference : float
        Smallest absolute mean difference (answer points) worth flagging.

    Returns
    -------
    list of Comparison
        Same order, with `p_adjusted` and `flagged` set.
    """
    adjusted = holm([c.p_value for c in comparisons])
    return [
        replace(
            c, p_adjusted=float(p), flagged=bool(p < alpha and abs(c.difference) >= min_difference)
        )
        for c, p in zip(comparisons, adjusted, strict=True)
    ]


def compare_with_rest(
    scores: np.ndarray,
    in_group: np.ndarray,
    group_visible: bool,
    k: int = DEFAULT_K,
    method: Method = "welch",
    label: str = "",
) -> Comparison | Suppressed:
    """A group against everyone else in the organisation, through the gate.

    Parameters
    ----------
    scores : ndarray, shape (n_respondents,)
        One score per respondent of the organisation (NaN = no score).
    in_group : ndarray of bool
        Which respondents are in the group (its whole subtree).
    group_visible : bool
        The gate's verdict on the group (`suppress_tree`): a suppressed group is never
        compared.
    k : int
        Both sides need at least `k` respondents.

    Returns
    -------
    Comparison or Suppressed
    """
    k = check_k(k)
    if not group_visible:
        return Suppressed("too_few_respondents")
    scores = np.asarray(scores, dtype=float)
    in_group = np.asarray(in_group, dtype=bool)
    group, rest = scores[in_group], scores[~in_group]
    if (~np.isnan(group)).sum() < k or (~np.isnan(rest)).sum() < k:
        return Suppressed("too_few_respondents")
    return compare(group, rest, method, label)


def compare_with_previous_wave(
    current: np.ndarray,
    previous: np.ndarray,
    visible_now: bool,
    visible_before: bool,
    k: int = DEFAULT_K,
    method: Method = "welch",
    label: str = "",
) -> Comparison | Suppressed:
    """A group's scores in this wave against the same group's previous wave, through the gate."""
    k = check_k(k)
    current = np.asarray(current, dtype=float)
    previous = np.asarray(previous, dtype=float)
    if not (visible_now and visible_before):
        return Suppressed("too_few_respondents")
    if (~np.isnan(current)).sum() < k or (~np.isnan(previous)).sum() < k:
        return Suppressed("too_few_respondents")
    return compare(current, previous, method, label)


def welch_from_summaries(
    n1: np.ndarray,
    mean1: np.ndarray,
    sd1: np.ndarray,
    n2: np.ndarray,
    mean2: np.ndarray,
    sd2: np.ndarray,
) -> np.ndarray:
    """Two-sided p-values of Welch's t for many pairs of groups given as n, mean and SD.

    The figures of the gated report are all a comparison needs, so a whole heatmap is
    tested in one vectorised call. Pairs with NaN figures or fewer than two on a side get
    NaN; two constant sides with equal means get 1 (as `compare`).

    Parameters
    ----------
    n1, mean1, sd1, n2, mean2, sd2 : ndarray
        Broadcastable arrays of the two sides' counts, means and SDs (``ddof=1``).

    Returns
    -------
    ndarray
        p-values, NaN where the pair cannot be compared.
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (n1, mean1, sd1, n2, mean2, sd2))
    )
    n1, mean1, sd1, n2, mean2, sd2 = arrays
    ok = ~np.isnan(np.stack(arrays)).any(axis=0) & (n1 >= 2) & (n2 >= 2)
    p = np.full(n1.shape, np.nan)
    if not ok.any():
        return p
    with np.errstate(invalid="ignore", divide="ignore"):
        result = stats.ttest_ind_from_stats(
            mean1[ok], sd1[ok], n1[ok], mean2[ok], sd2[ok], n2[ok], equal_var=False
        )
    p[ok] = np.where(np.isnan(result.pvalue), 1.0, result.pvalue)
    return p


def flag_summaries(
    difference: np.ndarray,
    p_values: np.ndarray,
    alpha: float = DEFAULT_ALPHA,
    min_difference: float = DEFAULT_MIN_DIFFERENCE,
) -> np.ndarray:
    """`flag_differences` for arrays: Holm over the last axis (one family per row, NaN
    p-values left out), significant and at least ``min_difference`` points apart."""
    p_values = np.asarray(p_values, dtype=float)
    flags = np.zeros(p_values.shape, dtype=bool)
    for index in np.ndindex(p_values.shape[:-1]):
        row = p_values[index]
        tested = ~np.isnan(row)
        if tested.any():
            adjusted = holm(row[tested])
            flags[index][tested] = (adjusted < alpha) & (
                np.abs(np.asarray(difference)[index][tested]) >= min_difference
            )
    return flags
