"""Scores of a wave: every numeric item and scale of its template, per department and level,
through the anonymity gate (`analysis.report.gated_report`).

The analysis (numpy, scipy) is imported where the report is computed, in a thread: the
application does not load it until results are computed (see `results.service`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from survey_app.tables.anonymous import Answer
from survey_app.waves.service import WaveInfo
from surveys import Template

if TYPE_CHECKING:
    from analysis.report import GatedReport


async def score_report(
    wave: WaveInfo,
    template: Template,
    k: int,
    language: str,
    protected: frozenset[str] = frozenset(),
    departments: frozenset[str] = frozenset(),
) -> GatedReport | None:
    """The gated report of the wave's numeric answers; None when nobody answered.

    ``departments`` (the wave's invited department paths) are all in the report: those
    finer than their response group have no responses of their own and show as hidden.
    """
    questions = [question for question in template.questions if question.is_numeric]
    rows = await (
        Answer.select(
            Answer.response,
            Answer.response.department_path,
            Answer.question_key,
            Answer.number,
        )
        .where((Answer.response.wave == wave.id) & Answer.number.is_not_null())
        .order_by(Answer.response)  # random ids: no submission order
    )
    if not rows or not questions:
        return None
    return await asyncio.to_thread(
        _report, rows, template, questions, k, language, protected, departments
    )


def _report(
    rows: list[dict],
    template: Template,
    questions: list,
    k: int,
    language: str,
    protected: frozenset[str],
    departments: frozenset[str],
) -> GatedReport:
    import numpy as np

    from analysis.report import gated_report
    from analysis.scales import scale_spec_from_survey
    from analysis.scores import item_spec_from_question
    from analysis.tree import GroupTree

    column = {question.key: index for index, question in enumerate(questions)}
    respondent: dict[object, int] = {}
    paths: list[str] = []
    for row in rows:
        if row["response"] not in respondent:
            respondent[row["response"]] = len(paths)
            paths.append(row["response.department_path"])
    answers = np.full((len(paths), len(questions)), np.nan)
    for row in rows:
        index = column.get(row["question_key"])
        if index is not None:
            answers[respondent[row["response"]], index] = row["number"]
    tree = GroupTree.from_paths([*paths, *departments])
    asked = set(column)
    return gated_report(
        tree,
        tree.indices_of(paths),
        answers,
        [item_spec_from_question(question) for question in questions],
        [
            scale_spec_from_survey(scale, language)
            for scale in template.scales
            if set(scale.question_keys) <= asked
        ],
        k=k,
        protected=np.array([path in protected for path in tree.paths]),
    )
