"""The running server delivers queued mail in the background: every worker polls, none
sends a message twice, and its log says how many, never to whom. HR sends the invitations
from the browser and watches the counts change without reloading the page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import async_playwright, expect

from survey_app.tables.identity import MailMessage
from tests.conftest import LiveServer
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HR_USERNAME,
    browser_sign_in,
    load_small_org,
    make_account,
    new_wave,
)
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.server]


async def test_hr_sends_from_the_browser_and_the_server_delivers_each_once(
    smtp_server,  # noqa: F811
) -> None:
    await load_small_org({"JEUGD": 10, "WMO": 5, "ICT": 10})
    await make_account(HR_USERNAME, is_hr=True)
    await new_wave()
    # The first message is held a few seconds, so the page shows mail waiting first.
    mailbox = smtp_server.mailbox
    mailbox.slow_after, mailbox.delay = 0, 3
    server = LiveServer(workers=2, env=smtp_server.env(KLANKBORD_MAIL_POLL_SECONDS="1"))
    server.start()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            page = await browser.new_page(locale="nl-NL")
            page.set_default_timeout(10_000)
            await browser_sign_in(page, server.url, HR_USERNAME)
            await page.goto(f"{server.url}/hr/waves/")
            await page.get_by_role("link", name="E-mail").click()
            await page.get_by_role("link", name="Uitnodigingen versturen…").click()
            await expect(page.get_by_text("25 uitnodigingen nu versturen?")).to_be_visible()
            await page.get_by_role("button", name="Ja, verstuur de uitnodigingen").click()
            await expect(page.get_by_text("25 uitnodigingen klaargezet")).to_be_visible()
            waiting = page.locator("#mail-status dd").first
            sent = page.locator("#mail-status dd").nth(1)
            assert int(await waiting.inner_text()) > 0
            # No reload: the counts ask for themselves until nothing waits.
            await expect(sent).to_have_text("25", timeout=60_000)
            await expect(waiting).to_have_text("0")
            await expect(page.locator("#mail-status")).not_to_have_attribute(
                "hx-trigger", re.compile(".")
            )
            await browser.close()
    finally:
        server.stop()
    recipients = mailbox.recipients()
    assert len(recipients) == len(set(recipients)) == 25
    assert await MailMessage.count().where(MailMessage.status == "sent") == 25
    log = server.log()
    assert "mail delivered: sent=" in log
    # The HR account's own sign-in is logged; no employee's address is.
    assert not re.search(r"m1\d{3}@testdorp\.example", log)
