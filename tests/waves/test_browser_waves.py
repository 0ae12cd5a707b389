"""HR runs a wave in a real browser, without the command line: signs in, creates a draft
from the tree, adds an own question, previews the survey in English, publishes it, opens
it and closes it. Each page on the way passes axe-core (WCAG 2.1 A and AA), checked as the
accessibility suite checks (its options and report).

Headless Chromium is Debian's (/usr/bin/chromium).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from survey_app.core.clock import utc_now
from survey_app.tables.identity import AuditEvent
from survey_app.waves.service import WaveState, get_wave, wave_template
from tests.helpers import PASSWORD, load_small_org, make_account
from tests.test_accessibility import AXE_OPTIONS, TIMEOUT_MS, describe

pytestmark = [pytest.mark.browser, pytest.mark.server]

HR = "hr-browser@testdorp.example"
OWN_NL = "Ik kan mijn werk goed combineren met mijn privéleven."
OWN_EN = "I can combine my work well with my private life."


class Checked:
    """Runs axe on each page it is given; collects what fails."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.failures: list[str] = []

    async def __call__(self, page: Page, name: str) -> None:
        results = await self.axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        if violations:
            self.failures.append(f"  {name} ({page.url}):")
            self.failures.extend(describe(violations))


async def click_and_wait(page: Page, selector: str) -> None:
    async with page.expect_navigation():
        await page.locator(selector).click()


async def test_hr_runs_a_wave_in_the_browser(browser: Browser, live_server) -> None:
    await load_small_org()
    await make_account(HR, is_hr=True)
    axe = Checked()
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # Sign in, and find the waves in the menu.
        await page.goto(f"{live_server.url}/sign-in")
        await page.locator("#username").fill(HR)
        await page.locator("#password").fill(PASSWORD)
        await click_and_wait(page, "form[action='/sign-in'] button[type=submit]")
        await click_and_wait(page, "nav.main-menu a[href='/hr/waves']")
        await axe(page, "waves")
        await click_and_wait(page, "a[href='/hr/waves/new']")
        await axe(page, "new wave")

        # A draft for Sociaal Domein (with everything below it), chosen in the tree.
        await page.locator("#title").fill("Pulsmeting proef")
        await page.locator("#department-SD").check()
        await click_and_wait(page, "form[action='/hr/waves'] button[type=submit]")
        match = re.search(r"/hr/waves/([0-9a-f-]{36})/manage", page.url)
        assert match, page.url
        public_id = match.group(1)
        await expect(page.locator(".utrecht-alert--ok")).to_be_visible()
        await axe(page, "the draft")

        # One own question, added with htmx on the questions page.
        await click_and_wait(page, f"a[href='/hr/waves/{public_id}/questions']")
        await page.wait_for_function("window.htmx !== undefined")
        await page.locator("#kind-agreement").check()
        await page.locator("#text_nl").fill(OWN_NL)
        await page.locator("#text_en").fill(OWN_EN)
        await page.locator("form[action$='/questions/own'] button[type=submit]").click()
        await expect(page.locator("#composer .composer-list")).to_contain_text(OWN_NL)
        await axe(page, "questions")
        template = await wave_template(await get_wave(public_id))
        assert template.questions[-1].text("en") == OWN_EN

        # The preview, switched to English: the survey as a respondent sees it.
        await click_and_wait(page, f"#composer a[href='/hr/waves/{public_id}/preview']")
        await click_and_wait(page, ".preview-banner a[hreflang='en']")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator(".preview-banner")).to_contain_text("Preview")
        await expect(page.locator("#q-own_1")).to_contain_text(OWN_EN)
        await expect(page.locator("#survey-form button[type=submit]")).to_be_disabled()
        await axe(page, "preview (en)")

        # Back to the wave: publish, open now, close after confirming.
        await click_and_wait(page, ".preview-banner a[href$='/manage']")
        await click_and_wait(page, "form[action$='/publish'] button")
        await expect(page.locator(".utrecht-alert--ok")).to_be_visible()
        assert (await get_wave(public_id)).state(utc_now()) is WaveState.SCHEDULED
        await axe(page, "published")
        await click_and_wait(page, "form[action$='/open'] button")
        assert (await get_wave(public_id)).state(utc_now()) is WaveState.OPEN
        await axe(page, "open")
        await click_and_wait(page, f"a[href='/hr/waves/{public_id}/close']")
        await axe(page, "close?")
        await click_and_wait(page, "form[action$='/close'] button")
        assert (await get_wave(public_id)).state(utc_now()) is WaveState.CLOSED
        await expect(page.locator(".utrecht-alert--ok")).to_be_visible()
        await axe(page, "closed")
    finally:
        await context.close()
    assert not errors, errors
    assert not axe.failures, "axe-core WCAG 2.1 A/AA violations:\n" + "\n".join(axe.failures)
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    for action in (
        "wave.created",
        "wave.questionnaire_changed",
        "wave.published",
        "wave.opened",
        "wave.closed",
    ):
        assert action in actions, actions
