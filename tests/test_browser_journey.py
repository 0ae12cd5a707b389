"""The respondent's journey in a real browser on a phone-sized screen (360 px wide).

A person opens the invitation link, sees the survey, submits with one answer missing and
sees the error, answers every question by tapping the visible labels (the radio buttons
themselves are visually hidden), submits and sees the thank-you page. The same journey
runs with JavaScript (htmx re-renders, inline checks, a sessionStorage draft) and without
it (plain POST, the 422 page with an error summary). The database must then hold exactly
one response with the answers given, and the link must not work a second time.

Headless Chromium is Debian's (/usr/bin/chromium); screenshots go to /tmp/shots/.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from survey_app.core.clock import utc_now
from survey_app.core.settings import Settings
from survey_app.demo.builder import SEED, build_people, organisation_csv
from survey_app.organisation.importing import import_org_file
from survey_app.tables.anonymous import Answer, Response
from survey_app.waves.service import WaveInfo, create_wave, invite
from surveys import Question, Template, load_template
from tests.helpers import app_settings, release_everything

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE_WIDTH = 360
SHOTS = Path("/tmp/shots")
MIN_TAP_TARGET = 44  # CSS px; WCAG 2.5.5 (AAA) and the platform guidelines
TIMEOUT_MS = 10_000

DEPARTMENT_PATH = "GEM/BS/BS-BO"  # a small demo department (4 people)
SEND = "#survey-form button[type=submit]"
# The question left unanswered in the first submission.
SKIPPED = "safety_mistakes"
COMMENT = "Fijne collega's en een goede sfeer; de werkdruk is wel hoog. Café-overleg helpt!"


@dataclass(frozen=True)
class OpenWave:
    wave: WaveInfo
    template: Template
    links: list[str]


# -- fixtures ----------------------------------------------------------------------------


async def phone(browser: Browser, *, javascript: bool) -> BrowserContext:
    context = await browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
        locale="nl-NL",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
async def open_wave(live_server, tmp_path: Path) -> OpenWave:
    """The demo organisation, and an open pulse wave for one small department."""
    settings = Settings.from_env()
    today = utc_now().astimezone(settings.timezone).date()
    csv_path = tmp_path / "organisation.csv"
    csv_path.write_bytes(organisation_csv(build_people(random.Random(SEED))))
    await import_org_file(csv_path, today)
    wave = await create_wave(
        title="Pulsmeting browsertest",
        template_key="pulse",
        department_codes=[DEPARTMENT_PATH.rsplit("/", 1)[1]],
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=14),
        timezone=settings.timezone,
    )
    invitations = await invite(wave, now=utc_now(), settings=app_settings())
    assert invitations, "the department has employees to invite"
    links = [f"{live_server.url}/s/{invitation.token}" for invitation in invitations]
    return OpenWave(wave=wave, template=load_template("pulse"), links=links)


# -- helpers -----------------------------------------------------------------------------


def planned_answers(template: Template) -> dict[str, int | str]:
    """A varied, deterministic answer for every question."""
    answers: dict[str, int | str] = {}
    for index, question in enumerate(template.questions):
        if question.type == "likert":
            answers[question.key] = index % 5 + 1
        elif question.type == "scale":
            answers[question.key] = 8
        elif question.type == "text":
            answers[question.key] = COMMENT
        else:  # pragma: no cover - the pulse template has no other types
            raise AssertionError(f"unexpected question type {question.type}")
    return answers


def option_text(question: Question, key: str, lang: str) -> str:
    """What the person reads on the option: its label, or the number on a 0–10 scale."""
    option = next(option for option in question.options if option.key == key)
    return option.key if question.type == "scale" else option.label(lang)


async def tap_option(page: Page, question: Question, value: int, lang: str) -> None:
    """Tap the visible label of an option, like a person on a phone, and check it took."""
    key = str(value)
    label = page.locator(f"#q-{question.key} label[for='input-{question.key}-{key}']")
    await expect(label).to_be_visible()
    await expect(label).to_contain_text(option_text(question, key, lang))
    await label.tap()  # a touch, not a mouse click
    await expect(page.locator(f"#input-{question.key}-{key}")).to_be_checked()


async def answer(page: Page, question: Question, value: int | str, lang: str) -> None:
    if question.type == "text":
        box = page.get_by_label(question.text(lang))
        await box.fill(str(value))
        await box.blur()  # a change event, like tapping elsewhere
    else:
        await tap_option(page, question, int(value), lang)


async def assert_no_horizontal_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px > {PHONE_WIDTH}px"


async def assert_tap_targets(page: Page) -> None:
    """Every option label is big enough to hit with a thumb."""
    small = await page.evaluate(
        """(minimum) => Array.from(document.querySelectorAll('.option label'))
            .map((label) => [label.htmlFor, label.getBoundingClientRect()])
            .filter(([, box]) => box.width < minimum || box.height < minimum)
            .map(([id, box]) => `${id}: ${Math.round(box.width)}x${Math.round(box.height)}`)""",
        MIN_TAP_TARGET,
    )
    assert not small, f"tap targets smaller than {MIN_TAP_TARGET}px: {small}"


async def assert_survey_shown(page: Page, template: Template, lang: str) -> None:
    assert await page.locator("html").get_attribute("lang") == lang
    await expect(page.locator("h1")).to_have_text(template.title(lang))
    for question in template.questions:
        await expect(page.locator(f"#q-{question.key}")).to_contain_text(question.text(lang))
    await assert_no_horizontal_scroll(page)
    await assert_tap_targets(page)


async def assert_error_for(page: Page, template: Template, key: str, lang: str) -> None:
    """The summary names the one missing question, and the question itself is marked."""
    question = next(q for q in template.questions if q.key == key)
    summary = page.locator(".error-summary")
    await expect(summary).to_be_visible()
    links = summary.locator("a")
    await expect(links).to_have_count(1)
    assert await links.get_attribute("href") == f"#q-{key}"
    await expect(links).to_contain_text(question.text(lang))
    await expect(page.locator(f"#q-{key}")).to_have_class(re.compile(r"\bhas-error\b"))
    await expect(page.locator(f"#error-{key}")).not_to_be_empty()
    for option in question.options:
        field = page.locator(f"#input-{key}-{option.key}")
        assert await field.get_attribute("aria-invalid") == "true"
    assert await page.locator("[aria-invalid=true]").count() == len(question.options)
    await assert_no_horizontal_scroll(page)


async def assert_answers_kept(page: Page, template: Template, answers: dict, lang: str) -> None:
    """The answers given so far are still chosen (after a reload or a re-rendered form)."""
    for question in template.questions:
        if question.key not in answers:
            continue
        if question.type == "text":
            box = page.get_by_label(question.text(lang))
            await expect(box).to_have_value(answers[question.key])
        else:
            field = page.locator(f"#input-{question.key}-{answers[question.key]}")
            await expect(field).to_be_checked()


async def assert_not_under_progress(page: Page, selector: str) -> None:
    """The sticky progress bar does not cover ``selector`` (e.g. after a jump to it)."""
    progress = await page.locator("#progress").bounding_box()
    target = await page.locator(selector).bounding_box()
    assert progress is not None and target is not None
    assert target["y"] >= progress["y"] + progress["height"] - 1, (
        f"{selector} (top {target['y']:.0f}px) is hidden under the sticky progress bar "
        f"(bottom {progress['y'] + progress['height']:.0f}px)"
    )


async def stored_responses(wave: WaveInfo) -> list[dict[str, int | str]]:
    """The answers of every stored response of the wave, as {question key: value}."""
    await release_everything()
    responses = await Response.select(Response.id, Response.department_path).where(
        Response.wave == wave.id
    )
    stored = []
    for response in responses:
        # The wave invited fewer than k (5): its responses name the organisation only.
        assert response["department_path"] == DEPARTMENT_PATH.split("/")[0]
        rows = await Answer.select(
            Answer.question_key, Answer.number, Answer.choice, Answer.text
        ).where(Answer.response == response["id"])
        values: dict[str, int | str] = {}
        for row in rows:
            assert row["question_key"] not in values, "one row per single-choice answer"
            value = next(row[c] for c in ("number", "choice", "text") if row[c] is not None)
            values[row["question_key"]] = value
        stored.append(values)
    return stored


async def screenshot(page: Page, name: str) -> None:
    """What the phone shows now, and the whole page (``-full``) for reference."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png")
    await page.screenshot(path=SHOTS / f"{name}-full.png", full_page=True)


async def assert_link_used(page: Page, link: str) -> None:
    response = await page.goto(link)
    assert response is not None
    assert response.status == 409
    await expect(page.locator(".notice-used h1")).to_be_visible()
    await expect(page.locator("form#survey-form")).to_have_count(0)
    await assert_no_horizontal_scroll(page)


# -- the journeys ------------------------------------------------------------------------


async def test_phone_journey_with_javascript(browser: Browser, open_wave: OpenWave) -> None:
    template, wave = open_wave.template, open_wave.wave
    questions = template.questions
    answers = planned_answers(template)
    context = await phone(browser, javascript=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # The link swaps the token for a session and leaves the address bar.
        response = await page.goto(open_wave.links[0])
        assert response is not None and response.ok
        assert page.url.endswith("/survey")
        await assert_survey_shown(page, template, "nl")
        await page.wait_for_function("window.htmx !== undefined")
        await screenshot(page, "js-survey")

        # A few answers, then a reload: the draft in sessionStorage brings them back.
        first = questions[:4]
        for question in first:
            await answer(page, question, answers[question.key], "nl")
        draft_key = f"klankbord-draft:{wave.public_id}"
        draft = await page.evaluate("(key) => JSON.parse(sessionStorage.getItem(key))", draft_key)
        # Answers only: the page's CSRF token is not part of a draft.
        assert "_csrf" not in draft
        given_so_far = {key: values for key, values in draft.items() if values != [""]}
        assert given_so_far == {q.key: [str(answers[q.key])] for q in first}
        await page.reload()
        assert page.url.endswith("/survey")
        await assert_answers_kept(page, template, {q.key: answers[q.key] for q in first}, "nl")
        # ... and the progress is recounted for them.
        await expect(page.locator("#progress progress")).to_have_attribute("value", "4")

        # Keyboard focus on a visually hidden radio shows on its label.
        await page.locator("#q-enjoyment_work legend").click()
        await page.keyboard.press("Tab")
        focused = page.locator(f"#input-enjoyment_work-{answers['enjoyment_work']}")
        await expect(focused).to_be_focused()
        outline = await page.evaluate(
            "getComputedStyle(document.activeElement.nextElementSibling).outlineStyle"
        )
        assert outline != "none", "the focused option's label shows the focus"
        await screenshot(page, "js-focus")

        # Everything but one required question; the form is re-rendered in place (htmx).
        for question in questions[4:]:
            if question.key != SKIPPED:
                await answer(page, question, answers[question.key], "nl")
        await page.evaluate("window.klankbordTestMarker = 'same page'")
        async with page.expect_response(
            lambda r: r.url.endswith("/survey") and r.request.method == "POST"
        ) as posted:
            await page.locator(SEND).click()
        post = await posted.value
        assert post.request.headers.get("hx-request") == "true"
        assert post.status == 422  # htmx is configured to swap error responses too
        await assert_error_for(page, template, SKIPPED, "nl")
        # Swapped in place by htmx, not a new page load.
        assert await page.evaluate("window.klankbordTestMarker") == "same page"
        assert page.url.endswith("/survey")
        assert await page.evaluate("document.activeElement.classList.contains('error-summary')")
        given = {key: value for key, value in answers.items() if key != SKIPPED}
        await assert_answers_kept(page, template, given, "nl")
        await screenshot(page, "js-error")

        # The summary link leads to the question; answering it clears the inline error.
        await page.locator(".error-summary a").click()
        await page.wait_for_url(f"**#q-{SKIPPED}")
        await assert_not_under_progress(page, f"#q-{SKIPPED} legend")
        skipped = next(q for q in questions if q.key == SKIPPED)
        async with page.expect_response(f"**/survey/check/{SKIPPED}") as checked:
            await tap_option(page, skipped, int(answers[SKIPPED]), "nl")
        assert (await checked.value).status == 200
        await expect(page.locator(f"#error-{SKIPPED}")).to_be_empty()
        await expect(page.locator("#progress progress")).to_have_attribute(
            "value", str(len(questions))
        )

        async with page.expect_response("**/survey/thanks?*"):
            await page.locator(SEND).click()
        await expect(page.locator(".notice-success h1")).to_be_visible()
        await expect(page.locator("form#survey-form")).to_have_count(0)
        await page.wait_for_url("**/survey/thanks?*")
        await assert_no_horizontal_scroll(page)
        await screenshot(page, "js-thanks")
        drafts = await page.evaluate(
            "Object.keys(sessionStorage).filter((k) => k.startsWith('klankbord-draft:'))"
        )
        assert drafts == [], "the draft is cleared after sending"

        assert await stored_responses(wave) == [answers]

        await assert_link_used(page, open_wave.links[0])
        await screenshot(page, "js-used")
        assert await stored_responses(wave) == [answers]
        assert errors == [], f"JavaScript errors: {errors}"
    finally:
        await context.close()


async def test_phone_journey_without_javascript(browser: Browser, open_wave: OpenWave) -> None:
    template, wave = open_wave.template, open_wave.wave
    questions = template.questions
    answers = planned_answers(template)
    context = await phone(browser, javascript=False)
    page = await context.new_page()
    try:
        response = await page.goto(open_wave.links[0])
        assert response is not None and response.ok
        assert page.url.endswith("/survey")
        await assert_survey_shown(page, template, "nl")

        # The language switch is a plain link; the questions come back in English.
        await page.locator("nav.language-switch a[hreflang=en]").click()
        await page.wait_for_url("**/survey?lang=en")
        await assert_survey_shown(page, template, "en")
        await screenshot(page, "nojs-survey")
        # The README promises 320 px too (an older or small phone).
        await page.set_viewport_size({"width": 320, "height": 640})
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the survey scrolls sideways at 320 px: {width}px"
        await page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        await page.locator("#q-enps").scroll_into_view_if_needed()
        await screenshot(page, "nojs-scale")

        for question in questions:
            if question.key != SKIPPED:
                await answer(page, question, answers[question.key], "en")
        async with page.expect_response(
            lambda r: r.url.endswith("/survey") and r.request.method == "POST"
        ) as posted:
            await page.locator(SEND).click()
        post = await posted.value
        assert post.request.headers.get("hx-request") is None
        assert post.status == 422
        await page.wait_for_load_state()
        assert await page.locator("html").get_attribute("lang") == "en"
        await assert_error_for(page, template, SKIPPED, "en")
        given = {key: value for key, value in answers.items() if key != SKIPPED}
        await assert_answers_kept(page, template, given, "en")
        await screenshot(page, "nojs-error")

        # Follow the summary link to the question, answer it, send again.
        await page.locator(".error-summary a").click()
        await page.wait_for_url(f"**#q-{SKIPPED}")
        await assert_not_under_progress(page, f"#q-{SKIPPED} legend")
        await screenshot(page, "nojs-jump")
        skipped = next(q for q in questions if q.key == SKIPPED)
        await tap_option(page, skipped, int(answers[SKIPPED]), "en")
        async with page.expect_navigation(url="**/survey/thanks?*"):
            await page.locator(SEND).click()
        await expect(page.locator(".notice-success h1")).to_be_visible()
        assert await page.locator("html").get_attribute("lang") == "en"
        await assert_no_horizontal_scroll(page)
        await screenshot(page, "nojs-thanks")

        assert await stored_responses(wave) == [answers]

        await assert_link_used(page, open_wave.links[0])
        await screenshot(page, "nojs-used")
        assert await stored_responses(wave) == [answers]
    finally:
        await context.close()
