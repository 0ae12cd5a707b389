"""Inclusion figures of a DIG wave for HR: scale scores and undesirable behaviour per
self-identified category (what respondents said about themselves, with consent), per
top-level department and for the organisation, gated by `analysis.inclusion`.

The anonymous answers, responses and self-identification rows of a wave are read in one
query per table; each response's scale scores are computed with the bank's scales
(reverse-scored items mirrored, `analysis.scales.scale_scores`), its unit is the top-level
department of its response group (a response stored at the organisation's root is in no
unit). `analysis.inclusion.inclusion_report` gates every breakdown with the demographic
minimum (cross-tab suppression with the departments' overall figures as known totals);
what it hides becomes a figure with a reason and nothing else here, as in
`results.dashboard`. The trend of a gap reads the earlier closed waves of the same
template that asked the same category.

The computation (numpy, scipy) runs in a thread and imports the analysis stack itself.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from survey_app.organisation.tree import DepartmentTree, in_subtree
from survey_app.results.inclusion_figures import (
    EXPERIENCED,
    KINDS,
    REPORTED,
    SOURCES,
    Demographic,
    GapTrend,
    InclusionView,
    count_or_none,
    demographic_name,
    gap_figure,
    intersection_table,
    unit_rows,
)
from survey_app.results.scores import response_counts
from survey_app.tables.anonymous import Answer, Response, SelfIdentification
from survey_app.waves.service import WaveInfo, wave_template
from survey_app.waves.thresholds import Thresholds
from surveys import Template

if TYPE_CHECKING:
    from analysis.inclusion import InclusionReport


async def wave_inclusion(
    wave: WaveInfo,
    tree: DepartmentTree,
    invited: frozenset[str],
    current: Thresholds,
    language: str,
    earlier: Sequence[WaveInfo] = (),
) -> InclusionView | None:
    """The inclusion figures of a closed wave (its answers released); None when it asked
    no self-identification. ``invited``: the department paths it invited (their top-level
    departments are the units). ``earlier``: closed waves of the same template before it
    (released), for the gap trends."""
    units = [unit for unit in top_level_units(tree) if unit in invited]
    template = await wave_template(wave)
    if not template.self_identification:
        return None
    templates = [await wave_template(other) for other in earlier]
    waves = [
        (other, other_template)
        for other, other_template in zip(earlier, templates, strict=True)
        if other_template.self_identification
    ] + [(wave, template)]
    # Released answers of closed waves no longer change: the view (gated figures only) is
    # kept per waves, their numbers of responses, units, thresholds and language, as
    # `results.scores` keeps its reports.
    key = (
        tuple(other.public_id for other, _template in waves),
        await response_counts([other for other, _template in waves]),
        tuple(units),
        current,
        language,
    )
    if key in _VIEWS:
        return _VIEWS[key]
    rows = await asyncio.gather(*(_wave_rows(other) for other, _template in waves))
    view = await asyncio.to_thread(
        _view, waves, rows, tree, tuple(units), invited, current, language
    )
    if len(_VIEWS) >= _VIEWS_KEPT:
        _VIEWS.pop(next(iter(_VIEWS)))
    _VIEWS[key] = view
    return view


_VIEWS: dict[tuple, InclusionView] = {}
_VIEWS_KEPT = 16


async def _wave_rows(wave: WaveInfo) -> tuple[list[dict], list[dict], list[dict]]:
    """A wave's responses, their answers and their self-identification: three queries."""
    return await asyncio.gather(
        Response.select(Response.id, Response.department_path).where(Response.wave == wave.id),
        Answer.select(Answer.response, Answer.question_key, Answer.number, Answer.choice).where(
            Answer.response.wave == wave.id
        ),
        SelfIdentification.select(
            SelfIdentification.response, SelfIdentification.category, SelfIdentification.value
        ).where(SelfIdentification.response.wave == wave.id),
    )


def top_level_units(tree: DepartmentTree) -> list[str]:
    """The top-level departments: the departments right under the organisation (the one
    root of the tree), or the roots when the file has several."""
    roots = tree.children(None)
    if len(roots) == 1:
        return [tree.path(node.id) for node in tree.children(roots[0].id)]
    return [tree.path(node.id) for node in roots]


def unit_of_path(path: str, units: Sequence[str]) -> str:
    """The unit a response group's path lies in ("" for the organisation itself)."""
    return next((unit for unit in units if in_subtree(path, unit)), "")


def inclusion_data(
    template: Template,
    responses: list[dict],
    answers: list[dict],
    self_ids: list[dict],
    units: Sequence[str],
    language: str,
    departments: frozenset[str] = frozenset(),
    k: int = 5,
) -> Any:
    """`analysis.inclusion.InclusionData` of one wave: a row per response; ``units`` the
    top-level departments (a response in none of them counts for the organisation only)."""
    import numpy as np

    from analysis.inclusion import InclusionData
    from analysis.scales import scale_scores, scale_spec_from_survey

    row_of = {row["id"]: index for index, row in enumerate(responses)}
    n = len(responses)
    units = tuple(units)
    unit_index = {unit: index for index, unit in enumerate(units)}
    unit_of = np.array(
        [unit_index.get(unit_of_path(row["department_path"], units), -1) for row in responses],
        dtype=np.intp,
    )
    options = {
        category.key: {option.key: index for index, option in enumerate(category.options)}
        for category in template.self_identification
    }
    category_of = {key: np.full(n, -1, dtype=np.intp) for key in options}
    for row in self_ids:
        index = options.get(row["category"], {}).get(row["value"])
        if index is not None and row["response"] in row_of:
            category_of[row["category"]][row_of[row["response"]]] = index
    numbers: dict[str, np.ndarray] = {}
    choices: dict[str, list[tuple[int, str]]] = {}
    for row in answers:
        respondent = row_of.get(row["response"])
        if respondent is None:
            continue
        if row["number"] is not None:
            column = numbers.setdefault(row["question_key"], np.full(n, np.nan))
            column[respondent] = row["number"]
        elif row["choice"] is not None:
            choices.setdefault(row["question_key"], []).append((respondent, row["choice"]))
    scales = [scale for scale in template.scales if _asks(template, scale.question_keys)]
    scores = np.full((n, len(scales)), np.nan)
    for column, scale in enumerate(scales):
        spec = scale_spec_from_survey(scale, language)
        matrix = np.column_stack(
            [numbers.get(key, np.full(n, np.nan)) for key in spec.items]
        ).reshape(n, len(spec.items))
        scores[:, column] = scale_scores(matrix, spec)
    experienced = np.full(n, np.nan)
    for respondent, choice in choices.get(EXPERIENCED, []):
        experienced[respondent] = {"yes": 1.0, "no": 0.0}.get(choice, np.nan)
    kinds, kind_of = _chosen(template, KINDS, choices, n)
    sources, source_of = _chosen(template, SOURCES, choices, n)
    reported = _option_keys(template, REPORTED)
    reported_of = np.full(n, -1, dtype=np.intp)
    for respondent, choice in choices.get(REPORTED, []):
        if choice in reported:
            reported_of[respondent] = reported.index(choice)
    return InclusionData(
        unit_shown=units_shown(responses, units, departments, k),
        units=units,
        unit_of=unit_of,
        demographics=tuple(
            (category.key, tuple(option.key for option in category.options))
            for category in template.self_identification
        ),
        category_of=category_of,
        scales=tuple(scale.key for scale in scales),
        scores=scores,
        experienced=experienced,
        kinds=kinds,
        kind_of=kind_of,
        sources=sources,
        source_of=source_of,
        reported=reported,
        reported_of=reported_of,
    )


def units_shown(
    responses: list[dict], units: Sequence[str], departments: frozenset[str], k: int
) -> Any:
    """Whether each unit's own figures are shown on the results pages: the department
    report's gate (`analysis.gate.suppress_tree` over the invited departments and the
    response groups, as `results.scores` gates them). The inclusion gate takes a shown
    department's totals as known to anyone."""
    import numpy as np

    from analysis.gate import VISIBLE, suppress_tree
    from analysis.tree import GroupTree

    paths = [row["department_path"] for row in responses if row["department_path"]]
    tree = GroupTree.from_paths({*paths, *departments, *units})
    direct = (
        np.bincount(tree.indices_of(paths), minlength=len(tree))
        if paths
        else np.zeros(len(tree), dtype=np.int64)
    )
    reasons = suppress_tree(tree, tree.roll_up(direct), k)
    return np.array([reasons[tree.index(unit)] == VISIBLE for unit in units], dtype=bool)


def _asks(template: Template, keys: Sequence[str]) -> bool:
    return set(keys) <= {question.key for question in template.questions}


def _option_keys(template: Template, key: str) -> tuple[str, ...]:
    for question in template.questions:
        if question.key == key:
            return tuple(option.key for option in question.options)
    return ()


def _chosen(
    template: Template, key: str, choices: dict[str, list[tuple[int, str]]], n: int
) -> tuple[tuple[str, ...], Any]:
    import numpy as np

    keys = _option_keys(template, key)
    chosen = np.zeros((n, len(keys)), dtype=bool)
    for respondent, choice in choices.get(key, []):
        if choice in keys:
            chosen[respondent, keys.index(choice)] = True
    return keys, chosen


def _view(
    waves: list[tuple[WaveInfo, Template]],
    rows: list[tuple[list[dict], list[dict], list[dict]]],
    tree: DepartmentTree,
    units: tuple[str, ...],
    invited: frozenset[str],
    current: Thresholds,
    language: str,
) -> InclusionView:
    from analysis.inclusion import gap_trend, inclusion_report

    reports: list[InclusionReport] = []
    data = None
    for (_wave, template), (responses, answers, self_ids) in zip(waves, rows, strict=True):
        data = inclusion_data(
            template,
            responses,
            answers,
            self_ids,
            units,
            language,
            invited,
            current.min_group_size,
        )
        reports.append(
            inclusion_report(
                data, k=current.min_group_size, k_demographics=current.min_demographic_group_size
            )
        )
    template = waves[-1][1]
    report = reports[-1]
    demographics = tuple(
        Demographic(
            category.key,
            demographic_name(category.key, category.text(language), language),
            tuple(
                (option.key, option.label(language) or option.key) for option in category.options
            ),
        )
        for category in template.self_identification
    )
    labels = {
        key: {option.key: option.label(language) or option.key for option in question.options}
        for question in template.questions
        if (key := question.key) in (KINDS, SOURCES, REPORTED)
    }
    scales = tuple(
        (scale.key, scale.name(language)) for scale in template.scales if scale.key in data.scales
    )
    unit_names = tuple((unit, tree.name_for_path(unit)) for unit in data.units)
    breakdowns = {
        demographic.key: tuple(
            unit_rows(unit, demographic, unit_names, labels)
            for unit in report.breakdowns[demographic.key].units
        )
        for demographic in demographics
        if demographic.key in report.breakdowns
    }
    intersections = {}
    for first, second in itertools.combinations(demographics, 2):
        intersections[first.key, second.key] = intersection_table(
            report.intersections(first.key, second.key), first, second
        )
    trends = {}
    for demographic in demographics:
        asked = [
            (wave, earlier)
            for (wave, _template), earlier in zip(waves, reports, strict=True)
            if demographic.key in earlier.breakdowns
        ]
        for scale_key, _label in scales:
            per_wave = gap_trend(
                [item for _wave, item in asked],
                demographic.key,
                scale_key,
                [key for key, _label in demographic.categories],
            )
            trends[demographic.key, scale_key] = GapTrend(
                waves=tuple(wave for wave, _item in asked),
                categories=tuple(
                    (key, label, tuple(gap_figure(gaps[index]) for gaps in per_wave))
                    for index, (key, label) in enumerate(demographic.categories)
                ),
            )
    return InclusionView(
        demographics=demographics,
        scales=scales,
        units=unit_names,
        respondents=count_or_none(report.respondents),
        k_demographics=current.min_demographic_group_size,
        breakdowns=breakdowns,
        intersections=intersections,
        trends=trends,
    )
