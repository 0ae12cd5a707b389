"""Delivering the outbox over SMTP: batches over one connection, retries with backoff.

Each message is marked sent in its own commit right after the server accepted it. A crash
therefore loses nothing (unsent messages stay queued and are claimed again when their
sender's lease ends) and repeats at most the one message whose acceptance had not yet been
committed when the process died.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import aiosmtplib

from survey_app.core.clock import utc_now
from survey_app.core.errors import N_, Conflict
from survey_app.core.settings import Settings
from survey_app.mail import outbox
from survey_app.mail.messages import compose, survey_link
from survey_app.tables.identity import Wave
from survey_app.waves.service import WAVE_COLUMNS, WaveInfo

logger = logging.getLogger("survey_app.mail")
BATCH_SIZE = 50
SMTP_TIMEOUT_SECONDS = 60


class MailNotConfigured(Conflict):
    messages = {  # noqa: RUF012 (the AppError convention)
        "not_configured": N_(
            "E-mail is not set up: set KLANKBORD_SMTP_HOST and KLANKBORD_MAIL_FROM "
            "(see the README, Configuration)."
        ),
    }


def require_mail(settings: Settings) -> None:
    if not settings.mail_configured:
        raise MailNotConfigured("not_configured")


@dataclass
class Delivery:
    """What one delivery run did, as counts."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def smtp_error(error: Exception) -> str:
    """The server's reply or the kind of connection error: never the message, never a
    password (aiosmtplib's texts hold neither)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        first = error.recipients[0]
        return f"{first.code} {first.message}"
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    return f"{type(error).__name__}: {error}".strip().rstrip(":")


def _permanent(error: Exception) -> bool:
    """A refusal of this message or its address. A refused sender is the settings' fault,
    not the recipient's: retried (with backoff) until an operator fixes it."""
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return False
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(item.code >= 500 for item in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


def smtp_client(settings: Settings) -> aiosmtplib.SMTP:
    """A client for the configured SMTP server (not yet connected): the one place that
    knows how to reach it, for the outbox and for other mail (Quick Scan reminders)."""
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_tls == "tls",
        start_tls=True if settings.smtp_tls == "starttls" else False,  # noqa: SIM210
        timeout=SMTP_TIMEOUT_SECONDS,
    )


async def _waves(ids: set[int]) -> dict[int, WaveInfo]:
    rows = await Wave.select(*WAVE_COLUMNS).where(Wave.id.is_in(sorted(ids)))
    return {row["id"]: WaveInfo.from_row(row) for row in rows}


async def _send_batch(
    settings: Settings,
    batch: list[outbox.Outgoing],
    delivery: Delivery,
    clock: Callable[[], dt.datetime],
    stopping: asyncio.Event | None,
) -> None:
    waves = await _waves({message.wave_id for message in batch})
    client = smtp_client(settings)
    try:
        await client.connect()
    except (aiosmtplib.SMTPException, OSError) as error:
        for message in batch:
            await _temporary(message, delivery, clock(), smtp_error(error))
        return
    try:
        for index, message in enumerate(batch):
            if stopping is not None and stopping.is_set():
                # Shutting down: the rest of the batch goes back to the queue at once.
                await outbox.release([rest.id for rest in batch[index:]])
                return
            wave = waves[message.wave_id]
            try:
                if message.token is None:
                    raise ValueError("the link cannot be opened with this secret key")
                email = compose(
                    settings,
                    kind=message.kind,
                    language=message.language,
                    recipient=message.recipient,
                    link=survey_link(settings, message.token),
                    wave_title=wave.title,
                    closes_at=wave.closes_at,
                    now=clock(),
                )
            except ValueError as error:
                await outbox.mark_failed(message, clock(), str(error))
                delivery.failed += 1
                continue
            try:
                await client.send_message(email)
            except (
                aiosmtplib.SMTPServerDisconnected,
                aiosmtplib.SMTPTimeoutError,
                OSError,
            ) as error:
                # The connection is gone: this and the rest of the batch are tried again.
                for rest in batch[index:]:
                    await _temporary(rest, delivery, clock(), smtp_error(error))
                return
            except aiosmtplib.SMTPException as error:
                if _permanent(error):
                    await outbox.mark_failed(message, clock(), smtp_error(error))
                    delivery.failed += 1
                else:
                    await _temporary(message, delivery, clock(), smtp_error(error))
                continue
            await outbox.mark_sent(message, clock())
            delivery.sent += 1
    finally:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()


async def _temporary(
    message: outbox.Outgoing, delivery: Delivery, now: dt.datetime, error: str
) -> None:
    if await outbox.mark_for_retry(message, now, error):
        delivery.retrying += 1
    else:
        delivery.failed += 1


async def deliver(
    settings: Settings,
    *,
    wave_id: int | None = None,
    wait_seconds: float = 0,
    batch_size: int = BATCH_SIZE,
    clock: Callable[[], dt.datetime] = utc_now,
    stopping: asyncio.Event | None = None,
) -> Delivery:
    """Send every message that is due (of one wave, or all), batch after batch.

    With ``wait_seconds``, also wait for messages that become due within that time (a retry,
    or a batch whose sender died and whose lease ends): the command line delivers the
    queue before it returns. Logs counts only.
    """
    require_mail(settings)
    delivery = Delivery()
    lease = dt.timedelta(seconds=settings.mail_lease_seconds)
    deadline = clock() + dt.timedelta(seconds=wait_seconds)
    while stopping is None or not stopping.is_set():
        batch = await outbox.claim(
            settings.secret_key, now=clock(), lease=lease, limit=batch_size, wave_id=wave_id
        )
        if batch:
            await _send_batch(settings, batch, delivery, clock, stopping)
            continue
        due = await outbox.next_due(wave_id)
        if due is None or due > deadline:
            break
        await asyncio.sleep(min(max((due - clock()).total_seconds(), 0.05), 5))
    if delivery.sent or delivery.retrying or delivery.failed:
        logger.info(
            "mail delivered: sent=%d retrying=%d failed=%d",
            delivery.sent,
            delivery.retrying,
            delivery.failed,
        )
    return delivery
