"""Every error code from ``analysis`` has its own message in both languages in the CLI."""

from __future__ import annotations

import string

import pytest

from analysis.csvdata import CsvDataError
from analysis.errors import ERROR_CODES, MESSAGES, AnalysisError
from survey_app.analyze.messages import analysis_error_message
from survey_app.core.i18n import current_language


def example(code: str) -> AnalysisError:
    """The error with a distinct, recognisable value for each of its parameters."""
    names = [name for _, name, _, _ in string.Formatter().parse(MESSAGES[code]) if name]
    return AnalysisError(code, **{name: f"<{name}-{i}>" for i, name in enumerate(names)})


def unknown(like: AnalysisError) -> AnalysisError:
    """An error with a code the CLI does not know and the same English text as ``like``."""
    error = AnalysisError.__new__(AnalysisError)
    ValueError.__init__(error, str(like))
    error.code, error.params = "no-such-code", like.params
    return error


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("code", ERROR_CODES)
def test_each_error_code_has_a_specific_message(code: str, language: str) -> None:
    error = example(code)
    token = current_language.set(language)
    try:
        generic = analysis_error_message(unknown(error))
        message = analysis_error_message(error)
    finally:
        current_language.reset(token)
    assert message != generic
    assert "{" not in message
    for value in error.params.values():
        assert value in message


@pytest.mark.parametrize("language", ["nl", "en"])
def test_line_and_column_come_first(language: str) -> None:
    error = CsvDataError("not_a_number", 7, "q3", value="x")
    assert str(error) == "line 7, column 'q3': 'x' is not a number"
    token = current_language.set(language)
    try:
        message = analysis_error_message(error)
    finally:
        current_language.reset(token)
    assert "7" in message and "'q3'" in message and "'x'" in message
    assert message.startswith({"nl": "regel 7", "en": "line 7"}[language])


def test_library_users_get_english_text_and_a_value_error() -> None:
    error = AnalysisError("outside_range", value=7, min=1, max=5)
    assert isinstance(error, ValueError)
    assert str(error) == "7 is outside the range 1-5"
    assert (error.code, error.params) == ("outside_range", {"value": 7, "min": 1, "max": 5})
