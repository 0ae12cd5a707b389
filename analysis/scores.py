"""Item scores: n, mean, SD, distribution, favourable / neutral / unfavourable %, eNPS."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from surveys.model import DEFAULT_FAVOURABLE, DEFAULT_UNFAVOURABLE, SCALE_RANGE, Question

DECIMALS = 4


@dataclass(frozen=True)
class ItemSpec:
    """How one item is scored: its answer range and which *raw* answers are (un)favourable.

    Build it with `item_spec` (plain ranges) or `item_spec_from_question` (the bank).
    """

    key: str
    min_value: int
    max_value: int
    favourable: tuple[int, int]
    unfavourable: tuple[int, int]
    reverse: bool = False

    def __post_init__(self) -> None:
        if self.min_value >= self.max_value:
            raise ValueError(f"item {self.key!r}: range {self.min_value}-{self.max_value} is empty")
        for low, high in (self.favourable, self.unfavourable):
            if not self.min_value <= low <= high <= self.max_value:
                raise ValueError(f"item {self.key!r}: range {low}-{high} outside the answers")

    @property
    def values(self) -> np.ndarray:
        """Every possible answer, lowest first."""
        return np.arange(self.min_value, self.max_value + 1)


def default_ranges(min_value: int, max_value: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Favourable and unfavourable ranges in the scored direction (higher is better).

    A 0-10 item uses the Net Promoter split (9-10 / 0-6), as the question bank does; any
    other range has its top two answers favourable and its bottom two unfavourable (4-5 and
    1-2 on a five-point scale). A scale of fewer than five points has one at each end.
    """
    if (min_value, max_value) == SCALE_RANGE:
        return tuple(DEFAULT_FAVOURABLE["scale"]), tuple(DEFAULT_UNFAVOURABLE["scale"])
    width = 2 if max_value - min_value >= 4 else 1
    return (max_value - width + 1, max_value), (min_value, min_value + width - 1)


def item_spec(key: str, min_value: int, max_value: int, reverse: bool = False) -> ItemSpec:
    """An item with the default ranges, mirrored onto the raw answers when it is reverse-scored.

    Parameters
    ----------
    key : str
    min_value, max_value : int
        The answer range, e.g. 1-5.
    reverse : bool
        True for a negatively worded item (a low raw answer is the favourable one).

    Returns
    -------
    ItemSpec
    """
    favourable, unfavourable = default_ranges(min_value, max_value)
    if reverse:
        favourable, unfavourable = (
            _mirror(favourable, min_value, max_value),
            _mirror(unfavourable, min_value, max_value),
        )
    return ItemSpec(key, min_value, max_value, favourable, unfavourable, reverse)


def _mirror(scored: tuple[int, int], min_value: int, max_value: int) -> tuple[int, int]:
    low, high = scored
    return (min_value + max_value - high, min_value + max_value - low)


def item_spec_from_question(question: Question) -> ItemSpec:
    """The scoring of a numeric question from the bank (its own ranges, reverse scoring)."""
    favourable, unfavourable = question.favourable_answers(), question.unfavourable_answers()
    if question.min_value is None or question.max_value is None or favourable is None:
        raise ValueError(f"question {question.key!r} is not a numeric question")
    assert unfavourable is not None
    return ItemSpec(
        key=question.key,
        min_value=question.min_value,
        max_value=question.max_value,
        favourable=(favourable.low, favourable.high),
        unfavourable=(unfavourable.low, unfavourable.high),
        reverse=question.reverse_scored,
    )


@dataclass(frozen=True)
class ItemSummary:
    """The figures of one item in one group; percentages are 0-100 of those who answered."""

    n: int
    mean: float
    sd: float
    distribution: dict[int, int]
    favourable: float
    neutral: float
    unfavourable: float

    def to_json(self, decimals: int = DECIMALS) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": _round(self.mean, decimals),
            "sd": _round(self.sd, decimals),
            "distribution": {str(value): count for value, count in self.distribution.items()},
            "favourable": _round(self.favourable, decimals),
            "neutral": _round(self.neutral, decimals),
            "unfavourable": _round(self.unfavourable, decimals),
        }


def _round(value: float, decimals: int) -> float | None:
    # NaN is not JSON; an SD of a single answer is undefined (only reachable below the gate).
    return None if math.isnan(value) else round(float(value), decimals)


def summary_from_distribution(distribution: np.ndarray, spec: ItemSpec) -> ItemSummary:
    """Item figures from answer counts per value (``distribution[j]`` answers of ``min + j``).

    Parameters
    ----------
    distribution : ndarray of int, shape (max - min + 1,)
    spec : ItemSpec

    Returns
    -------
    ItemSummary
        SD is the sample standard deviation (n - 1); NaN below two answers.
    """
    counts = np.asarray(distribution, dtype=np.int64)
    values = spec.values
    n = int(counts.sum())
    if n == 0:
        raise ValueError(f"item {spec.key!r}: no answers")
    mean = float(counts @ values) / n
    sd = float(np.sqrt(counts @ (values - mean) ** 2 / (n - 1))) if n > 1 else float("nan")
    favourable = _share(counts, values, spec.favourable, n)
    unfavourable = _share(counts, values, spec.unfavourable, n)
    return ItemSummary(
        n=n,
        mean=mean,
        sd=sd,
        distribution={int(v): int(c) for v, c in zip(values, counts, strict=True)},
        favourable=favourable,
        neutral=100.0 - favourable - unfavourable,
        unfavourable=unfavourable,
    )


def _share(counts: np.ndarray, values: np.ndarray, bounds: tuple[int, int], n: int) -> float:
    low, high = bounds
    return 100.0 * float(counts[(values >= low) & (values <= high)].sum()) / n


def answer_distribution(values: np.ndarray, spec: ItemSpec) -> np.ndarray:
    """Counts per possible answer; NaN is a missing answer and is left out."""
    values = np.asarray(values, dtype=float)
    answered = values[~np.isnan(values)]
    if ((answered < spec.min_value) | (answered > spec.max_value)).any() or (
        answered != np.round(answered)
    ).any():
        raise ValueError(f"item {spec.key!r}: answers outside {spec.min_value}-{spec.max_value}")
    return np.bincount(
        (answered - spec.min_value).astype(np.intp), minlength=spec.max_value - spec.min_value + 1
    )


def summarise_item(values: np.ndarray, spec: ItemSpec) -> ItemSummary:
    """Item figures of one group's raw answers (NaN = not answered)."""
    return summary_from_distribution(answer_distribution(values, spec), spec)


def enps_from_shares(promoters: float, detractors: float) -> float:
    """eNPS: % promoters minus % detractors, from -100 to +100."""
    return float(promoters) - float(detractors)


def enps(values: np.ndarray) -> float:
    """eNPS of 0-10 answers: % promoters (9-10) minus % detractors (0-6). NaN = not answered.

    Parameters
    ----------
    values : ndarray
        Answers 0-10; NaN for missing.

    Returns
    -------
    float
        From -100 to +100.
    """
    spec = item_spec("enps", *SCALE_RANGE)
    summary = summarise_item(values, spec)
    return enps_from_shares(summary.favourable, summary.unfavourable)
