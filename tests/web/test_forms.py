"""Form classes: posted values to typed values, and a problem per field."""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import ClassVar

from survey_app.accounts.passwords import PasswordProblems, check_policy
from survey_app.core.errors import N_
from survey_app.core.i18n import current_language
from survey_app.web.forms import Checkbox, Choice, Day, Flag, Form, Text, WholeNumber


class ExampleForm(Form):
    name = Text(max_length=10, strip=True, required="name_required")
    note = Text(max_length=100)
    agree = Checkbox()
    active = Flag()
    colour = Choice(frozenset({"red", "blue"}), problem="choose_colour")
    size = WholeNumber(minimum=3, maximum=100)
    since = Day()
    messages: ClassVar[dict[str, str]] = {
        "name_required": N_("A name is required."),
        "choose_colour": N_("Choose one of the options shown."),
    }


GOOD = {
    "name": ["  Anna  "],
    "note": ["hallo"],
    "agree": ["1"],
    "active": ["0", "1"],
    "colour": ["red"],
    "size": ["12"],
    "since": ["2026-12-01"],
}


def in_language(language: str, function):
    def run():
        current_language.set(language)
        return function()

    return contextvars.copy_context().run(run)


def test_good_values_become_typed_values() -> None:
    form = ExampleForm.read(GOOD)
    assert form.ok
    assert form.values == {
        "name": "Anna",
        "note": "hallo",
        "agree": True,
        "active": True,
        "colour": "red",
        "size": 12,
        "since": dt.date(2026, 12, 1),
    }


def test_each_bad_field_has_its_own_problem_in_the_readers_language() -> None:
    form = ExampleForm.read(
        {
            "name": ["   "],
            "note": ["a\x00b"],
            "colour": ["green"],
            "size": ["²"],
            "since": ["31-02-2026"],
        }
    )
    assert not form.ok
    english = in_language("en", form.by_field)
    assert english == {
        "name": ["A name is required."],
        "note": ["This field contains characters that cannot be typed."],
        "active": ["The form was incomplete; nothing was changed."],
        "colour": ["Choose one of the options shown."],
        "size": ["Enter a whole number from 3 to 100."],
        "since": ["Enter a date as day, month and year."],
    }
    dutch = in_language("nl", form.by_field)
    assert dutch["size"] == ["Vul een heel getal in van 3 tot en met 100."]
    assert form.typed["note"] == "a\x00b" and form.typed["name"] == "   "


def test_text_is_cut_at_its_length_and_undecodable_bytes_are_refused() -> None:
    form = ExampleForm.read({**GOOD, "name": ["Annabel Langenaam"], "note": ["\udcff"]})
    assert form["name"] == "Annabel La"
    assert [field for field, _message in form.messages()] == ["note"]
    assert form.typed["note"] == "\ufffd"  # shown again without the lone surrogate


def test_a_services_problems_join_the_forms() -> None:
    form = ExampleForm.read(GOOD)
    try:
        check_policy("kort")
    except PasswordProblems as problems:
        form.add_error(problems, field="note")
    assert not form.ok
    assert in_language("en", form.messages)[0] == (
        "note",
        "Use at least 12 characters (this one has 4).",
    )
