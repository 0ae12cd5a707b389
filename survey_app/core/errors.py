"""The one error model: a code with parameters, translated where it is shown.

Services raise an `AppError` subclass with a code and parameters; each subclass lists its
codes with their English text (marked with `N_` for the catalogues), and the message is
translated only when it is shown: on a page in the visitor's language, on the command line
in the run's language. The web layer's one exception handler (`survey_app.web.errors`)
maps the class to a status and a page. Several problems at once (an import file, a
password, a form) are one `Problems` error with a `Problem` each, by line or by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from survey_app.core.i18n import translate


def N_(message: str) -> str:
    """Marks a message for the catalogues; it is translated later, where it is shown."""
    return message


class AppError(Exception):
    """A problem a person can fix or must be told about; never a bug."""

    status: ClassVar[int] = 400
    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, /, **params: Any) -> None:
        if code not in self.messages:
            raise ValueError(f"{type(self).__name__} has no message for code {code!r}")
        self.code = code
        self.params = params
        super().__init__(code, params)

    def message(self) -> str:
        """The message in the current language."""
        return translate(self.messages[self.code], self.params)

    def __str__(self) -> str:
        return self.message()


class Invalid(AppError):
    """What was asked cannot be done with these values (a form or command is wrong)."""

    status = 422


class NotFound(AppError):
    status = 404


class Forbidden(AppError):
    status = 403


class Conflict(AppError):
    """The thing is not in a state that allows this (closed, used, taken)."""

    status = 409


@dataclass(frozen=True)
class Problem:
    """One problem of several: a code and parameters, at a form field or a file line."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    field: str = ""
    line: int | None = None


class Problems(Invalid):
    """Everything wrong with one input at once. Subclasses list the codes in `messages`."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        unknown = [problem.code for problem in self.problems if problem.code not in self.messages]
        if unknown:
            raise ValueError(f"{type(self).__name__} has no message for codes {unknown}")
        Exception.__init__(self, [problem.code for problem in self.problems])
        self.code = "problems"
        self.params = {}

    def text(self, problem: Problem) -> str:
        return translate(self.messages[problem.code], problem.params)

    def texts(self) -> list[str]:
        return [self.text(problem) for problem in self.problems]

    def by_field(self) -> dict[str, list[str]]:
        """Messages per form field ("" for the form as a whole)."""
        found: dict[str, list[str]] = {}
        for problem in self.problems:
            found.setdefault(problem.field, []).append(self.text(problem))
        return found

    def message(self) -> str:
        return " ".join(self.texts())
