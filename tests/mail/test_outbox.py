"""Invitations and reminders by e-mail through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.mail import outbox
from survey_app.mail.sender import MailNotConfigured, deliver
from survey_app.mail.service import queue_invitations
from survey_app.tables.identity import Employee, Invitation, MailMessage
from survey_app.waves.service import get_wave
from tests.helpers import (
    app_settings,
    full_answers,
    load_small_org,
    new_wave,
    open_survey,
    survey_app,
    with_csrf,
)
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture)

LINK = re.compile(r"https?://[^\s\"<>]+/s/([A-Za-z0-9_-]+)")
ADDRESS = re.compile(r"m1\d{3}@testdorp\.example")


def links_in(message) -> tuple[str, str]:
    """The link in the plain-text part and in the HTML part (each must hold one)."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (text_link,) = set(LINK.findall(text))
    html_links = set(LINK.findall(html))
    assert html_links == {text_link}
    return text_link, html


async def test_invitations_are_multipart_with_an_opaque_link_in_the_right_language(
    smtp_server,  # noqa: F811
) -> None:
    await load_small_org({"JEUGD": 2, "WMO": 1})
    wave = await new_wave()
    settings = app_settings(**smtp_server.settings_overrides())
    queued = await queue_invitations(wave, settings=settings, now=utc_now(), language="en")
    assert (queued.invitations, queued.without_address) == (3, 0)
    delivery = await deliver(settings, wave_id=wave.id)
    assert (delivery.sent, delivery.failed, delivery.retrying) == (3, 0, 0)
    employees = await Employee.select(Employee.employee_number, Employee.name, Employee.email)
    for rcpt_tos, message in smtp_server.mailbox.received:
        assert message["Subject"] == "Invitation: Pulsmeting test"
        assert message["Content-Language"] == "en"
        token, html = links_in(message)
        assert "You are invited" in message.get_body(("plain",)).get_content()
        assert 'lang="en"' in html
        link = f"{settings.base_url}/s/{token}"
        for person in employees:
            for secret in (person["employee_number"], person["name"], person["email"]):
                assert secret not in link
        assert len(token) >= 22 and message["To"] == rcpt_tos[0]
    # Sent messages keep no token; every invitation got exactly one.
    rows = await MailMessage.select(MailMessage.sealed_token, MailMessage.status)
    assert {(row["sealed_token"], row["status"]) for row in rows} == {("", "sent")}

    # In Dutch by default (KLANKBORD_LANGUAGE), the same link in both parts.
    await load_small_org({"JEUGD": 3, "WMO": 1})
    await queue_invitations(wave, settings=settings, now=utc_now())
    await deliver(settings, wave_id=wave.id)
    _rcpt, last = smtp_server.mailbox.received[-1]
    assert last["Subject"] == "Uitnodiging: Pulsmeting test"
    assert "Je bent uitgenodigd" in last.get_body(("plain",)).get_content()
    links_in(last)


async def test_sending_without_smtp_settings_is_refused_before_anyone_is_invited() -> None:
    await load_small_org()
    wave = await new_wave()
    with pytest.raises(MailNotConfigured):
        await queue_invitations(wave, settings=app_settings(), now=utc_now())
    assert await Invitation.count() == 0
    result = await survey_app("wave", "send", str(wave.public_id), KLANKBORD_LANGUAGE="en")
    assert result.returncode == 1
    assert "E-mail is not set up: set KLANKBORD_SMTP_HOST" in result.stderr
    assert await Invitation.count() == 0


async def _respond(app, token: str) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        client = with_csrf(http)
        await open_survey(client, token)
        done = await client.post("/survey", data=full_answers())
        assert done.status_code == 303, done.text[:300]


async def test_a_reminder_reaches_exactly_those_who_did_not_respond_and_nobody_says_who(
    smtp_server,  # noqa: F811
    app,
    caplog,
) -> None:
    caplog.set_level("INFO")
    await load_small_org({"JEUGD": 11, "WMO": 11, "ICT": 10})
    # Two of the 32 have no address: no mail, counted for HR. 30 are invited by mail.
    await Employee.update({Employee.email: ""}).where(
        Employee.employee_number.is_in(["1001", "1012"])
    )
    wave = await new_wave()
    env = smtp_server.env()
    sent = await survey_app("wave", "send", str(wave.public_id), **env)
    assert sent.returncode == 0, sent.stderr
    assert "Uitnodigingen klaargezet: 30" in sent.stdout and "Nu verstuurd: 30" in sent.stdout
    assert "codebriefjes): 2" in sent.stdout
    invited = smtp_server.mailbox.recipients()
    assert len(invited) == len(set(invited)) == 30

    tokens = {}
    for rcpt_tos, message in smtp_server.mailbox.received:
        token, _html = links_in(message)
        tokens[rcpt_tos[0]] = token
    responders = sorted(tokens)[::2][:12]  # 12 of the 30 respond
    for address in responders:
        await _respond(app, tokens[address])

    smtp_server.mailbox.received.clear()
    reminded = await survey_app("wave", "remind", str(wave.public_id), **env)
    assert reminded.returncode == 0, reminded.stderr
    assert "Herinneringen klaargezet: 18" in reminded.stdout
    # Everyone with an address who did not respond, each once; nobody else.
    expected = sorted(set(tokens) - set(responders))
    assert len(expected) == 18
    assert sorted(smtp_server.mailbox.recipients()) == expected
    for rcpt_tos, message in smtp_server.mailbox.received:
        token, _html = links_in(message)
        assert message["Subject"] == "Herinnering: Pulsmeting test"
        assert token != tokens[rcpt_tos[0]]  # a new link; the old one stops working
    old = await httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ).get(f"/s/{tokens[expected[0]]}")
    assert old.status_code != 303

    # Nothing says who: not the command's output, not a log line, not the audit trail, and
    # finished reminders keep no address.
    numbers = [row["employee_number"] for row in await Employee.select(Employee.employee_number)]
    # The test's SMTP server ("mail.log") of course knows whom it received mail for.
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name != "mail.log"
    )
    told = reminded.stdout + reminded.stderr + sent.stdout + sent.stderr + logged
    records, _total = await audit.search()
    told += repr([(record.target, record.details) for record in records])
    for address in expected:
        assert address not in told
    assert not ADDRESS.search(told)
    for number in numbers:
        assert not re.search(rf"\b{number}\b", told)
    reminder_rows = await MailMessage.select(MailMessage.recipient, MailMessage.invitation).where(
        MailMessage.kind == outbox.REMINDER
    )
    assert len(reminder_rows) == 18
    assert {(row["recipient"], row["invitation"]) for row in reminder_rows} == {("", None)}


async def test_a_temporary_failure_is_retried_with_backoff_then_sent(
    smtp_server,  # noqa: F811
) -> None:
    await load_small_org({"JEUGD": 2, "WMO": 1})
    wave = await new_wave()
    settings = app_settings(**smtp_server.settings_overrides())
    now = utc_now()
    await queue_invitations(wave, settings=settings, now=now)
    smtp_server.mailbox.temporary_failures = 1
    first = await deliver(settings, wave_id=wave.id, clock=lambda: now)
    assert (first.sent, first.retrying, first.failed) == (2, 1, 0)
    (waiting,) = await MailMessage.select().where(MailMessage.status == "queued")
    assert waiting["attempts"] == 1 and waiting["last_error"].startswith("451")
    assert waiting["sealed_token"]  # kept until it is sent
    # Not before its backoff (a minute after the first attempt) …
    again = await deliver(settings, wave_id=wave.id, clock=lambda: now + dt.timedelta(seconds=59))
    assert again.sent == 0
    # … then sent; the next waits are longer.
    later = await deliver(settings, wave_id=wave.id, clock=lambda: now + dt.timedelta(minutes=1))
    assert later.sent == 1
    assert len(set(smtp_server.mailbox.recipients())) == 3
    assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 8)] == [60, 120, 240, 3600]


async def test_a_refused_sender_address_is_retried_not_blamed_on_the_recipients(
    smtp_server,  # noqa: F811
) -> None:
    await load_small_org({"JEUGD": 2, "WMO": 1})
    wave = await new_wave()
    settings = app_settings(**smtp_server.settings_overrides())
    now = utc_now()
    await queue_invitations(wave, settings=settings, now=now)
    smtp_server.mailbox.refuse_sender = True
    refused = await deliver(settings, wave_id=wave.id, clock=lambda: now)
    assert (refused.sent, refused.retrying, refused.failed) == (0, 3, 0)
    assert (await outbox.wave_mail(wave.id)).failed_addresses == []
    smtp_server.mailbox.refuse_sender = False
    fixed = await deliver(settings, wave_id=wave.id, clock=lambda: now + dt.timedelta(minutes=1))
    assert fixed.sent == 3


async def test_a_refused_address_fails_for_good_and_hr_sees_it(
    smtp_server,  # noqa: F811
) -> None:
    await load_small_org({"JEUGD": 2, "WMO": 1})
    await Employee.update({Employee.email: "geen-adres"}).where(Employee.employee_number == "1002")
    wave = await new_wave()
    settings = app_settings(**smtp_server.settings_overrides())
    smtp_server.mailbox.unknown = {"m1001@testdorp.example"}
    await queue_invitations(wave, settings=settings, now=utc_now())
    delivery = await deliver(settings, wave_id=wave.id)
    assert (delivery.sent, delivery.failed, delivery.retrying) == (1, 2, 0)
    mail = await outbox.wave_mail(wave.id)
    assert (mail.sent, mail.failed, mail.queued) == (1, 2, 0)
    addresses = dict(mail.failed_addresses)
    assert addresses["m1001@testdorp.example"].startswith("550")
    assert addresses["geen-adres"] == "not an e-mail address"
    rows = await MailMessage.select(MailMessage.sealed_token)
    assert {row["sealed_token"] for row in rows} == {""}


async def test_killed_mid_batch_every_invitation_is_sent_exactly_once(
    smtp_server,  # noqa: F811
) -> None:
    import asyncio
    import os
    import signal
    import subprocess
    import sys

    from tests.helpers import PROJECT_ROOT

    await load_small_org({"JEUGD": 10, "WMO": 10, "ICT": 10})
    wave = await new_wave()
    mailbox = smtp_server.mailbox
    mailbox.slow_after, mailbox.delay = 7, 60
    env = {**os.environ, **smtp_server.env(KLANKBORD_MAIL_LEASE_SECONDS="3")}
    process = subprocess.Popen(
        [sys.executable, "-m", "survey_app", "wave", "send", str(wave.public_id)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert await asyncio.to_thread(mailbox.slow.wait, 60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert len(mailbox.received) == 7
    assert await MailMessage.count().where(MailMessage.status == "sent") == 7
    assert await MailMessage.count().where(MailMessage.status == "queued") == 23

    mailbox.slow_after = None
    restarted = await survey_app("wave", "send", str(wave.public_id), **env)
    assert restarted.returncode == 0, restarted.stderr
    assert "Uitnodigingen klaargezet: 0" in restarted.stdout
    recipients = mailbox.recipients()
    assert len(recipients) == len(set(recipients)) == 30
    assert await MailMessage.count().where(MailMessage.status == "sent") == 30
    assert (await get_wave(wave.public_id)).id == wave.id
