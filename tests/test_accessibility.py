"""Accessibility gate: every page passes axe-core (WCAG 2.1 A and AA), and the survey can be
completed with the keyboard alone, with the focus always visible.

Every page a person can reach is visited in headless Chromium and checked with axe-core for
the tags ``wcag2a``, ``wcag2aa``, ``wcag21a`` and ``wcag21aa``; any violation fails the test
with its rule, impact, the elements (CSS selectors) and what to do about it.

The full matrix — Dutch and English, on a phone (360 px) and a desktop (1280 px) screen —
runs on a representative page of every kind (``PageCase.matrix``, the default): every
layout (respondent, anonymous, HR, manager, employee, administrator), every component that
changes with the screen's width (the wide heatmap and tables that scroll on a phone, the
department tree, the htmx composer) and every kind of form and error page. Every other page
(``matrix=False``) is checked once, in Dutch on a phone (``ONE_RUN``): all pages extend
``base.html`` and share its components, so what depends on the width or the language is
already checked on the matrix pages, and a phone is where more can go wrong (reflow,
scrolling regions) and Dutch is the language most people use. This halves the test's time.
A new page is ``matrix=False`` unless it is a new kind of page (a new layout or component).

The pages of one run share a browser and state (signed in, the run's own draft wave, the
administrator's target account): a page that a matrix page needs (say, the draft that the
composer changes) must be a matrix page too.

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
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, expect
from playwright.async_api import Error as PlaywrightError

from survey_app.accounts.approvals import request_change
from survey_app.accounts.service import adjust_scope
from survey_app.accounts.sessions import SESSION_COOKIE
from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.i18n import LANGUAGE_COOKIE
from survey_app.responding.service import submit_response
from survey_app.tables.anonymous import Answer, Response
from survey_app.tables.identity import Account
from survey_app.waves.codes import issue_codes
from survey_app.waves.service import WaveInfo, close_wave, shipped_template
from surveys import Question, load_template, validate_answers
from tests.helpers import (
    COMMENTS,
    NUMBERS,
    PASSWORD,
    TIMEZONE,
    app_settings,
    dig_answers,
    full_answers,
    load_small_org,
    make_account,
    open_survey,
    open_wave,
    release_everything,
    small_org_csv,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

TIMEOUT_MS = 10_000
DAY = dt.timedelta(days=1)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
VIEWPORTS = {"phone": (360, 740), "desktop": (1280, 800)}
LANGUAGES = ("nl", "en")
# The run (screen size, language) that checks the pages outside the matrix.
ONE_RUN = ("phone", "nl")
# Two browser contexts at a time: CI has two cores (the server shares them).
CONCURRENT_CONTEXTS = 2
SEND = "#survey-form button[type=submit]"
COMMENT = "Prettig team; de werkdruk is wel hoog."

# Routes that render no HTML page of ours, with the reason. Anything else must be in PAGES.
NOT_PAGES = {
    "/static": "static files (CSS, JavaScript)",
    "/theme.css": "the design tokens of the house style (CSS)",
    "/health": "JSON health check for load balancers",
    "/schema": "OpenAPI JSON/YAML and the framework's API-documentation viewers",
    "/admin/audit.csv": "the audit trail as a CSV download",
    "/quickscan/my-data.json": "an employee's own Quick Scan data as a JSON download",
    **{
        f"{prefix}/export.{kind}": "results as a file download (tests/results/test_exports.py)"
        for prefix in (
            "/hr/waves/{public_id:str}",
            "/teams/{department_code:str}/waves/{public_id:str}",
        )
        for kind in ("csv", "xlsx", "pdf")
    },
}
# Methods that never render a page of their own.
IGNORED_METHODS = {"HEAD", "OPTIONS"}


# -- the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What the pages need: a server, invitation links in every state, and accounts."""

    url: str
    valid: str  # a token of an open wave, never used
    used: str
    not_yet_open: str
    expired: str
    closed: str
    wave: WaveInfo  # the open wave (with one response)
    themed: WaveInfo  # a closed wave with comments in every department
    # Accounts for each run (screen size and language), so that one run signing an
    # account out everywhere does not disturb another: run → role → user name.
    accounts: dict[str, dict[str, str]]
    target_ids: dict[str, int]  # run → the account the administrator changes
    run: str = ""
    # Who this run's browser is signed in as (None: nobody).
    signed_in: dict[str, str | None] = field(default_factory=dict)
    # A code slip's code for each run (ICT, the open wave).
    codes: dict[str, str] = field(default_factory=dict)
    # The wave this run's HR made through the pages (its public id), and changes further.
    drafts: dict[str, str] = field(default_factory=dict)
    # A token of an open DIG wave that asks questions about oneself (never used: viewing
    # and deciding on the consent screen do not use it up).
    dig: str = ""
    dig_closed: WaveInfo | None = None  # a closed DIG wave with self-identification
    # Each run's Quick Scan conversations of its employee, by the state they start in.
    quickscans: dict[str, dict[str, str]] = field(default_factory=dict)

    def for_run(self, run: str) -> Scenario:
        return replace(self, run=run, signed_in={"user": None}, drafts={})

    def user(self, role: str) -> str:
        return self.accounts[self.run][role]


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
    # In both languages at both widths (a representative page of its kind); False: only in
    # ONE_RUN (see the module's docstring).
    matrix: bool = True


async def goto(page: Page, url: str) -> int:
    response = await page.goto(url)
    assert response is not None, url
    return response.status


async def goto_page(page: Page, url: str) -> int:
    """Open a page that must answer itself: not, say, the sign-in page it redirects to."""
    status = await goto(page, url)
    assert urlsplit(page.url).path == urlsplit(url).path, f"{url} went to {page.url}"
    return status


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


async def visit_consent(page: Page, scenario: Scenario) -> int:
    """A DIG wave's link goes to the consent screen before the survey."""
    await page.context.clear_cookies(name="klankbord_survey")
    status = await goto(page, link(scenario, scenario.dig))
    assert urlsplit(page.url).path == "/survey/consent", page.url
    return status


async def visit_consent_given(page: Page, scenario: Scenario) -> int:
    """Consent given: the survey with its last section, the questions about oneself."""
    await visit_consent(page, scenario)
    async with page.expect_navigation() as navigation:
        await page.locator("button[name=consent][value=yes]").click()
    response = await navigation.value
    assert response is not None and urlsplit(page.url).path == "/survey", page.url
    await expect(page.locator("[name^=self_id_]").first).to_be_attached()
    return response.status


async def visit_no_session(page: Page, scenario: Scenario) -> int:
    await page.context.clear_cookies(name="klankbord_survey")
    return await goto(page, f"{scenario.url}/survey")


WRONG_CODE = "ABCD-EFGH-JKMN"


def type_code(path: str, code: str | None = None) -> Visit:
    """Type a code (this run's valid one, or ``code``) on the code page or the kiosk."""

    async def visit(page: Page, scenario: Scenario) -> int:
        await goto_page(page, scenario.url + path)
        await page.locator("#code").fill(code or scenario.codes[scenario.run])
        return await submit(page, f"form[action='{path}']")

    return visit


async def visit_kiosk_survey(page: Page, scenario: Scenario) -> int:
    status = await type_code("/kiosk")(page, scenario)
    assert page.url.endswith("/survey"), page.url
    await expect(page.locator("a[href='/kiosk']")).to_be_visible()
    return status


def print_codes(count: str, sheet: str) -> Visit:
    async def visit(page: Page, scenario: Scenario) -> int:
        path = f"/hr/waves/{scenario.wave.public_id}/codes"
        await goto_page(page, scenario.url + path)
        await page.locator("#department").select_option("ICT")
        await page.locator("#count").fill(count)
        await page.locator(f"#format-{sheet}").check()
        return await submit(page, f"form[action='{path}']")

    return visit


async def visit_org_rejected(page: Page, scenario: Scenario) -> int:
    """An organisation file with problems: the page lists them by line (nothing changed)."""
    await goto_page(page, f"{scenario.url}/hr/organisation")
    broken = small_org_csv().replace(b",ICT,BV,", b",ICT,XX,").replace(b"1002,", b"1001,")
    await page.locator("#file").set_input_files(
        files=[{"name": "organisatie.csv", "mimeType": "text/csv", "buffer": broken}]
    )
    status = await submit(page, "form[action='/hr/organisation']")
    await expect(page.locator(".error-summary li").first).to_be_visible()
    return status


async def visit_round_refused(page: Page, scenario: Scenario) -> int:
    """HR's Quick Scan round form sent without a department: the page with the problem."""
    await goto_page(page, f"{scenario.url}/hr/quickscan")
    status = await submit(page, "form[action='/hr/quickscan/rounds']")
    await expect(page.locator(".error-summary li").first).to_be_visible()
    return status


# -- signing in, and pages behind it ------------------------------------------------------


async def sign_in(page: Page, scenario: Scenario, role: str) -> None:
    """Sign this run's account for ``role`` in through the sign-in form (unless it is)."""
    username = scenario.user(role)
    if scenario.signed_in.get("user") == username:
        return
    await goto(page, f"{scenario.url}/sign-in")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.locator("form[action='/sign-in'] button[type=submit]").click()
    assert "/sign-in" not in page.url, f"signing in as {username} failed: {page.url}"
    scenario.signed_in["user"] = username


def as_role(role: str, visit: Visit) -> Visit:
    async def signed_in_visit(page: Page, scenario: Scenario) -> int:
        await sign_in(page, scenario, role)
        return await visit(page, scenario)

    return signed_in_visit


def anonymous(visit: Visit) -> Visit:
    async def anonymous_visit(page: Page, scenario: Scenario) -> int:
        await page.context.clear_cookies(name=SESSION_COOKIE)
        scenario.signed_in["user"] = None
        return await visit(page, scenario)

    return anonymous_visit


async def submit(page: Page, form: str) -> int:
    """Send a form of the page as a plain post; the status of the page it ends on."""
    async with page.expect_navigation() as navigation:
        await page.locator(f"{form} button[type=submit]").click()
    response = await navigation.value
    assert response is not None, form
    return response.status


async def visit_sign_in_failed(page: Page, scenario: Scenario) -> int:
    await goto(page, f"{scenario.url}/sign-in")
    # No such account (one per run: unknown names are locked after failures too).
    await page.locator("#username").fill(f"niemand-{scenario.run}@testdorp.example")
    await page.locator("#password").fill("niet het goede wachtwoord")
    status = await submit(page, "form[action='/sign-in']")
    await expect(page.locator(".error-summary")).to_be_visible()
    return status


async def visit_form_expired(page: Page, scenario: Scenario) -> int:
    """A form whose CSRF token does not belong to this browser (any more)."""
    await goto(page, f"{scenario.url}/sign-in")
    await page.locator("input[name=_csrf]").evaluate("(input) => { input.value = 'verlopen'; }")
    await page.locator("#username").fill(f"niemand-{scenario.run}@testdorp.example")
    await page.locator("#password").fill("niet het goede wachtwoord")
    return await submit(page, "form[action='/sign-in']")


async def visit_password_problem(page: Page, scenario: Scenario) -> int:
    await goto(page, f"{scenario.url}/account")
    await page.locator("#current_password").fill(PASSWORD)
    await page.locator("#new_password").fill("een ander lang wachtwoord")
    await page.locator("#new_password_again").fill("een ander lang wachtwoord!")
    status = await submit(page, "form[action='/account/password']")
    await expect(page.locator(".error-summary")).to_be_visible()
    return status


async def visit_signed_out(page: Page, scenario: Scenario) -> int:
    await goto(page, f"{scenario.url}/account")
    status = await submit(page, "form[action='/sign-out']")
    scenario.signed_in["user"] = None
    assert page.url.endswith("/sign-in?signed_out=1"), page.url
    return status


async def visit_signed_out_everywhere(page: Page, scenario: Scenario) -> int:
    await goto(page, f"{scenario.url}/account")
    status = await submit(page, "form[action='/account/sign-out-everywhere']")
    scenario.signed_in["user"] = None
    assert page.url.endswith("/sign-in?signed_out=1"), page.url
    return status


async def visit_team_wave(page: Page, scenario: Scenario) -> int:
    status = await goto_page(
        page, f"{scenario.url}/teams/{MANAGED}/waves/{scenario.themed.public_id}"
    )
    assert await page.locator("table").count() >= 1
    return status


async def visit_themes_closed(page: Page, scenario: Scenario) -> int:
    status = await goto_page(page, f"{scenario.url}/hr/waves/{scenario.themed.public_id}/themes")
    assert await page.locator("table").count() >= 1
    return status


def target_account(path: str = "") -> Visit:
    """The administrator's page of this run's target account (``path`` below it)."""

    async def visit(page: Page, scenario: Scenario) -> int:
        target = scenario.target_ids[scenario.run]
        return await goto_page(page, f"{scenario.url}/admin/users/{target}{path}")

    return visit


def admin_form(action: str, fill: dict[str, str] | None = None) -> Visit:
    """Send one form of the target account's page; ``fill``: CSS selector → value."""

    async def visit(page: Page, scenario: Scenario) -> int:
        target = scenario.target_ids[scenario.run]
        await goto(page, f"{scenario.url}/admin/users/{target}")
        form = f"form[action='/admin/users/{target}/{action}']"
        for selector, value in (fill or {}).items():
            await page.locator(f"{form} {selector}").fill(value)
        status = await submit(page, form)
        assert urlsplit(page.url).path.startswith(f"/admin/users/{target}"), page.url
        return status

    return visit


def decide(about: str, decision: str) -> Visit:
    """On the approvals page, approve or reject the change of this run's target account
    whose description mentions ``about``."""

    async def visit(page: Page, scenario: Scenario) -> int:
        await goto(page, f"{scenario.url}/admin/approvals")
        target = f"target-{scenario.run}@testdorp.example"
        item = page.locator("ul.approvals > li").filter(has_text=target).filter(has_text=about)
        async with page.expect_navigation() as navigation:
            await item.locator(f"form[action$='/{decision}'] button[type=submit]").click()
        response = await navigation.value
        assert response is not None
        assert urlsplit(page.url).path == "/admin/approvals", page.url
        return response.status

    return visit


def send_form(path: str, form: str, ends_on: str) -> Visit:
    async def visit(page: Page, scenario: Scenario) -> int:
        await goto_page(page, scenario.url + path)
        status = await submit(page, form)
        assert urlsplit(page.url).path == ends_on, page.url
        return status

    return visit


async def visit_hr_wave(page: Page, scenario: Scenario) -> int:
    status = await goto_page(page, f"{scenario.url}/hr/waves/{scenario.wave.public_id}")
    assert await page.locator("table.rates tbody tr").count() > 1
    return status


async def visit_hr_inclusion(page: Page, scenario: Scenario) -> int:
    assert scenario.dig_closed is not None
    url = f"{scenario.url}/hr/waves/{scenario.dig_closed.public_id}/inclusion"
    status = await goto_page(page, url)
    assert await page.locator("table").count() >= 1
    return status


async def visit_hr_results(page: Page, scenario: Scenario) -> int:
    # The last closed wave: the heatmap, with scales as columns, then questions and means.
    status = await goto_page(page, f"{scenario.url}/hr/results?wave={scenario.themed.public_id}")
    assert await page.locator("table.heatmap").count() == 1
    # Rows follow the tree: folding a domain hides the departments below it.
    toggle = page.locator("table.heatmap button.tree-toggle").first
    rows = page.locator("table.heatmap tbody tr:visible")
    shown = await rows.count()
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    assert await rows.count() < shown
    await toggle.click()
    await expect(rows).to_have_count(shown)
    await page.locator("#columns-items").check()
    await expect(page).to_have_url(re.compile("columns=items"))
    await page.locator("#measure-mean").check()
    await expect(page).to_have_url(re.compile("measure=mean"))
    await expect(page.locator("table.heatmap")).to_have_count(1)
    return status


async def visit_hr_department(page: Page, scenario: Scenario) -> int:
    status = await goto_page(
        page, f"{scenario.url}/hr/waves/{scenario.themed.public_id}/departments/{MANAGED}"
    )
    assert await page.locator("h1").count() == 1
    return status


async def visit_hr_themes(page: Page, scenario: Scenario) -> int:
    # The wave is open, so the page explains that themes come once it has closed.
    status = await goto_page(page, f"{scenario.url}/hr/waves/{scenario.wave.public_id}/themes")
    assert await page.locator("h1").count() == 1
    return status


def wave_mail(confirm: str = "", send: bool = False) -> Visit:
    """HR's mail page of the open wave; with ``confirm`` its confirmation of how many, and
    with ``send`` the confirmed form sent (refused here: this server has no SMTP settings)."""

    async def visit(page: Page, scenario: Scenario) -> int:
        path = f"/hr/waves/{scenario.wave.public_id}/mail"
        status = await goto_page(
            page, scenario.url + path + (f"?confirm={confirm}" if confirm else "")
        )
        if not send:
            return status
        status = await submit(page, f"form[action='{path}/{confirm}']")
        assert urlsplit(page.url).path == f"{path}/{confirm}", page.url
        return status

    return visit


# -- HR running a wave: each run makes its own draft and takes it through its states -------


def run_wave(scenario: Scenario, path: str = "") -> str:
    return f"{scenario.url}/hr/waves/{scenario.drafts['wave']}{path}"


async def visit_new_wave_problems(page: Page, scenario: Scenario) -> int:
    await goto_page(page, f"{scenario.url}/hr/waves/new")
    status = await submit(page, "form[action='/hr/waves']")
    await expect(page.locator(".error-summary")).to_be_visible()
    return status


async def visit_new_draft(page: Page, scenario: Scenario) -> int:
    """A draft made with the form; the wave's page it leads to."""
    await goto_page(page, f"{scenario.url}/hr/waves/new")
    # The DIG survey: its draft's page also has the self-identification choice.
    await page.locator("#template-dig").check()
    await page.locator("#title").fill(f"Inclusion {scenario.run}")
    await page.locator(f"#department-{MANAGED}").check()
    status = await submit(page, "form[action='/hr/waves']")
    match = re.search(r"/hr/waves/([0-9a-f-]{36})/manage", page.url)
    assert match, page.url
    scenario.drafts["wave"] = match.group(1)
    return status


def compose(action: str, expected: int = 200) -> Visit:
    """One change to the run's draft on its questions page, through htmx (``action``: the
    button's text in English or Dutch, or "own" for an empty own question)."""

    async def visit(page: Page, scenario: Scenario) -> int:
        await goto_page(page, run_wave(scenario, "/questions"))
        await page.wait_for_function("window.htmx !== undefined")
        if action == "own":
            button = page.locator("form[action$='/questions/own'] button[type=submit]")
        else:
            button = page.locator(f"#composer form[action$='{action}'] button").first
        async with page.expect_response(
            lambda r: r.request.method == "POST" and "/questions" in r.url
        ) as posted:
            await button.click()
        response = await posted.value
        assert response.status == expected, response.status
        await expect(page.locator("#composer")).to_be_visible()
        return response.status

    return visit


def wave_action(action: str, fill: dict[str, str] | None = None) -> Visit:
    """Send a form of the run's wave page (``action``: the end of its address)."""

    async def visit(page: Page, scenario: Scenario) -> int:
        await goto_page(page, run_wave(scenario, "/manage"))
        form = f"form[action$='/{action}']"
        for selector, value in (fill or {}).items():
            await page.locator(f"{form} {selector}").fill(value)
        status = await submit(page, form)
        if action == "next":
            match = re.search(r"/hr/waves/([0-9a-f-]{36})/manage", page.url)
            assert match, page.url
            scenario.drafts["wave"] = match.group(1)
        return status

    return visit


async def visit_close_confirm(page: Page, scenario: Scenario) -> int:
    return await goto_page(page, run_wave(scenario, "/close"))


async def visit_closed(page: Page, scenario: Scenario) -> int:
    await goto_page(page, run_wave(scenario, "/close"))
    status = await submit(page, "form[action$='/close']")
    assert page.url.endswith("/manage?done=close"), page.url
    return status


async def visit_preview(page: Page, scenario: Scenario) -> int:
    status = await goto_page(page, run_wave(scenario, "/preview"))
    await expect(page.locator("form#survey-form")).to_be_visible()
    await expect(page.locator(SEND)).to_be_disabled()
    return status


def at(path: str) -> Visit:
    async def visit(page: Page, scenario: Scenario) -> int:
        return await goto_page(page, scenario.url + path)

    return visit


def token_link(state: str) -> Visit:
    async def visit(page: Page, scenario: Scenario) -> int:
        return await goto(page, link(scenario, getattr(scenario, state)))

    return visit


# -- Quick Scan conversations (each run's employee with the manager of JEUGD) ------------------

QS_MANAGER = "jeugd-quickscan@testdorp.example"


def quickscan(state: str, then: Callable[[Page], Awaitable[int | None]] | None = None) -> Visit:
    """This run's conversation that started in ``state``; ``then`` acts on its page."""

    async def visit(page: Page, scenario: Scenario) -> int:
        public_id = scenario.quickscans[scenario.run][state]
        status = await goto_page(page, f"{scenario.url}/quickscan/{public_id}")
        return status if then is None else (await then(page) or status)

    return visit


async def click_and_wait(page: Page, selector: str) -> int:
    async with page.expect_navigation() as navigation:
        await page.locator(selector).first.click()
    response = await navigation.value
    assert response is not None, selector
    return response.status


async def medical_words(page: Page) -> int:
    """Type a medical word: the live check warns (htmx); the save comes back with it."""
    await page.locator("#qs_energy_costs").fill("Sinds mijn burn-out")
    await page.locator("#qs_energy_costs").press("Tab")
    await expect(page.locator("#medical-qs_energy_costs .medical-warning")).to_be_visible()
    return await click_and_wait(page, ".assessment-form button.utrecht-button--primary-action")


async def incomplete_grant(page: Page) -> int:
    """A grant form that arrived without its manager: the page again with the problem."""
    async with page.expect_navigation() as navigation:
        await page.evaluate(
            """(action) => { const form = document.createElement('form');
               form.method = 'post'; form.action = action;
               const csrf = document.querySelector('input[name=_csrf]').cloneNode();
               form.append(csrf); document.body.append(form); form.submit(); }""",
            urlsplit(page.url).path + "/grant",
        )
    response = await navigation.value
    assert response is not None
    return response.status


async def plan_from_team_page(page: Page, scenario: Scenario) -> int:
    await goto_page(page, f"{scenario.url}/team/quickscan")
    return await click_and_wait(page, "form.plan-form button")


async def quickscan_conversations(runs: list[str]) -> dict[str, dict[str, str]]:
    """For every run's employee: a held conversation (agreements, a follow-up date) and a
    planned one (the self-assessment; the manager cancels it later). One employee outside
    the runs has a prepared one with a signal, for the manager's preparation page."""
    from survey_app.quickscan import service
    from survey_app.tables.identity import Employee

    ids = {row["employee_number"]: row["id"] for row in await Employee.select()}
    manager = service.Viewer(username=QS_MANAGER, employee_id=ids["1001"])
    today, now = utc_now().astimezone(TIMEZONE).date(), utc_now()
    answers = {"qs_energy": 2, "qs_workload": 4, "work_ability": 7, "qs_balance": 2}

    async def prepared(number: str) -> str:
        employee = service.Viewer(username=f"{number}@testdorp.example", employee_id=ids[number])
        public_id = await service.plan(manager, ids[number], talk_on=today, now=now)
        await service.save_self_assessment(
            employee, public_id, answers, ["qs_energy", "qs_workload"], now=now
        )
        return public_id

    shared = await prepared("1006")
    found: dict[str, dict[str, str]] = {}
    for index, run in enumerate(runs):
        number = str(1002 + index)
        held = await prepared(number)
        await service.record_talk(
            manager,
            held,
            held_on=today,
            summary="We spraken over de werkdruk en wat energie geeft.",
            agreements=[
                service.AgreementInput("Planning samen doorlopen", "both", today + 14 * DAY),
                service.AgreementInput("Cursus zoeken", "employee", None),
            ],
            follow_up_on=today + 30 * DAY,
            now=now,
        )
        planned = await service.plan(manager, ids[number], talk_on=today, now=now)
        found[run] = {"planned": planned, "cancel": planned, "held": held, "prepared": shared}
    return found


START = ("GET", "/s/{token:str}")
FIRST_QUESTION = load_template("pulse").questions[0].key
SIGN_IN = ("POST", "/sign-in")
ACCOUNT = "/admin/users/{account_id:int}"
# The department this run's manager leads (with the departments below it).
MANAGED = "SD"
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
        matrix=False,
    ),
    PageCase("survey with errors", (("POST", "/survey"),), visit_survey_errors, 422),
    PageCase("thank-you page", (("GET", "/survey/thanks"),), at("/survey/thanks"), 200),
    PageCase("DIG consent screen", (("GET", "/survey/consent"),), visit_consent, 200, matrix=False),
    PageCase(
        "DIG survey after consent",
        (("POST", "/survey/consent"),),
        visit_consent_given,
        200,
        matrix=False,
    ),
    PageCase("link: unknown", (START,), at(f"/s/{secrets.token_urlsafe(16)}"), 404, matrix=False),
    PageCase("link: used", (START,), token_link("used"), 409),
    PageCase("link: not yet open", (START,), token_link("not_yet_open"), 403, matrix=False),
    PageCase("link: expired", (START,), token_link("expired"), 410, matrix=False),
    PageCase("link: closed early", (START,), token_link("closed"), 410, matrix=False),
    PageCase(
        "survey without a session", (("GET", "/survey"),), visit_no_session, 400, matrix=False
    ),
    # Code slips and the kiosk.
    PageCase("code page", (("GET", "/code"),), at("/code"), 200),
    PageCase(
        "code page: unknown code",
        (("POST", "/code"),),
        type_code("/code", WRONG_CODE),
        404,
        matrix=False,
    ),
    PageCase(
        "code link: unknown code",
        (("GET", "/c/{code:str}"),),
        at(f"/c/{WRONG_CODE}"),
        404,
        matrix=False,
    ),
    PageCase("kiosk", (("GET", "/kiosk"),), at("/kiosk"), 200, matrix=False),
    PageCase(
        "kiosk: the survey",
        (("POST", "/kiosk"), ("GET", "/survey")),
        visit_kiosk_survey,
        200,
        matrix=False,
    ),
    PageCase("error page (404)", (), at("/does-not-exist"), 404),
    # Signing in (not signed in yet).
    PageCase("sign-in", (("GET", "/sign-in"),), anonymous(at("/sign-in")), 200),
    PageCase(
        "sign-in: wrong password", (SIGN_IN,), anonymous(visit_sign_in_failed), 401, matrix=False
    ),
    PageCase(
        "error page (form expired)", (SIGN_IN,), anonymous(visit_form_expired), 403, matrix=False
    ),
    # Not configured on this server: the error page (their problems show on the sign-in page).
    PageCase(
        "sign-in with the organisation account (not configured)",
        (("GET", "/auth/oidc/start"),),
        at("/auth/oidc/start"),
        404,
        matrix=False,
    ),
    PageCase(
        "return from the identity provider (not configured)",
        (("GET", "/auth/oidc/callback"),),
        at("/auth/oidc/callback"),
        404,
        matrix=False,
    ),
    # HR.
    PageCase("HR: waves", (("GET", "/hr/waves"),), as_role("hr", at("/hr/waves")), 200),
    PageCase(
        "HR: one wave",
        (("GET", "/hr/waves/{public_id:str}"),),
        as_role("hr", visit_hr_wave),
        200,
    ),
    PageCase(
        "HR: e-mail of a wave",
        (("GET", "/hr/waves/{public_id:str}/mail"),),
        as_role("hr", wave_mail()),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: e-mail, confirming reminders",
        (("GET", "/hr/waves/{public_id:str}/mail"),),
        as_role("hr", wave_mail("reminders")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: e-mail invitations refused (no SMTP settings)",
        (("POST", "/hr/waves/{public_id:str}/mail/invitations"),),
        as_role("hr", wave_mail("invitations", send=True)),
        409,
        matrix=False,
    ),
    PageCase(
        "HR: e-mail reminders refused (no SMTP settings)",
        (("POST", "/hr/waves/{public_id:str}/mail/reminders"),),
        as_role("hr", wave_mail("reminders", send=True)),
        409,
        matrix=False,
    ),
    PageCase(
        "HR: inclusion figures of a DIG wave",
        (("GET", "/hr/waves/{public_id:str}/inclusion"),),
        as_role("hr", visit_hr_inclusion),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: comment themes (open wave)",
        (("GET", "/hr/waves/{public_id:str}/themes"),),
        as_role("hr", visit_hr_themes),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: comment themes (closed wave)",
        (("GET", "/hr/waves/{public_id:str}/themes"),),
        as_role("hr", visit_themes_closed),
        200,
    ),
    PageCase(
        "HR: results overview (heatmap, filtered with htmx)",
        (("GET", "/hr/results"),),
        as_role("hr", visit_hr_results),
        200,
    ),
    PageCase(
        "HR: a department's results",
        (("GET", "/hr/waves/{public_id:str}/departments/{department_code:str}"),),
        as_role("hr", visit_hr_department),
        200,
    ),
    PageCase(
        "error page (unknown wave)",
        (),
        as_role("hr", at("/hr/waves/not-a-wave")),
        404,
        matrix=False,
    ),
    PageCase(
        "HR: organisation file",
        (("GET", "/hr/organisation"),),
        as_role("hr", at("/hr/organisation")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: organisation file with problems",
        (("POST", "/hr/organisation"),),
        as_role("hr", visit_org_rejected),
        422,
        matrix=False,
    ),
    PageCase(
        "HR: Quick Scan figures",
        (("GET", "/hr/quickscan"),),
        as_role("hr", at("/hr/quickscan")),
        200,
    ),
    PageCase(
        "HR: Quick Scan round without a department",
        (("POST", "/hr/quickscan/rounds"),),
        as_role("hr", visit_round_refused),
        422,
        matrix=False,
    ),
    PageCase(
        "HR: code slips",
        (("GET", "/hr/waves/{public_id:str}/codes"),),
        as_role(
            "hr",
            lambda page, scenario: goto_page(
                page, f"{scenario.url}/hr/waves/{scenario.wave.public_id}/codes"
            ),
        ),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: code slips, a number out of range",
        (("POST", "/hr/waves/{public_id:str}/codes"),),
        as_role("hr", print_codes("0", "html")),
        422,
        matrix=False,
    ),
    PageCase(
        "HR: a printable sheet of code slips",
        (("POST", "/hr/waves/{public_id:str}/codes"),),
        as_role("hr", print_codes("3", "html")),
        200,
        matrix=False,
    ),
    # HR running a wave in the browser (each run its own wave, through its states).
    PageCase("HR: new wave", (("GET", "/hr/waves/new"),), as_role("hr", at("/hr/waves/new")), 200),
    PageCase(
        "HR: new wave with problems",
        (("POST", "/hr/waves"),),
        as_role("hr", visit_new_wave_problems),
        422,
        matrix=False,
    ),
    PageCase(
        "HR: a new draft's page",
        (("POST", "/hr/waves"), ("GET", "/hr/waves/{public_id:str}/manage")),
        as_role("hr", visit_new_draft),
        200,
    ),
    PageCase(
        "HR: a draft edited without a title",
        (("POST", "/hr/waves/{public_id:str}/edit"),),
        as_role("hr", wave_action("edit", {"#title": ""})),
        422,
        matrix=False,
    ),
    PageCase(
        "HR: a draft's self-identification questions saved",
        (("POST", "/hr/waves/{public_id:str}/self-identification"),),
        as_role("hr", wave_action("self-identification")),
        200,
    ),
    PageCase(
        "HR: a question of the bank added (htmx)",
        (
            ("GET", "/hr/waves/{public_id:str}/questions"),
            ("POST", "/hr/waves/{public_id:str}/questions"),
        ),
        as_role("hr", compose("/questions")),
        200,
    ),
    PageCase(
        "HR: a question moved (htmx)",
        (("POST", "/hr/waves/{public_id:str}/questions/{question_key:str}/move"),),
        as_role("hr", compose("/move")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: a question removed (htmx)",
        (("POST", "/hr/waves/{public_id:str}/questions/{question_key:str}/remove"),),
        as_role("hr", compose("/remove")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: an own question with problems (htmx)",
        (("POST", "/hr/waves/{public_id:str}/questions/own"),),
        as_role("hr", compose("own", 422)),
        422,
        matrix=False,
    ),
    PageCase(
        "HR: preview of the survey",
        (("GET", "/hr/waves/{public_id:str}/preview"),),
        as_role("hr", visit_preview),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: a wave published",
        (("POST", "/hr/waves/{public_id:str}/publish"),),
        as_role("hr", wave_action("publish")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: a wave's last day moved",
        (("POST", "/hr/waves/{public_id:str}/extend"),),
        as_role("hr", wave_action("extend")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: closing a wave, confirmation",
        (("GET", "/hr/waves/{public_id:str}/close"),),
        as_role("hr", visit_close_confirm),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: a wave closed",
        (("POST", "/hr/waves/{public_id:str}/close"),),
        as_role("hr", visit_closed),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: the next wave planned",
        (("POST", "/hr/waves/{public_id:str}/next"),),
        as_role("hr", wave_action("next")),
        200,
        matrix=False,
    ),
    PageCase(
        "HR: the next wave opened now",
        (("POST", "/hr/waves/{public_id:str}/open"),),
        as_role("hr", wave_action("open")),
        200,
        matrix=False,
    ),
    # Managers.
    PageCase(
        "manager: teams", (("GET", "/teams"),), as_role("manager", at("/teams")), 200, matrix=False
    ),
    PageCase(
        "manager: a wave of their department",
        (("GET", "/teams/{department_code:str}/waves/{public_id:str}"),),
        as_role("manager", visit_team_wave),
        200,
    ),
    # Employees: their account.
    PageCase("account", (("GET", "/account"),), as_role("employee", at("/account")), 200),
    PageCase(
        "account: password not changed",
        (("POST", "/account/password"),),
        as_role("employee", visit_password_problem),
        422,
        matrix=False,
    ),
    PageCase("error page (no access)", (), as_role("employee", at("/hr/waves")), 403, matrix=False),
    PageCase(
        "results for everyone", (("GET", "/results"),), as_role("employee", at("/results")), 200
    ),
    # Quick Scan conversations: the employee and the manager who holds them.
    PageCase(
        "Quick Scan: own conversations",
        (("GET", "/quickscan"),),
        as_role("employee", at("/quickscan")),
        200,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: the self-assessment",
        (("GET", "/quickscan/{public_id:str}"),),
        as_role("employee", quickscan("planned")),
        200,
    ),
    PageCase(
        "Quick Scan: medical words, warned live and on saving",
        (("POST", "/quickscan/check-text"), ("POST", "/quickscan/{public_id:str}/self-assessment")),
        as_role("employee", quickscan("planned", medical_words)),
        422,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: the team page",
        (("GET", "/team/quickscan"),),
        as_role("qs_manager", at("/team/quickscan")),
        200,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: planning refused (the person has an open one)",
        (("POST", "/team/quickscan"),),
        as_role("qs_manager", plan_from_team_page),
        422,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: the manager's preparation",
        (("GET", "/quickscan/{public_id:str}"),),
        as_role("qs_manager", quickscan("prepared")),
        200,
    ),
    PageCase(
        "Quick Scan: the talk form with a row added",
        (("POST", "/quickscan/{public_id:str}/talk"),),
        as_role(
            "qs_manager",
            quickscan("prepared", lambda page: click_and_wait(page, "#talk button[name=add_row]")),
        ),
        200,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: a cancelled talk",
        (("POST", "/quickscan/{public_id:str}/delete"),),
        as_role(
            "qs_manager",
            quickscan(
                "cancel", lambda page: click_and_wait(page, "form[action$='/delete'] button")
            ),
        ),
        200,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: the record for the employee",
        (("GET", "/quickscan/{public_id:str}"),),
        as_role("employee", quickscan("held")),
        200,
    ),
    PageCase(
        "Quick Scan: an agreement marked done",
        (("POST", "/quickscan/{public_id:str}/agreements/{agreement_id:int}"),),
        as_role(
            "employee",
            quickscan(
                "held", lambda page: click_and_wait(page, "form[action*='/agreements/'] button")
            ),
        ),
        200,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: a grant form that arrived incomplete",
        (("POST", "/quickscan/{public_id:str}/grant"),),
        as_role("employee", quickscan("held", incomplete_grant)),
        422,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: confirmed by the employee",
        (("POST", "/quickscan/{public_id:str}/confirm"),),
        as_role(
            "employee",
            quickscan("held", lambda page: click_and_wait(page, "form[action$='/confirm'] button")),
        ),
        200,
        matrix=False,
    ),
    PageCase(
        "Quick Scan: the follow-up marked done",
        (("POST", "/quickscan/{public_id:str}/followed-up"),),
        as_role(
            "qs_manager",
            quickscan(
                "held", lambda page: click_and_wait(page, "form[action$='/followed-up'] button")
            ),
        ),
        200,
        matrix=False,
    ),
    # Administrators.
    PageCase("admin: overview", (("GET", "/admin"),), as_role("admin", at("/admin")), 200),
    PageCase(
        "admin: accounts", (("GET", "/admin/users"),), as_role("admin", at("/admin/users")), 200
    ),
    PageCase(
        "admin: new account",
        (("GET", "/admin/users/new"),),
        as_role("admin", at("/admin/users/new")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: new account with problems",
        (("POST", "/admin/users"),),
        as_role(
            "admin", send_form("/admin/users/new", "form[action='/admin/users']", "/admin/users")
        ),
        422,
        matrix=False,
    ),
    PageCase("admin: an account", (("GET", ACCOUNT),), as_role("admin", target_account()), 200),
    PageCase(
        "admin: an account after saving its roles",
        (("POST", ACCOUNT + "/roles"),),
        as_role("admin", admin_form("roles")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: an account, unknown department",
        (("POST", ACCOUNT + "/scope"),),
        as_role("admin", admin_form("scope", {"input[name=department]": "ONBEKEND"})),
        422,
        matrix=False,
    ),
    PageCase(
        "admin: an account, password too short",
        (("POST", ACCOUNT + "/password"),),
        as_role("admin", admin_form("password", {"input[name=password]": "kort"})),
        422,
        matrix=False,
    ),
    PageCase(
        "admin: an account after unlocking",
        (("POST", ACCOUNT + "/unlock"),),
        as_role("admin", admin_form("unlock")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: an account after ending its sessions",
        (("POST", ACCOUNT + "/sign-out"),),
        as_role("admin", admin_form("sign-out")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: settings",
        (("GET", "/admin/settings"),),
        as_role("admin", at("/admin/settings")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: settings saved",
        (("POST", "/admin/settings"),),
        as_role(
            "admin",
            send_form("/admin/settings", "form[action='/admin/settings']", "/admin/settings"),
        ),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: an account after asking for a department",
        (("POST", ACCOUNT + "/scope"),),
        as_role("admin", admin_form("scope", {"input[name=department]": MANAGED})),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: approvals",
        (("GET", "/admin/approvals"),),
        as_role("admin", at("/admin/approvals")),
        200,
    ),
    PageCase(
        "admin: a change approved",
        (("POST", "/admin/approvals/{request_id:int}/approve"),),
        as_role("admin", decide("HR", "approve")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: own request withdrawn",
        (("POST", "/admin/approvals/{request_id:int}/reject"),),
        as_role("admin", decide(MANAGED, "reject")),
        200,
        matrix=False,
    ),
    PageCase(
        "admin: audit trail", (("GET", "/admin/audit"),), as_role("admin", at("/admin/audit")), 200
    ),
    # Signing out, last: the page it ends on is the sign-in page.
    PageCase(
        "signed out",
        (("POST", "/sign-out"),),
        as_role("employee", visit_signed_out),
        200,
        matrix=False,
    ),
    PageCase(
        "signed out everywhere",
        (("POST", "/account/sign-out-everywhere"),),
        as_role("employee", visit_signed_out_everywhere),
        200,
        matrix=False,
    ),
]


# -- fixtures ----------------------------------------------------------------------------


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


RUNS = [(viewport, lang) for viewport in VIEWPORTS for lang in LANGUAGES]


async def run_accounts() -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """For every run: an employee, a manager of MANAGED, HR, an administrator, and an
    account for the administrator to change."""
    accounts: dict[str, dict[str, str]] = {}
    targets: dict[str, int] = {}
    for index, (viewport, lang) in enumerate(RUNS):
        run = f"{viewport}-{lang}"
        names = {
            role: f"{role}-{run}@testdorp.example"
            for role in ("employee", "manager", "hr", "admin", "target")
        }
        names["qs_manager"] = QS_MANAGER
        await make_account(names["employee"], employee_number=str(1002 + index))
        manager = await make_account(names["manager"], display_name=f"Leidinggevende {run}")
        await adjust_scope(manager, MANAGED, granted=True, actor="test")
        await make_account(names["hr"], is_hr=True)
        await make_account(names["admin"], is_admin=True)
        targets[run] = await make_account(names["target"], display_name=f"Collega {run}")
        # Another administrator asked for the target's HR role: this run's administrator
        # approves it on the approvals page.
        await request_change("grant_hr", targets[run], actor=f"ander-{run}@testdorp.example")
        # Locked after failed sign-ins: its page shows that, and the form to unlock it.
        await Account.update(
            {Account.failed_sign_ins: 5, Account.locked_until: utc_now() + dt.timedelta(hours=1)}
        ).where(Account.id == targets[run])
        accounts[run] = names
    return accounts, targets


async def themed_wave() -> WaveInfo:
    """A closed wave with comments in every department (themes to show), after another with
    the same comments (each theme's change since the previous wave, and its tone)."""
    template = load_template("pulse")
    for title in ("Pulsmeting voorjaar", "Pulsmeting test"):
        opened = await open_wave(title=title)
        for code, comments in COMMENTS.items():
            for number, comment in zip(NUMBERS[code], comments, strict=True):
                form = full_answers(open_comment=comment, enjoyment_work=str(1 + number % 5))
                answers, errors = validate_answers(template, {k: [v] for k, v in form.items()})
                assert not errors
                await submit_response(
                    hash_token(opened.tokens[str(number)]),
                    answers,
                    now=utc_now(),
                    settings=app_settings(),
                )
        await close_wave(opened.wave, now=utc_now())
    return opened.wave


async def dig_waves() -> tuple[str, WaveInfo]:
    """An open DIG wave asking about oneself (a token never used), and a closed one with
    responses and self-identification (HR's inclusion page)."""
    template = shipped_template("dig")  # every category the template offers
    open_dig, closed = [
        await open_wave(template=template, title=title)
        for title in ("Inclusiemonitor", "Inclusiemonitor voorjaar")
    ]
    for number, token in enumerate(closed.tokens.values()):
        form = dig_answers(
            belonging_part=str(2 + number % 4),
            ub_experienced="yes" if number % 3 == 0 else "no",
        )
        answers, errors = validate_answers(template, {k: [v] for k, v in form.items()})
        assert not errors, errors
        await submit_response(
            hash_token(token),
            answers,
            now=utc_now(),
            settings=app_settings(),
            self_identification=[
                ("gender_identity", "woman" if number % 2 else "man"),
                ("working_hours", "part_time" if number % 3 else "full_time"),
            ],
        )
    await close_wave(closed.wave, now=utc_now())
    return next(iter(open_dig.tokens.values())), closed.wave


@pytest.fixture
async def scenario(live_server) -> Scenario:
    """A small organisation, an open wave with one response, waves in every other state,
    and accounts with every role."""
    await load_small_org()
    today = utc_now().astimezone(TIMEZONE).date()
    day = dt.timedelta(days=1)
    opened = await open_wave()
    valid, used = list(opened.tokens.values())[:2]
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        csrf = await open_survey(http, used)
        sent = await http.post("/survey", data={**full_answers(), "_csrf": csrf})
        assert sent.headers.get("location", "").startswith("/survey/thanks?closes="), sent.text
    scheduled = await open_wave(opens_on=today + 7 * day, closes_on=today + 21 * day)
    expired = await open_wave(opens_on=today - 20 * day, closes_on=today - 10 * day)
    closed = await open_wave()
    await close_wave(closed.wave, now=utc_now())
    dig_token, dig_closed = await dig_waves()
    accounts, targets = await run_accounts()
    await make_account(QS_MANAGER, employee_number="1001")
    slips = await issue_codes(opened.wave, "ICT", len(RUNS), settings=app_settings())
    codes = dict(zip([f"{viewport}-{lang}" for viewport, lang in RUNS], slips.codes, strict=True))
    return Scenario(
        url=live_server.url,
        valid=valid,
        used=used,
        not_yet_open=next(iter(scheduled.tokens.values())),
        expired=next(iter(expired.tokens.values())),
        closed=next(iter(closed.tokens.values())),
        wave=opened.wave,
        themed=await themed_wave(),
        accounts=accounts,
        target_ids=targets,
        codes=codes,
        dig=dig_token,
        dig_closed=dig_closed,
        quickscans=await quickscan_conversations(list(accounts)),
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
    """The pages of one language and screen size; what fails, as lines of a report."""
    axe = Axe()
    scenario = scenario.for_run(f"{viewport}-{lang}")
    context = await new_context(browser, scenario.url, viewport, lang)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failures: list[str] = []
    try:
        for case in PAGES:
            if not case.matrix and (viewport, lang) != ONE_RUN:
                continue
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
    """No WCAG 2.1 A/AA violation: the matrix pages in Dutch and English at 360 and 1280 px,
    every other page in Dutch at 360 px."""
    limit = asyncio.Semaphore(CONCURRENT_CONTEXTS)

    async def check(viewport: str, lang: str) -> list[str]:
        async with limit:
            return await check_pages(browser, scenario, viewport, lang)

    reports = await asyncio.gather(*(check(viewport, lang) for viewport, lang in RUNS))
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
    await release_everything()
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
    async with page.expect_response("**/survey/thanks?*"):
        await page.keyboard.press("Enter")
    await expect(page.locator(".notice-success h1")).to_be_visible()
    await page.wait_for_url("**/survey/thanks?*")
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
