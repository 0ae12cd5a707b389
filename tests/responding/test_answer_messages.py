"""Every answer error code from ``surveys`` has its own message in both languages."""

from __future__ import annotations

import pytest

from survey_app.core.i18n import current_language
from survey_app.responding.controllers import answer_error_message
from surveys import AnswerError
from surveys.answers import ERROR_CODES

PARAMS = {
    "out_of_range": {"min": 1, "max": 5},
    "too_many_choices": {"max": 2, "count": 3},
    "too_few_choices": {"min": 2, "count": 1},
    "too_long": {"max_length": 1000, "length": 1200},
}

# The numbers a person needs to correct the answer.
SHOWN = {
    "out_of_range": ("1", "5"),
    "too_many_choices": ("2",),
    "too_few_choices": ("2",),
    "too_long": ("1000", "1200"),
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("code", ERROR_CODES)
def test_each_error_code_has_a_specific_message(code: str, language: str) -> None:
    token = current_language.set(language)
    try:
        generic = answer_error_message(AnswerError("no-such-code", {}))
        message = answer_error_message(AnswerError(code, PARAMS.get(code, {})))
    finally:
        current_language.reset(token)
    assert message != generic
    assert "{" not in message
    for number in SHOWN.get(code, ()):
        assert number in message
