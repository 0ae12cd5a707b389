"""The anonymous side of the schema cannot link a response to a person, a moment or an order.

This inspects the real database (SQLite or PostgreSQL), not the Python table classes, so a
migration that adds a linking column fails here even if the table class looks innocent.
"""

from __future__ import annotations

import re

import pytest

from survey_app.core.db import current_engine
from survey_app.tables.anonymous import ANONYMOUS_TABLES

# Every column an anonymous table may have, with the kind of value it holds. A new column
# must be reviewed for linkability and added here on purpose.
ALLOWED_COLUMNS = {
    "response": {
        "id": "uuid",
        "wave": "integer",
        "department_path": "text",
    },
    "answer": {
        "id": "uuid",
        "response": "uuid",
        "question_key": "text",
        "number": "integer",
        "choice": "text",
        "text": "text",
    },
    "self_identification": {
        "id": "uuid",
        "response": "uuid",
        "category": "text",
        "value": "text",
    },
    "sealed_response": {
        "id": "uuid",
        "wave": "integer",
        "group_tag": "text",
        "sealed": "bytes",
    },
    # Derived from the comments: the themes known after a closed wave (shown words only;
    # tests/results/test_theme_waves.py), one row per wave and comment minimum.
    "theme_history": {
        "id": "uuid",
        "wave": "integer",
        "comment_minimum": "integer",
        "known": "json",
    },
}
# Anonymous rows may refer to these tables only.
ALLOWED_REFERENCES = {"wave", "response"}
LINKING_NAME = re.compile(
    r"employee|invitation|token|person|user|email|name$|ip|agent|address|session|_at$|time",
    re.IGNORECASE,
)
TIME_OF_ANY_KIND = re.compile(r"time|interval|date", re.IGNORECASE)


def kind_of(declared_type: str) -> str:
    declared = declared_type.lower()
    if "timestamp" in declared or "time" in declared or "interval" in declared:
        return "time"
    if "uuid" in declared:
        return "uuid"
    if declared == "date":
        return "date"
    if "int" in declared or "serial" in declared:
        return "integer"
    if "char" in declared or "text" in declared:
        return "text"
    if declared in {"blob", "bytea"}:
        return "bytes"
    return declared


async def real_columns(table: str) -> dict[str, str]:
    engine = current_engine()
    if engine.engine_type == "sqlite":
        rows = await engine.run_ddl(f'PRAGMA table_info("{table}")')
        return {row["name"]: row["type"] for row in rows}
    rows = await engine.run_ddl(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = 'public' AND table_name = '{table}'"
    )
    return {row["column_name"]: row["data_type"] for row in rows}


async def real_references(table: str) -> set[str]:
    engine = current_engine()
    if engine.engine_type == "sqlite":
        rows = await engine.run_ddl(f'PRAGMA foreign_key_list("{table}")')
        return {row["table"] for row in rows}
    rows = await engine.run_ddl(
        "SELECT ccu.table_name AS target FROM information_schema.table_constraints tc "
        "JOIN information_schema.constraint_column_usage ccu "
        "ON tc.constraint_name = ccu.constraint_name "
        f"WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = '{table}'"
    )
    return {row["target"] for row in rows}


def test_the_anonymous_tables_are_the_reviewed_ones() -> None:
    assert {table._meta.tablename for table in ANONYMOUS_TABLES} == set(ALLOWED_COLUMNS)


async def anonymity_violations(table: str) -> list[str]:
    allowed = ALLOWED_COLUMNS[table]
    columns = await real_columns(table)
    problems = [] if columns else [f"table {table} not found"]
    for name, declared in columns.items():
        if name not in allowed:
            problems.append(f"{table}.{name} is not reviewed for anonymity")
        elif kind_of(declared) != allowed[name]:
            problems.append(f"{table}.{name} has type {declared}")
        if TIME_OF_ANY_KIND.search(declared):
            problems.append(f"{table}.{name} holds a time")
        if name not in {"id", "wave", "department_path", "response"} and (
            LINKING_NAME.search(name)
        ):
            problems.append(f"{table}.{name} looks like a link")
    return problems


async def test_anonymous_tables_have_only_reviewed_unlinkable_columns() -> None:
    for table in ALLOWED_COLUMNS:
        assert await anonymity_violations(table) == []


async def test_anonymous_tables_refer_only_to_waves_and_responses() -> None:
    for table in ALLOWED_COLUMNS:
        references = await real_references(table)
        assert references <= ALLOWED_REFERENCES, f"{table} refers to {references}"


async def test_anonymous_ids_are_random_not_sequences() -> None:
    """A sequential id would give away the order of submission, and so line up with logs."""
    for table in ALLOWED_COLUMNS:
        assert kind_of((await real_columns(table))["id"]) == "uuid"


async def test_the_check_catches_a_timestamp_column_added_by_a_migration() -> None:
    """Add a column a careless migration might add; the inspection must see it."""
    engine = current_engine()
    column_type = "TIMESTAMP" if engine.engine_type == "sqlite" else "TIMESTAMPTZ"
    await engine.run_ddl(f'ALTER TABLE "response" ADD COLUMN "submitted_at" {column_type}')
    try:
        problems = await anonymity_violations("response")
    finally:
        await engine.run_ddl('ALTER TABLE "response" DROP COLUMN "submitted_at"')
    assert "response.submitted_at is not reviewed for anonymity" in problems
    assert "response.submitted_at holds a time" in problems


async def test_the_check_catches_a_day_column_added_by_a_migration() -> None:
    """A day is a time too: with daily backups it splits a group into days."""
    engine = current_engine()
    await engine.run_ddl('ALTER TABLE "response" ADD COLUMN "received_on" DATE')
    try:
        problems = await anonymity_violations("response")
    finally:
        await engine.run_ddl('ALTER TABLE "response" DROP COLUMN "received_on"')
    assert "response.received_on holds a time" in problems


async def test_sqlite_keeps_no_insertion_order_in_answers_or_used_invitations() -> None:
    """A rowid counts up with every insert: the order of insertion, in every copy of the
    file. The released responses, their answers and the used digests are WITHOUT ROWID
    tables, kept in the order of their random keys."""
    engine = current_engine()
    if engine.engine_type != "sqlite":
        pytest.skip("PostgreSQL has no rowid; its order is covered by the operator test")
    for table in ("response", "answer", "used_invitation", "self_identification"):
        rows = await engine.run_ddl(
            f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        )
        assert rows[0]["sql"].rstrip().upper().endswith("WITHOUT ROWID"), table


async def test_the_mail_outbox_is_on_the_identity_side_and_keeps_links_only_sealed() -> None:
    """The outbox names recipients (identity side) and never touches the anonymous side;
    a waiting link is kept sealed, never as a token or a link in the clear."""
    from survey_app.tables.identity import IDENTITY_TABLES

    assert "mail_message" in {table._meta.tablename for table in IDENTITY_TABLES}
    assert "mail_message" not in ALLOWED_COLUMNS
    assert await real_references("mail_message") == {"wave", "invitation"}
    columns = set(await real_columns("mail_message"))
    assert "sealed_token" in columns
    assert not {"token", "token_hash", "link", "body", "answer"} & columns


async def test_a_code_slip_names_nobody() -> None:
    """Code slips are on the identity side, but a code is not anyone's: it refers to its
    wave and department only, and keeps its keyed hash, not the code."""
    columns = await real_columns("code_slip")
    assert set(columns) == {
        "id",
        "wave",
        "department",
        "department_path",
        "response_group",
        "code_hash",
    }
    assert await real_references("code_slip") == {"wave", "department"}
