"""Trends over waves: a group's mean per wave, wave-on-wave changes and the slope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from analysis.compare import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_DIFFERENCE,
    Comparison,
    Method,
    compare,
    flag_differences,
)
from analysis.gate import DEFAULT_K, Suppressed, check_k


@dataclass(frozen=True)
class TrendPoint:
    wave: str
    n: int
    mean: float | Suppressed


@dataclass(frozen=True)
class Trend:
    """A group over waves; hidden waves are markers and are left out of changes and slope.

    ``slope`` is the least-squares change in the mean per wave over the visible waves
    (NaN with fewer than two); ``changes`` compare each visible wave with the visible wave
    before it, Holm-corrected as one family.
    """

    points: tuple[TrendPoint, ...]
    changes: tuple[Comparison, ...]
    slope: float


def trend_over_waves(
    waves: Sequence[str],
    scores: Sequence[np.ndarray],
    visible: Sequence[bool],
    k: int = DEFAULT_K,
    method: Method = "welch",
    alpha: float = DEFAULT_ALPHA,
    min_difference: float = DEFAULT_MIN_DIFFERENCE,
) -> Trend:
    """One group's trend.

    Parameters
    ----------
    waves : sequence of str
        Wave labels, oldest first.
    scores : sequence of ndarray
        Per wave the group's respondent scores (NaN = no score).
    visible : sequence of bool
        Per wave the gate's verdict on the group.
    k, method, alpha, min_difference
        As for `analysis.compare`.

    Returns
    -------
    Trend
    """
    k = check_k(k)
    points: list[TrendPoint] = []
    shown: list[tuple[int, str, np.ndarray]] = []
    for index, (wave, values, ok) in enumerate(zip(waves, scores, visible, strict=True)):
        values = np.asarray(values, dtype=float)
        answered = values[~np.isnan(values)]
        if ok and answered.size >= k:
            points.append(TrendPoint(wave, answered.size, float(answered.mean())))
            shown.append((index, wave, answered))
        else:
            points.append(TrendPoint(wave, answered.size, Suppressed("too_few_respondents")))
    changes = [
        compare(now, before, method, label=f"{wave_before} -> {wave_now}")
        for (_, wave_before, before), (_, wave_now, now) in pairwise(shown)
    ]
    if len(shown) >= 2:
        x = np.array([index for index, _, _ in shown], dtype=float)
        y = np.array([values.mean() for _, _, values in shown])
        slope = float(np.polyfit(x, y, 1)[0])
    else:
        slope = float("nan")
    return Trend(
        points=tuple(points),
        changes=tuple(flag_differences(changes, alpha, min_difference)),
        slope=slope,
    )
