"""The OpenAPI description of the answer form, which the survey's handlers read themselves
(the schema drives tests/test_fuzz.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from litestar.enums import RequestEncodingType
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema

from surveys import load_templates

# Printable text: validation refuses control characters other than tab and line breaks.
_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _question_schema(question: Any) -> Schema:
    if question.is_numeric:
        return Schema(type="integer", minimum=question.min_value, maximum=question.max_value)
    if question.type == "text":
        return Schema(type="string", max_length=question.max_length, pattern=_TEXT_PATTERN)
    options = [option.key for option in question.options]
    if question.type == "multiple_choice":
        # A form sends one value as a single field and several as repeated fields, so one
        # option is a string or a list. A repeated option counts once (surveys/FORMAT.md):
        # neither repeats nor the number of values is a property of the form; the server
        # counts distinct options against the question's limits and answers 422.
        return Schema(
            any_of=[
                Schema(type="string", enum=options),
                Schema(type="array", items=Schema(type="string", enum=options)),
            ],
            description="One or more of the options; a repeated option counts once.",
        )
    return Schema(type="string", enum=options)


@cache
def answers_form_schema() -> Schema:
    """The answer form: one field per question of the shipped surveys, named by its key.

    Which questions are asked and required depends on the invitation's survey (the
    session), so no field is marked required: the server answers 422 with each field's
    error. Fields that are not questions of the survey are ignored.
    """
    questions = {
        question.key: question
        for template in load_templates().values()
        for question in template.questions
    }
    return Schema(
        type="object",
        properties={key: _question_schema(question) for key, question in questions.items()},
        additional_properties=Schema(type="string"),
    )


@dataclass
class AnswerFormOperation(Operation):
    """Documents the urlencoded answer form, which the handlers read themselves."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={
                RequestEncodingType.URL_ENCODED: OpenAPIMediaType(schema=answers_form_schema())
            },
            description="Answers as a browser posts the form; unknown fields are ignored.",
        )
