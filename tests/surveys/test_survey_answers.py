"""validate_answers turns untrusted form values into answers or error codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys import AnswerError, AnswerValue, load_bank, load_template, validate_answer
from surveys import validate_answers as validate
from surveys.answers import ERROR_CODES

BANK = """
[label_sets.agreement]
1 = { nl = "Helemaal oneens", en = "Strongly disagree" }
2 = { nl = "Oneens", en = "Disagree" }
3 = { nl = "Neutraal", en = "Neutral" }
4 = { nl = "Eens", en = "Agree" }
5 = { nl = "Helemaal eens", en = "Strongly agree" }

[[questions]]
key = "enjoy"
type = "likert"
labels = "agreement"
text = { nl = "Ik heb plezier in mijn werk.", en = "I enjoy my work." }

[[questions]]
key = "recommend"
type = "scale"
required = false
text = { nl = "Aanbevelen?", en = "Recommend?" }
min_label = { nl = "Nee", en = "No" }
max_label = { nl = "Ja", en = "Yes" }

[[questions]]
key = "location"
type = "single_choice"
text = { nl = "Waar werk je?", en = "Where do you work?" }
options = [
    { key = "office", label = { nl = "Kantoor", en = "Office" } },
    { key = "home", label = { nl = "Thuis", en = "Home" } },
]

[[questions]]
key = "tools"
type = "multiple_choice"
required = false
min_choices = 2
max_choices = 3
text = { nl = "Welke middelen gebruik je?", en = "Which tools do you use?" }
options = [
    { key = "laptop", label = { nl = "Laptop", en = "Laptop" } },
    { key = "phone", label = { nl = "Telefoon", en = "Phone" } },
    { key = "tablet", label = { nl = "Tablet", en = "Tablet" } },
    { key = "paper", label = { nl = "Papier", en = "Paper" } },
]

[[questions]]
key = "teams"
type = "multiple_choice"
text = { nl = "In welke teams werk je?", en = "Which teams do you work in?" }
options = [
    { key = "north", label = { nl = "Noord", en = "North" } },
    { key = "south", label = { nl = "Zuid", en = "South" } },
]

[[questions]]
key = "comment"
type = "text"
text = { nl = "Opmerking", en = "Comment" }

[[questions]]
key = "summary"
type = "text"
required = true
max_length = 20
text = { nl = "Samenvatting", en = "Summary" }
"""

TEMPLATE = """
key = "all_types"
version = 1
kind = "quickscan"
title = { nl = "Alles", en = "Everything" }
intro = { nl = "Welkom", en = "Welcome" }

[[sections]]
heading = { nl = "Vragen", en = "Questions" }
questions = ["enjoy", "recommend", "location", "tools", "teams", "comment", "summary"]
"""

VALID = {
    "enjoy": ["4"],
    "recommend": ["9"],
    "location": ["home"],
    "tools": ["laptop", "phone"],
    "teams": ["south"],
    "comment": ["Prima zo."],
    "summary": ["Goed"],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    directory: Path = tmp_path_factory.mktemp("definitions")
    (directory / "bank.toml").write_text(BANK, encoding="utf-8")
    (directory / "all_types.toml").write_text(TEMPLATE, encoding="utf-8")
    return load_template("all_types", bank=load_bank(directory / "bank.toml"), directory=directory)


def with_values(**fields: list[str] | str) -> dict:
    return {**VALID, **fields}


def error_for(template, key: str, *values: str) -> AnswerError | None:
    return validate_answer(template, key, with_values(**{key: list(values)}))


def answers_for(template, key: str, *values: str) -> list[AnswerValue]:
    answers, errors = validate(template, with_values(**{key: list(values)}))
    assert key not in errors
    return [answer for answer in answers if answer.question_key == key]


def test_a_complete_valid_form_gives_one_answer_per_value_in_question_order(template):
    answers, errors = validate(template, VALID)
    assert errors == {}
    assert answers == [
        AnswerValue("enjoy", number=4),
        AnswerValue("recommend", number=9),
        AnswerValue("location", choice="home"),
        AnswerValue("tools", choice="laptop"),
        AnswerValue("tools", choice="phone"),
        AnswerValue("teams", choice="south"),
        AnswerValue("comment", text="Prima zo."),
        AnswerValue("summary", text="Goed"),
    ]


def test_fields_that_are_not_questions_are_ignored(template):
    form = with_values(_csrf_token=["abc"], submit=["Verstuur"], enjoy_extra=["x"])
    assert validate(template, form) == validate(template, VALID)


def test_an_empty_form_reports_only_required_questions(template):
    answers, errors = validate(template, {})
    assert answers == []
    assert errors == {
        "enjoy": AnswerError("required"),
        "location": AnswerError("required"),
        "teams": AnswerError("required"),
        "summary": AnswerError("required"),
    }


@pytest.mark.parametrize("values", [[], [""], ["   "], ["", " \t "]])
def test_missing_empty_or_blank_value_of_a_required_question(template, values):
    assert error_for(template, "enjoy", *values) == AnswerError("required")


@pytest.mark.parametrize("values", [[], [""], ["  "]])
def test_missing_or_blank_optional_question_is_skipped_without_error(template, values):
    answers, errors = validate(template, with_values(recommend=values))
    assert "recommend" not in errors
    assert all(answer.question_key != "recommend" for answer in answers)


@pytest.mark.parametrize(("raw", "number"), [("1", 1), ("5", 5), (" 4 ", 4), ("3\n", 3)])
def test_likert_accepts_whole_numbers_with_surrounding_whitespace(template, raw, number):
    assert answers_for(template, "enjoy", raw) == [AnswerValue("enjoy", number=number)]


@pytest.mark.parametrize(
    "raw", ["3.0", "3,0", "drie", "+4", "1_0", "4\x00", "0x4", "٣", "４", "3 4", "-"]
)
def test_likert_rejects_what_is_not_a_plain_whole_number(template, raw):
    assert error_for(template, "enjoy", raw) == AnswerError("not_a_number")


@pytest.mark.parametrize("raw", ["6", "0", "-1", "-0005", "99999999999999999999" * 300])
def test_likert_rejects_numbers_outside_1_to_5(template, raw):
    assert error_for(template, "enjoy", raw) == AnswerError("out_of_range", {"min": 1, "max": 5})


def test_scale_accepts_0_and_10_and_rejects_11(template):
    assert answers_for(template, "recommend", "0") == [AnswerValue("recommend", number=0)]
    assert answers_for(template, "recommend", "10") == [AnswerValue("recommend", number=10)]
    assert error_for(template, "recommend", "11") == AnswerError(
        "out_of_range", {"min": 0, "max": 10}
    )


@pytest.mark.parametrize("key", ["enjoy", "recommend", "location", "comment"])
def test_several_values_for_a_single_valued_question(template, key):
    error = validate_answer(template, key, {key: ["4", "5"]})
    assert error == AnswerError("multiple_values")


def test_several_values_of_which_only_one_is_non_blank_count_as_one(template):
    assert answers_for(template, "enjoy", "", "4", " ") == [AnswerValue("enjoy", number=4)]


def test_single_choice_accepts_an_option_key(template):
    assert answers_for(template, "location", " office ") == [
        AnswerValue("location", choice="office")
    ]


@pytest.mark.parametrize("raw", ["attic", "Office", "1", "office\x00"])
def test_single_choice_rejects_unknown_options(template, raw):
    assert error_for(template, "location", raw) == AnswerError("unknown_option")


def test_multiple_choice_gives_one_answer_per_chosen_option(template):
    assert answers_for(template, "tools", "laptop", "phone", "paper") == [
        AnswerValue("tools", choice="laptop"),
        AnswerValue("tools", choice="phone"),
        AnswerValue("tools", choice="paper"),
    ]


def test_multiple_choice_counts_a_repeated_option_once(template):
    assert answers_for(template, "tools", "laptop", "phone", "laptop") == [
        AnswerValue("tools", choice="laptop"),
        AnswerValue("tools", choice="phone"),
    ]
    assert error_for(template, "tools", "laptop", "laptop") == AnswerError(
        "too_few_choices", {"min": 2, "count": 1}
    )


def test_multiple_choice_limits(template):
    assert error_for(template, "tools", "laptop", "phone", "tablet", "paper") == AnswerError(
        "too_many_choices", {"max": 3, "count": 4}
    )
    assert error_for(template, "tools", "laptop") == AnswerError(
        "too_few_choices", {"min": 2, "count": 1}
    )


def test_multiple_choice_with_an_unknown_option(template):
    assert error_for(template, "tools", "laptop", "fax") == AnswerError("unknown_option")


def test_required_multiple_choice_without_choices(template):
    assert error_for(template, "teams") == AnswerError("required")
    assert error_for(template, "teams", "") == AnswerError("required")


def test_text_is_stripped_and_line_endings_normalised(template):
    assert answers_for(template, "comment", "  Eerste\r\nTweede\rDerde\n\tvier  \n") == [
        AnswerValue("comment", text="Eerste\nTweede\nDerde\n\tvier")
    ]


def test_text_is_unicode_normalised_before_counting(template):
    decomposed = "Cafe\u0301 " * 4  # "Café " with a combining accent: 6 code points each
    assert answers_for(template, "summary", decomposed) == [
        AnswerValue("summary", text=("Caf\u00e9 " * 4).strip())
    ]


def test_text_at_the_limit_passes_and_one_more_is_too_long(template):
    assert answers_for(template, "summary", "x" * 20) == [AnswerValue("summary", text="x" * 20)]
    assert error_for(template, "summary", "x" * 21) == AnswerError(
        "too_long", {"max_length": 20, "length": 21}
    )


def test_crlf_line_breaks_count_as_one_character(template):
    assert answers_for(template, "summary", "ab\r\n" * 6 + "cd") == [
        AnswerValue("summary", text="ab\n" * 6 + "cd")
    ]


def test_ten_thousand_characters_are_too_long_for_the_default_limit(template):
    assert error_for(template, "comment", "a" * 10_000) == AnswerError(
        "too_long", {"max_length": 1000, "length": 10_000}
    )


@pytest.mark.parametrize("raw", ["Goed\x00", "\x00", "bel\x07", "esc\x1b[31m", "nul\x7f", "\ud800"])
def test_text_with_nul_or_control_characters_is_invalid(template, raw):
    assert error_for(template, "summary", raw) == AnswerError("invalid_text")


def test_blank_optional_text_is_skipped_and_required_text_is_required(template):
    answers, errors = validate(template, with_values(comment=["  \r\n "], summary=[" "]))
    assert all(answer.question_key != "comment" for answer in answers)
    assert "comment" not in errors
    assert errors == {"summary": AnswerError("required")}


def test_valid_answers_are_kept_when_other_questions_have_errors(template):
    answers, errors = validate(template, with_values(enjoy=["6"], tools=["laptop", "fax"]))
    assert set(errors) == {"enjoy", "tools"}
    assert [answer.question_key for answer in answers] == [
        "recommend",
        "location",
        "teams",
        "comment",
        "summary",
    ]


def test_a_plain_string_value_is_one_value_not_a_sequence_of_characters(template):
    answers, errors = validate(template, with_values(enjoy="4", teams="south"))
    assert errors == {}
    assert AnswerValue("enjoy", number=4) in answers
    assert validate_answer(template, "enjoy", {"enjoy": "45"}) == AnswerError(
        "out_of_range", {"min": 1, "max": 5}
    )


def test_a_multidict_form_is_read_with_all_its_values(template):
    class MultiDict(dict):
        def getall(self, key, default):
            return {"tools": ["laptop", "phone", "tablet"]}.get(key, default)

    assert validate_answer(template, "tools", MultiDict(tools="laptop")) is None
    answers, _ = validate(template, MultiDict(tools="laptop"))
    assert [a.choice for a in answers if a.question_key == "tools"] == ["laptop", "phone", "tablet"]


def test_values_that_are_not_strings_are_rejected(template):
    assert error_for(template, "enjoy", b"4") == AnswerError("not_a_number")  # type: ignore[arg-type]
    assert error_for(template, "location", None) == AnswerError("unknown_option")  # type: ignore[arg-type]
    assert error_for(template, "summary", 42) == AnswerError("invalid_text")  # type: ignore[arg-type]


def test_validate_answer_checks_one_question_only(template):
    assert validate_answer(template, "enjoy", {"enjoy": ["5"]}) is None
    assert validate_answer(template, "enjoy", {}) == AnswerError("required")


def test_validate_answer_for_an_unknown_question(template):
    with pytest.raises(KeyError):
        validate_answer(template, "csrf_token", {"csrf_token": ["x"]})


def test_every_error_code_is_documented_in_the_format():
    document = (Path(__file__).parents[2] / "surveys" / "FORMAT.md").read_text(encoding="utf-8")
    for code in ERROR_CODES:
        assert f"| `{code}` |" in document


def test_the_shipped_pulse_accepts_a_full_answer():
    pulse = load_template("pulse")
    form = {question.key: ["4"] for question in pulse.questions if question.type == "likert"}
    form["enps"] = ["8"]
    answers, errors = validate(pulse, form)
    assert errors == {}
    assert len(answers) == len(pulse.questions) - 1  # the open question was left empty
