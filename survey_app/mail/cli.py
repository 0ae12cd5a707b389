"""``survey-app wave send`` and ``survey-app wave remind``: queue a wave's e-mail and deliver
it before returning. They print counts, never who."""

from __future__ import annotations

import click

from survey_app.core.cli import (
    command,
    command_line_actor,
    fail,
    option,
    require_secret_key,
    run_async,
)
from survey_app.core.clock import utc_now
from survey_app.core.errors import N_, AppError
from survey_app.core.i18n import _
from survey_app.core.settings import SUPPORTED_LANGUAGES, Settings

WAIT_SECONDS = 30


def _language_option():
    return option(
        "--mail-language",
        type=click.Choice(SUPPORTED_LANGUAGES),
        default=None,
        help=N_("Language of the messages (default: KLANKBORD_LANGUAGE)."),
    )


def _wait_option():
    return option(
        "--wait",
        "wait_seconds",
        type=click.IntRange(min=0),
        default=WAIT_SECONDS,
        show_default=True,
        help=N_("Seconds to wait for retries before leaving the rest to the server."),
    )


async def _queue_and_deliver(
    settings: Settings, wave_id: str, language: str | None, wait_seconds: int, reminders: bool
) -> None:
    from survey_app.mail.sender import deliver, require_mail
    from survey_app.mail.service import queue_invitations, queue_reminders
    from survey_app.tables.identity import MailMessage
    from survey_app.waves.service import get_wave

    await require_secret_key(settings)
    try:
        require_mail(settings)
        wave = await get_wave(wave_id)
        queue = queue_reminders if reminders else queue_invitations
        queued = await queue(
            wave, settings=settings, now=utc_now(), language=language, actor=command_line_actor()
        )
        delivery = await deliver(settings, wave_id=wave.id, wait_seconds=wait_seconds)
    except AppError as error:
        raise fail(error) from error
    if reminders:
        click.echo(_("Reminders queued: {count}").format(count=queued.reminders))
    click.echo(_("Invitations queued: {count}").format(count=queued.invitations))
    click.echo(
        _("Without an e-mail address (reach them with code slips): {count}").format(
            count=queued.without_address
        )
    )
    click.echo(_("Sent now: {count}").format(count=delivery.sent))
    click.echo(_("Failed: {count}").format(count=delivery.failed))
    waiting = await MailMessage.count().where(
        (MailMessage.wave == wave.id) & (MailMessage.status == "queued")
    )
    if waiting:
        click.echo(
            _("Still queued (retried later by the running server): {count}").format(count=waiting)
        )


@command(
    name="send",
    help=N_("Invite everyone not yet invited, queue their e-mail invitations and deliver them."),
)
@click.argument("wave_id")
@_language_option()
@_wait_option()
@run_async
async def wave_send(
    settings: Settings, wave_id: str, mail_language: str | None, wait_seconds: int
) -> None:
    await _queue_and_deliver(settings, wave_id, mail_language, wait_seconds, reminders=False)


@command(
    name="remind",
    help=N_(
        "E-mail a reminder with a new link to every invitee who has not responded, and deliver it."
    ),
)
@click.argument("wave_id")
@_language_option()
@_wait_option()
@run_async
async def wave_remind(
    settings: Settings, wave_id: str, mail_language: str | None, wait_seconds: int
) -> None:
    await _queue_and_deliver(settings, wave_id, mail_language, wait_seconds, reminders=True)


WAVE_COMMANDS = [wave_send, wave_remind]
