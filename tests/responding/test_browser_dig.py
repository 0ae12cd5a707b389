"""A DIG survey in a real browser on a phone (360 px), in Dutch and in English: the consent
screen, consent given, every question about oneself skipped ("I'd rather not say", or left
open), the rest answered and sent; nothing about oneself is stored and the browser draft
never held it. The help for undesirable behaviour appears only once "yes" is chosen. The
consent screen and the survey pass axe-core (WCAG 2.1 A and AA, the accessibility suite's
options).

Headless Chromium is Debian's (/usr/bin/chromium); one browser for the module.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright, expect

from survey_app.tables.anonymous import Response, SelfIdentification
from surveys import Template, load_template
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, load_small_org, release_everything
from tests.responding.test_dig_respond import open_survey_wave
from tests.test_accessibility import AXE_OPTIONS, TIMEOUT_MS, describe

pytestmark = [pytest.mark.browser, pytest.mark.server]

HEADINGS = {
    "nl": ("Voordat je begint: vragen over jezelf", "Over jou (niet verplicht)"),
    "en": ("Before you start: questions about yourself", "About you (optional)"),
}


async def answer_everything_but_oneself(page: Page, template: Template) -> None:
    """The middle of every scale, "no" to every required choice (the follow-ups of "no" stay
    hidden and open); the questions about oneself are left to the caller."""
    for question in template.questions:
        if question.is_numeric:
            middle = (question.min_value + question.max_value) // 2
            await page.locator(f"label[for='input-{question.key}-{middle}']").click()
        elif question.type == "single_choice" and question.required:
            await page.locator(f"label[for='input-{question.key}-no']").click()


async def test_consent_then_skip_every_question_about_oneself(live_server) -> None:
    await load_small_org()
    template = load_template("dig")  # every category offered
    tokens = await open_survey_wave(template)
    axe = Axe()
    failures: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            for number, language in (("1002", "nl"), ("1003", "en")):
                context = await browser.new_context(viewport={"width": 360, "height": 740})
                context.set_default_timeout(TIMEOUT_MS)
                page = await context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                await page.goto(f"{live_server.url}/s/{tokens[number]}?lang={language}")

                # The consent screen comes first, in the respondent's language.
                consent, about_you = HEADINGS[language]
                await expect(page).to_have_url(re.compile(r"/survey/consent$"))
                await expect(page.locator("h1")).to_have_text(consent)
                await expect(page.locator("html")).to_have_attribute("lang", language)
                results = await axe.run(page, options=AXE_OPTIONS)
                failures += describe(results.response["violations"])
                await page.locator("button[name=consent][value=yes]").click()
                await expect(page).to_have_url(re.compile(r"/survey$"))
                await expect(page.locator("#section-self-id")).to_have_text(about_you)
                checked = page.locator("#survey-form input[name^=self_id_]:checked")
                await expect(checked).to_have_count(0)

                # Help and the follow-up questions only after "yes" (CSS :has()).
                await expect(page.locator("#ub-help")).to_be_hidden()
                await expect(page.locator("#q-ub_kinds")).to_be_hidden()
                await page.locator("label[for='input-ub_experienced-yes']").click()
                await expect(page.locator("#ub-help")).to_be_visible()
                await expect(page.locator("#q-ub_kinds")).to_be_visible()

                # "I'd rather not say" for half the categories; the others left open.
                for index, category in enumerate(template.self_identification):
                    if index % 2 == 0:
                        field = category.field_name
                        await page.locator(f"label[for='input-{field}-none']").click()
                await answer_everything_but_oneself(page, template)
                await expect(page.locator("#ub-help")).to_be_hidden()
                results = await axe.run(page, options=AXE_OPTIONS)
                failures += describe(results.response["violations"])
                draft = await page.evaluate("JSON.stringify(window.sessionStorage)")
                assert "klankbord-draft" in draft and "self_id_" not in draft, draft

                await page.locator("#survey-form button[type=submit]").click()
                await expect(page).to_have_url(re.compile(r"/survey/thanks"))
                assert not errors, errors
                await context.close()
        finally:
            await browser.close()
    assert not failures, "axe-core WCAG 2.1 A/AA violations:\n" + "\n".join(failures)
    await release_everything()
    assert await Response.count() == 2
    assert await SelfIdentification.count() == 0
