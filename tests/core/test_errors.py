"""The error model: codes with parameters, translated where they are shown."""

from __future__ import annotations

import contextvars
from typing import ClassVar

import pytest

from survey_app.core.errors import N_, Invalid, NotFound, Problem, Problems
from survey_app.core.i18n import current_language, translate
from survey_app.waves.service import WaveError, WaveNotFound


def shown_in(language: str, show) -> str:
    """``show()`` as it reads in ``language`` (in a copy of the context)."""

    def run() -> str:
        current_language.set(language)
        return show()

    return contextvars.copy_context().run(run)


def test_the_message_is_translated_when_shown_not_when_raised() -> None:
    error = WaveError("unknown_department", code="NOPE")
    assert shown_in("en", error.message) == "Unknown department code: NOPE"
    assert shown_in("nl", error.message) == "Onbekende afdelingscode: NOPE"
    assert shown_in("nl", lambda: str(error)) == "Onbekende afdelingscode: NOPE"


def test_the_class_says_the_status() -> None:
    assert WaveError("title_required").status == 422
    assert WaveNotFound("unknown_wave", id="x").status == 404
    assert isinstance(WaveNotFound("unknown_wave", id="x"), NotFound)


def test_an_unknown_code_is_a_bug_not_a_message() -> None:
    with pytest.raises(ValueError, match="no message for code"):
        WaveError("no_such_code")


class FormProblems(Problems):
    messages: ClassVar[dict[str, str]] = {
        "required": N_("A name is required."),
        "taken": N_("The user name {username} is already taken."),
    }


def test_several_problems_by_field_and_line() -> None:
    error = FormProblems(
        [
            Problem("required", field="display_name"),
            Problem("taken", {"username": "anna"}, field="username", line=3),
        ]
    )
    assert isinstance(error, Invalid) and error.status == 422
    assert shown_in("en", error.by_field) == {
        "display_name": ["A name is required."],
        "username": ["The user name anna is already taken."],
    }
    assert shown_in("nl", lambda: error.text(error.problems[1])) == (
        "De gebruikersnaam anna is al in gebruik."
    )
    with pytest.raises(ValueError, match="no message for codes"):
        FormProblems([Problem("nope")])


def test_a_message_with_missing_parameters_still_says_something() -> None:
    assert shown_in("en", lambda: translate("Unknown wave: {id}", {"id": 5})) == "Unknown wave: 5"
    assert shown_in("nl", lambda: translate("Unknown wave: {id}", {})) == "Unknown wave: {id}"
