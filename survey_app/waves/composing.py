"""The questionnaire of a draft wave: the template's core items stay, questions of the bank
and the organisation's own questions are added, removed and moved.

What is edited is the wave's own snapshot of its survey (`Wave.template`), so the shipped
template and other waves never change. Core items (the template's questions in the
question bank) cannot be removed: every wave of a template asks them, so its trends line up.
Own questions are written in the bank's format and checked by the bank's own rules
(`surveys.build_question`); their keys are ``own_1``, ``own_2``, … within the wave.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from survey_app import audit
from survey_app.core.db import write_transaction
from survey_app.core.errors import N_, Invalid
from survey_app.core.text import storable
from survey_app.tables.identity import Wave
from survey_app.waves.schedule import WaveStateError
from survey_app.waves.service import WaveInfo, shipped_template, wave_template
from surveys import (
    Bank,
    DefinitionError,
    Question,
    Section,
    Template,
    build_question,
    load_bank,
)
from surveys.model import Bilingual

OWN_PREFIX = "own_"
# The section added questions go to, in both languages (it is part of the survey's data,
# like the headings of the template files).
EXTRA_HEADING = Bilingual(nl="Aanvullende vragen", en="Additional questions")
# Kinds of own question HR can write: a five-point statement with the bank's labels, or an
# open question.
OWN_KINDS = {"agreement": "likert", "frequency": "likert", "text": "text"}
MAX_OWN_TEXT = 300
MAX_QUESTIONS = 60
UP, DOWN = "up", "down"


class CompositionError(Invalid):
    """A questionnaire change that cannot be made as asked."""

    messages: ClassVar[dict[str, str]] = {
        "unknown_question": N_("The question bank has no question {key}."),
        "already_asked": N_("This questionnaire already asks {key}."),
        "not_asked": N_("This questionnaire does not ask {key}."),
        "core_item": N_(
            "{key} is a core question of this survey: every wave asks it, so that results "
            "can be compared over time."
        ),
        "too_many": N_("A questionnaire holds at most {maximum} questions."),
        "kind": N_("Choose the kind of question."),
        "text_nl_required": N_("Write the question in Dutch."),
        "text_en_required": N_("Write the question in English."),
        "text_too_long": N_("A question is at most {maximum} characters long."),
        "unstorable": N_("This field contains characters that cannot be typed."),
        "duplicate_text": N_("This questionnaire already asks a question with this text."),
        "invalid_question": N_("This question is not valid: {detail}"),
        "direction": N_("Choose up or down."),
    }


@dataclass(frozen=True)
class QuestionnaireItem:
    question: Question
    core: bool
    own: bool
    first: bool
    last: bool


@dataclass(frozen=True)
class Questionnaire:
    """A wave's questions in order, each marked core, own or added from the bank, and the
    bank's questions that could still be added."""

    template: Template
    items: tuple[QuestionnaireItem, ...]
    addable: tuple[Question, ...]


def core_keys(wave: WaveInfo) -> frozenset[str]:
    """The keys of the core items: the questions of the wave's template as shipped."""
    return frozenset(question.key for question in shipped_template(wave.template_key).questions)


async def questionnaire(wave: WaveInfo, *, bank: Bank | None = None) -> Questionnaire:
    template = await wave_template(wave)
    core = core_keys(wave)
    asked = template.questions
    items = tuple(
        QuestionnaireItem(
            question=question,
            core=question.key in core,
            own=question.key.startswith(OWN_PREFIX),
            first=index == 0,
            last=index == len(asked) - 1,
        )
        for index, question in enumerate(asked)
    )
    bank = bank if bank is not None else load_bank()
    keys = {question.key for question in asked}
    addable = tuple(question for key, question in bank.questions.items() if key not in keys)
    return Questionnaire(template=template, items=items, addable=addable)


def _with_sections(template: Template, sections: list[Section]) -> Template:
    kept = tuple(section for section in sections if section.questions)
    return dataclasses.replace(template, sections=kept)


def _appended(template: Template, question: Question) -> Template:
    """The template with ``question`` at the end of the section of added questions."""
    if len(template.questions) >= MAX_QUESTIONS:
        raise CompositionError("too_many", maximum=MAX_QUESTIONS)
    sections = list(template.sections)
    if sections and sections[-1].heading_i18n == EXTRA_HEADING:
        last = sections[-1]
        sections[-1] = Section(last.heading_i18n, (*last.questions, question))
    else:
        sections.append(Section(EXTRA_HEADING, (question,)))
    return _with_sections(template, sections)


def _without(template: Template, key: str) -> Template:
    sections = [
        Section(section.heading_i18n, tuple(q for q in section.questions if q.key != key))
        for section in template.sections
    ]
    return _with_sections(template, sections)


def _moved(template: Template, key: str, direction: str) -> Template:
    """``key`` one place up or down in the order of asking: past its neighbour, into the
    neighbour's section when that is another one (a section left empty goes)."""
    sections = [list(section.questions) for section in template.sections]
    s, q = next(
        (s, q)
        for s, section in enumerate(sections)
        for q, item in enumerate(section)
        if item.key == key
    )
    question = sections[s].pop(q)
    if direction == UP and q > 0:
        sections[s].insert(q - 1, question)
    elif direction == UP and s > 0:
        sections[s - 1].insert(len(sections[s - 1]) - 1, question)
    elif direction == DOWN and q < len(sections[s]):
        sections[s].insert(q + 1, question)
    elif direction == DOWN and s < len(sections) - 1:
        sections[s + 1].insert(1, question)
    else:  # first or last already
        sections[s].insert(q, question)
    return _with_sections(
        template,
        [
            Section(section.heading_i18n, tuple(questions))
            for section, questions in zip(template.sections, sections, strict=True)
        ],
    )


async def change_questionnaire(
    wave: WaveInfo,
    actor: str,
    change: str,
    edit: Callable[[Template], tuple[Template, str]],
    *,
    subject: str = "question",
) -> Template:
    """Apply ``edit`` (which returns the new questionnaire and the key it concerns) to the
    draft's stored questionnaire, in one write transaction; the audit record names that key
    as ``subject``."""
    if not wave.is_draft:
        raise WaveStateError("not_draft")
    async with write_transaction():
        row = await Wave.select(Wave.template, Wave.published_at).where(Wave.id == wave.id).first()
        if row is None or row["published_at"] is not None:
            raise WaveStateError("not_draft")
        snapshot = row["template"]
        current = Template.from_dict(
            json.loads(snapshot) if isinstance(snapshot, str) else snapshot
        )
        changed, key = edit(current)
        await Wave.update({Wave.template: changed.to_dict()}).where(
            (Wave.id == wave.id) & Wave.published_at.is_null()
        )
    await audit.record(
        "wave.questionnaire_changed",
        actor,
        wave.title,
        wave=str(wave.public_id),
        change=change,
        **{subject: key},
        questions=len(changed.questions),
    )
    return changed


async def add_from_bank(wave: WaveInfo, key: str, *, actor: str) -> Template:
    bank = load_bank()
    question = bank.questions.get(key)
    if question is None:
        raise CompositionError("unknown_question", key=key)

    def edit(template: Template) -> Template:
        if any(asked.key == key for asked in template.questions):
            raise CompositionError("already_asked", key=key)
        return _appended(template, question), key

    return await change_questionnaire(wave, actor, "added", edit)


def own_question(
    template: Template, kind: str, text_nl: str, text_en: str, *, bank: Bank | None = None
) -> Question:
    """An own question for ``template``, checked like the bank's questions, with the next
    free ``own_`` key. Raises CompositionError."""
    if kind not in OWN_KINDS:
        raise CompositionError("kind")
    text = {"nl": " ".join(text_nl.split()), "en": " ".join(text_en.split())}
    for language, code in (("nl", "text_nl_required"), ("en", "text_en_required")):
        if not text[language]:
            raise CompositionError(code)
        if len(text[language]) > MAX_OWN_TEXT:
            raise CompositionError("text_too_long", maximum=MAX_OWN_TEXT)
        if not storable(text[language]):
            raise CompositionError("unstorable")
    for asked in template.questions:
        if any(
            asked.text(language).casefold() == text[language].casefold()
            for language in ("nl", "en")
        ):
            raise CompositionError("duplicate_text")
    used = {q.key for q in template.questions if q.key.startswith(OWN_PREFIX)}
    number = 1
    while f"{OWN_PREFIX}{number}" in used:
        number += 1
    table: dict[str, Any] = {"key": f"{OWN_PREFIX}{number}", "type": OWN_KINDS[kind], "text": text}
    if kind != "text":
        table["labels"] = kind
    try:
        return build_question(table, bank=bank)
    except DefinitionError as error:
        raise CompositionError("invalid_question", detail="; ".join(error.problems)) from error


async def add_own(wave: WaveInfo, kind: str, text_nl: str, text_en: str, *, actor: str) -> Template:
    bank = load_bank()

    def edit(template: Template) -> Template:
        question = own_question(template, kind, text_nl, text_en, bank=bank)
        return _appended(template, question), question.key

    return await change_questionnaire(wave, actor, "own_added", edit)


async def remove(wave: WaveInfo, key: str, *, actor: str) -> Template:
    core = core_keys(wave)

    def edit(template: Template) -> Template:
        if not any(asked.key == key for asked in template.questions):
            raise CompositionError("not_asked", key=key)
        if key in core:
            raise CompositionError("core_item", key=key)
        return _without(template, key), key

    return await change_questionnaire(wave, actor, "removed", edit)


async def move(wave: WaveInfo, key: str, direction: str, *, actor: str) -> Template:
    if direction not in (UP, DOWN):
        raise CompositionError("direction")

    def edit(template: Template) -> Template:
        if not any(asked.key == key for asked in template.questions):
            raise CompositionError("not_asked", key=key)
        return _moved(template, key, direction), key

    return await change_questionnaire(wave, actor, f"moved_{direction}", edit)
