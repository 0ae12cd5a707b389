"""Commands for running the service: serve, database migrations and backups."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from survey_app.core.cli import command, fail, group, option, run_async
from survey_app.core.clock import local_now
from survey_app.core.errors import N_
from survey_app.core.i18n import _
from survey_app.core.settings import Settings, trusted_proxies_from_env


@command(name="serve", help=N_("Serve the web application with uvicorn."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@option("--port", default=8000, show_default=True, type=int, help=N_("Port to listen on."))
@option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help=N_("Number of worker processes."),
)
def serve(host: str, port: int, workers: int) -> None:
    from survey_app.core.serving import exec_serve

    # A setting that would stop every worker is reported here, in one line, before the
    # server starts (a worker that fails to import the application would be restarted).
    try:
        Settings.from_env()
    except ValueError as error:
        raise fail(error) from error
    # The server replaces this process: its supervisor holds none of the command line.
    exec_serve(
        "survey_app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        trusted_proxies=trusted_proxies_from_env(),
    )


@group(name="db", help=N_("Database maintenance."))
def db() -> None:
    pass


@db.command("upgrade", help=N_("Apply all pending database migrations."))
@run_async
async def db_upgrade(settings: Settings) -> None:
    from survey_app.core.db import migrate

    await migrate()
    click.echo(_("Database is up to date."))


@command(
    name="backup",
    help=N_("Back up the database while the server runs (file mode 600). See README."),
)
@option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Backup file (default: var/backup-YYYYmmdd-HHMMSS.sqlite3, or .dump for PostgreSQL)."),
)
@option("--run-pg-dump", is_flag=True, help=N_("PostgreSQL: run pg_dump instead of advising."))
def backup(output: Path | None, run_pg_dump: bool) -> None:
    from survey_app.core import backup as backups

    settings = Settings.from_env()
    now = local_now(settings.timezone)
    source = backups.sqlite_database_path(settings.database_url)
    try:
        if source is not None:
            target = output or backups.default_backup_path(settings.var_dir, now)
            result = backups.backup_sqlite(source, target)
            click.echo(str(result.path))
            for table, count in result.tables.items():
                click.echo(f"  {table:30} {count:>9}")
            return
        output = (output or backups.default_backup_path(settings.var_dir, now, "dump")).resolve()
        plan = backups.pg_dump_plan(settings.database_url, output)
        if not run_pg_dump:
            click.echo(plan.guidance(), err=True)
            sys.exit(2)
        backups.run_pg_dump(plan, output)
        click.echo(str(output))
        click.echo(_("  restore: {command}").format(command=plan.restore_line))
    except backups.BackupError as error:
        raise fail(error) from error


COMMANDS = [serve, db, backup]
