"""Accessibility gate: every page passes axe-core (WCAG 2.1 A and AA), and the survey can be
completed with the keyboard alone, with the focus always visible.

Every page a person can reach is visited in headless Chromium in Dutch and in English, on a
phone (360 px) and a desktop (1280 px) screen, and checked with axe-core for the tags
``wcag2a``, ``wcag2aa``, ``wcag21a`` and ``wcag21aa``; any violation fails the test with its
rule, impact, the elements (CSS selectors) and what to do about it.

``PAGES`` says which application routes each page exercises, and
``test_every_route_has_a_page`` fails when the application gains a route that no page
covers, so a new page cannot be forgotten here: add a ``PageCase`` for it (or, for a route
that renders no HTML, an entry in ``NOT_PAGES`` with the reason).

Headless Chromium is Debian's (/usr/bin/chromium); axe-core is the copy bundled with
``axe-playwright-python``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from playwright.async_api import Error as PlaywrightError

from survey_app.i18n import LANGUAGE_COOKIE
from survey_app.tables import Answer, Response
from survey_app.waves import WaveInfo, close_wave, utc_now
from surveys import Question, load_template
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, TIMEZONE, full_answers, load_small_org, open_wave

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 10_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
VIEWPORTS = {"phone": (360, 740), "desktop": (1280, 800)}
LANGUAGES = ("nl", "en")
# Two browser contexts at a time: CI has two cores (the server shares them).
CONCURRENT_CONTEXTS = 2
SEND = "#survey-form button[type=submit]"
COMMENT = "Prettig team; de werkdruk is wel hoog."

# Routes that render no HTML page of ours, with the reason. Anything else must be in PAGES.
NOT_PAGES = {
    "/static": "static files (CSS, JavaScript)",
    "/health": "JSON health check for load balancers",
    "/schema": "OpenAPI JSON/YAML and the framework's API-documentation viewers",
}
# Methods that never render a page of their own.
IGNORED_METHODS = {"HEAD", "OPTIONS"}


# -- the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What the pages need: a server and invitation links in every state."""

    url: str
    valid: str  # a token of an open wave, never used
    used: str
    not_yet_open: str
    expired: str
    closed: str
    wave: WaveInfo  # the open wave (with one response)


Visit = Callable[[Page, Scenario], Awaitable[int]]


@dataclass(frozen=True)
class PageCase:
    name: str
    routes: tuple[tuple[str, str], ...]  # (method, route path as the application names it)
    visit: Visit  # brings the page into the state to check; returns the HTTP status
    status: int
    # The page is shown in the language chosen (the ``lang`` cookie).
    follows_language: bool = True
    # Where axe looks (CSS selectors); None for the whole page.
    scope: tuple[str, ...] | None = None


async def goto(page: Page, url: str) -> int:
    response = await page.goto(url)
    assert response is not None, url
    return response.status


def link(scenario: Scenario, token: str) -> str:
    return f"{scenario.url}/s/{token}"


async def visit_survey(page: Page, scenario: Scenario) -> int:
    status = await goto(page, link(scenario, scenario.valid))
    assert page.url.endswith("/survey"), page.url
    await expect(page.locator("form#survey-form")).to_be_visible()
    return status


async def visit_survey_checked(page: Page, scenario: Scenario) -> int:
    """The survey after one answer, checked inline by htmx (error and progress swapped)."""
    await visit_survey(page, scenario)
    await page.wait_for_function("window.htmx !== undefined")
    async with page.expect_response(f"**/survey/check/{FIRST_QUESTION}") as checked:
        await page.locator(f"#q-{FIRST_QUESTION} .option label").first.click()
    await expect(page.locator("#progress progress")).to_have_attribute("value", "1")
    return (await checked.value).status


async def visit_survey_errors(page: Page, scenario: Scenario) -> int:
    """The survey sent with nothing answered: 422, the error summary and inline errors."""
    await visit_survey(page, scenario)
    await page.wait_for_function("window.htmx !== undefined")
    async with page.expect_response(
        lambda r: r.url.endswith("/survey") and r.request.method == "POST"
    ) as posted:
        await page.locator(SEND).click()
    await expect(page.locator(".error-summary")).to_be_visible()
    return (await posted.value).status


async def visit_no_session(page: Page, scenario: Scenario) -> int:
    await page.context.clear_cookies(name="klankbord_survey")
    return await goto(page, f"{scenario.url}/survey")


async def visit_hr_wave(page: Page, scenario: Scenario) -> int:
    status = await goto(page, f"{scenario.url}/hr/waves/{scenario.wave.public_id}")
    assert await page.locator("table.rates tbody tr").count() > 1
    return status


async def visit_hr_themes(page: Page, scenario: Scenario) -> int:
    # The wave is open, so the page explains that themes come once it has closed.
    status = await goto(page, f"{scenario.url}/hr/waves/{scenario.wave.public_id}/themes")
    assert await page.locator("h1").count() == 1
    return status


def at(path: str) -> Visit:
    async def visit(page: Page, scenario: Scenario) -> int:
        return await goto(page, scenario.url + path)

    return visit


def token_link(state: str) -> Visit:
    async def visit(page: Page, scenario: Scenario) -> int:
        return await goto(page, link(scenario, getattr(scenario, state)))

    return visit


START = ("GET", "/s/{token:str}")
FIRST_QUESTION = load_template("pulse").questions[0].key
PAGES = [
    PageCase("home", (("GET", "/"),), at("/"), 200),
    PageCase("survey", (START, ("GET", "/survey")), visit_survey, 200),
    PageCase(
        "survey after an inline check",
        (("POST", "/survey/check/{question_key:str}"),),
        visit_survey_checked,
        200,
        # Only what htmx swapped (and the answered question); the rest is "survey" above.
        scope=("#progress", f"#q-{FIRST_QUESTION}"),
    ),
    PageCase("survey with errors", (("POST", "/survey"),), visit_survey_errors, 422),
    PageCase("thank-you page", (("GET", "/survey/thanks"),), at("/survey/thanks"), 200),
    PageCase("link: unknown", (START,), at(f"/s/{secrets.token_urlsafe(16)}"), 404),
    PageCase("link: used", (START,), token_link("used"), 409),
    PageCase("link: not yet open", (START,), token_link("not_yet_open"), 403),
    PageCase("link: expired", (START,), token_link("expired"), 410),
    PageCase("link: closed early", (START,), token_link("closed"), 410),
    PageCase("survey without a session", (("GET", "/survey"),), visit_no_session, 400),
    PageCase("HR: waves", (("GET", "/hr/waves"),), at("/hr/waves"), 200),
    PageCase("HR: one wave", (("GET", "/hr/waves/{public_id:str}"),), visit_hr_wave, 200),
    PageCase(
        "HR: comment themes",
        (("GET", "/hr/waves/{public_id:str}/themes"),),
        visit_hr_themes,
        200,
    ),
    PageCase("error page (404)", (), at("/does-not-exist"), 404),
    PageCase("error page (unknown wave)", (), at("/hr/waves/not-a-wave"), 404),
]


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


async def new_context(browser: Browser, url: str, viewport: str, lang: str) -> BrowserContext:
    width, height = VIEWPORTS[viewport]
    phone = viewport == "phone"
    context = await browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        locale="nl-NL" if lang == "nl" else "en-GB",
    )
    await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": url}])
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
async def scenario(live_server) -> Scenario:
    """A small organisation, an open wave with one response, and waves in every other state."""
    await load_small_org()
    today = utc_now().astimezone(TIMEZONE).date()
    day = dt.timedelta(days=1)
    opened = await open_wave()
    valid, used = list(opened.tokens.values())[:2]
    async with httpx.AsyncClient(base_url=live_server.url, follow_redirects=True) as http:
        assert (await http.get(f"/s/{used}")).status_code == 200
        sent = await http.post("/survey", data=full_answers())
        assert sent.url.path == "/survey/thanks", sent.text
    scheduled = await open_wave(opens_on=today + 7 * day, closes_on=today + 21 * day)
    expired = await open_wave(opens_on=today - 20 * day, closes_on=today - 10 * day)
    closed = await open_wave()
    await close_wave(closed.wave, now=utc_now())
    return Scenario(
        url=live_server.url,
        valid=valid,
        used=used,
        not_yet_open=next(iter(scheduled.tokens.values())),
        expired=next(iter(expired.tokens.values())),
        closed=next(iter(closed.tokens.values())),
        wave=opened.wave,
    )


# -- axe ---------------------------------------------------------------------------------


def describe(violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation.get('impact')}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    - {node['target']}: {summary}")
    return lines


# -- tests -------------------------------------------------------------------------------


def test_every_route_has_a_page(app) -> None:
    """A route the application serves but this suite does not visit fails here."""
    covered = {route for case in PAGES for route in case.routes}
    served = {
        (method, route.path)
        for route in app.routes
        for method in route.methods - IGNORED_METHODS
        if not any(
            route.path == prefix or route.path.startswith(prefix + "/") for prefix in NOT_PAGES
        )
    }
    missing = sorted(served - covered)
    assert not missing, (
        f"routes without a page in tests/test_accessibility.py PAGES: {missing} — add a "
        "PageCase that visits each (or, if it renders no HTML, a NOT_PAGES entry with why)"
    )
    stale = sorted(covered - served)
    assert not stale, f"PAGES names routes the application no longer has: {stale}"


async def check_pages(browser: Browser, scenario: Scenario, viewport: str, lang: str) -> list[str]:
    """Every page in one language at one screen size; what fails, as lines of a report."""
    axe = Axe()
    context = await new_context(browser, scenario.url, viewport, lang)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failures: list[str] = []
    try:
        for case in PAGES:
            try:
                status = await case.visit(page, scenario)
                assert status == case.status, f"HTTP {status}, expected {case.status}"
                if case.follows_language:
                    html_lang = await page.locator("html").get_attribute("lang")
                    assert html_lang == lang, f"shown in {html_lang!r}, not {lang!r}"
                include = list(case.scope) if case.scope else None
                results = await axe.run(page, context=include, options=AXE_OPTIONS)
            except (AssertionError, PlaywrightError) as error:
                failures.append(f"  {case.name}: could not check: {error}")
                continue
            violations = results.response["violations"]
            if violations:
                failures.append(f"  {case.name} ({page.url}):")
                failures.extend(describe(violations))
        if errors:
            failures.append(f"  JavaScript errors: {errors}")
    finally:
        await context.close()
    if failures:
        failures.insert(0, f"{VIEWPORTS[viewport][0]} px, {lang}:")
    return failures


async def test_every_page_passes_axe(browser: Browser, scenario: Scenario) -> None:
    """Every page, in Dutch and English, at 360 and 1280 px: no WCAG 2.1 A/AA violation."""
    runs = [(viewport, lang) for viewport in VIEWPORTS for lang in LANGUAGES]
    limit = asyncio.Semaphore(CONCURRENT_CONTEXTS)

    async def check(viewport: str, lang: str) -> list[str]:
        async with limit:
            return await check_pages(browser, scenario, viewport, lang)

    reports = await asyncio.gather(*(check(viewport, lang) for viewport, lang in runs))
    failures = [line for report in reports for line in report]
    assert not failures, "axe-core WCAG 2.1 A/AA violations:\n" + "\n".join(failures)


# -- keyboard only -----------------------------------------------------------------------

FOCUS_STATE = """() => {
  const focused = document.activeElement;
  // The radio buttons are visually hidden; their label shows the focus.
  const shown = focused.matches('.option input') ? focused.nextElementSibling : focused;
  const style = getComputedStyle(shown);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none';
  const box = shown.getBoundingClientRect();
  const bar = document.querySelector('#progress');
  const barBox = bar ? bar.getBoundingClientRect() : null;
  return {
    element: focused.tagName.toLowerCase() + (focused.id ? '#' + focused.id : '')
      + (focused.className ? '.' + String(focused.className).split(' ').join('.') : ''),
    name: focused.name || null,
    value: focused.value || null,
    checked: !!focused.checked,
    indicator: outline || shadow,
    style: `outline ${style.outlineStyle} ${style.outlineWidth}; box-shadow ${style.boxShadow}`,
    box: [box.left, box.top, box.right, box.bottom].map(Math.round),
    viewport: [innerWidth, innerHeight],
    // 1 px for rounding of fractional positions.
    inViewport: box.top >= -1 && box.left >= -1 && box.bottom <= innerHeight + 1
      && box.right <= innerWidth + 1 && box.width > 0 && box.height > 0,
    underBar: !!barBox && !bar.contains(shown) && box.top < barBox.bottom - 1
      && box.bottom > barBox.top + 1,
    bar: barBox ? [Math.round(barBox.top), Math.round(barBox.bottom)] : null,
  };
}"""


async def focus_state(page: Page, after: str) -> dict:
    """The focused element, checked: visible indicator, in the viewport, not under the bar."""
    state = await page.evaluate(FOCUS_STATE)
    where = f"after {after}: {state['element']}"
    assert state["indicator"], f"{where} has no visible focus indicator ({state['style']})"
    assert state["inViewport"], (
        f"{where} is not (wholly) in the viewport: box {state['box']}, viewport {state['viewport']}"
    )
    assert not state["underBar"], (
        f"{where} (box {state['box']}) is covered by the sticky progress bar {state['bar']}"
    )
    return state


async def press(page: Page, key: str, label: str) -> dict:
    await page.keyboard.press(key)
    return await focus_state(page, f"{key} ({label})")


def planned_answers(questions: list[Question]) -> dict[str, str]:
    answers = {}
    for index, question in enumerate(questions):
        if question.type == "text":
            answers[question.key] = COMMENT
        else:
            answers[question.key] = question.options[index % len(question.options)].key
    return answers


async def stored_answers(wave: WaveInfo) -> list[dict[str, str]]:
    stored = []
    for response in await Response.select(Response.id).where(Response.wave == wave.id):
        rows = await Answer.select(
            Answer.question_key, Answer.number, Answer.choice, Answer.text
        ).where(Answer.response == response["id"])
        stored.append(
            {
                row["question_key"]: str(
                    next(row[c] for c in ("number", "choice", "text") if row[c] is not None)
                )
                for row in rows
            }
        )
    return stored


async def answer_by_keyboard(page: Page, questions: list[Question], answers: dict) -> None:
    """From the top of the survey to the thank-you page, with keys only."""
    # The skip link comes first and takes the focus past the header.
    state = await press(page, "Tab", "first")
    assert "skip-link" in state["element"], state["element"]
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()

    for question in questions:
        state = await press(page, "Tab", f"to {question.key}")
        assert state["name"] == question.key, f"Tab went to {state['element']}"
        if question.type == "text":
            await page.keyboard.type(answers[question.key])
            continue
        # Tab enters a radio group on its first option; Space selects it, arrows move on.
        keys = [option.key for option in question.options]
        assert state["value"] == keys[0] and not state["checked"], state
        state = await press(page, "Space", f"in {question.key}")
        assert state["checked"] and state["value"] == keys[0], state
        for _ in range(keys.index(answers[question.key])):
            state = await press(page, "ArrowRight", f"in {question.key}")
            assert state["name"] == question.key and state["checked"], state
        assert state["value"] == answers[question.key], state

    state = await press(page, "Tab", "to the send button")
    assert state["element"].startswith("button"), state["element"]
    async with page.expect_response("**/survey/thanks"):
        await page.keyboard.press("Enter")
    await expect(page.locator(".notice-success h1")).to_be_visible()
    await page.wait_for_url("**/survey/thanks")
    # The page was swapped in by htmx, not loaded: the focus goes to its main content.
    await expect(page.locator("main")).to_be_focused()


async def tab_through(page: Page) -> list[str]:
    """Tab through the whole page (until the focus leaves it); every stop shows its focus."""
    stops = []
    for _ in range(50):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement === document.body"):
            return stops
        stops.append((await focus_state(page, f"Tab {len(stops) + 1}"))["element"])
    raise AssertionError(f"the focus never left the page: {stops[:10]}…")


async def test_survey_by_keyboard_alone(browser: Browser, live_server) -> None:
    """Keys only (Tab, Space, arrows, typing, Enter), on a phone in Dutch and a desktop in
    English: after every key the focused element shows its focus, in the viewport and not
    under the sticky progress bar; each run ends on the thank-you page with its answers."""
    await load_small_org()
    opened = await open_wave()
    tokens = iter(opened.tokens.values())
    questions = list(load_template("pulse").questions)
    answers = planned_answers(questions)
    for viewport, lang in [("phone", "nl"), ("desktop", "en")]:
        context = await new_context(browser, live_server.url, viewport, lang)
        page = await context.new_page()
        try:
            await goto(page, f"{live_server.url}/s/{next(tokens)}")
            assert page.url.endswith("/survey")
            await page.wait_for_function("window.htmx !== undefined")
            try:
                await answer_by_keyboard(page, questions, answers)
                # From the top of the (re)loaded page: the skip link, the header and the
                # language switch show their focus too.
                await page.reload()
                assert len(await tab_through(page)) >= 3
            except AssertionError as error:
                raise AssertionError(f"{VIEWPORTS[viewport][0]} px, {lang}: {error}") from None
        finally:
            await context.close()
    assert await stored_answers(opened.wave) == [answers, answers]
