"""Backups of the database, taken while the application keeps running.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies every page in one
step under a single read transaction. In WAL mode that read sees exactly the transactions
committed when it began (including those still in the ``-wal`` file) and does not block
the server's writers, so the copy is consistent: a submission is in it completely or not
at all. The copy is written next to the target under a temporary name with mode 600 (it
holds the identity side: who was invited and who responded), checked with
``PRAGMA integrity_check`` and then renamed into place, so a half-written backup never
carries the final name. The result is one self-contained file (no ``-wal`` is needed).

PostgreSQL: ``pg_dump`` is the tool for that. Nothing runs silently: ``survey-app backup``
prints the exact ``pg_dump`` and ``pg_restore`` commands (built from ``DATABASE_URL``, never
showing the password) and exits with status 2, unless ``--run-pg-dump`` is given; then it
runs ``pg_dump --format=custom`` itself with the password passed in the environment and
the dump file created with mode 600.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from piccolo.engine.sqlite import SQLiteEngine

from survey_app.core.db import SQLITE_TIMEOUT_SECONDS, engine_from_url
from survey_app.core.errors import N_, AppError
from survey_app.core.i18n import _


class BackupError(AppError):
    """A backup could not be made; nothing was written under the requested name."""

    messages: ClassVar[dict[str, str]] = {
        "no_database_file": N_("There is no database file at {path}."),
        "target_exists": N_("{path} already exists; choose another file."),
        "target_is_database": N_("The backup cannot overwrite the database itself."),
        "integrity": N_("The backup failed its integrity check: {problems}"),
        "not_postgresql": N_("DATABASE_URL is not a PostgreSQL database."),
        "no_pg_dump": N_("pg_dump is not on PATH; install the PostgreSQL client tools."),
        "pg_dump_failed": N_("pg_dump failed ({code}): {error}"),
    }


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: dict[str, int]  # table name → row count, as found in the backup file


@dataclass(frozen=True)
class PgDumpPlan:
    """How to dump and restore a PostgreSQL database, without its password."""

    database: str
    dump_command: list[str]
    restore_command: list[str]
    password: str | None  # passed to pg_dump as PGPASSWORD, never printed

    @property
    def dump_line(self) -> str:
        return shlex.join(self.dump_command)

    @property
    def restore_line(self) -> str:
        return shlex.join(self.restore_command)

    def guidance(self) -> str:
        dump = self.dump_line
        restore = self.restore_line
        password_hint = (
            _("Give the password through PGPASSWORD or ~/.pgpass; it is not shown here.")
            if self.password
            else _("If the server asks for a password, use PGPASSWORD or ~/.pgpass.")
        )
        return "\n".join(
            [
                _("The database is PostgreSQL ({name}); back it up with pg_dump:").format(
                    name=self.database
                ),
                "",
                f"  {dump}",
                "",
                _("Restore into an empty database (stop the server first):"),
                "",
                f"  {restore}",
                "",
                password_hint,
                _("Or run `survey-app backup --run-pg-dump` to let this command run pg_dump."),
                _("The dump holds who was invited and who responded: keep it private (mode 600)."),
            ]
        )


def default_backup_path(var_dir: Path, now: dt.datetime, suffix: str = "sqlite3") -> Path:
    return var_dir / f"backup-{now:%Y%m%d-%H%M%S}.{suffix}"


def sqlite_database_path(database_url: str) -> Path | None:
    """The file behind an SQLite ``DATABASE_URL``; None for PostgreSQL."""
    if urlsplit(database_url).scheme != "sqlite":
        return None
    engine = engine_from_url(database_url)
    assert isinstance(engine, SQLiteEngine)
    return Path(engine.connection_kwargs["database"])


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def backup_sqlite(source: Path, output: Path) -> BackupResult:
    """Copy the live SQLite database ``source`` to ``output`` (which must not exist)."""
    source = source.resolve()
    if not source.is_file():
        raise BackupError("no_database_file", path=source)
    output = output.resolve()
    if output.exists():
        raise BackupError("target_exists", path=output)
    if output == source:
        raise BackupError("target_is_database")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
    # Created empty with mode 600 before SQLite opens it; SQLite keeps the mode and gives
    # its temporary -wal/-shm files the same one.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        # mode=rw: never create an empty database where the real one was expected.
        with (
            contextlib.closing(
                sqlite3.connect(
                    f"{source.as_uri()}?mode=rw", uri=True, timeout=SQLITE_TIMEOUT_SECONDS
                )
            ) as live,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)  # pages=-1: all pages in one step, one consistent snapshot
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError("integrity", problems="; ".join(problems))
            tables = table_counts(copy)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    except BaseException:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return BackupResult(path=output, tables=tables)


def pg_dump_plan(database_url: str, output: Path) -> PgDumpPlan:
    """The pg_dump/pg_restore commands for a PostgreSQL ``DATABASE_URL``."""
    # Parsed here with the same defaults as survey_app.core.db.engine_from_url: building a
    # PostgresEngine would already try to reach the server.
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise BackupError("not_postgresql")
    connection = [
        f"--host={parts.hostname or '127.0.0.1'}",
        f"--port={parts.port or 5432}",
        f"--username={unquote(parts.username or 'postgres')}",
    ]
    database = unquote(parts.path.lstrip("/")) or "postgres"
    return PgDumpPlan(
        database=database,
        dump_command=[
            "pg_dump",
            "--format=custom",
            *connection,
            f"--file={output}",
            database,
        ],
        restore_command=[
            "pg_restore",
            *connection,
            f"--dbname={database}",
            "--no-owner",
            "--exit-on-error",
            str(output),
        ],
        password=unquote(parts.password) if parts.password else None,
    )


def run_pg_dump(plan: PgDumpPlan, output: Path) -> None:
    """Run ``plan``'s pg_dump; the dump file gets mode 600."""
    if shutil.which("pg_dump") is None:
        raise BackupError("no_pg_dump")
    if output.exists():
        raise BackupError("target_exists", path=output)
    output.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if plan.password:
        env["PGPASSWORD"] = plan.password
    result = subprocess.run(  # noqa: S603 - a fixed program with arguments from our settings
        plan.dump_command,
        env=env,
        umask=0o077,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError("pg_dump_failed", code=result.returncode, error=result.stderr.strip())
    os.chmod(output, 0o600)
