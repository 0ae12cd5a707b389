"""The ``survey-app`` command line."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import functools
import getpass
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import click

from survey_app.analyze_cli import analyze
from survey_app.analyze_themes_cli import themes
from survey_app.i18n import _, current_language
from survey_app.settings import SUPPORTED_LANGUAGES, Settings


def run_async(function: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Run an async command body on a configured database."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from survey_app.db import close_pool, engine_from_url, start_pool, use_engine

        settings = Settings.from_env()
        use_engine(engine_from_url(settings.database_url))

        async def main() -> Any:
            await start_pool()
            try:
                return await function(settings, *args, **kwargs)
            finally:
                await close_pool()

        return asyncio.run(main())

    return wrapper


def command_line_actor() -> str:
    """Who ran a command, for the audit trail: the operating-system user."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(_("Use a date like 2026-12-01.")) from error


@click.group()
@click.option(
    "--lang",
    type=click.Choice(SUPPORTED_LANGUAGES),
    default=lambda: os.environ.get("KLANKBORD_LANGUAGE", "nl"),
    help="Language of messages (nl or en).",
)
def main(lang: str) -> None:
    """Klankbord: anonymous employee surveys."""
    current_language.set(lang)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application with uvicorn."""
    import uvicorn

    from survey_app.log_config import uvicorn_log_config

    uvicorn.run(
        "survey_app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_config=uvicorn_log_config(),
        server_header=False,
        proxy_headers=False,
    )


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@run_async
async def db_upgrade(settings: Settings) -> None:
    """Apply all pending database migrations."""
    from survey_app.db import migrate

    await migrate()
    click.echo(_("Database is up to date."))


@main.group()
def org() -> None:
    """The organisation: departments and employees."""


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@run_async
async def org_import(settings: Settings, file: Path) -> None:
    """Load or update the organisation from a CSV file (see README)."""
    from survey_app.org_import import OrgImportError, import_org_file

    today = dt.datetime.now(settings.timezone).date()
    try:
        summary = await import_org_file(file, today)
    except OrgImportError as error:
        click.echo(_("The file was not imported; nothing has changed. Problems:"), err=True)
        for problem in error.problems:
            prefix = _("line {line}").format(line=problem.line) + ": " if problem.line else ""
            click.echo(f"  {prefix}{problem.message}", err=True)
        sys.exit(2)
    labels = {
        "departments_added": _("Departments added"),
        "departments_updated": _("Departments updated"),
        "departments_deactivated": _("Departments no longer in the file (deactivated)"),
        "employees_added": _("Employees added"),
        "employees_updated": _("Employees updated"),
        "employees_moved": _("Employees moved to another department"),
        "employees_left": _("Employees who left"),
        "employees_returned": _("Employees who returned"),
    }
    click.echo(_("The organisation has been imported."))
    for name, count in vars(summary).items():
        click.echo(f"  {labels.get(name, name)}: {count}")


@main.group()
def wave() -> None:
    """Survey waves: create, invite, follow, close."""


@wave.command("create")
@click.option("--title", required=True)
@click.option("--template", "template_key", default="pulse", show_default=True)
@click.option("--departments", required=True, help="Department codes, comma-separated.")
@click.option("--opens", "opens_on", required=True, help="First day, YYYY-MM-DD.")
@click.option("--closes", "closes_on", required=True, help="Last day, YYYY-MM-DD.")
@run_async
async def wave_create(
    settings: Settings,
    title: str,
    template_key: str,
    departments: str,
    opens_on: str,
    closes_on: str,
) -> None:
    """Create a wave for departments and everything below them."""
    from survey_app.waves import WaveError, create_wave

    try:
        created = await create_wave(
            title=title,
            template_key=template_key,
            department_codes=[code.strip() for code in departments.split(",") if code.strip()],
            opens_on=parse_date(opens_on),
            closes_on=parse_date(closes_on),
            timezone=settings.timezone,
        )
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    click.echo(created.public_id)


@wave.command("list")
@run_async
async def wave_list(settings: Settings) -> None:
    """List waves with their state."""
    from survey_app.waves import list_waves, state_label, utc_now

    now = utc_now()
    for item in await list_waves():
        click.echo(f"{item.public_id}  {state_label(item.state(now)):10}  {item.title}")


@wave.command("invite")
@click.argument("wave_id")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write the invitation links to.",
)
@click.option("--reissue", is_flag=True, help="New links for everyone who has not responded.")
@run_async
async def wave_invite(settings: Settings, wave_id: str, output: Path, reissue: bool) -> None:
    """Create invitations and write their single-use links to a CSV file."""
    from survey_app.waves import WaveError, get_wave, invite, utc_now

    try:
        created = await invite(await get_wave(wave_id), now=utc_now(), reissue=reissue)
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    # The links are secrets: readable by the owner only.
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_number", "name", "email", "department_code", "link"])
        for item in created:
            writer.writerow(
                [
                    item.employee_number,
                    item.name,
                    item.email,
                    item.department_code,
                    f"{settings.base_url}/s/{item.token}",
                ]
            )
    click.echo(
        _("{count} invitation links written to {path}").format(count=len(created), path=output)
    )


@wave.command("status")
@click.argument("wave_id")
@run_async
async def wave_status(settings: Settings, wave_id: str) -> None:
    """Invited and responded counts per department."""
    from survey_app.auth import audit
    from survey_app.waves import WaveError, get_wave, participation, state_label, utc_now

    try:
        found = await get_wave(wave_id)
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    rows, tree = await participation(found)
    await audit.record(
        "results.viewed",
        actor=command_line_actor(),
        target=f"wave {found.public_id}",
        page="wave_status",
    )
    click.echo(f"{found.title} ({state_label(found.state(utc_now()))})")
    header = (_("Department"), _("Invited"), _("Responded"), _("Response rate"))
    click.echo(f"{header[0]:50} {header[1]:>9} {header[2]:>10} {header[3]:>14}")
    for row in rows:
        name = "  " * row.depth + tree.name_for_path(row.path)
        click.echo(f"{name[:50]:50} {row.invited:>9} {row.responded:>10} {row.rate:>13.0%}")


@wave.command("close")
@click.argument("wave_id")
@run_async
async def wave_close(settings: Settings, wave_id: str) -> None:
    """Close a wave now: its links stop working."""
    from survey_app.waves import WaveError, close_wave, get_wave, utc_now

    try:
        await close_wave(await get_wave(wave_id), now=utc_now())
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("The wave is closed."))


@main.group()
def user() -> None:
    """Accounts that sign in: the first administrator, local accounts, unlocking."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


@user.command("create")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Display name (default: employee's).")
@click.option("--employee", "employee_number", default="", help="Link to this employee number.")
@click.option("--hr", "is_hr", is_flag=True, help="Grant the HR role.")
@click.option("--admin", "is_admin", is_flag=True, help="Grant the administrator role.")
@click.option("--sso-only", is_flag=True, help="No password: sign in through OpenID Connect.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@run_async
async def user_create(
    settings: Settings,
    username: str,
    display_name: str,
    employee_number: str,
    is_hr: bool,
    is_admin: bool,
    sso_only: bool,
    password_stdin: bool,
) -> None:
    """Create an account (the first administrator is made this way)."""
    from survey_app.auth.accounts import AccountError, create_account
    from survey_app.auth.passwords import PasswordProblems

    password = None if sso_only else _read_password(password_stdin)
    try:
        await create_account(
            username=username,
            display_name=display_name,
            password=password,
            actor=command_line_actor(),
            employee_number=employee_number,
            is_hr=is_hr,
            is_admin=is_admin,
        )
    except (AccountError, PasswordProblems) as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("Account {username} created.").format(username=username.strip().lower()))


@user.command("list")
@run_async
async def user_list(settings: Settings) -> None:
    """List accounts and their roles."""
    from survey_app.tables import Account

    rows = await Account.select(
        Account.username, Account.display_name, Account.is_hr, Account.is_admin, Account.active
    ).order_by(Account.username)
    for row in rows:
        roles = [
            name
            for name, has in ((_("HR"), row["is_hr"]), (_("administrator"), row["is_admin"]))
            if has
        ]
        if not row["active"]:
            roles.append(_("inactive"))
        click.echo(f"{row['username']}\t{row['display_name']}\t{', '.join(roles)}")


async def _account_id(username: str) -> int:
    from survey_app.auth.accounts import normalise_username
    from survey_app.tables import Account

    rows = await Account.select(Account.id).where(Account.username == normalise_username(username))
    if not rows:
        raise click.ClickException(_("No account {username}.").format(username=username))
    return rows[0]["id"]


@user.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@run_async
async def user_set_password(settings: Settings, username: str, password_stdin: bool) -> None:
    """Set a new password; the account's sessions end."""
    from survey_app.auth.accounts import AccountError, set_password
    from survey_app.auth.passwords import PasswordProblems

    account_id = await _account_id(username)
    try:
        await set_password(
            account_id,
            _read_password(password_stdin),
            actor=command_line_actor(),
            own_change=False,
            keep_session=None,
        )
    except (AccountError, PasswordProblems) as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("The password has been changed."))


@user.command("unlock")
@click.argument("username")
@run_async
async def user_unlock(settings: Settings, username: str) -> None:
    """Lift a temporary lockout after failed sign-ins."""
    from survey_app.auth.accounts import unlock

    await unlock(await _account_id(username), actor=command_line_actor())
    click.echo(_("The account is unlocked."))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Build the demo database only.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Build a fictional municipality with survey waves and serve it."""
    from survey_app.demo import run_demo

    run_demo(host=host, port=port, serve=not no_serve)


@main.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Backup file (default: var/backup-YYYYmmdd-HHMMSS.sqlite3, or .dump for PostgreSQL).",
)
@click.option("--run-pg-dump", is_flag=True, help="PostgreSQL: run pg_dump instead of advising.")
def backup(output: Path | None, run_pg_dump: bool) -> None:
    """Back up the database while the server runs (file mode 600). See README."""
    from survey_app import backup as backups

    settings = Settings.from_env()
    now = dt.datetime.now(settings.timezone)
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
        raise click.ClickException(str(error)) from error


analyze.add_command(themes)
main.add_command(analyze)
