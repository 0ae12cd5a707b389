"""A Quick Scan conversation from planning to confirmation in a real browser, on a phone.

The manager plans it; the employee, on a 360 x 740 screen, fills in the self-assessment and
keeps one answer to themselves (a low Work Ability Score, which would show a signal); the
manager's preparation page shows a shared answer but neither that answer nor its signal;
the manager records two agreements and a follow-up date; the employee reads them, reacts
and confirms; the manager sees the conversation confirmed. No page scrolls sideways.

Headless Chromium is Debian's (/usr/bin/chromium); screenshots go to /tmp/shots/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from survey_app.core.i18n import LANGUAGE_COOKIE
from surveys import load_quickscan
from tests.helpers import browser_sign_in
from tests.quickscan.web_support import organisation_with_accounts

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE_WIDTH = 360
SHOTS = Path("/tmp/shots")
TIMEOUT_MS = 10_000


async def phone(browser: Browser, url: str) -> BrowserContext:
    context = await browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": url}])
    context.set_default_timeout(TIMEOUT_MS)
    return context


async def sign_in(context: BrowserContext, url: str, username: str) -> Page:
    page = await context.new_page()
    await browser_sign_in(page, url, username)
    return page


async def assert_no_horizontal_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px > {PHONE_WIDTH}px"


async def submit(page: Page, button: str) -> None:
    async with page.expect_navigation():
        await page.get_by_role("button", name=button).click()


async def test_a_quick_scan_from_planning_to_confirmation(browser: Browser, live_server) -> None:
    await organisation_with_accounts()
    form = load_quickscan()
    SHOTS.mkdir(exist_ok=True)
    today = dt.date.today()
    manager_context, employee_context = (
        await phone(browser, live_server.url),
        await phone(browser, live_server.url),
    )
    try:
        manager = await sign_in(manager_context, live_server.url, "jeugd@testdorp.example")
        await manager.goto(f"{live_server.url}/team/quickscan")
        await assert_no_horizontal_scroll(manager)
        await submit(manager, "Plan a Quick Scan with Medewerker 1002")
        match = re.search(r"/quickscan/([0-9a-f-]{36})", manager.url)
        assert match, manager.url
        conversation = f"{live_server.url}/quickscan/{match.group(1)}"

        employee = await sign_in(employee_context, live_server.url, "medewerker@testdorp.example")
        await employee.goto(f"{live_server.url}/quickscan")
        async with employee.expect_navigation():
            await employee.get_by_role("link", name="Quick Scan with Medewerker 1001").click()
        await expect(employee.get_by_text(form.privacy_notice.get("en"))).to_be_visible()
        for key, value in (("qs_energy", "4"), ("qs_collaboration", "5"), ("work_ability", "3")):
            await employee.locator(f"label[for='{key}-{value}']").click()
        await employee.locator("#qs_energy_gives").fill("Samenwerken met het wijkteam")
        share = employee.locator("#share_work_ability")
        assert await share.is_checked()
        await employee.locator("label[for='share_work_ability']").click()
        assert not await share.is_checked()
        await assert_no_horizontal_scroll(employee)
        await employee.screenshot(path=str(SHOTS / "quickscan-self-assessment.png"), full_page=True)
        await submit(employee, "Save my self-assessment")
        await expect(employee.get_by_text("Your self-assessment is saved")).to_be_visible()
        await assert_no_horizontal_scroll(employee)

        await manager.goto(conversation)
        main = manager.locator("main")
        await expect(main).to_contain_text(form.question("qs_collaboration").text("en"))
        await expect(main).to_contain_text("Samenwerken met het wijkteam")
        await expect(main).not_to_contain_text(form.question("work_ability").text("en"))
        signal = next(s for s in form.signals if s.key == "low_work_ability")
        await expect(main).not_to_contain_text(signal.title.get("en"))
        await assert_no_horizontal_scroll(manager)
        await manager.screenshot(path=str(SHOTS / "quickscan-preparation.png"), full_page=True)

        await manager.locator("#held_on").fill(today.isoformat())
        await manager.locator("#summary").fill("We spraken over energie en samenwerking.")
        rows = (
            ("Wekelijks overleg over de planning", "manager", 14),
            ("Cursus timemanagement zoeken", "employee", 45),
        )
        for index, (text, owner, days) in enumerate(rows):
            await manager.locator(f"#agreement_{index}_text").fill(text)
            await manager.locator(f"#agreement_{index}_owner").select_option(owner)
            due = today + dt.timedelta(days=days)
            await manager.locator(f"#agreement_{index}_due").fill(due.isoformat())
        follow_up = today + dt.timedelta(days=60)
        await manager.locator("#follow_up_on").fill(follow_up.isoformat())
        await assert_no_horizontal_scroll(manager)
        await submit(manager, "Save the record of the talk")
        await expect(manager.get_by_text("The talk is recorded")).to_be_visible()

        await employee.goto(conversation)
        agreements = employee.locator(".agreements")
        await expect(agreements).to_contain_text("Wekelijks overleg over de planning")
        await expect(agreements).to_contain_text("Cursus timemanagement zoeken")
        await employee.locator("#reaction").fill("Goed gesprek, dank je.")
        await assert_no_horizontal_scroll(employee)
        await employee.screenshot(path=str(SHOTS / "quickscan-record.png"), full_page=True)
        await submit(employee, "I have read this and confirm")
        await expect(employee.get_by_text("the conversation is confirmed")).to_be_visible()

        await manager.goto(conversation)
        await expect(manager.locator(".conversation-meta")).to_contain_text("Confirmed")
        await expect(manager.locator("main")).to_contain_text("Goed gesprek, dank je.")
        await assert_no_horizontal_scroll(manager)
    finally:
        await manager_context.close()
        await employee_context.close()
