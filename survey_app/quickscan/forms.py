"""Reading the Quick Scan's posted forms: the self-assessment, the talk, the reaction.

Every free text goes past `surveys.medical_terms`: when it finds medical words and the form's
``medical_checked`` box is not ticked, nothing is saved and the form comes back with a
warning at each such field (`FormData.warnings`). What was typed is always shown again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from survey_app.core.errors import N_, Problem
from survey_app.tables.conversations import OWNERS
from survey_app.web.forms import (
    Checkbox,
    Choice,
    Day,
    FieldProblem,
    Form,
    FormData,
    FormValues,
    Text,
    displayable,
    first,
)
from surveys import QuickScanForm, medical_terms
from surveys.answers import is_clean_text, normalise_text

MEDICAL_FLAG = "medical_checked"
SHARE_PREFIX = "share_"
# Empty agreement rows on a new talk form; "add a row" posts the form back with one more.
AGREEMENT_ROWS = 3
MAX_AGREEMENT_ROWS = 20
# Longest texts, in characters (the service refuses longer ones too).
SUMMARY_LENGTH = 4000
AGREEMENT_LENGTH = 500
REACTION_LENGTH = 2000
# Read at most this much of a posted text, so that "too long" can be said instead of cutting.
READ_LIMIT = 20_000
# The name of a posted field the live medical check may read (check-text).
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")

TEXT_MESSAGES: dict[str, str] = {
    "too_long": N_("This text is {length} characters long; at most {maximum} fit."),
    "invalid_text": N_("This text contains characters that cannot be stored."),
    "out_of_range": N_("Choose a value from {minimum} to {maximum}."),
}


class QuickScanFormBase(Form):
    """The messages every Quick Scan form can show."""

    messages: ClassVar[dict[str, str]] = TEXT_MESSAGES


def long_text(values: Mapping[str, list[str]], name: str, maximum: int) -> str:
    """A free text with line breaks (a textarea): normalised, stripped, at most ``maximum``
    characters; raises `FieldProblem` otherwise."""
    text = normalise_text(first(values, name, READ_LIMIT)).strip()
    if not is_clean_text(text):
        raise FieldProblem("invalid_text")
    if len(text) > maximum:
        raise FieldProblem("too_long", length=len(text), maximum=maximum)
    return text


@dataclass
class Checked:
    """A read form, the free texts that look medical (field -> words), and whether the
    person confirmed that they are not medical information."""

    form: FormData
    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    medical_checked: bool = False

    @property
    def ok(self) -> bool:
        return self.form.ok and (self.medical_checked or not self.warnings)


def read_text(form: FormData, values: FormValues, name: str, maximum: int) -> str:
    """``long_text`` into ``form``: the value, or "" with a problem at the field."""
    form.typed[name] = displayable({name: [first(values, name, READ_LIMIT)]})[name][0]
    try:
        text = long_text(values, name, maximum)
    except FieldProblem as problem:
        form.problems.append(Problem(problem.code, problem.params, field=name))
        return ""
    form.values[name] = text
    return text


def check_medical(checked: Checked, texts: Mapping[str, str]) -> Checked:
    for name, text in texts.items():
        words = medical_terms(text) if text else ()
        if words:
            checked.warnings[name] = words
    return checked


# -- the self-assessment -------------------------------------------------------------------


class SelfAssessmentForm(QuickScanFormBase):
    medical_checked = Checkbox()


@dataclass(frozen=True)
class Assessment:
    answers: dict[str, int | str]
    shared: list[str]


def read_self_assessment(
    quickscan: QuickScanForm, values: FormValues
) -> tuple[Checked, Assessment]:
    """The answers (only the questions answered), the keys ticked to share (only answered
    ones), the problems per question and the medical warnings of the open answers."""
    form = SelfAssessmentForm.read(values)
    answers: dict[str, int | str] = {}
    shared: list[str] = []
    texts: dict[str, str] = {}
    for question in quickscan.questions:
        key = question.key
        share = SHARE_PREFIX + key
        form.typed[share] = "1" if first(values, share, 10) else ""
        if question.is_numeric:
            raw = first(values, key, 40).strip()
            form.typed[key] = displayable({key: [raw]})[key][0]
            if not raw:
                continue
            low, high = question.min_value or 0, question.max_value or 0
            if not (raw.isascii() and raw.isdigit() and len(raw) < 7 and low <= int(raw) <= high):
                form.add("out_of_range", field=key, minimum=low, maximum=high)
                continue
            answers[key] = int(raw)
        else:
            text = read_text(form, values, key, question.max_length or AGREEMENT_LENGTH)
            if not text:
                continue
            answers[key] = texts[key] = text
        if form.typed[share]:
            shared.append(key)
    checked = Checked(form, medical_checked=bool(form["medical_checked"]))
    return check_medical(checked, texts), Assessment(answers, shared)


# -- the talk ----------------------------------------------------------------------------


class TalkForm(QuickScanFormBase):
    held_on = Day()
    follow_up_on = Day()
    medical_checked = Checkbox()
    messages: ClassVar[dict[str, str]] = {
        **TEXT_MESSAGES,
        "held_on_required": N_("Enter the day of the talk."),
        "owner": N_("Choose who carries out this agreement."),
        "agreement_text_required": N_("Describe the agreement, or empty its date."),
    }


@dataclass(frozen=True)
class AgreementRow:
    text: str
    owner: str
    due_on: dt.date | None


@dataclass
class Talk:
    summary: str
    agreements: list[AgreementRow]
    rows: int  # how many agreement rows the form shows
    add_row: bool  # "add a row" was pressed: show the form again, save nothing


def agreement_fields(index: int) -> tuple[str, str, str]:
    return f"agreement_{index}_text", f"agreement_{index}_owner", f"agreement_{index}_due"


def posted_rows(values: FormValues) -> int:
    raw = first(values, "rows", 4).strip()
    rows = int(raw) if raw.isascii() and raw.isdigit() else AGREEMENT_ROWS
    return max(1, min(rows, MAX_AGREEMENT_ROWS))


def read_talk(values: FormValues) -> tuple[Checked, Talk]:
    form = TalkForm.read(values)
    if form["held_on"] is None and not any(p.field == "held_on" for p in form.problems):
        form.add("held_on_required", field="held_on")
    summary = read_text(form, values, "summary", SUMMARY_LENGTH)
    texts = {"summary": summary}
    rows = posted_rows(values)
    agreements = []
    for index in range(rows):
        text_name, owner_name, due_name = agreement_fields(index)
        text = read_text(form, values, text_name, AGREEMENT_LENGTH)
        texts[text_name] = text
        form.typed[owner_name] = first(values, owner_name, 20)
        form.typed[due_name] = first(values, due_name, 20)
        try:
            due_on = Day().read(due_name, values)
        except FieldProblem as problem:
            form.add(problem.code, field=due_name)
            continue
        if not text:
            if due_on is not None:
                form.add("agreement_text_required", field=text_name)
            continue
        try:
            owner = Choice(frozenset(OWNERS), problem="owner").read(owner_name, values)
        except FieldProblem as problem:
            form.add(problem.code, field=owner_name)
            continue
        agreements.append(AgreementRow(text, owner, due_on))
    add_row = bool(first(values, "add_row", 4))
    if add_row:
        rows = min(rows + 1, MAX_AGREEMENT_ROWS)
    checked = Checked(form, medical_checked=bool(form["medical_checked"]))
    return check_medical(checked, texts), Talk(summary, agreements, rows, add_row)


# -- the reaction and the small forms --------------------------------------------------------


class ConfirmForm(QuickScanFormBase):
    medical_checked = Checkbox()


def read_confirm(values: FormValues) -> tuple[Checked, str]:
    form = ConfirmForm.read(values)
    reaction = read_text(form, values, "reaction", REACTION_LENGTH)
    checked = Checked(form, medical_checked=bool(form["medical_checked"]))
    return check_medical(checked, {"reaction": reaction}), reaction


class DoneForm(Form):
    done = Choice(frozenset({"1", "0"}))


class GrantForm(Form):
    manager = Text(max_length=12, strip=True, required="incomplete")
    allow = Choice(frozenset({"1", "0"}))


class PlanForm(Form):
    employee = Text(max_length=64, strip=True, required="employee_required")
    talk_on = Day()
    messages: ClassVar[dict[str, str]] = {
        "employee_required": N_("Choose the person you plan the conversation with."),
        "not_a_report": N_("This person is not one of the people you are a manager of."),
    }


def checked_field(values: FormValues) -> tuple[str, str]:
    """The live check's field name and its text: the field ``field`` names (when it is a
    plain field name), else the field ``text``."""
    name = first(values, "field", 64)
    if not FIELD_NAME.fullmatch(name):
        name = "text"
    return name, first(values, name, READ_LIMIT)
