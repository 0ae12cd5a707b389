"""The running server delivers queued mail in the background: every worker polls, none
sends a message twice, and its log says how many, never to whom."""

from __future__ import annotations

import asyncio
import time

from survey_app.core.clock import utc_now
from survey_app.mail.service import queue_invitations
from survey_app.tables.identity import MailMessage
from tests.conftest import LiveServer
from tests.helpers import app_settings, load_small_org, new_wave
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture)


async def test_the_running_server_delivers_queued_mail_once(smtp_server) -> None:  # noqa: F811
    await load_small_org({"JEUGD": 10, "WMO": 5, "ICT": 10})
    wave = await new_wave()
    server = LiveServer(workers=2, env=smtp_server.env(KLANKBORD_MAIL_POLL_SECONDS="1"))
    server.start()
    try:
        settings = app_settings(**smtp_server.settings_overrides())
        queued = await queue_invitations(wave, settings=settings, now=utc_now())
        assert queued.invitations == 25
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            await MailMessage.count().where(MailMessage.status == "sent") < 25
        ):
            await asyncio.sleep(0.5)
    finally:
        server.stop()
    recipients = smtp_server.mailbox.recipients()
    assert len(recipients) == len(set(recipients)) == 25
    log = server.log()
    assert "mail delivered: sent=" in log
    assert "@testdorp.example" not in log
