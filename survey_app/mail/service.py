"""Queuing a wave's invitations and reminders, in the transaction that makes their links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey_app import audit
from survey_app.core.settings import SUPPORTED_LANGUAGES, Settings
from survey_app.mail import outbox
from survey_app.mail.sender import require_mail
from survey_app.organisation.tree import load_tree
from survey_app.tables.identity import Employee, Invitation
from survey_app.waves.service import (
    NewInvitation,
    WaveInfo,
    invite,
    used_invitations,
    wave_department_ids,
)


@dataclass(frozen=True)
class Queued:
    """How many messages were queued, and how many people have no address (counts only)."""

    invitations: int
    reminders: int
    without_address: int


def mail_language(settings: Settings, language: str | None) -> str:
    """The language of the messages: the one asked for, or the organisation's default
    (the organisation file has no language per employee; the survey itself offers both)."""
    if language in SUPPORTED_LANGUAGES:
        return language  # type: ignore[return-value]
    return settings.default_language


async def queue_invitations(
    wave: WaveInfo,
    *,
    settings: Settings,
    now: dt.datetime,
    language: str | None = None,
    actor: str = "",
) -> Queued:
    """Invite everyone in the wave's departments not invited yet and queue an e-mail for
    each who has an address, in one transaction with the invitations."""
    require_mail(settings)
    chosen = mail_language(settings, language)
    counts = {"queued": 0, "without": 0}

    async def queue_them(created: list[NewInvitation]) -> None:
        with_address = [item for item in created if item.email]
        counts["queued"] = len(with_address)
        counts["without"] = len(created) - len(with_address)
        await outbox.queue(
            settings.secret_key,
            wave.id,
            outbox.INVITATION,
            [(item.invitation_id, item.email, item.token) for item in with_address],
            language=chosen,
            now=now,
        )

    await invite(wave, now=now, settings=settings, then=queue_them)
    await audit.record(
        "mail.invitations_queued",
        actor,
        wave.title,
        wave=str(wave.public_id),
        queued=counts["queued"],
        without_address=counts["without"],
    )
    return Queued(counts["queued"], 0, counts["without"])


async def queue_reminders(
    wave: WaveInfo,
    *,
    settings: Settings,
    now: dt.datetime,
    language: str | None = None,
    actor: str = "",
) -> Queued:
    """Queue a reminder, with a new link, for every invitee with an address who has not
    responded.

    Only hashes of links are stored, so a reminder reissues the link (as
    ``wave invite --reissue`` does; the invitation's old link stops working). Invitees
    without an address keep their link (it may be on paper). Employees not yet invited are
    invited and get an invitation. Counts only, never who.
    """
    require_mail(settings)
    chosen = mail_language(settings, language)
    counts = {"invitations": 0, "reminders": 0}

    async def queue_them(created: list[NewInvitation]) -> None:
        reissued = [item for item in created if item.reissued and item.email]
        new = [item for item in created if not item.reissued and item.email]
        counts["reminders"], counts["invitations"] = len(reissued), len(new)
        await outbox.drop_waiting_invitations([item.invitation_id for item in reissued], now)
        for kind, items in ((outbox.REMINDER, reissued), (outbox.INVITATION, new)):
            await outbox.queue(
                settings.secret_key,
                wave.id,
                kind,
                [(item.invitation_id, item.email, item.token) for item in items],
                language=chosen,
                now=now,
            )

    await invite(
        wave,
        now=now,
        settings=settings,
        reissue=True,
        reissue_with_email_only=True,
        then=queue_them,
    )
    no_address = await outbox.invitations_without_address_ids(wave.id)
    responded = await used_invitations(wave, settings.secret_key, no_address)
    without = len(no_address) - len(responded)
    await audit.record(
        "mail.reminders_queued",
        actor,
        wave.title,
        wave=str(wave.public_id),
        reminders=counts["reminders"],
        invitations=counts["invitations"],
        without_address=without,
    )
    return Queued(counts["invitations"], counts["reminders"], without)


@dataclass(frozen=True)
class Pending:
    """What the buttons on HR's mail page would do now, as counts."""

    to_invite: int  # not invited yet, with an address
    to_invite_without_address: int
    to_remind: int  # invited, with an address, not responded


async def pending(wave: WaveInfo, settings: Settings) -> Pending:
    """Counts the same people `invite` would invite and a reminder would reach."""
    tree = await load_tree()
    department_ids = await wave_department_ids(wave, tree)
    employees = {
        row["id"]: row["email"]
        for row in await Employee.select(Employee.id, Employee.email, Employee.department).where(
            Employee.active == True  # noqa: E712
        )
        if row["department"] in department_ids
    }
    invited = {
        row["employee"]: row["id"]
        for row in await Invitation.select(Invitation.id, Invitation.employee).where(
            Invitation.wave == wave.id
        )
    }
    new = [email for id_, email in employees.items() if id_ not in invited]
    reachable = [invited[id_] for id_, email in employees.items() if id_ in invited and email]
    responded = await used_invitations(wave, settings.secret_key, reachable) if reachable else {}
    return Pending(
        to_invite=sum(1 for email in new if email),
        to_invite_without_address=sum(1 for email in new if not email),
        to_remind=len(reachable) - len(responded),
    )
