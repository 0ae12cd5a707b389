"""HR's mail page: counts, failed addresses, and the confirmed buttons that queue mail."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from survey_app.app import create_app
from survey_app.mail.sender import deliver
from survey_app.tables.identity import Employee, Invitation, MailMessage
from tests.helpers import (
    app_settings,
    csrf_from,
    load_small_org,
    new_wave,
    sign_in_as_hr,
    with_csrf,
)
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture)


@pytest.fixture
async def mail_client(smtp_server) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    app = create_app(app_settings(**smtp_server.settings_overrides()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield with_csrf(http)


async def test_hr_confirms_sends_and_sees_counts_and_the_failed_address(
    mail_client,
    smtp_server,  # noqa: F811
) -> None:
    await load_small_org({"JEUGD": 3, "WMO": 1})
    await Employee.update({Employee.email: ""}).where(Employee.employee_number == "1004")
    smtp_server.mailbox.unknown = {"m1002@testdorp.example"}
    wave = await new_wave()
    await sign_in_as_hr(mail_client)
    address = f"/hr/waves/{wave.public_id}/mail"

    listed = await mail_client.get("/hr/waves/")
    assert address in listed.text
    shown = await mail_client.get(address)
    assert shown.status_code == 200
    assert "Niet uitgenodigd: 3 met een e-mailadres, 1 zonder." in shown.text
    confirm = await mail_client.get(address + "?confirm=invitations")
    assert "3 uitnodigingen nu versturen?" in confirm.text
    sent = await mail_client.post(address + "/invitations", data={"_csrf": csrf_from(confirm.text)})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{address}?done=invitations&count=3"
    assert await Invitation.count() == 4 and await MailMessage.count() == 3
    # While messages wait, the counts ask for themselves again (htmx) …
    waiting = await mail_client.get(address)
    assert 'id="mail-status" hx-get="' in waiting.text and 'hx-trigger="every 5s"' in waiting.text

    settings = app_settings(**smtp_server.settings_overrides())
    await deliver(settings, wave_id=wave.id)
    after = await mail_client.get(sent.headers["location"])
    assert "3 uitnodigingen klaargezet" in after.text
    assert "hx-trigger" not in after.text  # … and stop once none do
    assert "m1002@testdorp.example" in after.text and "550 5.1.1" in after.text
    # Only the failed address: not those who got their mail, nor who responded.
    for other in ("m1001@", "m1003@"):
        assert other not in after.text
    facts = after.text.split('<dl class="facts">')[1].split("</dl>")[0]
    assert [cell.split("</dd>")[0] for cell in facts.split("<dd>")[1:]] == ["0", "2", "0", "1", "1"]

    # A reminder goes to those with an address who have not responded (all three here).
    reminder = await mail_client.get(address + "?confirm=reminders")
    assert "3 herinneringen nu versturen?" in reminder.text
    reminded = await mail_client.post(address + "/reminders")
    assert reminded.headers["location"] == f"{address}?done=reminders&count=3"


async def test_without_mail_settings_the_page_says_so_and_sends_nothing(client) -> None:
    await load_small_org({"JEUGD": 2, "WMO": 1})
    wave = await new_wave()
    await sign_in_as_hr(client)
    address = f"/hr/waves/{wave.public_id}/mail"
    shown = await client.get(address)
    assert "E-mail is niet ingesteld" in shown.text
    refused = await client.post(address + "/invitations")
    assert refused.status_code == 409
    assert 'class="error-summary"' in refused.text
    assert await Invitation.count() == 0
    assert (await client.get(f"/hr/waves/{wave.public_id}x/mail")).status_code == 404
