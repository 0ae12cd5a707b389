"""Carry existing waves over to the unlinkable design, losing no response.

- Every invitation gets its response group (`analysis.gate.response_groups` with the group
  minimum in force), and every response is moved to the group of its department.
- Every invitation marked responded gets its keyed digest in ``used_invitation`` (day: the
  day its wave opened); the flag is cleared here and the column dropped by migration 0008.
- The responses and answers are written again with new random ids in random order, into
  tables that on SQLite have no insertion-ordered rowid (``WITHOUT ROWID``, with secure
  delete on, so the old pages are zeroed) and on PostgreSQL into freshly truncated tables
  (new files, one transaction id for all rows). Their day goes (migration 0008 drops the
  column).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from analysis.gate import response_groups
from survey_app.core.hashing import used_invitation_digest
from survey_app.core.secretkey import FINGERPRINT_SETTING, fingerprint
from survey_app.core.settings import Settings

ID = "2026-12-03T12:06:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "carry responses over: response groups, used digests, no order"

ROWS_PER_STATEMENT = 500

SQLITE_TABLES = {
    "response": (
        'CREATE TABLE "response" ("id" UUID PRIMARY KEY NOT NULL, '
        '"wave" INTEGER NOT NULL REFERENCES "wave" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, '
        '"department" INTEGER, "department_path" TEXT NOT NULL DEFAULT \'\', '
        '"submitted_on" DATE) WITHOUT ROWID',
        'CREATE INDEX response_wave ON "response" ("wave")',
    ),
    "answer": (
        'CREATE TABLE "answer" ("id" UUID PRIMARY KEY NOT NULL, '
        '"response" UUID NOT NULL REFERENCES "response" ("id") ON DELETE CASCADE '
        "ON UPDATE CASCADE, \"question_key\" VARCHAR(64) NOT NULL DEFAULT '', "
        '"number" INTEGER DEFAULT null, "choice" VARCHAR(64) DEFAULT null, '
        '"text" TEXT DEFAULT null) WITHOUT ROWID',
        'CREATE INDEX answer_response ON "answer" ("response")',
    ),
    "used_invitation": (
        'CREATE TABLE "used_invitation" ("id" UUID PRIMARY KEY NOT NULL, '
        '"wave" INTEGER NOT NULL REFERENCES "wave" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, '
        '"digest" VARCHAR(64) UNIQUE NOT NULL DEFAULT \'\', "used_on" DATE NOT NULL) '
        "WITHOUT ROWID",
        'CREATE INDEX used_invitation_wave ON "used_invitation" ("wave")',
    ),
}


def _literal(value: object) -> str:
    """A SQL literal (the migration has no parameter binding through ``run_ddl``)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    engine = engine_finder()
    names = ", ".join(f'"{column}"' for column in columns)
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        values = ", ".join(
            "(" + ", ".join(_literal(value) for value in row) + ")"
            for row in rows[start : start + ROWS_PER_STATEMENT]
        )
        # Literals of values read from this database, quoted by `_literal`.
        await engine.run_ddl(f'INSERT INTO "{table}" ({names}) VALUES {values}')  # noqa: S608


async def _group_minimum(settings: Settings) -> int:
    rows = await engine_finder().run_ddl(
        "SELECT value FROM setting_value WHERE key = 'min_group_size'"
    )
    stored = rows[0]["value"] if rows else ""
    return int(stored) if stored.isascii() and stored.isdigit() else settings.min_group_size


async def _keep_key_fingerprint(secret: str) -> None:
    """The digests written here are under this key: a server started later with another
    key must refuse to run (`survey_app.core.secretkey`), not take every link as unused."""
    engine = engine_finder()
    rows = await engine.run_ddl(
        f"SELECT value FROM setting_value WHERE key = {_literal(FINGERPRINT_SETTING)}"  # noqa: S608
    )
    if rows and rows[0]["value"] != fingerprint(secret):
        raise RuntimeError("SECRET_KEY is not the key this database was used with")
    if not rows:
        await engine.run_ddl(
            "INSERT INTO setting_value (key, value, changed_at, changed_by) VALUES ("  # noqa: S608
            f"{_literal(FINGERPRINT_SETTING)}, {_literal(fingerprint(secret))}, "
            "CURRENT_TIMESTAMP, '')"
        )


def _day(value: object, timezone: dt.tzinfo) -> str:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(timezone).date().isoformat()


async def carry_over() -> None:
    engine = engine_finder()
    sqlite = engine.engine_type == "sqlite"
    settings = Settings.from_env()
    await _keep_key_fingerprint(settings.secret_key)
    k = await _group_minimum(settings)
    shuffle = random.SystemRandom().shuffle

    waves = {row["id"]: row for row in await engine.run_ddl("SELECT id, opens_at FROM wave")}
    invitations = await engine.run_ddl(
        "SELECT id, wave, department_path, responded FROM invitation"
    )
    responses = await engine.run_ddl("SELECT id, wave, department_path FROM response")
    answers = await engine.run_ddl(
        'SELECT response, question_key, "number", choice, "text" FROM answer'
    )

    # Response groups per wave, from the invited counts (response paths count zero: a
    # response of a department nobody is invited to any more goes to a shown ancestor).
    invited: dict[int, Counter[str]] = defaultdict(Counter)
    for row in invitations:
        invited[row["wave"]][row["department_path"]] += 1
    for row in responses:
        invited[row["wave"]][row["department_path"]] += 0
    groups = {wave: response_groups(counts, k) for wave, counts in invited.items()}

    if sqlite:
        await engine.run_ddl("PRAGMA secure_delete = ON")
    by_group: dict[str, list[int]] = defaultdict(list)
    for row in invitations:
        by_group[groups[row["wave"]][row["department_path"]]].append(row["id"])
    for group, ids in by_group.items():
        for start in range(0, len(ids), ROWS_PER_STATEMENT):
            chosen = ", ".join(str(id_) for id_ in ids[start : start + ROWS_PER_STATEMENT])
            await engine.run_ddl(
                f"UPDATE invitation SET response_group = {_literal(group)}, responded = FALSE "  # noqa: S608
                f"WHERE id IN ({chosen})"
            )

    used = [
        (
            str(uuid.uuid4()),
            row["wave"],
            used_invitation_digest(settings.secret_key, row["id"]),
            _day(waves[row["wave"]]["opens_at"], settings.timezone),
        )
        for row in invitations
        if row["responded"]
    ]
    shuffle(used)

    new_ids = {str(row["id"]): str(uuid.uuid4()) for row in responses}
    moved = [
        (new_ids[str(row["id"])], row["wave"], groups[row["wave"]][row["department_path"]])
        for row in responses
    ]
    copied = [
        (
            str(uuid.uuid4()),
            new_ids[str(row["response"])],
            row["question_key"],
            row["number"],
            row["choice"],
            row["text"],
        )
        for row in answers
    ]
    shuffle(moved)
    shuffle(copied)

    if sqlite:
        for table in ("answer", "response", "used_invitation"):
            await engine.run_ddl(f'DROP TABLE "{table}"')
        for table in ("response", "answer", "used_invitation"):
            for statement in SQLITE_TABLES[table]:
                await engine.run_ddl(statement)
    else:
        await engine.run_ddl(
            'ALTER TABLE "response" ALTER COLUMN "department" DROP NOT NULL, '
            'ALTER COLUMN "submitted_on" DROP NOT NULL'
        )
        await engine.run_ddl('TRUNCATE "answer", "response"')
    await _insert("used_invitation", ("id", "wave", "digest", "used_on"), used)
    await _insert("response", ("id", "wave", "department_path"), moved)
    await _insert("answer", ("id", "response", "question_key", "number", "choice", "text"), copied)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="survey_app", description=DESCRIPTION)
    manager.add_raw(carry_over)
    return manager
