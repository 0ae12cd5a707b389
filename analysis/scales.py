"""Scales (instruments): reverse items, a minimum-answered rule, subscale and total means, bands."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.errors import AnalysisError
from surveys.model import Scale


@dataclass(frozen=True)
class BandSpec:
    """A band covers scores from `min_score` up to the next band's `min_score`."""

    min_score: float
    label: str


# Work Ability Score (Ilmarinen): 0-5 poor, 6-7 moderate, 8-9 good, 10 excellent; the bank
# defines the same cut-offs for its work_ability scale.
WORK_ABILITY_BANDS = (
    BandSpec(0, "poor"),
    BandSpec(6, "moderate"),
    BandSpec(8, "good"),
    BandSpec(10, "excellent"),
)


@dataclass(frozen=True)
class ScaleSpec:
    """One scale: the mean of its items' scored answers per respondent.

    Parameters
    ----------
    name : str
    items : tuple of str
        Item keys (column names).
    reverse : tuple of bool
        Per item: True when reverse-scored (``min + max - answer``).
    min_value, max_value : int
        The items' answer range.
    min_answered : int
        Fewer answered items than this and the respondent has no score.
    bands : tuple of BandSpec
        Cut-offs, lowest first; empty when the scale has none.
    """

    name: str
    items: tuple[str, ...]
    reverse: tuple[bool, ...]
    min_value: int
    max_value: int
    min_answered: int
    bands: tuple[BandSpec, ...] = ()

    def __post_init__(self) -> None:
        if not self.items or len(self.items) != len(self.reverse):
            raise ValueError(f"scale {self.name!r}: needs items, each with a reverse flag")
        if len(set(self.items)) != len(self.items):
            raise AnalysisError("scale_item_twice", name=self.name)
        if not 1 <= self.min_answered <= len(self.items):
            raise ValueError(f"scale {self.name!r}: min_answered must be 1..{len(self.items)}")
        cut_offs = [band.min_score for band in self.bands]
        if cut_offs != sorted(cut_offs):
            raise ValueError(f"scale {self.name!r}: bands must be in rising order")


def default_min_answered(item_count: int) -> int:
    """At least half of the items, rounded up (a common rule when an instrument has none)."""
    return math.ceil(item_count / 2)


def parse_scale_spec(
    text: str, min_value: int, max_value: int, min_answered: int | None = None
) -> ScaleSpec:
    """Read ``NAME=a,b,-c``: a ``-`` marks a reverse-scored item.

    Parameters
    ----------
    text : str
    min_value, max_value : int
        The answer range (reverse scoring mirrors within it).
    min_answered : int, optional
        Defaults to half of the items, rounded up.

    Returns
    -------
    ScaleSpec
    """
    name, sep, items_text = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise AnalysisError("scale_format", text=text)
    items = [item.strip() for item in items_text.split(",")]
    if not items or any(item in ("", "-") for item in items):
        raise AnalysisError("scale_empty_item", text=text)
    keys = tuple(item.removeprefix("-") for item in items)
    return ScaleSpec(
        name=name,
        items=keys,
        reverse=tuple(item.startswith("-") for item in items),
        min_value=min_value,
        max_value=max_value,
        min_answered=default_min_answered(len(keys)) if min_answered is None else min_answered,
    )


def scale_spec_from_survey(scale: Scale, lang: str = "en") -> ScaleSpec:
    """The same scale as defined in the question bank (`surveys.Scale`)."""
    return ScaleSpec(
        name=scale.key,
        items=scale.question_keys,
        reverse=tuple(item.reverse for item in scale.items),
        min_value=scale.min_value,
        max_value=scale.max_value,
        min_answered=scale.min_answered,
        bands=tuple(BandSpec(band.min_score, band.label(lang)) for band in scale.bands),
    )


def total_scale(
    name: str, subscales: Sequence[ScaleSpec], min_answered: int | None = None
) -> ScaleSpec:
    """A total scale over all items of its subscales (same range, no bands)."""
    first = subscales[0]
    if any((s.min_value, s.max_value) != (first.min_value, first.max_value) for s in subscales):
        raise ValueError(f"scale {name!r}: subscales have different answer ranges")
    items = tuple(item for s in subscales for item in s.items)
    return ScaleSpec(
        name=name,
        items=items,
        reverse=tuple(flag for s in subscales for flag in s.reverse),
        min_value=first.min_value,
        max_value=first.max_value,
        min_answered=default_min_answered(len(items)) if min_answered is None else min_answered,
    )


def scored_answers(answers: np.ndarray, spec: ScaleSpec) -> np.ndarray:
    """The scale's item answers in the scored direction (reverse items mirrored); NaN stays NaN.

    ``answers`` has one column per item of `spec`, in its order.
    """
    answers = np.asarray(answers, dtype=float)
    reverse = np.asarray(spec.reverse)
    return np.where(reverse, spec.min_value + spec.max_value - answers, answers)


def scale_scores(answers: np.ndarray, spec: ScaleSpec) -> np.ndarray:
    """Per respondent the mean of the answered, scored items; NaN below `min_answered`.

    Parameters
    ----------
    answers : ndarray, shape (n_respondents, n_items)
        Raw answers, one column per item of `spec` in order; NaN = not answered.
    spec : ScaleSpec

    Returns
    -------
    ndarray, shape (n_respondents,)
    """
    scored = scored_answers(answers, spec)
    answered = (~np.isnan(scored)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nansum(scored, axis=1) / answered
    return np.where(answered >= spec.min_answered, means, np.nan)


def complete_case_scores(answers: np.ndarray, spec: ScaleSpec) -> np.ndarray:
    """Per respondent the mean of the scored items; NaN unless every item was answered.

    The gated report uses this instead of `scale_scores`: a scale over *some* of the items
    can be differenced against the item figures (see `analysis.report._gate_scales`).
    """
    scored = scored_answers(answers, spec)
    return np.where(np.isnan(scored).any(axis=1), np.nan, scored.mean(axis=1))


def band_indices(scores: np.ndarray, bands: Sequence[BandSpec]) -> np.ndarray:
    """Per score the index of its band; -1 for NaN or below the first cut-off."""
    scores = np.asarray(scores, dtype=float)
    cut_offs = np.array([band.min_score for band in bands], dtype=float)
    found = np.searchsorted(cut_offs, scores, side="right") - 1
    return np.where(np.isnan(scores), -1, found)


def band_for(score: float, bands: Sequence[BandSpec]) -> BandSpec | None:
    """The band a score falls in, or None (no bands, NaN, or below the first cut-off)."""
    index = int(band_indices(np.array([score]), bands)[0])
    return None if index < 0 else bands[index]
