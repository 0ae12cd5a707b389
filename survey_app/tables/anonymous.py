"""The anonymous side: what was answered, never by whom, in what order or when.

Nothing here may reference an employee or an invitation, carry a shared id, or hold a time
at all; ``tests/test_schema.py`` inspects the real database schema and fails when that rule
is broken. A submitted questionnaire first waits sealed (encrypted with a key derived from
the application's secret) in `SealedResponse`; it is released into `Response` and `Answer`
together with at least the group minimum of others of its response group, in shuffled
order, in a transaction of its own (`survey_app.responding.release`). On SQLite these two
tables have no insertion-ordered rowid (migration 0007), on PostgreSQL a batch shares one
transaction id. A respondent's self-identification (issue 16, only with consent) is
released the same way into `SelfIdentification`.

Only `survey_app.responding` (writing), `survey_app.results` (reading, through the anonymity
gate) and `survey_app.demo` (fictional data) import this module;
``tests/test_architecture.py`` enforces that.
"""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, Bytea, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from survey_app.tables.identity import Wave

# --- anonymous side ------------------------------------------------------------------------


class Response(Table):
    """One released questionnaire: a random id and the response group's department path."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    department_path = Text()


class Answer(Table):
    """One answered question of a response (one row per chosen option for multiple choice)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    response = ForeignKey(Response, null=False, index=True, on_delete=OnDelete.cascade)
    question_key = Varchar(length=64)
    number = Integer(null=True, default=None)
    choice = Varchar(length=64, null=True, default=None)
    text = Text(null=True, default=None)


class SelfIdentification(Table):
    """One self-identified category of a released response (never prefilled, only with
    consent): e.g. ``age_band`` = ``35_44``. "I'd rather not say" is no row at all.

    Released with its response, in the same shuffled batch; on SQLite ``WITHOUT ROWID``
    (migration 0013).
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    response = ForeignKey(Response, null=False, index=True, on_delete=OnDelete.cascade)
    category = Varchar(length=64)
    value = Varchar(length=64)


class SealedResponse(Table):
    """A submitted questionnaire waiting for release: its group and answers, encrypted.

    ``group_tag`` is a keyed digest of the response group (which sealed rows belong
    together, not which group); ``sealed`` is AES-GCM ciphertext padded to a whole number of
    blocks (`survey_app.core.sealing`), so its length hardly varies with the answers.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    group_tag = Varchar(length=64, index=True)
    sealed = Bytea()


class ThemeHistory(Table, tablename="theme_history"):
    """The discovered themes known after a closed wave's comments were analysed (with the
    comment minimum then in force): `analysis.text.continuity.KnownThemes` as JSON, each
    theme's id, label and terms, words that at least the comment minimum of commenters
    wrote and the results pages show anyway. Nothing else from the comments: no quote, no
    count, no assignment. The next wave of the same survey starts from it, so that a
    discovered theme keeps its id (`survey_app.results.themes`); one row per wave and
    comment minimum, written once.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    # Unique with the comment minimum (migration 0015), which also indexes it.
    wave = ForeignKey(Wave, null=False, on_delete=OnDelete.cascade)
    comment_minimum = Integer()
    known = JSON()


ANONYMOUS_TABLES: tuple[type[Table], ...] = (
    Response,
    Answer,
    SealedResponse,
    SelfIdentification,
    ThemeHistory,
)
