"""Scores of waves: every numeric item and scale of a template, per department and level and
for the organisation as a whole, through the anonymity gate (`analysis.report.gated_report`).

One report covers one wave or several waves of the same template (for trends and the
comparison with the previous wave); each wave is gated on its own.

The analysis (numpy, scipy) is imported where the report is computed, in a thread: the
application does not load it until results are computed (see `results.service`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from piccolo.query.functions.aggregate import Count

from survey_app.organisation.tree import in_subtree
from survey_app.tables.anonymous import Answer, Response
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
    departments: frozenset[str] | asyncio.Future[frozenset[str]] = frozenset(),
    *,
    favourability: bool = True,
    protected_responded: tuple[dict[str, int], ...] = (),
) -> ScoreData | None:
    """The gated reports of the waves' numeric answers (the template's numeric questions and
    scales); None when nobody answered any of them.

    ``protected_responded``: per wave, how many responded in each protected department (see
    `protect_merged`); needed when a protected team's answers are stored with its parent's.

    ``departments`` (the invited department paths) are all in the report: those finer than
    their response group have no responses of their own and show as hidden.
    """
    questions = [question for question in template.questions if question.is_numeric]
    if not questions or not waves:
        return None
    # Released answers of a closed wave no longer change, so the gated reports are kept per
    # waves, their numbers of responses (a release or a reopened wave gives a new key),
    # threshold, language, viewer's protected departments and invited departments. They hold
    # only what the gate lets through (hidden cells are NaN), as the pages rendered from
    # them do; never a respondent's answers.
    key = (
        tuple(wave.public_id for wave in waves),
        await response_counts(waves),
        k,
        language,
        protected,
        favourability,
        tuple(tuple(sorted(counts.items())) for counts in protected_responded),
    )
    kept = _REPORTS.get(key)
    if kept is not None and kept[0] == await _known(departments):
        return kept[1]
    # ``departments`` may still be counted (the door reads both at once).
    rows, departments = await asyncio.gather(_numeric_answers(waves), _known(departments))
    if not rows:
        return None
    data = await asyncio.to_thread(
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
        protected_responded,
    )
    if len(_REPORTS) >= _REPORTS_KEPT:
        _REPORTS.pop(next(iter(_REPORTS)))
    _REPORTS[key] = (departments, data)
    return data


async def _known(departments: frozenset[str] | asyncio.Future[frozenset[str]]) -> frozenset[str]:
    return departments if isinstance(departments, frozenset) else await departments


_REPORTS: dict[tuple, tuple[frozenset[str], ScoreData]] = {}
_REPORTS_KEPT = 32


async def response_counts(waves: Sequence[WaveInfo]) -> tuple[int, ...]:
    counted = {
        row["wave"]: row["count"]
        for row in await Response.select(Response.wave, Count(Response.id, alias="count"))
        .where(Response.wave.is_in([wave.id for wave in waves]))
        .group_by(Response.wave)
    }
    return tuple(counted.get(wave.id, 0) for wave in waves)


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


# One row per response: its wave, its group and its numeric answers as "key=number,…"
# (question keys are snake_case). Per response rather than per answer: the drivers and
# Piccolo spend far more on each row (a dict, a UUID) than on its width, and the numbers
# are parsed in the thread with the reports (`_answer_matrix`). Grouped by the random
# response id, so the order says nothing about the order of submission. One query per
# wave: a wave is a small share of the answers, read through the index of each response's
# answers (migration 0009), where several waves at once lead PostgreSQL to scan them all.
_NUMERIC_ANSWERS_SQL = (
    "SELECT response.wave AS wave, response.department_path AS path, {concat} AS answers "
    "FROM response JOIN answer ON answer.response = response.id "
    "WHERE response.wave = {{}} AND answer.number IS NOT NULL AND {{}} <= response.id "
    "AND response.id <= {{}} GROUP BY response.id"
)
# Each wave is read in two halves of its random response ids at the same time, which the
# database can serve on two cores (bench/dashboard.py: the first view of a heatmap).
_HALVES = (
    ("00000000-0000-0000-0000-000000000000", "7fffffff-ffff-ffff-ffff-ffffffffffff"),
    ("80000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
)
_CONCAT = {
    "postgres": "string_agg(answer.question_key || '=' || answer.number, ',')",
    "sqlite": "group_concat(answer.question_key || '=' || answer.number, ',')",
}


async def _numeric_answers(waves: Sequence[WaveInfo]) -> list[dict]:
    """The rows of every wave, wave by wave (the waves are read at the same time)."""
    engine = Answer._meta.db.engine_type
    sql = _NUMERIC_ANSWERS_SQL.format(concat=_CONCAT[engine])
    typed = str if engine == "sqlite" else uuid.UUID
    found = await asyncio.gather(
        *(
            Answer.raw(sql, wave.id, typed(low), typed(high))
            for wave in waves
            for low, high in _HALVES
        )
    )
    return [row for rows in found for row in rows]


class _TokenCodes(dict):
    """A number for every distinct ``key=number`` seen, given in order of first sight."""

    def __missing__(self, token: str) -> int:
        code = self[token] = len(self)
        return code


def _answer_matrix(rows: list[dict], waves: tuple[WaveInfo, ...], questions: list) -> tuple:
    """(paths, wave index, answers): a row per respondent, a column per question (NaN
    where not answered), from the rows of `_numeric_answers`.

    A wave has a few hundred distinct ``key=number`` tokens, so each is parsed once and
    the answers are placed with numpy instead of a Python loop over every answer.
    """
    import numpy as np

    column = {question.key: index for index, question in enumerate(questions)}
    wave_of = {wave.id: index for index, wave in enumerate(waves)}
    paths = [row["path"] for row in rows]
    wave_index = np.array([wave_of[row["wave"]] for row in rows], dtype=np.intp)
    texts = [row["answers"] for row in rows]
    tokens = ",".join(texts).split(",")
    codes = _TokenCodes()
    token_code = np.fromiter(map(codes.__getitem__, tokens), dtype=np.intp, count=len(tokens))
    code_column = np.full(len(codes), -1, dtype=np.intp)
    code_value = np.zeros(len(codes))
    for token, code in codes.items():
        key, _sep, number = token.partition("=")
        if key in column:
            code_column[code], code_value[code] = column[key], float(number)
    counts = np.fromiter((text.count(",") + 1 for text in texts), dtype=np.intp, count=len(texts))
    respondent = np.repeat(np.arange(len(texts)), counts)
    columns = code_column[token_code]
    asked = columns >= 0
    answers = np.full((len(texts), len(questions)), np.nan)
    answers[respondent[asked], columns[asked]] = code_value[token_code[asked]]
    return paths, wave_index, answers


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
    protected_responded: tuple[dict[str, int], ...] = (),
) -> ScoreData:
    import numpy as np

    from analysis.report import gated_report
    from analysis.scores import item_spec_from_question
    from analysis.tree import GroupTree

    paths, wave_index, answers = _answer_matrix(rows, waves, questions)
    paths = protect_merged(paths, wave_index.tolist(), protected_responded)
    items = [item_spec_from_question(question) for question in questions]
    scales = scale_specs(template, items, language, favourability=favourability)
    labels = [str(wave.public_id) for wave in waves]
    tree = GroupTree.from_paths({*paths, *departments})  # each path once, not per respondent
    report = gated_report(
        tree,
        tree.indices_of(paths),
        answers,
        items,
        scales,
        k=k,
        wave_index=wave_index,
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
        wave_index=wave_index,
        waves=labels,
    )
    return ScoreData(waves, report, organisation)


def protect_merged(
    paths: list[str], wave_index: list[int], protected_responded: tuple[dict[str, int], ...]
) -> list[str]:
    """Respondents' groups for the gate, with protected teams put back where they belong.

    A team smaller than the group minimum has its answers stored with a larger response
    group (its parent's, say); when it is out of the viewer's scope (protected), the gate
    would not know it is there and would show the parent and a sibling whose difference is
    that team blended with fewer than k others. So, per wave, as many respondents of the
    group it is stored with as responded in the protected team are counted in the team
    instead (which ones does not matter: the team is hidden, and every figure above it
    counts the same respondents). Nothing shown changes but what the gate must hide.
    """
    if not protected_responded:
        return paths
    paths = list(paths)
    for wave, counts in enumerate(protected_responded):
        stored = {path for path, index in zip(paths, wave_index, strict=True) if index == wave}
        for team, responded in sorted(counts.items()):
            if responded <= 0 or any(in_subtree(path, team) for path in stored):
                continue  # stored under its own path (or below): the gate sees it
            ancestors = [path for path in stored if in_subtree(team, path)]
            if not ancestors:
                continue
            group = max(ancestors, key=len)  # the response group it is stored with
            moved = 0
            for index, (path, respondent_wave) in enumerate(zip(paths, wave_index, strict=True)):
                if moved == responded:
                    break
                if respondent_wave == wave and path == group:
                    paths[index] = team
                    moved += 1
    return paths


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
