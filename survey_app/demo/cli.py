"""``survey-app demo``: build the fictional municipality and serve it."""

from __future__ import annotations

import asyncio
import os

import click

from survey_app.core.cli import command, option
from survey_app.core.clock import local_today
from survey_app.core.errors import N_
from survey_app.core.i18n import _
from survey_app.demo.builder import ORGANISATION_NAME, build_demo


@command(name="demo", help=N_("Build a fictional municipality with survey waves and serve it."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@option("--port", default=8000, show_default=True, type=int, help=N_("Port to listen on."))
@option("--no-serve", is_flag=True, help=N_("Build the demo database only."))
def demo(host: str, port: int, no_serve: bool) -> None:
    run_demo(host=host, port=port, serve=not no_serve)


def run_demo(host: str, port: int, serve: bool) -> None:
    from survey_app.core.settings import var_dir_from_env

    var_dir = var_dir_from_env()
    var_dir.mkdir(parents=True, exist_ok=True)
    database = var_dir / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("KLANKBORD_BASE_URL", f"http://{host}:{port}")

    from survey_app.core.db import engine_from_url, use_engine
    from survey_app.core.settings import Settings

    settings = Settings.from_env()
    use_engine(engine_from_url(settings.database_url))
    today = local_today(settings.timezone)
    links, accounts = asyncio.run(build_demo(var_dir, today))
    click.echo(_("Demo: {name}, database {path}").format(name=ORGANISATION_NAME, path=database))
    click.echo(_("Invitation links for the open wave (each works once):"))
    for link in links[:5]:
        click.echo(f"  {link}")
    click.echo(_("HR overview: {url}").format(url=f"{settings.base_url}/hr/waves"))
    click.echo(
        _("Sign in at {url} (passwords are new for every demo build):").format(
            url=f"{settings.base_url}/sign-in"
        )
    )
    roles = {
        "employee": _("Employee"),
        "manager": _("Manager"),
        "hr": _("HR"),
        "admin": _("Administrator"),
    }
    password_label = _("password")
    for account in accounts:
        click.echo(
            f"  {roles[account.role]}: {account.username}  {password_label}: {account.password}"
            f"  ({account.name}; {account.what})"
        )
    if serve:
        from survey_app.core.serving import exec_serve

        click.echo(_("Serving on {url} (Ctrl+C to stop)").format(url=f"http://{host}:{port}"))
        # The application of the environment just set (DATABASE_URL is the demo's). No
        # reverse proxy in front of the demo: nobody may name another address.
        exec_serve("survey_app.asgi:app", host=host, port=port, workers=1)
