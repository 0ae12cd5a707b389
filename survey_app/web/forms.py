"""Reading posted forms: raw values, and small form classes that turn them into typed values
plus a problem per field.

A form class lists its fields::

    class ScopeForm(Form):
        department = Text(max_length=64, strip=True, required="department_required")
        granted = Choice({"1", "0"}, problem="choose_add_or_remove")
        messages = {"department_required": N_("Enter the code of a department."), ...}

``ScopeForm.read(values)`` gives a `FormData`: the typed values, the problems (each a code
of the form's or the common messages, translated when shown) and what was typed, to show
again. Every field refuses text that no database can store (`survey_app.core.text`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from litestar import Request
from litestar.enums import RequestEncodingType

from survey_app.core.errors import N_, AppError, Problem, Problems
from survey_app.core.i18n import translate
from survey_app.core.text import storable

FormValues = dict[str, list[str]]

_SURROGATES = re.compile("[\ud800-\udfff]")

# Problems any form can have; a form adds its own codes in ``messages``.
COMMON_MESSAGES: dict[str, str] = {
    "unstorable": N_("This field contains characters that cannot be typed."),
    "incomplete": N_("The form was incomplete; nothing was changed."),
    "date": N_("Enter a date as day, month and year."),
    "whole_number": N_("Enter a whole number from {minimum} to {maximum}."),
}


async def form_values(request: Request) -> FormValues:
    """The posted fields. In a urlencoded form, bytes that are not UTF-8 become lone
    surrogates, which answer validation refuses (``invalid_text``, ``not_a_number``): the
    respondent gets the field's error instead of a silently stored U+FFFD."""
    values: FormValues = {}
    if request.content_type[0] == RequestEncodingType.URL_ENCODED:
        body = (await request.body()).decode("utf-8", "surrogateescape")
        for key, value in parse_qsl(body, encoding="utf-8", errors="surrogateescape"):
            values.setdefault(key, []).append(value)
        return values
    form = await request.form()
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def displayable(values: FormValues) -> FormValues:
    """Values to show in the form again: lone surrogates cannot be encoded as UTF-8."""
    return {
        key: [_SURROGATES.sub("\ufffd", value) for value in items] for key, items in values.items()
    }


def first(values: Mapping[str, list[str]], key: str, limit: int = 1000) -> str:
    """The first value of a field, cut to ``limit`` characters ("" when absent)."""
    return (values.get(key) or [""])[0][:limit]


class FieldProblem(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class Field(ABC):
    """A form field: reads its value from the posted values or raises `FieldProblem`."""

    @abstractmethod
    def read(self, name: str, values: Mapping[str, list[str]]) -> Any: ...


@dataclass
class Text(Field):
    """Text of at most ``max_length`` characters (longer input is cut, as browsers do)."""

    max_length: int = 1000
    strip: bool = False
    required: str = ""  # the problem code when empty; "" when the field may be empty

    def read(self, name: str, values: Mapping[str, list[str]]) -> str:
        text = first(values, name, self.max_length)
        if self.strip:
            text = text.strip()
        if not storable(text):
            raise FieldProblem("unstorable")
        if self.required and not text:
            raise FieldProblem(self.required)
        return text


@dataclass
class Checkbox(Field):
    """Ticked or not: browsers send the field only when it is ticked."""

    def read(self, name: str, values: Mapping[str, list[str]]) -> bool:
        return bool(first(values, name, 10))


@dataclass
class Flag(Field):
    """A checkbox after a hidden field of the same name with value 0: the last value is the
    answer. A form without the field was cut short: never read that as "off"."""

    def read(self, name: str, values: Mapping[str, list[str]]) -> bool:
        sent = values.get(name)
        if not sent:
            raise FieldProblem("incomplete")
        return sent[-1] == "1"


@dataclass
class Choice(Field):
    choices: frozenset[str] = frozenset()
    problem: str = "incomplete"

    def read(self, name: str, values: Mapping[str, list[str]]) -> str:
        value = first(values, name, 100)
        if value not in self.choices:
            raise FieldProblem(self.problem)
        return value


@dataclass
class WholeNumber(Field):
    """A whole number from ``minimum`` to ``maximum``, in ASCII digits only (``isdigit``
    also accepts "²", which ``int`` cannot read)."""

    minimum: int = 0
    maximum: int = 2**31 - 1

    def read(self, name: str, values: Mapping[str, list[str]]) -> int:
        text = first(values, name, 20).strip()
        if not (text.isascii() and text.isdigit()) or not self.minimum <= int(text) <= self.maximum:
            raise FieldProblem("whole_number", minimum=self.minimum, maximum=self.maximum)
        return int(text)


@dataclass
class Day(Field):
    """An optional date as ``YYYY-MM-DD`` (what a date input sends); None when empty."""

    def read(self, name: str, values: Mapping[str, list[str]]) -> dt.date | None:
        text = first(values, name, 20).strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldProblem("date") from None


@dataclass
class FormData:
    """What a form read: typed values, problems per field, and what was typed."""

    form: type[Form]
    values: dict[str, Any]
    typed: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    # A service's refusals, each with the field it belongs to; in words when shown.
    refusals: list[tuple[str, Callable[[], str]]] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.refusals

    def add(self, code: str, field: str = "", **params: Any) -> None:
        """A problem found after reading (a rule between fields)."""
        self.problems.append(Problem(code, params, field=field))

    def add_error(self, error: AppError, field: str = "") -> None:
        """A service's refusal, shown at ``field``; several problems each on their own."""
        if isinstance(error, Problems):
            self.refusals.extend(
                (problem.field or field, functools.partial(error.text, problem))
                for problem in error.problems
            )
        else:
            self.refusals.append((field, error.message))

    def messages(self) -> list[tuple[str, str]]:
        """(field, message) in the current language, in the order of the form's fields."""
        found = [
            (problem.field, translate(self.form.all_messages()[problem.code], problem.params))
            for problem in self.problems
        ]
        return found + [(name, text()) for name, text in self.refusals]

    def by_field(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for name, message in self.messages():
            grouped.setdefault(name, []).append(message)
        return grouped


class Form:
    """A set of named fields; subclasses declare them as class attributes."""

    messages: ClassVar[dict[str, str]] = {}
    fields: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.fields = {name: value for name, value in vars(cls).items() if isinstance(value, Field)}

    @classmethod
    def all_messages(cls) -> dict[str, str]:
        return {**COMMON_MESSAGES, **cls.messages}

    @classmethod
    def read(cls, values: Mapping[str, list[str]]) -> FormData:
        typed_values: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, each in cls.fields.items():
            try:
                typed_values[name] = each.read(name, values)
            except FieldProblem as problem:
                typed_values[name] = None
                problems.append(Problem(problem.code, problem.params, field=name))
        shown = displayable({name: list(values.get(name, [""]))[:1] for name in cls.fields})
        return FormData(
            form=cls,
            values=typed_values,
            typed={name: items[0] if items else "" for name, items in shown.items()},
            problems=problems,
        )
