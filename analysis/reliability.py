"""Cronbach's alpha per scale, with the missing-data rule stated, and alpha-if-item-deleted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from analysis.errors import AnalysisError

MissingRule = Literal["complete", "pairwise"]
MISSING_RULES: tuple[MissingRule, ...] = ("complete", "pairwise")


def cronbach_alpha_from_covariance(covariance: np.ndarray) -> float:
    """Alpha from an item covariance matrix: ``k/(k-1) * (1 - sum(var_i) / sum(cov_ij))``.

    Parameters
    ----------
    covariance : ndarray, shape (k, k), k >= 2

    Returns
    -------
    float
    """
    cov = np.asarray(covariance, dtype=float)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.shape[0] < 2:
        raise ValueError("alpha needs a square covariance matrix of at least two items")
    k = cov.shape[0]
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def alpha_if_deleted_from_covariance(covariance: np.ndarray) -> np.ndarray:
    """Alpha of the remaining items when each item in turn is left out (NaN with two items)."""
    cov = np.asarray(covariance, dtype=float)
    k = cov.shape[0]
    if k < 3:
        return np.full(k, np.nan)
    keep = ~np.eye(k, dtype=bool)
    return np.array(
        [cronbach_alpha_from_covariance(cov[np.ix_(keep[i], keep[i])]) for i in range(k)]
    )


def pairwise_covariance(data: np.ndarray) -> np.ndarray:
    """Covariances from pairwise-complete observations (n - 1 denominator), as pandas ``cov()``."""
    data = np.asarray(data, dtype=float)
    present = ~np.isnan(data)
    k = data.shape[1]
    cov = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            both = present[:, i] & present[:, j]
            if both.sum() >= 2:
                x, y = data[both, i], data[both, j]
                cov[i, j] = cov[j, i] = float((x - x.mean()) @ (y - y.mean()) / (both.sum() - 1))
    return cov


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one scale.

    ``n`` is the number of respondents used: complete cases, or for the pairwise rule the
    respondents with at least one answered item (each covariance uses its own pairs).
    """

    alpha: float
    n: int
    missing: MissingRule
    items: tuple[str, ...]
    alpha_if_deleted: tuple[float, ...]

    def to_json(self, decimals: int = 4) -> dict[str, Any]:
        def rounded(value: float) -> float | None:
            return None if np.isnan(value) else round(value, decimals)

        return {
            "alpha": rounded(self.alpha),
            "n": self.n,
            "missing": self.missing,
            "alpha_if_deleted": {
                item: rounded(value)
                for item, value in zip(self.items, self.alpha_if_deleted, strict=True)
            },
        }


def cronbach_alpha(
    data: np.ndarray,
    items: tuple[str, ...] | None = None,
    missing: MissingRule = "complete",
) -> AlphaResult:
    """Cronbach's alpha of respondents x items data, with alpha-if-item-deleted.

    Parameters
    ----------
    data : ndarray, shape (n_respondents, k)
        Scored answers (reverse items already mirrored); NaN = not answered.
    items : tuple of str, optional
        Item names for `alpha_if_deleted` (default ``item1``..).
    missing : {"complete", "pairwise"}
        ``complete`` drops every respondent with a missing item (listwise; R psych
        ``use="complete.obs"``). ``pairwise`` builds the covariance matrix from
        pairwise-complete observations (R psych ``use="pairwise"``).

    Returns
    -------
    AlphaResult
        Alpha-if-deleted comes from the same covariance matrix (same respondents).
    """
    if missing not in MISSING_RULES:
        raise ValueError(f"missing must be one of {', '.join(MISSING_RULES)}, not {missing!r}")
    data = np.asarray(data, dtype=float)
    if data.ndim != 2 or data.shape[1] < 2:
        raise AnalysisError("alpha_too_few_items")
    names = items if items is not None else tuple(f"item{i + 1}" for i in range(data.shape[1]))
    if len(names) != data.shape[1]:
        raise ValueError("one name per item column")
    if missing == "complete":
        complete = data[~np.isnan(data).any(axis=1)]
        n = complete.shape[0]
        cov = np.cov(complete, rowvar=False) if n >= 2 else np.full((len(names),) * 2, np.nan)
    else:
        n = int((~np.isnan(data)).any(axis=1).sum())
        cov = pairwise_covariance(data)
    if n < 2 or np.isnan(cov).any():
        raise AnalysisError("alpha_too_few_respondents", rule=missing)
    return AlphaResult(
        alpha=cronbach_alpha_from_covariance(cov),
        n=n,
        missing=missing,
        items=tuple(names),
        alpha_if_deleted=tuple(float(a) for a in alpha_if_deleted_from_covariance(cov)),
    )
