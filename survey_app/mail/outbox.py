"""The outbox: queuing messages with their sealed links, claiming batches, recording results.

A message row carries its link's token sealed (AES-256-GCM under a key derived from the
secret key, bound to the invitation) only while it waits: the token is erased when the
message is sent or has failed for good. Several senders (the server's workers, a command)
may run at once: each claims a batch with a lease (an UPDATE that only takes rows nobody
holds), so no message is handed to two senders.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from piccolo.query.functions.aggregate import Count

from survey_app.core.clock import aware
from survey_app.core.db import insert_rows, write_transaction
from survey_app.core.hashing import derived_key
from survey_app.tables.identity import Invitation, MailMessage

INVITATION = "invitation"
REMINDER = "reminder"
QUEUED, SENT, FAILED = "queued", "sent", "failed"
NONCE_BYTES = 12
# Temporary failures are retried after 1, 2, 4 … minutes (at most an hour apart); after
# this many attempts the message has failed for good.
FIRST_RETRY = dt.timedelta(minutes=1)
LAST_RETRY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8
ERROR_LENGTH = 300


def _cipher(secret: str) -> AESGCM:
    return AESGCM(derived_key(secret, "mail-outbox"))


def seal_token(secret: str, token: str, invitation_id: int) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(secret).encrypt(nonce, token.encode(), f"mail:{invitation_id}".encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal_token(secret: str, sealed: str, invitation_id: int) -> str | None:
    """The token, or None when this key cannot open it (another secret key)."""
    raw = base64.b64decode(sealed)
    try:
        plain = _cipher(secret).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"mail:{invitation_id}".encode()
        )
    except InvalidTag:
        return None
    return plain.decode()


@dataclass(frozen=True)
class Outgoing:
    """A message to compose (`survey_app.mail.messages`) with the link's token and hand on."""

    id: int
    wave_id: int
    kind: str
    invitation_id: int
    recipient: str
    language: str
    token: str | None
    attempts: int


QUEUE_COLUMNS = (
    MailMessage.wave,
    MailMessage.kind,
    MailMessage.invitation,
    MailMessage.recipient,
    MailMessage.language,
    MailMessage.sealed_token,
    MailMessage.next_attempt_at,
)


async def queue(
    secret: str,
    wave_id: int,
    kind: str,
    messages: list[tuple[int, str, str]],
    *,
    language: str,
    now: dt.datetime,
) -> None:
    """Queue one message per (invitation id, address, token), inside the caller's write
    transaction (the one that made the invitations)."""
    await insert_rows(
        MailMessage,
        QUEUE_COLUMNS,
        [
            (
                wave_id,
                kind,
                invitation_id,
                address,
                language,
                seal_token(secret, token, invitation_id),
                now,
            )
            for invitation_id, address, token in messages
        ],
    )


async def drop_waiting_invitations(invitation_ids: list[int], now: dt.datetime) -> None:
    """Invitation messages still waiting for these invitations carry a link that a reminder
    has just replaced: they are dropped (the reminder carries the working link)."""
    wanted = set(invitation_ids)
    rows = await MailMessage.select(MailMessage.id, MailMessage.invitation).where(
        (MailMessage.status == QUEUED)
        & (MailMessage.kind == INVITATION)
        & (MailMessage.claimed_until.is_null() | (MailMessage.claimed_until < now))
    )
    stale = [row["id"] for row in rows if row["invitation"] in wanted]
    for start in range(0, len(stale), 500):
        await MailMessage.delete().where(MailMessage.id.is_in(stale[start : start + 500]))


def _available(now: dt.datetime):
    return (
        (MailMessage.status == QUEUED)
        & (MailMessage.next_attempt_at <= now)
        & (MailMessage.claimed_until.is_null() | (MailMessage.claimed_until < now))
    )


async def claim(
    secret: str, *, now: dt.datetime, lease: dt.timedelta, limit: int, wave_id: int | None = None
) -> list[Outgoing]:
    """Up to ``limit`` due messages, held by this caller until ``now + lease``.

    The UPDATE repeats the conditions of the SELECT: on PostgreSQL a second sender that
    chose the same rows waits for the first one's commit and then finds them taken; on
    SQLite the write transaction is IMMEDIATE, so two senders never interleave.
    """
    holder = uuid.uuid4().hex
    condition = _available(now)
    if wave_id is not None:
        condition = condition & (MailMessage.wave == wave_id)
    async with write_transaction():
        rows = (
            await MailMessage.select(MailMessage.id)
            .where(condition)
            .order_by(MailMessage.id)
            .limit(limit)
        )
        if not rows:
            return []
        await MailMessage.update(
            {MailMessage.claimed_by: holder, MailMessage.claimed_until: now + lease}
        ).where(MailMessage.id.is_in([row["id"] for row in rows]) & _available(now))
    claimed = (
        await MailMessage.select(
            MailMessage.id,
            MailMessage.wave,
            MailMessage.kind,
            MailMessage.invitation,
            MailMessage.recipient,
            MailMessage.language,
            MailMessage.sealed_token,
            MailMessage.attempts,
        )
        .where((MailMessage.claimed_by == holder) & (MailMessage.status == QUEUED))
        .order_by(MailMessage.id)
    )
    return [
        Outgoing(
            id=row["id"],
            wave_id=row["wave"],
            kind=row["kind"],
            invitation_id=row["invitation"],
            recipient=row["recipient"],
            language=row["language"],
            token=unseal_token(secret, row["sealed_token"], row["invitation"]),
            attempts=row["attempts"],
        )
        for row in claimed
    ]


def _finished(message: Outgoing, status: str, now: dt.datetime, error: str) -> dict:
    values = {
        MailMessage.status: status,
        MailMessage.sealed_token: "",
        MailMessage.attempts: message.attempts + 1,
        MailMessage.claimed_until: None,
        MailMessage.last_error: error[:ERROR_LENGTH],
    }
    if status == SENT:
        values[MailMessage.sent_at] = now
    if message.kind == REMINDER:
        # Reminders go only to people who have not responded: a finished one forgets whom.
        values[MailMessage.recipient] = ""
        values[MailMessage.invitation] = None
    return values


async def mark_sent(message: Outgoing, now: dt.datetime) -> None:
    """Its own commit, right after the server accepted the message."""
    async with write_transaction():
        await MailMessage.update(_finished(message, SENT, now, "")).where(
            MailMessage.id == message.id
        )


async def mark_failed(message: Outgoing, now: dt.datetime, error: str) -> None:
    async with write_transaction():
        await MailMessage.update(_finished(message, FAILED, now, error)).where(
            MailMessage.id == message.id
        )


async def release(message_ids: list[int]) -> None:
    """Hand claimed messages back untried (a sender that stops)."""
    if message_ids:
        async with write_transaction():
            await MailMessage.update({MailMessage.claimed_until: None}).where(
                MailMessage.id.is_in(message_ids) & (MailMessage.status == QUEUED)
            )


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: doubling from a minute, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


async def mark_for_retry(message: Outgoing, now: dt.datetime, error: str) -> bool:
    """A temporary failure: try again later, or give up after `MAX_ATTEMPTS`; True when
    it will be retried."""
    attempts = message.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        await mark_failed(message, now, error)
        return False
    async with write_transaction():
        await MailMessage.update(
            {
                MailMessage.attempts: attempts,
                MailMessage.next_attempt_at: now + retry_delay(attempts),
                MailMessage.claimed_until: None,
                MailMessage.last_error: error[:ERROR_LENGTH],
            }
        ).where(MailMessage.id == message.id)
    return True


async def next_due(wave_id: int | None = None) -> dt.datetime | None:
    """When the first waiting message can be tried (its retry time or the end of a claim)."""
    condition = MailMessage.status == QUEUED
    if wave_id is not None:
        condition = condition & (MailMessage.wave == wave_id)
    rows = await MailMessage.select(MailMessage.next_attempt_at, MailMessage.claimed_until).where(
        condition
    )
    moments = [
        max(aware(row["next_attempt_at"]), aware(row["claimed_until"] or row["next_attempt_at"]))
        for row in rows
    ]
    return min(moments, default=None)


@dataclass(frozen=True)
class WaveMail:
    """What HR sees of a wave's mail: counts, and the invitations' addresses that failed."""

    queued: int
    sent: int
    failed: int
    reminders_sent: int
    without_address: int
    failed_addresses: list[tuple[str, str]]  # address, the server's reply


async def wave_mail(wave_id: int) -> WaveMail:
    counts = {
        (row["kind"], row["status"]): row["count"]
        for row in await MailMessage.select(
            MailMessage.kind, MailMessage.status, Count(MailMessage.id, alias="count")
        )
        .where(MailMessage.wave == wave_id)
        .group_by(MailMessage.kind, MailMessage.status)
    }
    failed = await (
        MailMessage.select(MailMessage.recipient, MailMessage.last_error)
        .where(
            (MailMessage.wave == wave_id)
            & (MailMessage.kind == INVITATION)
            & (MailMessage.status == FAILED)
        )
        .order_by(MailMessage.recipient)
    )
    return WaveMail(
        queued=sum(count for (_kind, status), count in counts.items() if status == QUEUED),
        sent=sum(count for (_kind, status), count in counts.items() if status == SENT),
        failed=sum(count for (_kind, status), count in counts.items() if status == FAILED),
        reminders_sent=counts.get((REMINDER, SENT), 0),
        without_address=await invitations_without_address(wave_id),
        failed_addresses=[(row["recipient"], row["last_error"]) for row in failed],
    )


async def invitations_without_address(wave_id: int) -> int:
    return await Invitation.count().where(
        (Invitation.wave == wave_id) & (Invitation.employee._.email == "")
    )


async def invitations_without_address_ids(wave_id: int) -> list[int]:
    rows = await Invitation.select(Invitation.id).where(
        (Invitation.wave == wave_id) & (Invitation.employee._.email == "")
    )
    return [row["id"] for row in rows]
