"""What the Quick Scan page tests share: the small organisation with accounts, signed-in
clients, and the steps of a conversation taken through the pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from survey_app.accounts.sessions import SESSION_COOKIE, start_session
from survey_app.core.i18n import LANGUAGE_COOKIE
from survey_app.tables.conversations import QuickScan, QuickScanAgreement, QuickScanGrant
from tests.helpers import load_small_org, make_account, with_csrf

# The small organisation: JEUGD is led by 1001 (1002-1006 work there), ICT by 1010.
MANAGER, EMPLOYEE, COLLEAGUE, OTHER_MANAGER = "1001", "1002", "1003", "1010"
CONVERSATION_PATH = re.compile(r"/quickscan/([0-9a-f-]{36})")


@dataclass
class Accounts:
    manager: int
    employee: int
    colleague: int
    other_manager: int
    hr: int
    admin: int


async def organisation_with_accounts() -> Accounts:
    await load_small_org()
    return Accounts(
        manager=await make_account("jeugd@testdorp.example", employee_number=MANAGER),
        employee=await make_account("medewerker@testdorp.example", employee_number=EMPLOYEE),
        colleague=await make_account("collega@testdorp.example", employee_number=COLLEAGUE),
        other_manager=await make_account("ict@testdorp.example", employee_number=OTHER_MANAGER),
        hr=await make_account("hr@testdorp.example", is_hr=True),
        admin=await make_account("beheer@testdorp.example", is_admin=True),
    )


@asynccontextmanager
async def signed_in(
    app, account_id: int | None, language: str = "en"
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client (CSRF token on unsafe requests) signed in as ``account_id``
    (anonymous when None), reading ``language``."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        http.cookies.set(LANGUAGE_COOKIE, language)
        if account_id is not None:
            http.cookies.set(SESSION_COOKIE, await start_session(account_id, "password"))
        yield with_csrf(http)


def conversation_id(response: httpx.Response) -> str:
    match = CONVERSATION_PATH.search(response.headers.get("location", ""))
    assert match, (response.status_code, response.text[:300])
    return match.group(1)


async def plan(manager: httpx.AsyncClient, employee_number: str = EMPLOYEE) -> str:
    response = await manager.post("/team/quickscan", data={"employee": employee_number})
    assert response.status_code == 303, response.text[:2000]
    return conversation_id(response)


# A self-assessment: a low Work Ability Score (which fires a signal), a few scale answers and
# an open answer.
ANSWERS = {
    "qs_energy": "4",
    "qs_workload": "3",
    "qs_enjoyment": "4",
    "qs_collaboration": "5",
    "work_ability": "3",
    "qs_energy_gives": "Samenwerken met het wijkteam",
}


def assessment(answers: dict[str, str] | None = None, hidden: tuple[str, ...] = ()) -> dict:
    """The posted form: the answers, every answered one shared but ``hidden``."""
    answers = ANSWERS if answers is None else answers
    shares = {f"share_{key}": "1" for key in answers if key not in hidden}
    return {**answers, **shares}


def day(offset: int) -> str:
    """A day relative to today, as a date field sends it."""
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def talk(**extra: str) -> dict[str, str]:
    return {
        "held_on": day(-1),
        "rows": "3",
        "summary": "We spraken over energie en de samenwerking in het team.",
        "agreement_0_text": "Wekelijks overleg over de planning",
        "agreement_0_owner": "manager",
        "agreement_0_due": day(10),
        "agreement_1_text": "Cursus timemanagement zoeken",
        "agreement_1_owner": "employee",
        "agreement_1_due": day(40),
        "follow_up_on": day(60),
        **extra,
    }


async def stored() -> tuple[list[dict], list[dict], list[dict]]:
    """Every stored conversation, agreement and grant (to show that nothing changed)."""
    return (
        await QuickScan.select().order_by(QuickScan.id),
        await QuickScanAgreement.select().order_by(QuickScanAgreement.id),
        await QuickScanGrant.select().order_by(QuickScanGrant.id),
    )
