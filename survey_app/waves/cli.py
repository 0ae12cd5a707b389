"""``survey-app wave``: create and schedule waves, invite employees, close waves."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click

from survey_app.core.cli import (
    command_line_actor,
    fail,
    group,
    option,
    parse_date,
    require_secret_key,
    run_async,
)
from survey_app.core.clock import utc_now
from survey_app.core.errors import N_, AppError
from survey_app.core.files import SymlinkRefused, open_private_for_writing
from survey_app.core.i18n import _
from survey_app.core.settings import Settings


@group(name="wave", help=N_("Survey waves: create, invite, follow, close."))
def wave() -> None:
    pass


@wave.command("create", help=N_("Create a wave for departments and everything below them."))
@option("--title", required=True, help=N_("Title of the wave, as respondents see it."))
@option(
    "--template",
    "template_key",
    default="pulse",
    show_default=True,
    help=N_("Survey template of the question bank."),
)
@option("--departments", required=True, help=N_("Department codes, comma-separated."))
@option("--opens", "opens_on", required=True, help=N_("First day, YYYY-MM-DD."))
@option("--closes", "closes_on", required=True, help=N_("Last day, YYYY-MM-DD."))
@option(
    "--draft",
    is_flag=True,
    help=N_("Create a draft: its questionnaire can still be composed in the web pages."),
)
@option(
    "--self-id",
    "self_id",
    default="",
    help=N_(
        "Self-identification questions to ask (with the respondent's consent), "
        "comma-separated, or 'all' that the template offers. Default: none."
    ),
)
@run_async
async def wave_create(
    settings: Settings,
    title: str,
    template_key: str,
    departments: str,
    opens_on: str,
    closes_on: str,
    draft: bool,
    self_id: str,
) -> None:
    from survey_app.waves.self_identification import template_asking
    from survey_app.waves.service import create_wave

    try:
        created = await create_wave(
            title=title,
            template_key=template_key,
            template=template_asking(template_key, self_id.split(",")),
            department_codes=[code.strip() for code in departments.split(",") if code.strip()],
            opens_on=parse_date(opens_on),
            closes_on=parse_date(closes_on),
            timezone=settings.timezone,
            draft=draft,
            actor=command_line_actor(),
        )
    except AppError as error:
        raise fail(error) from error
    click.echo(created.public_id)


@wave.command("list", help=N_("List waves with their state."))
@run_async
async def wave_list(settings: Settings) -> None:
    from survey_app.waves.service import list_waves, state_label

    now = utc_now()
    for item in await list_waves():
        click.echo(f"{item.public_id}  {state_label(item.state(now)):10}  {item.title}")


@wave.command(
    "invite", help=N_("Create invitations and write their single-use links to a CSV file.")
)
@click.argument("wave_id")
@option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=N_("CSV file to write the invitation links to."),
)
@option("--reissue", is_flag=True, help=N_("New links for everyone who has not responded."))
def wave_invite(wave_id: str, output: Path, reissue: bool) -> None:
    existed = output.exists() or output.is_symlink()
    try:
        # Opened before any invitation is made: links that cannot be written are never
        # created (only their hashes would be stored, and they would be lost).
        fd = open_private_for_writing(output)
    except SymlinkRefused as error:
        raise click.ClickException(
            _("{path} is a symbolic link; links are only written to a plain file.").format(
                path=output
            )
        ) from error
    except OSError as error:
        raise click.ClickException(
            _("{path} cannot be written: {reason}").format(path=output, reason=error.strerror)
        ) from error
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        try:
            base_url, created = _invite(wave_id, reissue)
        except click.ClickException:
            if not existed:
                output.unlink(missing_ok=True)
            raise
        # The links are secrets: the file is readable by the owner only (mode 600).
        handle.truncate(0)
        writer = csv.writer(handle)
        writer.writerow(["employee_number", "name", "email", "department_code", "link"])
        for item in created:
            writer.writerow(
                [
                    item.employee_number,
                    item.name,
                    item.email,
                    item.department_code,
                    f"{base_url}/s/{item.token}",
                ]
            )
    click.echo(
        _("{count} invitation links written to {path}").format(count=len(created), path=output)
    )


@run_async
async def _invite(settings: Settings, wave_id: str, reissue: bool) -> tuple[str, list]:
    from survey_app.waves.service import get_wave, invite

    await require_secret_key(settings)
    try:
        return settings.base_url, await invite(
            await get_wave(wave_id), now=utc_now(), settings=settings, reissue=reissue
        )
    except AppError as error:
        raise fail(error) from error


@wave.command(
    "codes", help=N_("Print a sheet of single-use codes for a department's staff without e-mail.")
)
@click.argument("wave_id")
@option("--department", "department_code", required=True, help=N_("Department code."))
@option(
    "--count",
    type=click.IntRange(1),
    default=None,
    help=N_("Number of codes (default: one for each invitee without e-mail)."),
)
@option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=N_("PDF file to write the sheet to."),
)
def wave_codes(wave_id: str, department_code: str, count: int | None, output: Path) -> None:
    existed = output.exists() or output.is_symlink()
    try:
        # Opened first: codes whose sheet cannot be written are never issued.
        fd = open_private_for_writing(output)
    except SymlinkRefused as error:
        raise click.ClickException(
            _("{path} is a symbolic link; codes are only written to a plain file.").format(
                path=output
            )
        ) from error
    except OSError as error:
        raise click.ClickException(
            _("{path} cannot be written: {reason}").format(path=output, reason=error.strerror)
        ) from error
    with os.fdopen(fd, "wb") as handle:
        try:
            pdf, issued = _codes(wave_id, department_code, count)
        except click.ClickException:
            if not existed:
                output.unlink(missing_ok=True)
            raise
        # The codes are credentials: the file is readable by the owner only (mode 600).
        handle.truncate(0)
        handle.write(pdf)
    click.echo(
        _("{count} codes for {department} written to {path}").format(
            count=issued, department=department_code, path=output
        )
    )


@run_async
async def _codes(
    settings: Settings, wave_id: str, department_code: str, count: int | None
) -> tuple[bytes, int]:
    import asyncio

    from survey_app.core.i18n import current_language
    from survey_app.waves.code_sheet import sheet_pdf
    from survey_app.waves.codes import issue_codes
    from survey_app.waves.service import get_wave

    await require_secret_key(settings)
    try:
        issued = await issue_codes(
            await get_wave(wave_id),
            department_code,
            count,
            settings=settings,
            actor=command_line_actor(),
        )
    except AppError as error:
        raise fail(error) from error
    pdf = await asyncio.to_thread(sheet_pdf, issued, current_language.get(), settings=settings)
    return pdf, len(issued.codes)


@wave.command("publish", help=N_("Publish a draft: it opens on its first day."))
@click.argument("wave_id")
@run_async
async def wave_publish(settings: Settings, wave_id: str) -> None:
    from survey_app.waves.schedule import publish
    from survey_app.waves.service import get_wave

    try:
        await publish(await get_wave(wave_id), now=utc_now(), actor=command_line_actor())
    except AppError as error:
        raise fail(error) from error
    click.echo(_("The wave is published."))


@wave.command("open", help=N_("Open a wave now instead of on its first day."))
@click.argument("wave_id")
@run_async
async def wave_open(settings: Settings, wave_id: str) -> None:
    from survey_app.waves.schedule import open_now
    from survey_app.waves.service import get_wave

    try:
        await open_now(await get_wave(wave_id), now=utc_now(), actor=command_line_actor())
    except AppError as error:
        raise fail(error) from error
    click.echo(_("The wave is open."))


@wave.command("extend", help=N_("Move the last day of a wave that has not closed."))
@click.argument("wave_id")
@option("--closes", "closes_on", required=True, help=N_("New last day, YYYY-MM-DD."))
@run_async
async def wave_extend(settings: Settings, wave_id: str, closes_on: str) -> None:
    from survey_app.waves.schedule import change_last_day
    from survey_app.waves.service import get_wave

    day = parse_date(closes_on)
    try:
        await change_last_day(
            await get_wave(wave_id),
            day,
            now=utc_now(),
            timezone=settings.timezone,
            actor=command_line_actor(),
        )
    except AppError as error:
        raise fail(error) from error
    click.echo(_("The wave now closes at the end of {day}.").format(day=day.isoformat()))


@wave.command(
    "next", help=N_("Plan the next wave of the same survey as a draft, some months later.")
)
@click.argument("wave_id")
@option(
    "--months",
    type=click.IntRange(1, 24),
    default=3,
    show_default=True,
    help=N_("Months after this wave."),
)
@run_async
async def wave_next(settings: Settings, wave_id: str, months: int) -> None:
    from survey_app.waves.schedule import plan_next
    from survey_app.waves.service import get_wave

    try:
        planned = await plan_next(
            await get_wave(wave_id),
            timezone=settings.timezone,
            actor=command_line_actor(),
            months=months,
        )
    except AppError as error:
        raise fail(error) from error
    click.echo(planned.public_id)


@wave.command("close", help=N_("Close a wave now: its links stop working."))
@click.argument("wave_id")
@run_async
async def wave_close(settings: Settings, wave_id: str) -> None:
    from survey_app.waves.schedule import close
    from survey_app.waves.service import get_wave

    try:
        await close(await get_wave(wave_id), now=utc_now(), actor=command_line_actor())
    except AppError as error:
        raise fail(error) from error
    click.echo(_("The wave is closed."))
