"""`surveys.build_question`: one question outside the bank files, checked by the bank's rules."""

from __future__ import annotations

import pytest

from surveys import DefinitionError, build_question, load_bank


def test_a_question_in_the_bank_format_is_built_with_the_bank_label_sets() -> None:
    question = build_question(
        {"key": "own_1", "type": "likert", "labels": "frequency", "text": {"nl": "A", "en": "B"}}
    )
    assert question.options[0].label("en") == load_bank().label_sets["frequency"].labels[0].en
    assert (question.min_value, question.max_value, question.required) == (1, 5, True)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"key": "own_1", "type": "likert", "labels": "agreement", "text": {"nl": "A"}}, "en"),
        (
            {"key": "own_1", "type": "likert", "labels": "nope", "text": {"nl": "A", "en": "B"}},
            "nope",
        ),
        ({"key": "Own 1", "type": "text", "text": {"nl": "A", "en": "B"}}, "Own 1"),
        ({"key": "own_1", "type": "essay", "text": {"nl": "A", "en": "B"}}, "essay"),
    ],
)
def test_what_the_bank_refuses_is_refused(table: dict, problem: str) -> None:
    with pytest.raises(DefinitionError) as refused:
        build_question(table)
    assert problem in str(refused.value)
