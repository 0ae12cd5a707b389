"""``survey-app user``: the first administrator, local accounts, passwords and unlocking."""

from __future__ import annotations

import sys

import click

from survey_app.core.cli import command_line_actor, fail, group, option, run_async
from survey_app.core.errors import N_, AppError
from survey_app.core.i18n import _
from survey_app.core.settings import Settings


@group(
    name="user",
    help=N_("Accounts that sign in: the first administrator, local accounts, unlocking."),
)
def user() -> None:
    pass


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


@user.command("create", help=N_("Create an account (the first administrator is made this way)."))
@click.argument("username")
@option("--name", "display_name", default="", help=N_("Display name (default: employee's)."))
@option("--employee", "employee_number", default="", help=N_("Link to this employee number."))
@option("--hr", "is_hr", is_flag=True, help=N_("Grant the HR role."))
@option("--admin", "is_admin", is_flag=True, help=N_("Grant the administrator role."))
@option("--sso-only", is_flag=True, help=N_("No password: sign in through OpenID Connect."))
@option("--password-stdin", is_flag=True, help=N_("Read the password from standard input."))
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
    from survey_app.accounts.service import create_account

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
    except AppError as error:
        raise fail(error) from error
    click.echo(_("Account {username} created.").format(username=username.strip().lower()))


@user.command("list", help=N_("List accounts and their roles."))
@run_async
async def user_list(settings: Settings) -> None:
    from survey_app.accounts.service import account_roles

    for row in await account_roles():
        roles = [
            name
            for name, has in ((_("HR"), row["is_hr"]), (_("administrator"), row["is_admin"]))
            if has
        ]
        if not row["active"]:
            roles.append(_("inactive"))
        click.echo(f"{row['username']}\t{row['display_name']}\t{', '.join(roles)}")


async def _account_id(username: str) -> int:
    from survey_app.accounts.service import account_id_by_username

    found = await account_id_by_username(username)
    if found is None:
        raise click.ClickException(_("No account {username}.").format(username=username))
    return found


@user.command("set-password", help=N_("Set a new password; the account's sessions end."))
@click.argument("username")
@option("--password-stdin", is_flag=True, help=N_("Read the password from standard input."))
@run_async
async def user_set_password(settings: Settings, username: str, password_stdin: bool) -> None:
    from survey_app.accounts.service import set_password

    account_id = await _account_id(username)
    try:
        await set_password(
            account_id,
            _read_password(password_stdin),
            actor=command_line_actor(),
            own_change=False,
            keep_session=None,
        )
    except AppError as error:
        raise fail(error) from error
    click.echo(_("The password has been changed."))


@user.command("unlock", help=N_("Lift a temporary lockout after failed sign-ins."))
@click.argument("username")
@run_async
async def user_unlock(settings: Settings, username: str) -> None:
    from survey_app.accounts.service import unlock

    await unlock(await _account_id(username), actor=command_line_actor())
    click.echo(_("The account is unlocked."))
