"""Group summaries and tests for the inclusion analysis, vectorised over many groups at once.

A breakdown compares every category of every unit on every scale with the rest of its
unit: thousands of comparisons. Summaries (n, mean, sum of squared deviations) per group
come from a few `np.bincount` calls, the rest of a unit follows from the unit minus the
category, and Welch's t runs on the summaries (`analysis.compare.welch_from_summaries`),
so nothing loops over respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.compare import holm


@dataclass(frozen=True)
class Moments:
    """Per group and column: count, mean (NaN when empty) and sum of squared deviations."""

    n: np.ndarray
    mean: np.ndarray
    ss: np.ndarray

    @property
    def sd(self) -> np.ndarray:
        """Sample SD (``ddof=1``); NaN below two values."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n >= 2, np.sqrt(self.ss / np.maximum(self.n - 1, 1)), np.nan)


def moments(values: np.ndarray, group: np.ndarray, n_groups: int) -> Moments:
    """Moments of each column of `values` (n, m; NaN = missing) per group index (0..n_groups-1).

    Rows with a negative group are left out. Two passes (mean first, then squared
    deviations from it), so the sums of squares do not lose precision.
    """
    values = np.asarray(values, dtype=float)
    values = values if values.ndim == 2 else values[:, None]
    keep = np.asarray(group) >= 0
    values, group = values[keep], np.asarray(group)[keep]
    m = values.shape[1]
    n = np.zeros((n_groups, m))
    total = np.zeros((n_groups, m))
    for j in range(m):
        ok = ~np.isnan(values[:, j])
        n[:, j] = np.bincount(group[ok], minlength=n_groups)
        total[:, j] = np.bincount(group[ok], weights=values[ok, j], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    ss = np.zeros((n_groups, m))
    for j in range(m):
        ok = ~np.isnan(values[:, j])
        deviation = values[ok, j] - mean[group[ok], j]
        ss[:, j] = np.bincount(group[ok], weights=deviation**2, minlength=n_groups)
    return Moments(n=n, mean=mean, ss=ss)


def rest_moments(whole: Moments, part: Moments) -> Moments:
    """Moments of ``whole`` minus ``part`` (a subset of it), from the two summaries.

    The sums of squares split as ``SS_whole = SS_part + SS_rest + n_part (m_part - m)^2 +
    n_rest (m_rest - m)^2`` with ``m`` the whole's mean.
    """
    n = whole.n - part.n
    with np.errstate(invalid="ignore", divide="ignore"):
        part_sum = np.where(part.n > 0, part.mean * part.n, 0.0)
        mean = np.where(n > 0, (whole.mean * whole.n - part_sum) / np.maximum(n, 1), np.nan)
        ss = (
            whole.ss
            - part.ss
            - np.where(part.n > 0, part.n * (part.mean - whole.mean) ** 2, 0.0)
            - np.where(n > 0, n * (mean - whole.mean) ** 2, 0.0)
        )
    return Moments(n=n, mean=mean, ss=np.where(n > 0, np.maximum(ss, 0.0), 0.0))


def welch_inputs(a: Moments, b: Moments) -> tuple[np.ndarray, ...]:
    """``(n1, mean1, sd1, n2, mean2, sd2)`` for `welch_from_summaries`."""
    return a.n, a.mean, a.sd, b.n, b.mean, b.sd


def cohens_d(a: Moments, b: Moments) -> np.ndarray:
    """Cohen's d with the pooled SD, as `analysis.compare.cohens_d` (0 when both are constant).

    NaN with fewer than two values on a side.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (a.ss + b.ss) / (a.n + b.n - 2)
        d = np.where(pooled > 0, (a.mean - b.mean) / np.sqrt(pooled), 0.0)
    return np.where((a.n >= 2) & (b.n >= 2), d, np.nan)


def proportion_p_values(
    yes1: np.ndarray, n1: np.ndarray, yes2: np.ndarray, n2: np.ndarray
) -> np.ndarray:
    """Two-sided p-values for two independent proportions, elementwise.

    Pearson's chi-square on the 2 x 2 table (no continuity correction) when every expected
    count is at least 5, else Fisher's exact test (Cochran's rule): exact where the
    approximation is poor, vectorised where it is good (a Fisher test costs about a
    millisecond at a few thousand respondents). NaN when a side is empty; 1 when nobody
    or everybody said yes.
    """
    yes1, n1, yes2, n2 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (yes1, n1, yes2, n2))
    yes1, n1, yes2, n2 = np.broadcast_arrays(yes1, n1, yes2, n2)
    p = np.full(yes1.shape, np.nan)
    ok = (n1 > 0) & (n2 > 0)
    total_yes = yes1 + yes2
    total = n1 + n2
    degenerate = ok & ((total_yes == 0) | (total_yes == total))
    p[degenerate] = 1.0
    ok &= ~degenerate
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = total_yes / total
        expected = np.stack([n1 * rate, n1 * (1 - rate), n2 * rate, n2 * (1 - rate)])
        observed = np.stack([yes1, n1 - yes1, yes2, n2 - yes2])
        chi2 = ((observed - expected) ** 2 / expected).sum(axis=0)
    large = ok & (expected.min(axis=0) >= 5)
    p[large] = stats.chi2.sf(chi2[large], 1)
    for index in zip(*np.nonzero(ok & ~large), strict=True):
        table = [
            [int(yes1[index]), int(n1[index] - yes1[index])],
            [int(yes2[index]), int(n2[index] - yes2[index])],
        ]
        p[index] = stats.fisher_exact(table).pvalue
    return p


def sums(weights: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of `weights` (n, m) per group index; negative groups left out."""
    weights = np.asarray(weights, dtype=float)
    weights = weights if weights.ndim == 2 else weights[:, None]
    keep = np.asarray(group) >= 0
    out = np.zeros((n_groups, weights.shape[1]))
    for j in range(weights.shape[1]):
        out[:, j] = np.bincount(
            np.asarray(group)[keep], weights=weights[keep, j], minlength=n_groups
        )
    return out


def holm_within(p: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values over the shown, tested entries only (others NaN).

    Hidden entries stay out of the family: their p-values would otherwise shift the shown
    ones and so say something about them.
    """
    adjusted = np.full(p.shape, np.nan)
    tested = shown & ~np.isnan(p)
    adjusted[tested] = holm(p[tested])
    return adjusted


def yes_counts(m: Moments) -> np.ndarray:
    """Per group: how many said yes (mean of 0/1 answers times their count)."""
    return np.rint(np.where(m.n > 0, m.mean * m.n, 0.0))[..., 0]


def one_hot(index: np.ndarray, width: int) -> np.ndarray:
    index = np.asarray(index, dtype=np.intp)
    out = np.zeros((len(index), width))
    chosen = index >= 0
    out[np.flatnonzero(chosen), index[chosen]] = 1.0
    return out


class CategoryTable:
    """Group indices for (organisation + units) x categories, and their summaries."""

    def __init__(self, codes: np.ndarray, unit_of: np.ndarray, n_units: int, n_cats: int):
        # Respondents in no unit get the index after the last unit (never shown).
        unit_index = np.where(np.asarray(unit_of) >= 0, unit_of, n_units).astype(np.intp)
        self.codes, self.unit_index = codes, unit_index
        self.n_units, self.n_cats = n_units, n_cats
        stated = codes >= 0
        self.cell_group = np.where(stated, unit_index * n_cats + codes, -1)
        everyone = np.ones(len(codes))
        self.count = self.sums(everyone[:, None], np.ones(len(codes), dtype=bool))[..., 0]
        self.total = np.concatenate(
            [[len(codes)], np.bincount(unit_index, minlength=n_units + 1)[:n_units]]
        )

    def moments(self, values: np.ndarray) -> tuple[Moments, Moments]:
        """Per cell and per whole row (broadcast over categories), shape (1 + U, C, m)."""
        u, c = self.n_units, self.n_cats
        units = moments(values, self.cell_group, (u + 1) * c)
        org = moments(values, np.where(self.codes >= 0, self.codes, -1), c)
        unit_whole = moments(values, self.unit_index, u + 1)
        org_whole = moments(values, np.zeros(len(values), dtype=np.intp), 1)

        def stack(org_part: np.ndarray, unit_part: np.ndarray) -> np.ndarray:
            return np.concatenate([org_part[None], unit_part.reshape(u + 1, c, -1)[:u]])

        def stack_whole(org_part: np.ndarray, unit_part: np.ndarray) -> np.ndarray:
            both = np.concatenate([org_part, unit_part[:u]])[:, None, :]
            return np.broadcast_to(both, (u + 1, c, both.shape[-1]))

        cell = Moments(*(stack(getattr(org, f), getattr(units, f)) for f in ("n", "mean", "ss")))
        whole = Moments(
            *(
                stack_whole(getattr(org_whole, f), getattr(unit_whole, f))
                for f in ("n", "mean", "ss")
            )
        )
        return cell, whole

    def sums(self, weights: np.ndarray, among: np.ndarray) -> np.ndarray:
        """Column sums of `weights` over the respondents in `among`, shape (1 + U, C, m)."""
        u, c = self.n_units, self.n_cats
        units = sums(weights, np.where(among, self.cell_group, -1), (u + 1) * c)
        org = sums(weights, np.where(among & (self.codes >= 0), self.codes, -1), c)
        return np.concatenate([org[None], units.reshape(u + 1, c, -1)[:u]])
