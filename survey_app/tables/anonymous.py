"""The anonymous side: what was answered, never by whom.

Nothing here may reference an employee or an invitation, carry a shared id, or hold a
time finer than a day; ``tests/test_schema.py`` inspects the real database schema and fails
when that rule is broken. Only `survey_app.responding` (writing), `survey_app.results`
(reading, through the anonymity gate) and `survey_app.demo` (fictional data) import this
module; ``tests/test_architecture.py`` enforces that.
"""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, Date, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from survey_app.tables.identity import Department, Wave

# --- anonymous side ------------------------------------------------------------------------


class Response(Table):
    """One submitted questionnaire. Random id, department snapshot, day bucket only."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    department_path = Text()
    submitted_on = Date()


class Answer(Table):
    """One answered question of a response (one row per chosen option for multiple choice)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    response = ForeignKey(Response, null=False, index=True, on_delete=OnDelete.cascade)
    question_key = Varchar(length=64)
    number = Integer(null=True, default=None)
    choice = Varchar(length=64, null=True, default=None)
    text = Text(null=True, default=None)


ANONYMOUS_TABLES: tuple[type[Table], ...] = (Response, Answer)
