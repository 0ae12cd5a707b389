"""The inclusion figures HR sees, as plain objects: what `analysis.inclusion` let through
becomes a figure, what it hid a figure with a reason and nothing else (as in
`results.dashboard`). The page, the exports and the report render these only.

Converting the analysis's objects imports `analysis.gate` (numpy): it runs in the thread
that computes them (`results.inclusion`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from survey_app.core.errors import N_
from survey_app.core.i18n import translate, using_language
from survey_app.waves.service import WaveInfo

# The undesirable-behaviour questions of the DIG bank (their keys are fixed by the design).
EXPERIENCED, KINDS, SOURCES, REPORTED = "ub_experienced", "ub_kinds", "ub_sources", "ub_reported"
# Short names of the self-identification categories for tables and filters (the category's
# own text is the question the respondent read); another category is named by that text.
DEMOGRAPHIC_NAMES = {
    "gender_identity": N_("Gender identity"),
    "age_band": N_("Age"),
    "years_of_service": N_("Years of service"),
    "migration_background": N_("Migration background"),
    "disability_chronic_illness": N_("Disability or chronic illness"),
    "lgbtiq": N_("LGBTIQ+"),
    "participation_job": N_("Participation job"),
    "working_hours": N_("Working hours"),
}
# Effect sizes (Cohen's d / Hedges' g) as words: below the first is negligible, and so on.
EFFECT_WORDS = ((0.2, "negligible"), (0.5, "small"), (0.8, "moderate"), (math.inf, "large"))


@dataclass(frozen=True)
class GapFigure:
    """A category's scale mean against everyone else in the same unit; ``reason`` is set
    (and nothing else) when the gate hides it."""

    reason: str | None = None
    mean: float | None = None
    rest_mean: float | None = None
    gap: float | None = None
    p_value: float | None = None
    effect_size: float | None = None
    flagged: bool = False

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @property
    def direction(self) -> str:
        """ "lower", "higher" or "same" (than the rest)."""
        if self.gap is None or self.gap == 0:
            return "same"
        return "lower" if self.gap < 0 else "higher"

    @property
    def effect(self) -> str:
        """The effect size in words: negligible, small, moderate or large."""
        size = abs(self.effect_size or 0.0)
        return next(word for bound, word in EFFECT_WORDS if size < bound)


@dataclass(frozen=True)
class Shares:
    """Among those who experienced undesirable behaviour: the share per option (kind,
    source, to whom reported); ``reason`` when too few experienced it to show."""

    reason: str | None = None
    shares: tuple[tuple[str, str, float], ...] = ()  # (key, label, share 0..1)


@dataclass(frozen=True)
class IncidenceFigure:
    """How many in a category experienced undesirable behaviour, against the rest."""

    reason: str | None = None
    rate: float | None = None
    rest_rate: float | None = None
    p_value: float | None = None
    kinds: Shares = Shares()
    sources: Shares = Shares()
    reported: Shares = Shares()

    @property
    def hidden(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class CategoryRow:
    key: str
    label: str
    respondents: int | None  # None: hidden (``reason`` says why)
    reason: str | None
    scales: dict[str, GapFigure]
    incidence: IncidenceFigure

    @property
    def hidden(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class UnitRows:
    """One demographic in one unit (``path`` None: the organisation): its categories."""

    path: str | None
    name: str
    respondents: int | None
    stated: int | None  # respondents who named a category of this demographic
    categories: tuple[CategoryRow, ...]


@dataclass(frozen=True)
class Demographic:
    key: str
    label: str
    categories: tuple[tuple[str, str], ...]  # (key, label)


@dataclass(frozen=True)
class IntersectionCell:
    respondents: int
    means: dict[str, float | None]


@dataclass(frozen=True)
class IntersectionTable:
    """Two demographics at once, for the organisation: shown only when every cell and
    margin passes the gate; ``reason`` set (and no cells) otherwise."""

    first: Demographic
    second: Demographic
    reason: str | None
    cells: tuple[tuple[IntersectionCell, ...], ...] = ()


@dataclass(frozen=True)
class GapTrend:
    """A demographic's gap on one scale per wave (oldest first), per category."""

    waves: tuple[WaveInfo, ...]
    categories: tuple[tuple[str, str, tuple[GapFigure, ...]], ...]  # (key, label, per wave)


@dataclass(frozen=True)
class InclusionView:
    """What HR sees of a DIG wave's self-identification: only gated figures."""

    demographics: tuple[Demographic, ...]
    scales: tuple[tuple[str, str], ...]  # (key, label)
    units: tuple[tuple[str, str], ...]  # (top-level department path, name)
    respondents: int | None
    k_demographics: int
    breakdowns: dict[str, tuple[UnitRows, ...]]  # per demographic: organisation first
    intersections: dict[tuple[str, str], IntersectionTable] = field(default_factory=dict)
    trends: dict[tuple[str, str], GapTrend] = field(default_factory=dict)

    def demographic(self, key: str) -> Demographic | None:
        return next((item for item in self.demographics if item.key == key), None)

    def intersection(self, first: str, second: str) -> IntersectionTable | None:
        return self.intersections.get((first, second)) or self.intersections.get((second, first))


def _reason(value: Any) -> str | None:
    """The gate's reason when ``value`` is `analysis.gate.Suppressed`, else None."""
    from analysis.gate import Suppressed

    return value.reason if isinstance(value, Suppressed) else None


def count_or_none(value: Any) -> int | None:
    return None if _reason(value) else int(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def gap_figure(value: Any) -> GapFigure:
    reason = _reason(value)
    if reason is not None:
        return GapFigure(reason=reason)
    return GapFigure(
        mean=_number(value.mean),
        rest_mean=_number(value.rest_mean),
        gap=_number(value.gap),
        p_value=_number(value.p_value),
        effect_size=_number(value.effect_size),
        flagged=bool(value.flagged),
    )


def _shares(value: Any, labels: dict[str, str]) -> Shares:
    reason = _reason(value)
    if reason is not None:
        return Shares(reason=reason)
    return Shares(
        shares=tuple((key, labels.get(key, key), float(share)) for key, share in value.items())
    )


def _incidence(value: Any, labels: dict[str, dict[str, str]]) -> IncidenceFigure:
    reason = _reason(value)
    if reason is not None:
        return IncidenceFigure(reason=reason)
    return IncidenceFigure(
        rate=_number(value.rate),
        rest_rate=_number(value.rest_rate),
        p_value=_number(value.p_value),
        kinds=_shares(value.kinds, labels.get(KINDS, {})),
        sources=_shares(value.sources, labels.get(SOURCES, {})),
        reported=_shares(value.reported, labels.get(REPORTED, {})),
    )


def unit_rows(
    unit: Any,
    demographic: Demographic,
    unit_names: tuple[tuple[str, str], ...],
    labels: dict[str, dict[str, str]],
) -> UnitRows:
    names = dict(unit_names)
    rows = []
    for (key, label), figures in zip(demographic.categories, unit.categories, strict=True):
        reason = _reason(figures.respondents)
        rows.append(
            CategoryRow(
                key=key,
                label=label,
                respondents=None if reason else int(figures.respondents),
                reason=reason,
                # A hidden category hides everything in it, whatever the figures say.
                scales={
                    scale: GapFigure(reason=reason) if reason else gap_figure(gap)
                    for scale, gap in figures.scales.items()
                },
                incidence=IncidenceFigure(reason=reason)
                if reason
                else _incidence(figures.incidence, labels),
            )
        )
    return UnitRows(
        path=unit.unit or None,
        name=names.get(unit.unit, unit.unit),
        respondents=count_or_none(unit.respondents),
        stated=count_or_none(unit.stated),
        categories=tuple(rows),
    )


def intersection_table(value: Any, first: Demographic, second: Demographic) -> IntersectionTable:
    reason = _reason(value)
    if reason is not None:
        return IntersectionTable(first, second, reason)
    return IntersectionTable(
        first,
        second,
        None,
        tuple(
            tuple(
                IntersectionCell(
                    respondents=int(cell.respondents),
                    # A scale too few of the cell answered is hidden (None) on its own.
                    means={
                        scale: None if _reason(mean) else _number(mean)
                        for scale, mean in cell.scales.items()
                    },
                )
                for cell in row
            )
            for row in value.cells
        ),
    )


def demographic_name(key: str, text: str, language: str) -> str:
    """The short name of a self-identification category in ``language``."""
    if key not in DEMOGRAPHIC_NAMES:
        return text
    with using_language(language):
        return translate(DEMOGRAPHIC_NAMES[key])
