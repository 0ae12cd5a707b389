"""Validating untrusted form values against a template's questions.

Errors are codes with parameters, never human text: the web app translates them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveys.model import Question
from surveys.template import Template

REQUIRED = "required"
NOT_A_NUMBER = "not_a_number"
OUT_OF_RANGE = "out_of_range"
UNKNOWN_OPTION = "unknown_option"
TOO_MANY_CHOICES = "too_many_choices"
TOO_FEW_CHOICES = "too_few_choices"
TOO_LONG = "too_long"
INVALID_TEXT = "invalid_text"
MULTIPLE_VALUES = "multiple_values"

ERROR_CODES = (
    REQUIRED,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    UNKNOWN_OPTION,
    TOO_MANY_CHOICES,
    TOO_FEW_CHOICES,
    TOO_LONG,
    INVALID_TEXT,
    MULTIPLE_VALUES,
)

# ASCII digits only: int() would also accept "٣", "+3", " 3" and "1_0".
_INTEGER = re.compile(r"-?[0-9]+")
# Longer digit strings are out of range for any question; checking the length first
# keeps int() away from huge inputs.
_MAX_DIGITS = 6
# A stand-in for form values that are not strings (e.g. an uploaded file): it fails
# every check below, so such a value is reported rather than silently dropped.
_NOT_A_STRING = "\x00"


@dataclass(frozen=True)
class AnswerValue:
    """One stored answer: a number (likert, 0-10), one chosen option, or a text."""

    question_key: str
    number: int | None = None
    choice: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class AnswerError:
    """Why a question's value was rejected: an error code and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def validate_answers(
    template: Template, form: Mapping[str, Sequence[str]]
) -> tuple[list[AnswerValue], dict[str, AnswerError]]:
    """Validate a submitted form against every question of `template`.

    `form` maps field names (question keys) to the raw values sent; fields that are not
    questions (e.g. a CSRF token) are ignored. Returns the answers of every question that
    passed, in question order, and the errors by question key; a question with an error
    contributes no answers.
    """
    answers: list[AnswerValue] = []
    errors: dict[str, AnswerError] = {}
    for question in template.questions:
        values, error = _validate(question, _form_values(form, question.key))
        if error is None:
            answers.extend(values)
        else:
            errors[question.key] = error
    return answers, errors


def validate_answer(
    template: Template, question_key: str, form: Mapping[str, Sequence[str]]
) -> AnswerError | None:
    """Validate one question (for inline validation); raises KeyError for an unknown key."""
    question = template.question(question_key)
    return _validate(question, _form_values(form, question_key))[1]


def _form_values(form: Mapping[str, Sequence[str]], key: str) -> list[str]:
    # A multidict's .get() returns only the first value; getall() returns them all.
    getall = getattr(form, "getall", None)
    raw: Any = getall(key, []) if callable(getall) else form.get(key, [])
    if isinstance(raw, str):
        # A plain str is a Sequence[str] too; iterating it would split it into characters.
        raw = [raw]
    return [value if isinstance(value, str) else _NOT_A_STRING for value in raw]


def _validate(
    question: Question, raw_values: list[str]
) -> tuple[list[AnswerValue], AnswerError | None]:
    if question.type == "text":
        return _validate_text(question, raw_values)
    values = [value.strip() for value in raw_values]
    values = [value for value in values if value]
    if not values:
        return [], AnswerError(REQUIRED) if question.required else None
    if question.type == "multiple_choice":
        return _validate_choices(question, values)
    if len(values) > 1:
        return [], AnswerError(MULTIPLE_VALUES)
    if question.type == "single_choice":
        if question.option(values[0]) is None:
            return [], AnswerError(UNKNOWN_OPTION)
        return [AnswerValue(question.key, choice=values[0])], None
    return _validate_number(question, values[0])


def _validate_number(
    question: Question, value: str
) -> tuple[list[AnswerValue], AnswerError | None]:
    assert question.min_value is not None and question.max_value is not None
    out_of_range = AnswerError(OUT_OF_RANGE, {"min": question.min_value, "max": question.max_value})
    if not _INTEGER.fullmatch(value):
        return [], AnswerError(NOT_A_NUMBER)
    if len(value.lstrip("-")) > _MAX_DIGITS:
        return [], out_of_range
    number = int(value)
    if not question.min_value <= number <= question.max_value:
        return [], out_of_range
    return [AnswerValue(question.key, number=number)], None


def _validate_choices(
    question: Question, values: list[str]
) -> tuple[list[AnswerValue], AnswerError | None]:
    assert question.min_choices is not None and question.max_choices is not None
    # A checkbox cannot be sent twice by a browser; a repeated value counts once.
    chosen = list(dict.fromkeys(values))
    if any(question.option(value) is None for value in chosen):
        return [], AnswerError(UNKNOWN_OPTION)
    if len(chosen) > question.max_choices:
        return [], AnswerError(
            TOO_MANY_CHOICES, {"max": question.max_choices, "count": len(chosen)}
        )
    if len(chosen) < question.min_choices:
        return [], AnswerError(TOO_FEW_CHOICES, {"min": question.min_choices, "count": len(chosen)})
    return [AnswerValue(question.key, choice=value) for value in chosen], None


def _validate_text(
    question: Question, raw_values: list[str]
) -> tuple[list[AnswerValue], AnswerError | None]:
    assert question.max_length is not None
    values = [value for value in raw_values if value.strip()]
    if not values:
        return [], AnswerError(REQUIRED) if question.required else None
    if len(values) > 1:
        return [], AnswerError(MULTIPLE_VALUES)
    text = normalise_text(values[0])
    if not is_clean_text(text):
        return [], AnswerError(INVALID_TEXT)
    text = text.strip()
    if len(text) > question.max_length:
        return [], AnswerError(TOO_LONG, {"max_length": question.max_length, "length": len(text)})
    return [AnswerValue(question.key, text=text)], None


def normalise_text(text: str) -> str:
    """Unify line endings to "\\n" and compose characters (NFC), as stored and counted."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def is_clean_text(text: str) -> bool:
    """False if `text` holds NUL or other control characters (tab and newline are fine),
    or lone surrogates, which cannot be stored as UTF-8."""
    return not any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\n" for char in text
    )


def validate_self_identification(
    template: Template, form: Mapping[str, Sequence[str]]
) -> tuple[tuple[tuple[str, str], ...], dict[str, AnswerError]]:
    """Validate the self-identification answers of `form` against the categories the
    template asks (field `self_id_<category key>`).

    Returns the stated `(category, option)` pairs in the template's order, and the errors
    by field name. A blank or missing value is "I'd rather not say": nothing, and never an
    error (every category is optional).
    """
    stated: list[tuple[str, str]] = []
    errors: dict[str, AnswerError] = {}
    for category in template.self_identification:
        values = [value.strip() for value in _form_values(form, category.field_name)]
        values = [value for value in values if value]
        if not values:
            continue
        if len(values) > 1:
            errors[category.field_name] = AnswerError(MULTIPLE_VALUES)
        elif category.option(values[0]) is None:
            errors[category.field_name] = AnswerError(UNKNOWN_OPTION)
        else:
            stated.append((category.key, values[0]))
    return tuple(stated), errors
