"""Scores of waves: every numeric item and scale of a template, per department and level and
for the organisation as a whole, through the anonymity gate (`analysis.report.gated_report`).

One report covers one wave or several waves of the same template (for trends and the
comparison with the previous wave); each wave is gated on its own.

The analysis (numpy, scipy) is imported where the report is computed, in a thread: the
application does not load it until results are computed (see `results.service`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from survey_app.tables.anonymous import Answer
from survey_app.waves.service import WaveInfo
from surveys import Template

if TYPE_CHECKING:
    from analysis.report import GatedReport

# The group that stands for the whole organisation in its one-group report.
ORGANISATION = "organisation"


@dataclass(frozen=True, eq=False)
class ScoreData:
    """Gated reports of some waves (oldest first): per department and for the organisation.

    The organisation is gated as one group of all respondents; the department report gates
    its top-level departments against that total, so no department can be worked out from
    the organisation's figures either.
    """

    waves: tuple[WaveInfo, ...]
    report: GatedReport
    organisation: GatedReport


async def score_data(
    waves: Sequence[WaveInfo],
    template: Template,
    k: int,
    language: str,
    protected: frozenset[str] = frozenset(),
    departments: frozenset[str] = frozenset(),
    *,
    favourability: bool = True,
) -> ScoreData | None:
    """The gated reports of the waves' numeric answers (the template's numeric questions and
    scales); None when nobody answered any of them.

    ``departments`` (the invited department paths) are all in the report: those finer than
    their response group have no responses of their own and show as hidden.
    """
    questions = [question for question in template.questions if question.is_numeric]
    if not questions or not waves:
        return None
    rows = await (
        Answer.select(
            Answer.response,
            Answer.response.wave,
            Answer.response.department_path,
            Answer.question_key,
            Answer.number,
        )
        .where(
            Answer.response.wave.is_in([wave.id for wave in waves]) & Answer.number.is_not_null()
        )
        .order_by(Answer.response)  # random ids: no submission order
    )
    if not rows:
        return None
    return await asyncio.to_thread(
        _reports,
        rows,
        tuple(waves),
        template,
        questions,
        k,
        language,
        protected,
        departments,
        favourability,
    )


async def score_report(
    wave: WaveInfo,
    template: Template,
    k: int,
    language: str,
    protected: frozenset[str] = frozenset(),
    departments: frozenset[str] = frozenset(),
) -> GatedReport | None:
    """The gated department report of one wave (the ``wave report`` contract: scales with
    the bands of the question bank, if any)."""
    data = await score_data(
        [wave], template, k, language, protected, departments, favourability=False
    )
    return None if data is None else data.report


def _reports(
    rows: list[dict],
    waves: tuple[WaveInfo, ...],
    template: Template,
    questions: list,
    k: int,
    language: str,
    protected: frozenset[str],
    departments: frozenset[str],
    favourability: bool,
) -> ScoreData:
    import numpy as np

    from analysis.report import gated_report
    from analysis.scores import item_spec_from_question
    from analysis.tree import GroupTree

    column = {question.key: index for index, question in enumerate(questions)}
    wave_of = {wave.id: index for index, wave in enumerate(waves)}
    respondent: dict[object, int] = {}
    paths: list[str] = []
    wave_index: list[int] = []
    for row in rows:
        if row["response"] not in respondent:
            respondent[row["response"]] = len(paths)
            paths.append(row["response.department_path"])
            wave_index.append(wave_of[row["response.wave"]])
    answers = np.full((len(paths), len(questions)), np.nan)
    for row in rows:
        index = column.get(row["question_key"])
        if index is not None:
            answers[respondent[row["response"]], index] = row["number"]
    items = [item_spec_from_question(question) for question in questions]
    scales = scale_specs(template, items, language, favourability=favourability)
    labels = [str(wave.public_id) for wave in waves]
    tree = GroupTree.from_paths([*paths, *departments])
    report = gated_report(
        tree,
        tree.indices_of(paths),
        answers,
        items,
        scales,
        k=k,
        wave_index=np.array(wave_index),
        waves=labels,
        protected=np.array([path in protected for path in tree.paths]),
    )
    whole = GroupTree.from_paths([ORGANISATION])
    organisation = gated_report(
        whole,
        np.zeros(len(paths), dtype=np.intp),
        answers,
        items,
        scales,
        k=k,
        wave_index=np.array(wave_index),
        waves=labels,
    )
    return ScoreData(waves, report, organisation)


def scale_specs(template: Template, items: list, language: str, *, favourability: bool) -> list:
    """The template's scales whose items are all asked. With ``favourability`` each has three
    bands in its scored direction instead of the bank's: unfavourable, neutral and
    favourable (a respondent's scale score within the unfavourable answers of its items,
    between, or within the favourable ones), so a scale has a % favourable as an item has."""
    from analysis.scales import BandSpec, scale_spec_from_survey

    by_key = {item.key: item for item in items}
    specs = []
    for scale in template.scales:
        if not set(scale.question_keys) <= set(by_key):
            continue
        spec = scale_spec_from_survey(scale, language)
        if not favourability:
            specs.append(spec)
            continue
        first = by_key[spec.items[0]]
        low, high = first.min_value, first.max_value
        favourable, unfavourable = first.favourable, first.unfavourable
        if first.reverse:  # the item's ranges are on its raw answers: mirror them
            favourable = (low + high - favourable[1], low + high - favourable[0])
            unfavourable = (low + high - unfavourable[1], low + high - unfavourable[0])
        bands = (
            BandSpec(low, "unfavourable"),
            BandSpec(unfavourable[1] + 1e-9, "neutral"),
            BandSpec(favourable[0], "favourable"),
        )
        specs.append(replace(spec, bands=bands))
    return specs
