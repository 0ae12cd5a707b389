"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepts, for the mail tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port


@dataclass
class Mailbox:
    """The server's handler: accepted messages, and the ways a test makes it misbehave."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    # Refused at RCPT with a permanent error (a mailbox that does not exist).
    unknown: set[str] = field(default_factory=set)
    # The sender address is refused (5xx): the settings are wrong, not the addresses.
    refuse_sender: bool = False
    # So many messages get a temporary error (451) at DATA before any is accepted.
    temporary_failures: int = 0
    # The message after this many accepted ones is held for ``delay`` seconds before the
    # server answers; ``slow`` is set when it starts waiting.
    slow_after: int | None = None
    delay: float = 0
    slow: threading.Event = field(default_factory=threading.Event)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return "553 5.7.1 Sender address not allowed"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 Try again later"
        if self.slow_after is not None and len(self.received) == self.slow_after:
            self.slow.set()
            # A client that goes away now cancels this (aiosmtpd): the message was never
            # accepted, as with a real server that had not yet said 250.
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 2.0.0 Accepted"

    def recipients(self) -> list[str]:
        return [address for rcpt_tos, _message in self.received for address in rcpt_tos]


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a `survey-app` process sends through this server with."""
        return {
            "KLANKBORD_SMTP_HOST": "127.0.0.1",
            "KLANKBORD_SMTP_PORT": str(self.port),
            "KLANKBORD_SMTP_TLS": "none",
            "KLANKBORD_MAIL_FROM": "enquete@testdorp.example",
            **extra,
        }

    def settings_overrides(self) -> dict[str, object]:
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_tls": "none",
            "mail_from": "enquete@testdorp.example",
        }


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh aiosmtpd server on a free port (``Controller(port=0)`` cannot report its
    port), stopped after the test."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, mailbox)
    finally:
        mailbox.delay = 0
        controller.stop()
