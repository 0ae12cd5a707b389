"""Shared test helpers: a small organisation and a wave with invitations."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from survey_app.accounts.service import create_account
from survey_app.core.clock import utc_now
from survey_app.core.hashing import invitation_digests
from survey_app.core.settings import Settings
from survey_app.organisation.importing import apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.responding.release import release_all
from survey_app.tables.anonymous import Answer, Response
from survey_app.tables.identity import Invitation, UsedInvitation
from survey_app.waves.service import WaveInfo, create_wave, invite, list_waves
from surveys import Template

if TYPE_CHECKING:
    from playwright.async_api import Page

HEADER = (
    "record_type,department_code,department_name,parent_code,level,"
    "employee_number,name,email,is_manager"
)
TIMEZONE = dt.timezone(dt.timedelta(hours=1))


def app_settings(**overrides: object) -> Settings:
    """The settings the application under test runs with (the tests' time zone)."""
    return Settings.from_env(**{"timezone": TIMEZONE, **overrides})


async def release_everything() -> int:
    """Release every sealed response into the anonymous tables, as the closing of its wave
    would, so that a test can read what was stored; how many were released."""
    secret = app_settings().secret_key
    return sum([await release_all(wave, secret_key=secret) for wave in await list_waves()])


async def stored_state() -> tuple[int, int, int]:
    """Responses (released or sealed), answers and used invitations, after releasing all."""
    await release_everything()
    return await Response.count(), await Answer.count(), await UsedInvitation.count()


async def used_token_hashes() -> set[str]:
    """Token hashes of the invitations that have been used (matched with the secret key,
    as only the application can)."""
    rows = await Invitation.select(Invitation.id, Invitation.token_hash)
    digests = invitation_digests(app_settings().secret_key, [row["id"] for row in rows])
    used = {row["digest"] for row in await UsedInvitation.select(UsedInvitation.digest)}
    return {row["token_hash"] for row in rows if digests[row["id"]] in used}


def org_csv(department_rows: list[str], team_sizes: dict[str, int]) -> bytes:
    """An organisation file: the department rows, then ``team_sizes[code]`` employees of
    each department (numbered from 1001, the first one its manager)."""
    rows = [HEADER, *department_rows]
    number = 1000
    for code, size in team_sizes.items():
        for index in range(size):
            number += 1
            manager = "ja" if index == 0 else "nee"
            email = f"m{number}@testdorp.example"
            rows.append(f"employee,{code},,,,{number},Medewerker {number},{email},{manager}")
    return ("\n".join(rows) + "\n").encode()


def small_org_csv(team_sizes: dict[str, int] | None = None) -> bytes:
    """Organisation → two domains → departments/teams; sizes per leaf code."""
    return org_csv(
        [
            "department,GEM,Gemeente Testdorp,,organisation,,,,",
            "department,SD,Sociaal Domein,GEM,domain,,,,",
            "department,JEUGD,Jeugd,SD,department,,,,",
            "department,WMO,Wmo,SD,department,,,,",
            "department,BV,Bedrijfsvoering,GEM,domain,,,,",
            "department,ICT,ICT,BV,team,,,,",
        ],
        team_sizes or {"JEUGD": 6, "WMO": 3, "ICT": 7},
    )


def large_org_csv(employees: int) -> bytes:
    """A large organisation: GEM → 4 domains → 5 departments each, with a team of 1 to 4
    people under every department (below the group minimum, so grouped with their
    department); one department, ``BIG``, holds a fifth of everyone."""
    departments = ["department,GEM,Gemeente Testdorp,,organisation,,,,"]
    sizes = {"BIG": employees // 5}
    for domain in range(1, 5):
        departments.append(f"department,D{domain},Domein {domain},GEM,domain,,,,")
        for number in range(1, 6):
            code = "BIG" if (domain, number) == (1, 1) else f"D{domain}A{number}"
            departments.append(f"department,{code},Afdeling {code},D{domain},department,,,,")
            departments.append(f"department,{code}-T,Team {code},{code},team,,,,")
            sizes[f"{code}-T"] = 1 + number % 4
            sizes.setdefault(code, 0)
    rest = employees - sum(sizes.values())
    spread = [code for code in sizes if code != "BIG" and not code.endswith("-T")]
    for index, code in enumerate(spread):
        sizes[code] = rest // len(spread) + (index < rest % len(spread))
    return org_csv(departments, sizes)


async def load_small_org(team_sizes: dict[str, int] | None = None) -> None:
    await apply_org_plan(parse_org_csv(small_org_csv(team_sizes)), dt.date(2026, 11, 1))


@dataclass
class OpenWave:
    wave: WaveInfo
    tokens: dict[str, str]  # employee number → token


async def new_wave(
    departments: tuple[str, ...] = ("GEM",),
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    *,
    template: Template | None = None,
    title: str = "Pulsmeting test",
) -> WaveInfo:
    """A wave of ``template`` (default: the shipped pulse), by default open from yesterday
    for two weeks; nobody invited yet."""
    today = utc_now().astimezone(TIMEZONE).date()
    return await create_wave(
        title=title,
        template_key="pulse" if template is None else template.key,
        template=template,
        department_codes=list(departments),
        opens_on=opens_on or today - dt.timedelta(days=1),
        closes_on=closes_on or today + dt.timedelta(days=14),
        timezone=TIMEZONE,
    )


async def open_wave(
    departments: tuple[str, ...] = ("GEM",),
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    *,
    template: Template | None = None,
    title: str = "Pulsmeting test",
) -> OpenWave:
    """`new_wave`, everyone in it invited."""
    wave = await new_wave(departments, opens_on, closes_on, template=template, title=title)
    invitations = await invite(wave, now=wave.opens_at, settings=app_settings())
    return OpenWave(wave, {item.employee_number: item.token for item in invitations})


def full_answers(**overrides: str) -> dict[str, str]:
    """A complete, valid pulse form as a browser would post it."""
    answers = {
        "enjoyment_work": "4",
        "enjoyment_contribution": "5",
        "energy_start": "3",
        "energy_left": "2",
        "workload_too_much": "4",
        "workload_pace": "3",
        "manager_support": "5",
        "manager_appreciation": "4",
        "safety_speak_up": "4",
        "safety_mistakes": "3",
        "development_opportunities": "2",
        "development_encouraged": "3",
        "enps": "8",
        "open_comment": "Fijne collega's, maar de werkdruk is hoog.",
    }
    answers.update(overrides)
    return answers


def dig_answers(**overrides: str) -> dict[str, str]:
    """A complete, valid DIG (inclusion) form as a browser would post it, without the
    questions about oneself; "no" undesirable behaviour (its follow-ups stay unasked)."""
    answers = {
        "belonging_part": "4",
        "belonging_valued": "4",
        "belonging_outsider": "2",
        "authenticity_be_myself": "4",
        "authenticity_hide": "2",
        "authenticity_asset": "3",
        "safety_speak_up": "4",
        "safety_mistakes": "2",
        "safety_different_view": "4",
        "leader_listens": "4",
        "leader_steps_in": "3",
        "leader_overlooks": "2",
        "fair_equal": "4",
        "fair_opportunities": "3",
        "fair_favoured": "2",
        "ub_experienced": "no",
        "knows_confidential_adviser": "yes",
    }
    answers.update(overrides)
    return answers


PROJECT_ROOT = Path(__file__).resolve().parent.parent


async def survey_app(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``survey-app *args`` as a process of its own, on the test database (``env`` added to
    the environment)."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "survey_app", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Debian's Chromium, never a downloaded browser. Without the background-networking flags
# it keeps trying to reach Google's hosts, which this closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# --- accounts, sign-in and CSRF ------------------------------------------------------------

PASSWORD = "een lange zin als wachtwoord"
_CSRF_INPUT = re.compile(r'name="_csrf" value="([^"]+)"')
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def browser_sign_in(page: Page, url: str, username: str) -> None:
    """Sign ``username`` in through the real form in a browser page (``url``: the server)."""
    await page.goto(f"{url}/sign-in")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.locator("form[action='/sign-in'] button[type=submit]").click()
    assert "/sign-in" not in page.url, f"signing in as {username} failed: {page.url}"


def csrf_from(html: str) -> str:
    match = _CSRF_INPUT.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def csrf_token(client: httpx.AsyncClient) -> str:
    """This client's CSRF token, as a page of the application gives it to its forms."""
    return csrf_from((await client.get("/sign-in")).text)


def with_csrf(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Make ``client`` send its CSRF token header on unsafe requests, as htmx does."""
    token: dict[str, str] = {}

    async def add_token(request: httpx.Request) -> None:
        if request.method in UNSAFE_METHODS and "x-csrf-token" not in request.headers:
            if "value" not in token:
                # httpx's own cookie jar keeps the browser secret the page was made for.
                response = await client.get("/sign-in")
                token["value"] = csrf_from(response.text)
                # The request was built before the cookie existed.
                request.headers["cookie"] = "; ".join(
                    f"{name}={value}" for name, value in client.cookies.items()
                )
            request.headers["x-csrf-token"] = token["value"]

    client.event_hooks["request"].append(add_token)
    return client


async def make_account(
    username: str,
    *,
    employee_number: str = "",
    is_hr: bool = False,
    is_admin: bool = False,
    password: str | None = PASSWORD,
    display_name: str = "",
) -> int:
    return await create_account(
        username=username,
        display_name=display_name or username.split("@")[0].title(),
        password=password,
        actor="test",
        employee_number=employee_number,
        is_hr=is_hr,
        is_admin=is_admin,
    )


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in",
        data={"_csrf": token, "username": username, "password": password},
        headers={"x-csrf-token": token},
    )
    assert response.status_code == 303, response.text[:500]
    return response


HR_USERNAME = "hr@testdorp.example"


async def sign_in_as_hr(client: httpx.AsyncClient) -> None:
    """An HR account, signed in on ``client`` (HR pages need the HR role)."""
    await make_account(HR_USERNAME, is_hr=True)
    await sign_in(client, HR_USERNAME)


async def open_survey(client: httpx.AsyncClient, token: str) -> str:
    """Open an invitation link as a browser does (the link, then the survey page) and
    return the survey form's CSRF token, which the browser sends back with the answers."""
    opened = await client.get(f"/s/{token}")
    assert opened.status_code == 303, opened.text[:500]
    survey = await client.get(opened.headers["location"])
    assert survey.status_code == 200, survey.text[:500]
    return csrf_from(survey.text)


# --- comments of the small organisation, for theme pages ----------------------------------

# One comment per employee of `small_org_csv`'s default sizes.
COMMENTS = {
    # Jeugd 6, Wmo 3, ICT 7: Wmo is too small, and Jeugd would give Wmo away (Sociaal
    # Domein 9 − Jeugd 6 = 3), so both must be hidden while Sociaal Domein shows.
    "JEUGD": [
        "De werkdruk is veel te hoog, we lopen achter.",
        "Te veel werk en te weinig mensen, ik werk vaak over.",
        "Mijn leidinggevende Medewerker 1003 denkt goed mee.",
        "De werkdruk is hoog door de achterstanden.",
        "Het zaaksysteem is traag en valt uit.",
        "Veel overwerk de laatste maanden.",
    ],
    "WMO": [
        "Bel me op 06-12345678 als je vragen hebt.",
        "De laptops zijn traag.",
        "Thuiswerken bevalt me goed.",
    ],
    "ICT": [
        "De VPN werkt thuis vaak niet.",
        "Inloggen op het zaaksysteem kost veel tijd.",
        "Nieuwe laptops zouden helpen.",
        "De werkdruk is te hoog in ons team.",
        "Het zaaksysteem valt regelmatig uit.",
        "Onze leidinggevende geeft weinig waardering.",
        "Thuiswerken met Teams gaat prima.",
    ],
}
NUMBERS = {"JEUGD": range(1001, 1007), "WMO": range(1007, 1010), "ICT": range(1010, 1017)}
