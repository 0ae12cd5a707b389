"""``survey-app quickscan purge|remind`` and ``survey-app daily``: the Quick Scan's upkeep.

They print counts, never who. ``daily`` is what an operator schedules once a day (cron, a
systemd timer, a Kubernetes CronJob): the retention purge always, then the follow-up
reminders when e-mail is set up.
"""

from __future__ import annotations

import datetime as dt

import click

from survey_app.core.cli import command, command_line_actor, fail, group, option, run_async
from survey_app.core.clock import local_today, utc_now
from survey_app.core.errors import N_
from survey_app.core.i18n import _
from survey_app.core.settings import Settings, parse_period


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.timedelta | None:
    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError as error:
        raise click.BadParameter(
            _("Write a period like 2y (years), 18m (months) or 90d (days).")
        ) from error


@group(name="quickscan", help=N_("Quick Scan conversations: retention and reminders."))
def quickscan() -> None:
    pass


async def _purge(settings: Settings, older_than: dt.timedelta) -> None:
    from survey_app.quickscan.retention import purge

    result = await purge(older_than, now=utc_now(), actor=command_line_actor())
    click.echo(
        _("Quick Scan conversations older than {days} days deleted: {count}").format(
            days=older_than.days, count=result.conversations
        )
    )
    click.echo(_("Agreements deleted: {count}").format(count=result.agreements))
    click.echo(_("Grants deleted: {count}").format(count=result.grants))
    click.echo(_("Rounds deleted: {count}").format(count=result.rounds))


async def _remind(settings: Settings) -> None:
    from survey_app.quickscan.reminders import send_reminders

    result = await send_reminders(
        settings,
        today=local_today(settings.timezone),
        now=utc_now(),
        actor=command_line_actor(),
    )
    click.echo(_("Follow-up reminders sent: {count}").format(count=result.sent))
    click.echo(_("Failed (tried again on the next run): {count}").format(count=result.failed))
    click.echo(
        _("Managers without an e-mail address: {count}").format(count=result.skipped_no_address)
    )


@quickscan.command(
    "purge",
    help=N_("Delete the conversations whose last change is older than the retention period."),
)
@option(
    "--older-than",
    "older_than",
    default=None,
    callback=_period,
    help=N_("A period like 2y, 18m or 90d (default: KLANKBORD_QUICKSCAN_RETENTION)."),
)
@run_async
async def quickscan_purge(settings: Settings, older_than: dt.timedelta | None) -> None:
    await _purge(settings, older_than or settings.quickscan_retention)


@quickscan.command(
    "remind",
    help=N_("E-mail the managers whose follow-up of a conversation is due."),
)
@run_async
async def quickscan_remind(settings: Settings) -> None:
    from survey_app.mail.sender import MailNotConfigured

    try:
        await _remind(settings)
    except MailNotConfigured as error:
        raise fail(error) from error


@command(
    name="daily",
    help=N_(
        "The daily upkeep: delete Quick Scan conversations past the retention period, then "
        "e-mail the follow-up reminders. Run it once a day."
    ),
)
@run_async
async def daily(settings: Settings) -> None:
    await _purge(settings, settings.quickscan_retention)
    if not settings.mail_configured:
        click.echo(_("Follow-up reminders skipped: e-mail is not set up."))
        return
    await _remind(settings)
