"""``survey-app backup``: a backup restores to exactly the rows that were backed up.

SQLite: a backup taken while responses are being written is a consistent snapshot (every
response complete, responded invitations == responses, nothing that was not in the live
database); a backup taken through the CLI, restored into a fresh file, holds exactly the
live database's rows. PostgreSQL: the command explains pg_dump/pg_restore for the right
database without showing the password, and ``--run-pg-dump`` produces a dump that
pg_restore turns into an identical database.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg

from survey_app.core.backup import BackupError, backup_sqlite, pg_dump_plan, sqlite_database_path
from survey_app.core.clock import utc_now
from survey_app.core.db import current_engine, engine_from_url, use_engine
from survey_app.core.hashing import hash_token
from survey_app.responding.service import open_invitation, submit_response
from survey_app.tables import ALL_TABLES
from survey_app.tables.anonymous import Answer, Response, SealedResponse
from survey_app.tables.identity import UsedInvitation
from surveys import validate_answers
from tests.helpers import (
    PROJECT_ROOT,
    app_settings,
    full_answers,
    load_small_org,
    open_wave,
)

Snapshot = dict[str, list[tuple[tuple[str, str], ...]]]


async def snapshot() -> Snapshot:
    """Every row of every table of the current engine, in a comparable form."""
    tables: Snapshot = {}
    for table in ALL_TABLES:
        rows = await table.select()
        tables[table._meta.tablename] = sorted(
            tuple(sorted((key, repr(value)) for key, value in row.items())) for row in rows
        )
    return tables


async def survey_app(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "survey_app", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


async def responses_with_data(count: int) -> list[str]:
    """An organisation, an open wave, ``count`` submitted responses; the unused tokens."""
    await load_small_org({"JEUGD": 20, "WMO": 10, "ICT": 20})
    opened = await open_wave()
    tokens = list(opened.tokens.values())
    for token in tokens[:count]:
        await submit(token)
    return tokens[count:]


async def submit(token: str) -> None:
    template = (
        await open_invitation(hash_token(token), utc_now(), app_settings().secret_key)
    ).template
    answers, errors = validate_answers(template, {k: [v] for k, v in full_answers().items()})
    assert not errors
    await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_backup_restores_to_the_same_rows(db: str, tmp_path: Path) -> None:
    if current_engine().engine_type == "sqlite":
        await sqlite_backup_and_restore(db, tmp_path)
    else:
        await postgres_guidance_dump_and_restore(db, tmp_path)


async def sqlite_backup_and_restore(live_url: str, tmp_path: Path) -> None:
    source = sqlite_database_path(live_url)
    assert source is not None
    # As in a running server, a connection stays open, so SQLite does not checkpoint the
    # WAL into the main file when the test's short-lived connections close: recent
    # commits live only in the -wal file, and a plain file copy would miss them.
    keeper = sqlite3.connect(source)
    keeper.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()  # opens the WAL
    try:
        await sqlite_backup_and_restore_with_wal(live_url, source, tmp_path)
    finally:
        keeper.close()


async def sqlite_backup_and_restore_with_wal(live_url: str, source: Path, tmp_path: Path) -> None:
    unused = await responses_with_data(10)
    assert Path(f"{source}-wal").stat().st_size > 0

    # 1. A backup while responses keep coming in.
    backup_started = asyncio.Event()
    backup_done = asyncio.Event()
    committed = 0
    counts: dict[str, int] = {}

    async def writer() -> None:
        nonlocal committed
        for index, token in enumerate(unused):
            await submit(token)
            committed += 1
            if index == 4:
                backup_started.set()
            if backup_done.is_set() and index >= 10:
                return

    async def take_backup() -> None:
        await backup_started.wait()
        counts["before"] = 10 + committed
        await asyncio.to_thread(backup_sqlite, source, tmp_path / "during-writes.sqlite3")
        # The writer may have committed one more that it has not counted yet.
        counts["after"] = 10 + committed + 1
        backup_done.set()

    await asyncio.gather(writer(), take_backup())
    live = await snapshot()
    assert mode(tmp_path / "during-writes.sqlite3") == 0o600

    try:
        # Restored the documented way: a copy of the file, with no -wal/-shm next to it.
        restored = tmp_path / "restored" / "klankbord.sqlite3"
        restored.parent.mkdir()
        shutil.copyfile(tmp_path / "during-writes.sqlite3", restored)
        use_engine(engine_from_url(f"sqlite:///{restored}"))
        backed_up = await snapshot()
        released = await Response.count()
        responses = released + await SealedResponse.count()
        assert counts["before"] <= responses <= counts["after"], (counts, responses)
        # Every used invitation has its response (released, or sealed and waiting).
        assert await UsedInvitation.count() == responses
        assert await Answer.count() == released * len(full_answers())
        for table in ("department", "employee", "wave", "wave_department", "invitation"):
            assert backed_up[table] == live[table], table
        # Nothing in the backup that the live database does not have: responses are only
        # ever added (or released from the sealed ones).
        for table in ("response", "answer", "used_invitation"):
            assert set(backed_up[table]) <= set(live[table]), table
    finally:
        use_engine(engine_from_url(live_url))

    # 2. The command line, on a quiet database: the restored copy is identical.
    output = tmp_path / "backups" / "klankbord.sqlite3"
    result = await survey_app("backup", "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert str(output) in result.stdout
    assert mode(output) == 0o600
    assert not list(output.parent.glob(".*partial*"))
    printed = dict(line.split() for line in result.stdout.splitlines()[1:])
    assert printed["response"] == str(len(live["response"]))
    assert printed["answer"] == str(len(live["answer"]))
    assert printed["invitation"] == str(len(live["invitation"]))
    refused = await survey_app("--lang", "en", "backup", "--output", str(output))
    assert refused.returncode != 0 and "already exists" in refused.stderr

    fresh = tmp_path / "fresh" / "klankbord.sqlite3"
    fresh.parent.mkdir()
    shutil.copyfile(output, fresh)
    try:
        use_engine(engine_from_url(f"sqlite:///{fresh}"))
        assert await snapshot() == live
    finally:
        use_engine(engine_from_url(live_url))


async def postgres_guidance_dump_and_restore(live_url: str, tmp_path: Path) -> None:
    await responses_with_data(10)
    live = await snapshot()
    database = live_url.rsplit("/", 1)[1]
    output = tmp_path / "klankbord.dump"

    # Without --run-pg-dump: guidance only, a non-zero exit, nothing written.
    secret = "Sup3r-geheim-wachtwoord"
    with_password = live_url.replace("://postgres@", f"://postgres:{secret}@")
    assert secret in with_password
    advised = await survey_app("backup", "--output", str(output), DATABASE_URL=with_password)
    assert advised.returncode == 2
    text = advised.stdout + advised.stderr
    assert "pg_dump --format=custom --host=127.0.0.1" in text
    assert f"--file={output} {database}" in text
    assert "pg_restore " in text and f"--dbname={database}" in text
    assert secret not in text
    assert not output.exists()

    # With --run-pg-dump: a dump (mode 600) that pg_restore turns into the same rows.
    dumped = await survey_app("backup", "--output", str(output), "--run-pg-dump")
    assert dumped.returncode == 0, dumped.stderr
    assert mode(output) == 0o600
    admin_url = os.environ.get(
        "KLANKBORD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    restore_name = f"klankbord_restore_{os.getpid()}"
    restore_url = live_url.rsplit("/", 1)[0] + f"/{restore_name}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{restore_name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{restore_name}"')
        command = pg_dump_plan(restore_url, output).restore_command
        restored = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=120
        )
        assert restored.returncode == 0, restored.stderr
        try:
            use_engine(engine_from_url(restore_url))
            assert await snapshot() == live
        finally:
            use_engine(engine_from_url(live_url))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{restore_name}" WITH (FORCE)')
        await admin.close()


def test_pg_dump_guidance_names_the_database_and_hides_the_password() -> None:
    plan = pg_dump_plan(
        "postgresql://klank:Geh%21m@db.example:6543/klankbord_prod", Path("/backups/k.dump")
    )
    guidance = plan.guidance()
    assert (
        "pg_dump --format=custom --host=db.example --port=6543 --username=klank "
        "--file=/backups/k.dump klankbord_prod"
    ) in guidance
    assert (
        "pg_restore --host=db.example --port=6543 --username=klank --dbname=klankbord_prod "
        "--no-owner --exit-on-error /backups/k.dump"
    ) in guidance
    assert "Geh" not in guidance
    assert plan.password == "Geh!m"


def test_sqlite_backup_refuses_a_missing_database(tmp_path: Path) -> None:
    try:
        backup_sqlite(tmp_path / "missing.sqlite3", tmp_path / "out.sqlite3")
    except BackupError as error:
        assert "missing.sqlite3" in str(error)
    else:
        raise AssertionError("a missing database was backed up")
    assert not (tmp_path / "missing.sqlite3").exists()
    assert not (tmp_path / "out.sqlite3").exists()
