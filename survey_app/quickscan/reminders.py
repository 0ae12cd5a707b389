"""E-mail to a manager whose follow-up of a Quick Scan conversation is due.

One message per conversation and follow-up day (``reminded_for``): the daily run sends it
on the follow-up day, or on the first run after it, and not again unless the manager sets
a new follow-up day. It names the employee and the day and links the conversation; no
content. Only a manager who may still act on the conversation gets it (an earlier manager
cannot open it). Sending a reminder is no change to the conversation: ``updated_at`` stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import aiosmtplib

from survey_app import audit
from survey_app.core.db import write_transaction
from survey_app.core.errors import N_
from survey_app.core.settings import Settings
from survey_app.mail.messages import compose_from, valid_address
from survey_app.mail.sender import require_mail, smtp_client
from survey_app.quickscan.conversation import TALKED
from survey_app.quickscan.people import current_managers_of, people
from survey_app.tables.conversations import QuickScan

SUBJECT = N_("Quick Scan: follow-up with {employee}")


@dataclass(frozen=True)
class DueFollowUp:
    quick_scan_id: int
    public_id: str
    employee_name: str
    manager_id: int
    manager_name: str
    manager_email: str
    follow_up_on: dt.date


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    failed: int
    skipped_no_address: int


def conversation_link(settings: Settings, public_id: str) -> str:
    """The conversation's page (route ``quickscan:conversation``) at the public address."""
    return f"{settings.base_url}/quickscan/{public_id}"


async def due_follow_ups(today: dt.date) -> list[DueFollowUp]:
    """Follow-ups due by ``today``, not done and not yet reminded for their day, whose
    manager still leads the employee; earliest first."""
    rows = [
        row
        for row in await QuickScan.objects().where(
            QuickScan.status.is_in(list(TALKED))
            & (QuickScan.follow_up_on <= today)
            & QuickScan.followed_up_at.is_null()
        )
        if row.reminded_for != row.follow_up_on
    ]
    managers = await current_managers_of(row.employee for row in rows)
    rows = [row for row in rows if row.manager in managers.get(row.employee, frozenset())]
    names = await people({*(row.employee for row in rows), *(row.manager for row in rows)})
    return [
        DueFollowUp(
            quick_scan_id=row.id,
            public_id=str(row.public_id),
            employee_name=names[row.employee].name,
            manager_id=row.manager,
            manager_name=names[row.manager].name,
            manager_email=names[row.manager].email,
            follow_up_on=row.follow_up_on,
        )
        for row in sorted(rows, key=lambda row: (row.follow_up_on, row.id))
    ]


async def _reminded(item: DueFollowUp) -> None:
    async with write_transaction():
        await QuickScan.update({QuickScan.reminded_for: item.follow_up_on}).where(
            QuickScan.id == item.quick_scan_id
        )


async def send_reminders(
    settings: Settings, *, today: dt.date, now: dt.datetime, actor: str
) -> ReminderResult:
    """One e-mail per due follow-up (in ``settings.default_language``) over one connection;
    MailNotConfigured when e-mail is not set up. A failed message is tried again on the
    next run."""
    require_mail(settings)
    due = await due_follow_ups(today)
    sendable = [item for item in due if valid_address(item.manager_email)]
    sent = failed = 0
    if sendable:
        client = smtp_client(settings)
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError):
            failed = len(sendable)
            sendable = []
        try:
            for item in sendable:
                message = compose_from(
                    settings,
                    template="mail/quickscan_follow_up",
                    subject=SUBJECT,
                    language=settings.default_language,
                    recipient=item.manager_email,
                    values={
                        "employee": item.employee_name,
                        "manager": item.manager_name,
                        "day": item.follow_up_on,
                        "link": conversation_link(settings, item.public_id),
                    },
                    now=now,
                )
                try:
                    await client.send_message(message)
                except (aiosmtplib.SMTPException, OSError):
                    failed += 1
                    continue
                await _reminded(item)
                sent += 1
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
    result = ReminderResult(sent, failed, len(due) - sent - failed)
    if due:
        await audit.record(
            "quickscan.reminded",
            actor,
            "",
            sent=result.sent,
            failed=result.failed,
            skipped_no_address=result.skipped_no_address,
        )
    return result
