"""Inclusion (DIG) analysis: how groups that self-identify fare against everyone else.

Per demographic (gender identity, age band, ...) and per unit (the organisation and each
top-level department): every category's scale scores against the rest of the same unit
(Welch's t, Holm within the breakdown, Cohen's d) and its incidence of undesirable
behaviour against the rest (Fisher's exact or chi-square), with what kinds, from whom
and where it was reported. Everything passes the demographic minimum and secondary
suppression across units x categories (`analysis.gate.suppress_crosstab`), on the
assumption that every department's own figures are known (analysis/README.md,
"Inclusion analysis", says what is hidden and why).

Pure numpy and scipy; the caller (survey_app/results) reads the answers and maps them to
`InclusionData`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.compare import DEFAULT_ALPHA, welch_from_summaries
from analysis.gate import VISIBLE, Suppressed, check_k
from analysis.inclusion_gate import (
    GateRows,
    cell_reasons,
    combined,
    gate_rows,
    intersection_passes,
    three_way_safe,
)
from analysis.inclusion_stats import (
    CategoryTable,
    cohens_d,
    holm_within,
    moments,
    one_hot,
    proportion_p_values,
    rest_moments,
    welch_inputs,
    yes_counts,
)

DEFAULT_MIN_EFFECT = 0.3


@dataclass(frozen=True, eq=False)
class InclusionData:
    """One wave's released DIG responses as arrays, one row per respondent.

    ``unit_shown`` (added to DIG.md's fields) is the results' own verdict on each unit's
    overall figures at the minimum ``k`` (`suppress_tree` over the department tree); when
    absent it is recomputed from the unit counts. A unit whose overall figures are hidden
    gets no breakdown, and its respondents are counted with those in no unit.
    """

    units: tuple[str, ...]
    unit_of: np.ndarray
    demographics: tuple[tuple[str, tuple[str, ...]], ...]
    category_of: Mapping[str, np.ndarray]
    scales: tuple[str, ...]
    scores: np.ndarray
    experienced: np.ndarray
    kinds: tuple[str, ...]
    kind_of: np.ndarray
    sources: tuple[str, ...]
    source_of: np.ndarray
    reported: tuple[str, ...]
    reported_of: np.ndarray
    unit_shown: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.unit_of)
        shapes = {
            "scores": (np.shape(self.scores), (n, len(self.scales))),
            "experienced": (np.shape(self.experienced), (n,)),
            "kind_of": (np.shape(self.kind_of), (n, len(self.kinds))),
            "source_of": (np.shape(self.source_of), (n, len(self.sources))),
            "reported_of": (np.shape(self.reported_of), (n,)),
        }
        for key, _ in self.demographics:
            shapes[f"category_of[{key}]"] = (np.shape(self.category_of[key]), (n,))
        if self.unit_shown is not None:
            shapes["unit_shown"] = (np.shape(self.unit_shown), (len(self.units),))
        for name, (actual, expected) in shapes.items():
            if actual != expected:
                raise ValueError(f"{name} has shape {actual}, expected {expected}")
        unit_of = np.asarray(self.unit_of)
        if n and (unit_of.min() < -1 or unit_of.max() >= len(self.units)):
            raise ValueError("unit_of must index units (or be -1)")
        for key, categories in self.demographics:
            codes = np.asarray(self.category_of[key])
            if not categories:
                raise ValueError(f"demographic {key!r} has no categories")
            if n and (codes.min() < -1 or codes.max() >= len(categories)):
                raise ValueError(f"category_of[{key!r}] must index its categories (or be -1)")


@dataclass(frozen=True)
class Gap:
    """A category's mean on one scale against the rest of the same unit.

    ``p_value`` is Welch's t, Holm-corrected over the shown gaps of the breakdown;
    ``effect_size`` is Cohen's d on the pooled SD; ``flagged`` when the corrected p is
    below alpha and ``|effect_size|`` at least the minimum effect. With fewer than two
    scores on a side the test and the effect are NaN and nothing is flagged.
    """

    mean: float
    rest_mean: float
    gap: float
    p_value: float
    effect_size: float
    flagged: bool
    n: int = 0
    rest_n: int = 0


@dataclass(frozen=True)
class Incidence:
    """Share who experienced undesirable behaviour (of those who answered), against the rest.

    ``p_value``: Fisher's exact test where an expected count is below 5, else Pearson's
    chi-square (no continuity correction), Holm-corrected over the breakdown's shown
    incidences. ``kinds``, ``sources`` and ``reported`` are shares among those who
    experienced it, shown only when they pass the gate on their own (at least the
    demographic minimum, no differencing); ``reported`` shares may sum to less than 1
    (some did not say). ``flagged`` when the corrected p is below alpha.
    """

    rate: float
    rest_rate: float
    p_value: float
    kinds: dict[str, float] | Suppressed
    sources: dict[str, float] | Suppressed
    reported: dict[str, float] | Suppressed
    n: int = 0
    experienced: int = 0
    flagged: bool = False


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    respondents: int | Suppressed
    scales: dict[str, Gap | Suppressed]
    incidence: Incidence | Suppressed


@dataclass(frozen=True)
class UnitBreakdown:
    """One unit (``""`` = the organisation): respondents, how many stated a category, figures."""

    unit: str
    respondents: int | Suppressed
    stated: int | Suppressed
    categories: tuple[CategoryFigures, ...]


@dataclass(frozen=True)
class Breakdown:
    demographic: str
    categories: tuple[str, ...]
    units: tuple[UnitBreakdown, ...]


@dataclass(frozen=True)
class IntersectionCell:
    respondents: int
    scales: dict[str, float | Suppressed]


@dataclass(frozen=True)
class Intersection:
    """Two demographics at once, organisation level: ``cells[i][j]`` is rows[i] x columns[j]."""

    a: str
    b: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[IntersectionCell, ...], ...]

    def transposed(self) -> Intersection:
        cells = tuple(zip(*self.cells, strict=True))
        return Intersection(self.b, self.a, self.columns, self.rows, cells)


@dataclass(frozen=True)
class InclusionReport:
    """Everything the inclusion analysis shows of one wave, gated."""

    respondents: int | Suppressed
    breakdowns: dict[str, Breakdown]
    scales: tuple[str, ...] = ()
    k: int = 5
    k_demographics: int = 10
    _intersections: dict[tuple[str, str], Intersection | Suppressed] = field(
        default_factory=dict, repr=False
    )

    def intersections(self, a: str, b: str) -> Intersection | Suppressed:
        """The organisation's a x b table, or Suppressed unless every cell and margin passes."""
        if (a, b) in self._intersections:
            return self._intersections[(a, b)]
        if (b, a) in self._intersections:
            found = self._intersections[(b, a)]
            return found if isinstance(found, Suppressed) else found.transposed()
        raise KeyError(f"no intersection of {a!r} and {b!r}")


def inclusion_report(
    data: InclusionData,
    *,
    k: int,
    k_demographics: int,
    alpha: float = DEFAULT_ALPHA,
    min_effect: float = DEFAULT_MIN_EFFECT,
) -> InclusionReport:
    """Every demographic breakdown and intersection of one wave, through the gate.

    Parameters
    ----------
    data : InclusionData
    k : int
        Minimum for any figure (the organisation's and each unit's overall figures).
    k_demographics : int
        Minimum per category cell (at least `k`).
    alpha : float
        Family-wise error rate of the Holm correction.
    min_effect : float
        Smallest ``|Cohen's d|`` worth flagging.

    Returns
    -------
    InclusionReport
    """
    k = check_k(k)
    k_demographics = check_k(k_demographics)
    if k_demographics < k:
        raise ValueError(f"k_demographics ({k_demographics}) must not be below k ({k})")
    n = len(data.unit_of)
    rows = gate_rows(data.unit_of, len(data.units), k, data.unit_shown)
    scores = np.asarray(data.scores, dtype=float).reshape(n, len(data.scales))
    experienced = np.asarray(data.experienced, dtype=float)
    limits = _Limits(k, k_demographics, alpha, min_effect)
    everyone = np.ones(n, dtype=bool)
    reasons = {
        key: cell_reasons(rows, data.category_of[key], len(categories), k_demographics, everyone)
        for key, categories in data.demographics
    }
    breakdowns = {
        key: _breakdown(data, key, categories, rows, reasons[key], scores, experienced, limits)
        for key, categories in data.demographics
    }
    intersections = {}
    keys = [key for key, _ in data.demographics]
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            linked = (rows, reasons[a], reasons[b])
            intersections[(a, b)] = _intersection(data, a, b, scores, k_demographics, linked)
    return InclusionReport(
        respondents=n if n >= k else Suppressed("too_few_respondents"),
        breakdowns=breakdowns,
        scales=tuple(data.scales),
        k=k,
        k_demographics=k_demographics,
        _intersections=intersections,
    )


@dataclass(frozen=True)
class _Limits:
    k: int
    k_demographics: int
    alpha: float
    min_effect: float


def _breakdown(
    data: InclusionData,
    key: str,
    categories: tuple[str, ...],
    rows: GateRows,
    base: np.ndarray,
    scores: np.ndarray,
    experienced: np.ndarray,
    limits: _Limits,
) -> Breakdown:
    """One demographic: the organisation and every unit, each category against the rest."""
    n_units, n_cats = len(data.units), len(categories)
    k, k_demographics, alpha = limits.k, limits.k_demographics, limits.alpha
    codes = np.asarray(data.category_of[key], dtype=np.intp)

    def gated_on(among: np.ndarray) -> np.ndarray:
        if among.all():
            return base
        return combined(base, cell_reasons(rows, codes, n_cats, k_demographics, among))

    scale_reasons = (
        np.stack([gated_on(~np.isnan(scores[:, s])) for s in range(len(data.scales))], axis=-1)
        if data.scales
        else np.zeros((1 + n_units, n_cats, 0), dtype=np.int8)
    )
    answered = ~np.isnan(experienced)
    incidence_reasons = gated_on(answered)
    yes = experienced == 1
    detail_reasons = combined(
        incidence_reasons, cell_reasons(rows, codes, n_cats, k_demographics, yes)
    )

    # Summaries: row 0 the organisation, row 1 + u unit u; cells per category.
    table = CategoryTable(codes, data.unit_of, n_units, n_cats)
    cell, whole = table.moments(scores)
    rest = rest_moments(whole, cell)
    p = welch_from_summaries(*welch_inputs(cell, rest))
    d = cohens_d(cell, rest)
    p_adjusted = holm_within(p, scale_reasons == VISIBLE)
    flagged = (p_adjusted < alpha) & (np.abs(d) >= limits.min_effect)

    ub_cell, ub_whole = table.moments(experienced[:, None])
    ub_rest = rest_moments(ub_whole, ub_cell)
    yes_cell, yes_rest = yes_counts(ub_cell), yes_counts(ub_rest)
    ub_p = proportion_p_values(yes_cell, ub_cell.n[..., 0], yes_rest, ub_rest.n[..., 0])
    ub_adjusted = holm_within(ub_p, incidence_reasons == VISIBLE)
    details = {
        "kinds": (data.kinds, table.sums(np.asarray(data.kind_of, dtype=float), yes)),
        "sources": (data.sources, table.sums(np.asarray(data.source_of, dtype=float), yes)),
        "reported": (
            data.reported,
            table.sums(one_hot(data.reported_of, len(data.reported)), yes),
        ),
    }

    units = []
    for row, unit in enumerate(("", *data.units)):
        figures = []
        for c, category in enumerate(categories):
            if base[row, c] != VISIBLE:
                hidden = Suppressed.from_code(base[row, c])
                every = dict.fromkeys(data.scales, hidden)
                figures.append(CategoryFigures(category, hidden, every, hidden))
                continue
            gaps: dict[str, Gap | Suppressed] = {}
            for s, scale in enumerate(data.scales):
                if scale_reasons[row, c, s] != VISIBLE:
                    gaps[scale] = Suppressed.from_code(scale_reasons[row, c, s])
                    continue
                gaps[scale] = Gap(
                    mean=float(cell.mean[row, c, s]),
                    rest_mean=float(rest.mean[row, c, s]),
                    gap=float(cell.mean[row, c, s] - rest.mean[row, c, s]),
                    p_value=float(p_adjusted[row, c, s]),
                    effect_size=float(d[row, c, s]),
                    flagged=bool(flagged[row, c, s]),
                    n=int(cell.n[row, c, s]),
                    rest_n=int(rest.n[row, c, s]),
                )
            incidence: Incidence | Suppressed
            if incidence_reasons[row, c] != VISIBLE or ub_cell.n[row, c, 0] == 0:
                incidence = Suppressed.from_code(max(incidence_reasons[row, c], 1))
            else:
                shown = detail_reasons[row, c] == VISIBLE
                shares = {
                    name: (
                        dict(zip(labels, (counts[row, c] / yes_cell[row, c]).tolist(), strict=True))
                        if shown
                        else Suppressed.from_code(max(detail_reasons[row, c], 1))
                    )
                    for name, (labels, counts) in details.items()
                }
                incidence = Incidence(
                    rate=float(ub_cell.mean[row, c, 0]),
                    rest_rate=float(ub_rest.mean[row, c, 0]),
                    p_value=float(ub_adjusted[row, c]),
                    n=int(ub_cell.n[row, c, 0]),
                    experienced=int(yes_cell[row, c]),
                    flagged=bool(ub_adjusted[row, c] < alpha),
                    **shares,
                )
            figures.append(CategoryFigures(category, int(table.count[row, c]), gaps, incidence))
        units.append(_unit_breakdown(row, unit, rows, table, base, figures, k))
    return Breakdown(demographic=key, categories=tuple(categories), units=tuple(units))


def _unit_breakdown(
    row: int,
    unit: str,
    rows: GateRows,
    table: CategoryTable,
    base: np.ndarray,
    figures: list[CategoryFigures],
    k: int,
) -> UnitBreakdown:
    """The unit's respondents (as the results show them) and, if derivable anyway, the stated."""
    total = int(table.total[row])
    if row == 0:
        respondents: int | Suppressed = total if total >= k else Suppressed("too_few_respondents")
    elif rows.shown[row - 1]:
        respondents = total
    else:
        respondents = Suppressed("too_few_respondents" if total < k else "differencing")
    # "Stated" is the sum of the shown cells only when every cell is shown; otherwise it
    # would add an equation the gate did not see.
    stated = (
        int(table.count[row].sum())
        if (base[row] == VISIBLE).all() and not isinstance(respondents, Suppressed)
        else Suppressed("differencing")
    )
    return UnitBreakdown(unit, respondents, stated, tuple(figures))


def _intersection(
    data: InclusionData,
    a: str,
    b: str,
    scores: np.ndarray,
    k_demographics: int,
    linked: tuple[GateRows, np.ndarray, np.ndarray],
) -> Intersection | Suppressed:
    """The organisation's a x b table, shown only when its gate hides nothing at all.

    Gated like a breakdown (`suppress_crosstab`, margins the org's category counts), and
    it must not let the breakdowns of a and b, linked through it, pin a small group
    (`three_way_safe`). A scale that some respondents lack is not shown here at all
    (DIG items are required; gating it on its own counts would need both audits again).
    """
    (rows,), (columns,) = ([c for key, c in data.demographics if key == d] for d in (a, b))
    codes_a = np.asarray(data.category_of[a], dtype=np.intp)
    codes_b = np.asarray(data.category_of[b], dtype=np.intp)
    everyone = np.ones(len(codes_a), dtype=bool)
    if not intersection_passes(
        codes_a, len(rows), codes_b, len(columns), everyone, k_demographics
    ) or not three_way_safe(linked[0], codes_a, linked[1], codes_b, linked[2], k_demographics):
        return Suppressed("differencing")
    group = np.where((codes_a >= 0) & (codes_b >= 0), codes_a * len(columns) + codes_b, -1)
    m = moments(scores, group, len(rows) * len(columns))
    counts = np.bincount(group[group >= 0], minlength=len(rows) * len(columns))
    complete = ~np.isnan(scores).any(axis=0)
    cells = tuple(
        tuple(
            IntersectionCell(
                respondents=int(counts[i * len(columns) + j]),
                scales={
                    scale: float(m.mean[i * len(columns) + j, s])
                    if complete[s]
                    else Suppressed("differencing")
                    for s, scale in enumerate(data.scales)
                },
            )
            for j in range(len(columns))
        )
        for i in range(len(rows))
    )
    return Intersection(a, b, tuple(rows), tuple(columns), cells)


def gap_trend(
    reports: Sequence[InclusionReport],
    demographic: str,
    scale: str,
    categories: Sequence[str] | None = None,
) -> list[list[Gap | Suppressed]]:
    """The organisation-level gap of each category on one scale, wave by wave.

    Parameters
    ----------
    reports : sequence of InclusionReport
        One per wave, oldest first.
    demographic, scale : str
    categories : sequence of str, optional
        The categories (columns of the result) in order; by default those of the newest
        report that has the demographic.

    Returns
    -------
    list of list of Gap or Suppressed
        ``[wave][category]``; a wave that did not ask the demographic, the category or
        the scale gives ``Suppressed("not_asked")`` there.
    """
    if categories is None:
        asked = [r.breakdowns[demographic] for r in reports if demographic in r.breakdowns]
        categories = asked[-1].categories if asked else ()
    trend = []
    for report in reports:
        breakdown = report.breakdowns.get(demographic)
        org = {f.category: f for f in breakdown.units[0].categories} if breakdown else {}
        row: list[Gap | Suppressed] = []
        for category in categories:
            figures = org.get(category)
            if figures is None:
                row.append(Suppressed("not_asked"))
            elif isinstance(figures.respondents, Suppressed):
                row.append(figures.respondents)
            else:
                row.append(figures.scales.get(scale, Suppressed("not_asked")))
        trend.append(row)
    return trend
