"""A shared tablet in kiosk mode: a respondent answers with a code, the tablet returns to an
empty code page by itself, and nothing of them is left for the next person (browser)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import async_playwright, expect

from survey_app.waves.codes import issue_codes
from surveys import load_template
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, app_settings, load_small_org, open_wave

pytestmark = [pytest.mark.browser, pytest.mark.server]

COMMENT = "Een opmerking die de volgende persoon niet mag zien."


async def test_the_kiosk_forgets_each_respondent(live_server) -> None:
    await load_small_org()
    opened = await open_wave()
    issued = await issue_codes(opened.wave, "ICT", 1, settings=app_settings())
    template = load_template("pulse")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(viewport={"width": 800, "height": 1200})
            context.set_default_timeout(20_000)
            page = await context.new_page()
            await page.goto(f"{live_server.url}/kiosk")
            await page.locator("#code").fill(issued.codes[0].lower())
            await page.locator("form button[type=submit]").click()
            await expect(page).to_have_url(re.compile(r"/survey$"))
            for index, question in enumerate(template.questions):
                if question.type == "text":
                    await page.locator(f"#input-{question.key}").fill(COMMENT)
                else:
                    key = question.options[index % len(question.options)].key
                    await page.locator(f"label[for='input-{question.key}-{key}']").click()
            await page.locator("#survey-form button[type=submit]").click()
            await expect(page).to_have_url(re.compile(r"/survey/thanks\?.*kiosk=1"))
            # Back to an empty code page by itself (after ten seconds).
            await expect(page).to_have_url(re.compile(r"/kiosk$"), timeout=20_000)
            await expect(page.locator("#code")).to_have_value("")
            stored = await page.evaluate("JSON.stringify(window.sessionStorage)")
            assert "klankbord-draft" not in stored and COMMENT not in stored, stored
            cookies = {cookie["name"] for cookie in await context.cookies()}
            assert not [name for name in cookies if "survey" in name], cookies
            # Back shows nothing of the previous person: no form, none of their answers.
            await page.go_back()
            await page.wait_for_load_state()
            assert "/survey" in page.url and "thanks" not in page.url, page.url
            await expect(page.locator("#survey-form")).to_have_count(0)
            assert COMMENT not in await page.content()
        finally:
            await browser.close()
