"""Score views of a wave for people: departments as rows, scales and items as columns.

Built from the gated reports (`results.scores.ScoreData`) only: a figure the gate hides is
NaN there and becomes a `Figure` with a reason and nothing else here. Every department
row holds its figures of this wave, the difference from the organisation (Welch's t of
the department against everyone else, Holm-corrected per department over its items and
scales, flagged only when also at least 0.2 answer points apart: the engine's
`analysis.compare` rules), and the change since the previous wave of the same template.

Directions: an item's mean is shown as answered, but "better" and "worse" follow its
scoring (a negatively worded item is better when lower); scales are scored already.

The computation (numpy, scipy) runs in a thread and imports the analysis stack itself,
as `results.scores` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from survey_app.core.i18n import format_signed
from survey_app.organisation.tree import DepartmentTree, in_subtree
from survey_app.results.charts import HEAT_HIDDEN, format_number, heat_class
from survey_app.waves.service import WaveInfo
from surveys import Template

if TYPE_CHECKING:
    from survey_app.results.scores import ScoreData

# The question of the bank that asks how likely people are to recommend the employer.
ENPS_KEY = "enps"

# Reasons of the gate (`analysis.gate.REASONS`) as shown.
HIDDEN = "hidden"
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Column:
    """A scale, an item or eNPS: what a figure is of."""

    key: str
    kind: str  # "scale", "item" or "enps"
    label: str
    min_value: int
    max_value: int
    # Items: every answer value with its label (None where the scale has only end labels).
    answers: tuple[tuple[int, str | None], ...] = ()
    # Items: True when a lower answer is the better one.
    reverse: bool = False


@dataclass(frozen=True)
class Figure:
    """One scale or item in one department in one wave; ``reason`` is set (and nothing
    else) when the gate hides it."""

    reason: str | None = None
    n: int | None = None
    mean: float | None = None
    favourable: float | None = None  # percent; eNPS: promoters
    neutral: float | None = None  # eNPS: passives
    unfavourable: float | None = None  # eNPS: detractors
    # Items: respondents per answer value; scales: unfavourable, neutral, favourable.
    distribution: tuple[int, ...] = ()
    # The department's mean minus the organisation's (None for the organisation itself
    # or when either is hidden) and +1/-1 when significantly better/worse than the rest.
    vs_organisation: float | None = None
    organisation_flag: int = 0
    # Change since the previous wave: mean points, % favourable points, +1/-1 significant.
    vs_previous: float | None = None
    favourable_change: float | None = None
    previous_flag: int = 0

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @property
    def enps(self) -> float | None:
        """Promoters minus detractors (for the eNPS column)."""
        if self.favourable is None or self.unfavourable is None:
            return None
        return self.favourable - self.unfavourable


@dataclass(frozen=True)
class ScoreRow:
    """A department (``path`` None: the organisation) and its figure per column key."""

    path: str | None
    name: str
    depth: int
    respondents: int | None  # None when the gate hides the department
    figures: dict[str, Figure]
    has_children: bool = False

    @property
    def hidden(self) -> bool:
        return self.respondents is None


@dataclass(frozen=True)
class TrendPoint:
    wave: WaveInfo
    n: int | None
    mean: float | None  # None: hidden in that wave, or not asked
    favourable: float | None


@dataclass(frozen=True)
class ScoreView:
    """What one viewer sees of one wave's scores: the organisation, the departments of
    their subtree in tree order, and per column the trend of the rows asked for."""

    columns: tuple[Column, ...]
    organisation: ScoreRow
    rows: tuple[ScoreRow, ...]
    waves: tuple[WaveInfo, ...]  # oldest first; the last one is the wave shown
    trends: dict[tuple[str | None, str], tuple[TrendPoint, ...]] = field(default_factory=dict)

    @property
    def previous(self) -> WaveInfo | None:
        return self.waves[-2] if len(self.waves) > 1 else None

    @property
    def scales(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.kind == "scale")

    @property
    def items(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.kind == "item")

    @property
    def enps(self) -> Column | None:
        return next((column for column in self.columns if column.kind == "enps"), None)

    def row(self, path: str | None) -> ScoreRow | None:
        if path is None:
            return self.organisation
        return next((row for row in self.rows if row.path == path), None)

    def trend(self, path: str | None, key: str) -> tuple[TrendPoint, ...]:
        return self.trends.get((path, key), ())

    @property
    def any_hidden(self) -> bool:
        return any(
            figure.hidden
            for row in (self.organisation, *self.rows)
            for figure in row.figures.values()
        ) or any(row.hidden for row in self.rows)


def columns_of(data: ScoreData, template: Template, language: str) -> tuple[Column, ...]:
    """Scales first (in the template's order), then items, then eNPS when asked."""
    scales = {scale.key: scale for scale in template.scales}
    columns = [
        Column(spec.name, "scale", scales[spec.name].name(language), spec.min_value, spec.max_value)
        for spec in data.report.scales
    ]
    for spec in data.report.items:
        question = template.question(spec.key)
        answers = tuple(
            (value, option.label(language) if (option := question.option(str(value))) else None)
            for value in range(spec.min_value, spec.max_value + 1)
        )
        kind = "enps" if spec.key == ENPS_KEY else "item"
        columns.append(
            Column(
                spec.key,
                kind,
                question.text(language),
                spec.min_value,
                spec.max_value,
                answers,
                spec.reverse,
            )
        )
    order = {"scale": 0, "item": 1, "enps": 2}
    return tuple(sorted(columns, key=lambda column: order[column.kind]))


def build_view(
    data: ScoreData,
    template: Template,
    language: str,
    tree: DepartmentTree,
    *,
    root: str | None,
    protected: frozenset[str],
    trend_paths: tuple[str | None, ...] = (),
) -> ScoreView:
    """The view of the last wave of ``data`` for the subtree ``root`` (None: everything),
    without the ``protected`` departments; trends over all waves for ``trend_paths``."""
    import numpy as np

    from analysis.compare import flag_summaries, welch_from_summaries
    from analysis.gate import OUT_OF_SCOPE as GATE_OUT_OF_SCOPE
    from analysis.gate import VISIBLE

    report, whole = data.report, data.organisation
    columns = columns_of(data, template, language)
    item_index = {spec.key: i for i, spec in enumerate(report.items)}
    scale_index = {spec.name: s for s, spec in enumerate(report.scales)}

    def stats(rep: Any, w: int) -> dict[str, np.ndarray]:
        """(groups, columns) arrays of one wave in the order of ``columns``."""
        out: dict[str, list[np.ndarray]] = {
            name: [] for name in ("n", "mean", "sd", "fav", "unfav")
        }
        for column in columns:
            if column.kind == "scale":
                s = scale_index[column.key]
                n = rep.scale_n[w, :, s]
                bands = rep.scale_bands[w, :, s, :]
                with np.errstate(invalid="ignore", divide="ignore"):
                    fav, unfav = 100.0 * bands[:, 2] / n, 100.0 * bands[:, 0] / n
                values = (n, rep.scale_mean[w, :, s], rep.scale_sd[w, :, s], fav, unfav)
            else:
                i = item_index[column.key]
                values = (
                    rep.item_n[w, :, i],
                    rep.item_mean[w, :, i],
                    rep.item_sd[w, :, i],
                    rep.favourable[w, :, i],
                    rep.unfavourable[w, :, i],
                )
            for name, value in zip(out, values, strict=True):
                out[name].append(value)
        return {name: np.stack(value, axis=1) for name, value in out.items()}

    direction = np.array([-1.0 if column.reverse else 1.0 for column in columns])
    w = len(data.waves) - 1
    now, org = stats(report, w), stats(whole, w)

    # Against everyone else: the rest is the organisation minus the department.
    n_rest = org["n"] - now["n"]
    sum_rest = org["n"] * org["mean"] - now["n"] * now["mean"]
    squares = lambda s: (s["n"] - 1) * s["sd"] ** 2 + s["n"] * s["mean"] ** 2  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rest = sum_rest / n_rest
        var_rest = (squares(org) - squares(now) - n_rest * mean_rest**2) / (n_rest - 1)
    small_rest = n_rest < report.k
    p_org = welch_from_summaries(
        now["n"], now["mean"], now["sd"], n_rest, mean_rest, np.sqrt(np.maximum(var_rest, 0.0))
    )
    p_org[small_rest] = np.nan
    diff_rest = now["mean"] - mean_rest
    flag_org = flag_summaries(np.nan_to_num(diff_rest), p_org)
    sign_org = np.where(flag_org, np.sign(diff_rest * direction), 0).astype(int)
    diff_org = now["mean"] - org["mean"]

    def change(after: dict, before: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean change, its verdict (+1 better, -1 worse, Holm per row) and the change in
        % favourable, from the same group's figures in two waves."""
        p = welch_from_summaries(
            after["n"], after["mean"], after["sd"], before["n"], before["mean"], before["sd"]
        )
        difference = after["mean"] - before["mean"]
        flags = flag_summaries(np.nan_to_num(difference), p)
        verdict = np.where(flags, np.sign(difference * direction), 0).astype(int)
        return difference, verdict, after["fav"] - before["fav"]

    if w > 0:
        diff_prev, sign_prev, fav_change = change(now, stats(report, w - 1))
        org_diff_prev, org_sign_prev, org_fav_change = change(org, stats(whole, w - 1))
    else:
        diff_prev = fav_change = org_diff_prev = org_fav_change = None
        sign_prev = org_sign_prev = None

    # Plain lists once per report: indexing numpy scalars cell by cell is what is slow.
    plain: dict[int, tuple[dict[str, list], list, list]] = {}

    def as_lists(rep: Any, figures_now: dict) -> tuple[dict[str, list], list, list]:
        if id(rep) not in plain:
            plain[id(rep)] = (
                {name: values.tolist() for name, values in figures_now.items()},
                rep.distribution[w].tolist(),
                rep.scale_bands[w].tolist(),
            )
        return plain[id(rep)]

    def figures(
        rep: Any, g: int, figures_now: dict, reasons: list[int], comparisons: dict
    ) -> dict[str, Figure]:
        values, distributions, bands = as_lists(rep, figures_now)
        n, mean, favourable, unfavourable = (
            values["n"][g],
            values["mean"][g],
            values["fav"][g],
            values["unfav"][g],
        )
        found = {}
        for c, column in enumerate(columns):
            if reasons[c] != VISIBLE:
                found[column.key] = Figure(
                    reason=OUT_OF_SCOPE if reasons[c] == GATE_OUT_OF_SCOPE else HIDDEN
                )
                continue
            if column.kind == "scale":
                counts = bands[g][scale_index[column.key]]
            else:
                counts = distributions[g][item_index[column.key]][
                    : column.max_value - column.min_value + 1
                ]
            fav, unfav = _value(favourable[c]), _value(unfavourable[c])
            found[column.key] = Figure(
                n=int(n[c]),
                mean=_value(mean[c]),
                favourable=fav,
                neutral=None if fav is None or unfav is None else max(0.0, 100.0 - fav - unfav),
                unfavourable=unfav,
                distribution=tuple(round(count) for count in counts),
                vs_organisation=comparisons["vs_organisation"][c],
                organisation_flag=comparisons["organisation_flag"][c],
                vs_previous=comparisons["vs_previous"][c],
                favourable_change=comparisons["favourable_change"][c],
                previous_flag=comparisons["previous_flag"][c],
            )
        return found

    reason_columns: dict[int, list] = {}

    def reasons_of(rep: Any, g: int) -> list[int]:
        if id(rep) not in reason_columns:
            reason_columns[id(rep)] = np.stack(
                [
                    rep.scale_reason[w, :, scale_index[column.key]]
                    if column.kind == "scale"
                    else rep.item_reason[w, :, item_index[column.key]]
                    for column in columns
                ],
                axis=1,
            ).tolist()
        return reason_columns[id(rep)][g]

    diff_org_rows, sign_org_rows = diff_org.tolist(), sign_org.tolist()

    def comparisons(g: int, *, organisation: bool) -> dict[str, list]:
        size = len(columns)
        if organisation:
            found: dict[str, list] = {
                "vs_organisation": [None] * size,
                "organisation_flag": [0] * size,
            }
            prev = (org_diff_prev, org_fav_change, org_sign_prev)
        else:
            found = {
                "vs_organisation": [_value(v) for v in diff_org_rows[g]],
                "organisation_flag": sign_org_rows[g],
            }
            prev = (diff_prev, fav_change, sign_prev)
        if prev[0] is None:
            found |= {
                "vs_previous": [None] * size,
                "favourable_change": [None] * size,
                "previous_flag": [0] * size,
            }
        else:
            row = 0 if organisation else g
            found |= {
                "vs_previous": [_value(v) for v in prev[0][row].tolist()],
                "favourable_change": [_value(v) for v in prev[1][row].tolist()],
                "previous_flag": prev[2][row].tolist(),
            }
        return found

    organisation_row = ScoreRow(
        path=None,
        name="",  # the pages say "the whole organisation" in the reader's language
        depth=-1,
        respondents=int(whole.respondents[w, 0])
        if int(whole.group_reason[w, 0]) == VISIBLE
        else None,
        figures=figures(whole, 0, org, reasons_of(whole, 0), comparisons(0, organisation=True)),
    )
    rows = []
    paths = report.tree.paths
    for g, path in enumerate(paths):
        if root is not None and not in_subtree(path, root):
            continue
        if path in protected:
            continue
        visible = int(report.group_reason[w, g]) == VISIBLE
        rows.append(
            ScoreRow(
                path=path,
                name=tree.name_for_path(path),
                depth=path.count("/"),
                respondents=int(report.respondents[w, g]) if visible else None,
                figures=figures(
                    report, g, now, reasons_of(report, g), comparisons(g, organisation=False)
                ),
                has_children=bool(report.tree.children[g]),
            )
        )

    trends: dict[tuple[str | None, str], tuple[TrendPoint, ...]] = {}
    for path in trend_paths:
        rep, g = (whole, 0) if path is None else (report, report.tree.index(path))
        per_wave = [stats(rep, wave) for wave in range(len(data.waves))]
        for c, column in enumerate(columns):
            trends[(path, column.key)] = tuple(
                TrendPoint(
                    wave=data.waves[wave],
                    n=None if np.isnan(figures_wave["n"][g, c]) else int(figures_wave["n"][g, c]),
                    mean=_value(figures_wave["mean"][g, c]),
                    favourable=_value(figures_wave["fav"][g, c]),
                )
                for wave, figures_wave in enumerate(per_wave)
            )
    return ScoreView(columns, organisation_row, tuple(rows), data.waves, trends)


def _value(number: Any) -> float | None:
    value = float(number)
    return None if value != value else value  # NaN: hidden


@dataclass(frozen=True)
class HeatCell:
    """A heatmap cell as shown: its text and heat class (``heat-hidden`` when the gate hides
    it), and +1/-1 when significantly better/worse than the rest of the organisation."""

    text: str
    css_class: str
    flag: int = 0

    @property
    def hidden(self) -> bool:
        return self.css_class == "heat-hidden"


# How far from the organisation a cell is coloured fully (see `charts.heat_class`): 15
# points of % favourable, 30 points of eNPS, 0.45 answer points of a 1-5 mean (scaled to
# the item's range).
SPREAD_FAVOURABLE = 15.0
SPREAD_ENPS = 30.0
SPREAD_MEAN_PER_POINT = 0.45 / 4


def heat_cells(
    row: ScoreRow, columns: tuple[Column, ...], organisation: ScoreRow, measure: str, language: str
) -> list[HeatCell]:
    """The row's cells for ``columns``: % favourable (``measure`` "favourable") or the mean
    as text, coloured by the difference from the organisation in the better direction (the
    organisation's own row is not coloured). Built here rather than in the template: a
    heatmap of every question has well over a thousand cells."""
    cells = []
    for column in columns:
        figure = row.figures[column.key]
        if figure.hidden:
            cells.append(HeatCell("", HEAT_HIDDEN))
            continue
        reference = organisation.figures[column.key]
        if column.kind == "enps":
            value, other, spread = figure.enps, reference.enps, SPREAD_ENPS
            text = format_signed(value, 0, language)
        elif measure == "mean":
            sign = -1.0 if column.reverse else 1.0
            value = sign * figure.mean
            other = None if reference.mean is None else sign * reference.mean
            spread = SPREAD_MEAN_PER_POINT * (column.max_value - column.min_value)
            text = format_number(figure.mean, 1, language)
        else:
            value, other, spread = figure.favourable, reference.favourable, SPREAD_FAVOURABLE
            text = format_number(value, 0, language) + "%"
        css_class = (
            "heat-org"
            if row.path is None or other is None
            else heat_class(value - other, 0, spread)
        )
        cells.append(HeatCell(text, css_class, figure.organisation_flag))
    return cells
