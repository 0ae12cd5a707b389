"""Follow-up reminders reach a real local SMTP server: one per due follow-up and day."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.mail.sender import MailNotConfigured
from survey_app.quickscan import service
from survey_app.quickscan.reminders import ReminderResult, due_follow_ups, send_reminders
from survey_app.quickscan.service import AgreementInput
from survey_app.tables.identity import AuditEvent, Employee
from tests.helpers import app_settings
from tests.quickscan.cycle_support import NOW, TODAY, employee_id, viewer
from tests.quickscan.cycle_support import org as load_org
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture)

HELD_ON = TODAY - dt.timedelta(days=30)


async def held(employee: str, manager: str, follow_up_on: dt.date | None) -> str:
    who = await viewer(manager)
    public_id = await service.plan(who, await employee_id(employee), talk_on=None, now=NOW)
    await service.record_talk(
        who,
        public_id,
        held_on=HELD_ON,
        summary="Geheime samenvatting",
        agreements=[AgreementInput("Geheime afspraak", "both", None)],
        follow_up_on=follow_up_on,
        now=NOW,
    )
    return public_id


async def conversations() -> dict[str, str]:
    await load_org()
    found = {
        "today": await held("1002", "1001", TODAY),
        "overdue": await held("1003", "1001", TODAY - dt.timedelta(days=3)),
        "later": await held("1004", "1001", TODAY + dt.timedelta(days=1)),
        "done": await held("1005", "1001", TODAY - dt.timedelta(days=1)),
        "none": await held("1006", "1001", None),
        "no_address": await held("1008", "1007", TODAY),
    }
    await service.mark_followed_up(await viewer("1001"), found["done"], now=NOW)
    await Employee.update({Employee.email: ""}).where(Employee.employee_number == "1007")
    return found


async def test_one_reminder_per_due_follow_up(smtp_server) -> None:  # noqa: F811
    found = await conversations()
    assert [item.public_id for item in await due_follow_ups(TODAY)] == [
        found["overdue"],
        found["today"],
        found["no_address"],
    ]
    settings = app_settings(**smtp_server.settings_overrides(), default_language="en")
    result = await send_reminders(settings, today=TODAY, now=NOW, actor="test")
    assert result == ReminderResult(sent=2, failed=0, skipped_no_address=1)
    received = smtp_server.mailbox.received
    assert [rcpt for rcpt, _message in received] == [
        ["m1001@testdorp.example"],
        ["m1001@testdorp.example"],
    ]
    subjects = [message["Subject"] for _rcpt, message in received]
    assert subjects == [
        "Quick Scan: follow-up with Medewerker 1003",
        "Quick Scan: follow-up with Medewerker 1002",
    ]
    _rcpt, message = received[1]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    day = TODAY.strftime("%d-%m-%Y")
    for body in (text, html):
        assert f"{settings.base_url}/quickscan/{found['today']}" in body
        assert day in body and "Medewerker 1002" in body
        assert "Geheim" not in body
    assert message["Content-Language"] == "en"

    # The next run sends nothing again; the address-less one is still skipped.
    again = await send_reminders(settings, today=TODAY, now=NOW, actor="test")
    assert again == ReminderResult(sent=0, failed=0, skipped_no_address=1)
    assert len(received) == 2
    # A follow-up that comes due later, and a new follow-up day, each get their reminder.
    tomorrow = await send_reminders(
        settings, today=TODAY + dt.timedelta(days=1), now=NOW, actor="test"
    )
    assert tomorrow.sent == 1 and received[-1][1]["Subject"].endswith("Medewerker 1004")
    await service.record_talk(
        await viewer("1001"),
        found["today"],
        held_on=HELD_ON,
        summary="",
        agreements=[],
        follow_up_on=TODAY + dt.timedelta(days=1),
        now=NOW,
    )
    moved = await send_reminders(
        settings, today=TODAY + dt.timedelta(days=1), now=NOW, actor="test"
    )
    assert moved.sent == 1 and received[-1][1]["Subject"].endswith("Medewerker 1002")

    details = [
        row["details"]
        for row in await AuditEvent.select(AuditEvent.details).where(
            AuditEvent.action == "quickscan.reminded"
        )
    ]
    assert len(details) == 4 and "Medewerker" not in str(details)


async def test_in_the_configured_language_and_not_to_an_earlier_manager(
    smtp_server,  # noqa: F811
) -> None:
    await load_org()
    await held("1002", "1001", TODAY)
    moved_away = await held("1003", "1001", TODAY)
    assert moved_away
    # 1003 now works in Wmo: 1001 can no longer open that conversation.
    wmo = await Employee.select(Employee.department).where(Employee.employee_number == "1007")
    await Employee.update({Employee.department: wmo[0]["department"]}).where(
        Employee.employee_number == "1003"
    )
    settings = app_settings(**smtp_server.settings_overrides(), default_language="nl")
    result = await send_reminders(settings, today=TODAY, now=NOW, actor="test")
    assert result.sent == 1
    _rcpt, message = smtp_server.mailbox.received[0]
    assert message["Subject"] == "Quick Scan: opvolging met Medewerker 1002"
    assert "Open het gesprek" in message.get_body(("html",)).get_content()


async def test_without_mail_settings() -> None:
    with pytest.raises(MailNotConfigured):
        await send_reminders(app_settings(), today=TODAY, now=NOW, actor="test")
