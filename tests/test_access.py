"""Access rules at the route: every route declares who may use it, and each role gets exactly that.

The list of routes comes from the application itself. A route without a declared rule, or
with a rule other than the one written down here, fails ``test_every_route_declares_the_
expected_rule``; the matrix test then requests every route as anonymous, an employee, the
manager of department A, the manager of department B, HR and an administrator.
"""

from __future__ import annotations

import re

import httpx
import pytest
from litestar.routes import HTTPRoute

from survey_app.accounts.sessions import SESSION_COOKIE, start_session
from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.i18n import LANGUAGE_COOKIE
from survey_app.responding.service import submit_response
from survey_app.tables.identity import Account
from survey_app.waves.service import close_wave
from survey_app.web.access import Rule, is_automatic_options
from surveys import load_template, validate_answers
from tests.helpers import (
    app_settings,
    csrf_from,
    full_answers,
    load_small_org,
    make_account,
    open_wave,
)

# Every route of the application and its rule. A new route must be added here (with the
# rule its author intends), so that it cannot be published by accident.
EXPECTED_RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule.PUBLIC,
    ("GET", "/health"): Rule.PUBLIC,
    ("GET", "/static/{file_path:path}"): Rule.PUBLIC,
    ("HEAD", "/static/{file_path:path}"): Rule.PUBLIC,
    ("GET", "/theme.css"): Rule.PUBLIC,
    ("GET", "/schema"): Rule.PUBLIC,
    ("GET", "/schema/openapi.json"): Rule.PUBLIC,
    ("GET", "/schema/{path:str}"): Rule.PUBLIC,
    # Respondents: the invitation link is the credential, no account is involved.
    ("GET", "/s/{token:str}"): Rule.PUBLIC,
    ("GET", "/survey"): Rule.PUBLIC,
    ("POST", "/survey"): Rule.PUBLIC,
    ("POST", "/survey/check/{question_key:str}"): Rule.PUBLIC,
    ("GET", "/survey/thanks"): Rule.PUBLIC,
    ("GET", "/survey/consent"): Rule.PUBLIC,
    ("POST", "/survey/consent"): Rule.PUBLIC,
    ("GET", "/code"): Rule.PUBLIC,
    ("POST", "/code"): Rule.PUBLIC,
    ("GET", "/c/{code:str}"): Rule.PUBLIC,
    ("GET", "/kiosk"): Rule.PUBLIC,
    ("POST", "/kiosk"): Rule.PUBLIC,
    # Signing in and out.
    ("GET", "/sign-in"): Rule.PUBLIC,
    ("POST", "/sign-in"): Rule.PUBLIC,
    ("POST", "/sign-out"): Rule.PUBLIC,
    ("GET", "/auth/oidc/start"): Rule.PUBLIC,
    ("GET", "/auth/oidc/callback"): Rule.PUBLIC,
    ("GET", "/account"): Rule.SIGNED_IN,
    ("POST", "/account/password"): Rule.SIGNED_IN,
    ("POST", "/account/sign-out-everywhere"): Rule.SIGNED_IN,
    # Results.
    ("GET", "/hr/waves"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/themes"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/inclusion"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/mail"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/mail/invitations"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/mail/reminders"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/codes"): Rule.HR,
    ("GET", "/hr/organisation"): Rule.HR,
    ("POST", "/hr/organisation"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/codes"): Rule.HR,
    ("GET", "/hr/results"): Rule.HR,
    # Quick Scan figures and rounds.
    ("GET", "/hr/quickscan"): Rule.HR,
    ("POST", "/hr/quickscan/rounds"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/departments/{department_code:str}"): Rule.HR,
    # Running waves: a new draft, the wave's page and actions, its questions, the preview.
    ("GET", "/hr/waves/new"): Rule.HR,
    ("POST", "/hr/waves"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/manage"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/edit"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/publish"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/open"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/extend"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/close"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/close"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/next"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/self-identification"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/questions"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/questions"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/questions/own"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/questions/{question_key:str}/move"): Rule.HR,
    ("POST", "/hr/waves/{public_id:str}/questions/{question_key:str}/remove"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/preview"): Rule.HR,
    ("GET", "/results"): Rule.SIGNED_IN,
    ("GET", "/teams"): Rule.MANAGER,
    ("GET", "/teams/{department_code:str}/waves/{public_id:str}"): Rule.MANAGER,
    # Exports of the same results as files.
    ("GET", "/hr/waves/{public_id:str}/export.csv"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/export.xlsx"): Rule.HR,
    ("GET", "/hr/waves/{public_id:str}/export.pdf"): Rule.HR,
    ("GET", "/teams/{department_code:str}/waves/{public_id:str}/export.csv"): Rule.MANAGER,
    ("GET", "/teams/{department_code:str}/waves/{public_id:str}/export.xlsx"): Rule.MANAGER,
    ("GET", "/teams/{department_code:str}/waves/{public_id:str}/export.pdf"): Rule.MANAGER,
    # Quick Scan conversations: the service decides who reads and changes one (404 otherwise).
    ("GET", "/quickscan"): Rule.SIGNED_IN,
    ("GET", "/quickscan/my-data.json"): Rule.SIGNED_IN,
    ("POST", "/quickscan/check-text"): Rule.SIGNED_IN,
    ("GET", "/quickscan/{public_id:str}"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/self-assessment"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/talk"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/confirm"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/agreements/{agreement_id:int}"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/followed-up"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/delete"): Rule.SIGNED_IN,
    ("POST", "/quickscan/{public_id:str}/grant"): Rule.SIGNED_IN,
    ("GET", "/team/quickscan"): Rule.MANAGER,
    ("POST", "/team/quickscan"): Rule.MANAGER,
    # Administration.
    ("GET", "/admin"): Rule.ADMIN,
    ("GET", "/admin/users"): Rule.ADMIN,
    ("GET", "/admin/users/new"): Rule.ADMIN,
    ("POST", "/admin/users"): Rule.ADMIN,
    ("GET", "/admin/users/{account_id:int}"): Rule.ADMIN,
    ("POST", "/admin/users/{account_id:int}/roles"): Rule.ADMIN,
    ("POST", "/admin/users/{account_id:int}/scope"): Rule.ADMIN,
    ("POST", "/admin/users/{account_id:int}/password"): Rule.ADMIN,
    ("POST", "/admin/users/{account_id:int}/unlock"): Rule.ADMIN,
    ("POST", "/admin/users/{account_id:int}/sign-out"): Rule.ADMIN,
    ("GET", "/admin/approvals"): Rule.ADMIN,
    ("POST", "/admin/approvals/{request_id:int}/approve"): Rule.ADMIN,
    ("POST", "/admin/approvals/{request_id:int}/reject"): Rule.ADMIN,
    ("GET", "/admin/settings"): Rule.ADMIN,
    ("POST", "/admin/settings"): Rule.ADMIN,
    ("GET", "/admin/audit"): Rule.ADMIN,
    ("GET", "/admin/audit.csv"): Rule.ADMIN,
}

PERSONAS = ("anonymous", "employee", "manager_a", "manager_b", "hr", "admin")
# Department A (JEUGD) is led by employee 1001, department B (ICT) by employee 1010.
DEPARTMENT_A, DEPARTMENT_B = "JEUGD", "ICT"
ALLOWED: dict[Rule, set[str]] = {
    Rule.PUBLIC: set(PERSONAS),
    Rule.SIGNED_IN: set(PERSONAS) - {"anonymous"},
    Rule.HR: {"hr"},
    Rule.ADMIN: {"admin"},
}
DENIED_TEXT = "No access to this page"


def application_routes(app) -> dict[tuple[str, str], object]:
    """(method, path) → the handler's declared rule (None when it declares none)."""
    found: dict[tuple[str, str], object] = {}
    for route in app.routes:
        assert isinstance(route, HTTPRoute), f"unexpected route type {route!r}"
        for handler in route.route_handlers:
            if is_automatic_options(handler):
                continue
            for method in handler.http_methods:
                found[(method, route.path)] = handler.opt.get("access")
    return found


def allowed_personas(rule: Rule, path: str) -> set[str]:
    if rule is Rule.MANAGER:
        # Routes with a department: the manager of that department (and HR); without one,
        # every manager (and HR) reaches their own overview.
        if "{department_code" in path:
            return {"manager_a", "hr"}
        return {"manager_a", "manager_b", "hr"}
    return ALLOWED[rule]


def test_every_route_declares_the_expected_rule(app) -> None:
    routes = application_routes(app)
    undeclared = sorted(key for key, rule in routes.items() if not isinstance(rule, Rule))
    assert not undeclared, f"routes without an access rule: {undeclared}"
    unlisted = sorted(set(routes) - set(EXPECTED_RULES))
    assert not unlisted, f"routes missing from EXPECTED_RULES in this test: {unlisted}"
    gone = sorted(set(EXPECTED_RULES) - set(routes))
    assert not gone, f"routes in EXPECTED_RULES that the application no longer has: {gone}"
    different = {key: (routes[key], rule) for key, rule in EXPECTED_RULES.items()}
    different = {key: pair for key, pair in different.items() if pair[0] is not pair[1]}
    assert not different, f"routes whose rule differs (declared, expected): {different}"


class Personas:
    """One account per role, and a fresh signed-in session for every request."""

    def __init__(self, app) -> None:
        self.app = app
        self.accounts: dict[str, int] = {}

    async def create(self) -> None:
        self.accounts = {
            "employee": await make_account("medewerker@testdorp.example", employee_number="1002"),
            "manager_a": await make_account("jeugd@testdorp.example", employee_number="1001"),
            "manager_b": await make_account("ict@testdorp.example", employee_number="1010"),
            "hr": await make_account("hr@testdorp.example", is_hr=True),
            "admin": await make_account("beheer@testdorp.example", is_admin=True),
        }

    async def request(self, persona: str, method: str, url: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.cookies.set(LANGUAGE_COOKIE, "en")
            if persona != "anonymous":
                token = await start_session(self.accounts[persona], "password")
                http.cookies.set(SESSION_COOKIE, token)
            if method == "GET" or method == "HEAD":
                return await http.request(method, url)
            csrf = csrf_from((await http.get("/sign-in")).text)
            return await http.request(
                method, url, data={"_csrf": csrf}, headers={"x-csrf-token": csrf}
            )


def outcome(response: httpx.Response) -> str:
    if response.status_code == 303 and response.headers["location"].startswith("/sign-in?next="):
        return "sign_in"
    if response.status_code == 403 and DENIED_TEXT in response.text:
        return "forbidden"
    # An allowed request must also be handled: a crash is not access.
    return "allowed" if response.status_code < 500 else f"error {response.status_code}"


async def concrete_values(personas: Personas) -> dict[str, str]:
    opened = await open_wave()
    return {
        "public_id": str(opened.wave.public_id),
        "department_code": DEPARTMENT_A,
        "token": "not-a-real-token",
        "code": "ABCD-EFGH-JKMN",
        "question_key": "enjoyment_work",
        "file_path": "css/app.css",
        "path": "openapi.json",
        "account_id": str(personas.accounts["employee"]),
        "request_id": "1",
        "agreement_id": "1",
    }


def concrete(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        assert name in values, f"no test value for path parameter {name!r} in {path}"
        return values[name]

    return re.sub(r"\{([^}]+)\}", value, path)


async def test_every_route_answers_each_role_as_its_rule_says(app) -> None:
    await load_small_org()
    personas = Personas(app)
    await personas.create()
    values = await concrete_values(personas)
    wrong = []
    for (method, path), rule in sorted(EXPECTED_RULES.items(), key=lambda item: item[0][::-1]):
        url = concrete(path, values)
        allowed = allowed_personas(rule, path)
        for persona in PERSONAS:
            got = outcome(await personas.request(persona, method, url))
            if persona in allowed:
                expected = "allowed"
            else:
                expected = "sign_in" if persona == "anonymous" else "forbidden"
            if got != expected:
                wrong.append(f"{method} {url} as {persona}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("persona", "department", "expected"),
    [
        ("manager_a", DEPARTMENT_A, "allowed"),
        ("manager_b", DEPARTMENT_B, "allowed"),
        ("manager_a", DEPARTMENT_B, "forbidden"),
        ("manager_b", DEPARTMENT_A, "forbidden"),
        # A scope reaches down the tree, never up: not the domain above, not the whole.
        ("manager_a", "SD", "forbidden"),
        ("manager_a", "GEM", "forbidden"),
        ("hr", DEPARTMENT_B, "allowed"),
        ("employee", DEPARTMENT_A, "forbidden"),
        ("admin", DEPARTMENT_A, "forbidden"),
    ],
)
async def test_managers_see_their_own_departments_only(
    app, persona: str, department: str, expected: str
) -> None:
    await load_small_org()
    personas = Personas(app)
    await personas.create()
    opened = await open_wave()
    url = f"/teams/{department}/waves/{opened.wave.public_id}"
    response = await personas.request(persona, "GET", url)
    assert outcome(response) == expected
    if expected == "allowed":
        assert response.status_code == 200


async def test_an_administrator_who_takes_a_scope_away_takes_access_away(app) -> None:
    from survey_app.accounts.service import adjust_scope

    await load_small_org()
    personas = Personas(app)
    await personas.create()
    opened = await open_wave()
    url = f"/teams/{DEPARTMENT_A}/waves/{opened.wave.public_id}"
    assert outcome(await personas.request("manager_a", "GET", url)) == "allowed"
    await adjust_scope(personas.accounts["manager_a"], DEPARTMENT_A, granted=False, actor="t")
    assert outcome(await personas.request("manager_a", "GET", url)) == "forbidden"
    await adjust_scope(personas.accounts["manager_b"], DEPARTMENT_A, granted=True, actor="t")
    assert outcome(await personas.request("manager_b", "GET", url)) == "allowed"


async def test_no_page_shows_an_individual_answer_to_anyone(app) -> None:
    """Nobody, administrators included, can read what one person answered: a unique comment
    and every page of the product, for every role."""
    await load_small_org({"JEUGD": 12, "WMO": 3, "ICT": 7})
    personas = Personas(app)
    await personas.create()
    opened = await open_wave()
    secret = "Zeldzaamwoord kwetsbaarheid persoonlijk verhaal"
    template = load_template("pulse")
    for number, token in list(opened.tokens.items())[:10]:
        text = secret if number == "1003" else "Werkdruk is hoog en de planning is krap."
        form = {key: [value] for key, value in full_answers(open_comment=text).items()}
        answers, errors = validate_answers(template, form)
        assert not errors
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(opened.wave, now=utc_now())
    values = await concrete_values(personas)
    values["public_id"] = str(opened.wave.public_id)
    account_ids = [row["id"] for row in await Account.select(Account.id)]
    for (method, path), _rule in EXPECTED_RULES.items():
        if method != "GET" or "{file_path" in path or "{path" in path:
            continue
        for account_id in account_ids if "{account_id" in path else [0]:
            url = concrete(path, {**values, "account_id": str(account_id)})
            for persona in PERSONAS:
                response = await personas.request(persona, "GET", url)
                for word in ("Zeldzaamwoord", "kwetsbaarheid"):
                    assert word not in response.text, f"{url} as {persona} shows {word!r}"


async def test_taking_away_a_department_inside_a_scope_hides_it(app) -> None:
    """A manager of the domain SD keeps SD and WMO when JEUGD below it is taken away."""
    from survey_app.accounts.service import adjust_scope
    from survey_app.accounts.sessions import manager_scope

    await load_small_org()
    personas = Personas(app)
    await personas.create()
    manager = personas.accounts["manager_b"]
    await adjust_scope(manager, "SD", granted=True, actor="t")
    await adjust_scope(manager, DEPARTMENT_A, granted=False, actor="t")
    codes, _roots = await manager_scope(manager, None)
    assert {"SD", "WMO"} <= codes and DEPARTMENT_A not in codes
    opened = await open_wave()
    url = f"/teams/{DEPARTMENT_A}/waves/{opened.wave.public_id}"
    assert outcome(await personas.request("manager_b", "GET", url)) == "forbidden"


async def test_administrators_cannot_give_themselves_results(app) -> None:
    from survey_app.accounts.service import AccountError, adjust_scope, set_roles

    await load_small_org()
    personas = Personas(app)
    await personas.create()
    admin = personas.accounts["admin"]
    with pytest.raises(AccountError):
        await set_roles(admin, is_hr=True, is_admin=True, active=True, actor="a", actor_id=admin)
    with pytest.raises(AccountError):
        await adjust_scope(admin, "GEM", granted=True, actor="a", actor_id=admin)
    assert outcome(await personas.request("admin", "GET", "/hr/waves")) == "forbidden"


@pytest.mark.parametrize(
    ("claims", "linked"),
    [
        ({"email": "m1002@testdorp.example", "email_verified": True}, True),
        # Not vouched for by the provider: not used to identify anyone.
        ({"email": "m1002@testdorp.example"}, False),
        ({"email": "m1002@testdorp.example", "email_verified": "false"}, False),
        # A name match never takes over an account that has a password (here: the admin).
        ({"email": "beheer@testdorp.example", "email_verified": True}, False),
    ],
)
async def test_an_identity_is_linked_only_to_a_verified_employee(app, claims, linked) -> None:
    from survey_app import audit
    from survey_app.accounts.service import account_for_identity

    await load_small_org()
    personas = Personas(app)
    await personas.create()
    account = await account_for_identity(
        "https://idp.example sub-1", claims, employee_claim="email"
    )
    assert (account == personas.accounts["employee"]) is linked
    assert (account is not None) is linked
    records, _total = await audit.search(action="account.linked")
    assert bool(records) is linked


async def test_views_of_results_are_in_the_audit_trail_and_refused_views_are_not(app) -> None:
    from survey_app import audit

    await load_small_org()
    personas = Personas(app)
    await personas.create()
    opened = await open_wave()
    await close_wave(opened.wave, now=utc_now())  # themes are shown for closed waves only
    wave = opened.wave.public_id
    for persona, url in [
        ("hr", f"/hr/waves/{wave}"),
        ("hr", f"/hr/waves/{wave}/themes"),
        ("manager_a", f"/teams/{DEPARTMENT_A}/waves/{wave}"),
        ("manager_b", f"/teams/{DEPARTMENT_A}/waves/{wave}"),  # refused: not recorded
        ("employee", f"/hr/waves/{wave}"),  # refused: not recorded
    ]:
        await personas.request(persona, "GET", url)
    records, total = await audit.search(action="results.viewed")
    seen = sorted((record.actor, record.target, record.details["page"]) for record in records)
    assert total == 3
    assert seen == [
        ("hr@testdorp.example", "Pulsmeting test", "overview"),
        ("hr@testdorp.example", "Pulsmeting test", "themes"),
        (
            "jeugd@testdorp.example",
            f"Pulsmeting test – {DEPARTMENT_NAMES[DEPARTMENT_A]} ({DEPARTMENT_A})",
            "department",
        ),
    ]


DEPARTMENT_NAMES = {
    "GEM": "Gemeente Testdorp",
    "SD": "Sociaal Domein",
    "JEUGD": "Jeugd",
    "WMO": "Wmo",
    "BV": "Bedrijfsvoering",
    "ICT": "ICT",
}


async def test_a_team_page_shows_no_department_outside_the_viewers_scope(app) -> None:
    """What a page shows, not only whether it opens: a manager of Jeugd sees Jeugd, and no
    other department in the rates, the theme groups or any total."""
    await load_small_org({"JEUGD": 8, "WMO": 7, "ICT": 9})
    personas = Personas(app)
    await personas.create()
    opened = await open_wave()
    template = load_template("pulse")
    for token in opened.tokens.values():
        form = {key: [value] for key, value in full_answers().items()}
        answers, _errors = validate_answers(template, form)
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(opened.wave, now=utc_now())
    page = await personas.request(
        "manager_a", "GET", f"/teams/{DEPARTMENT_A}/waves/{opened.wave.public_id}"
    )
    assert page.status_code == 200
    main = page.text.split('<main id="main"', 1)[1]
    assert DEPARTMENT_NAMES[DEPARTMENT_A] in main
    shown = {code for code, name in DEPARTMENT_NAMES.items() if f">{name}<" in main}
    assert shown == {DEPARTMENT_A}, f"departments outside the scope on the page: {shown}"
    # HR's page of the same wave does show the others (the check above can see them).
    hr_page = await personas.request("hr", "GET", f"/hr/waves/{opened.wave.public_id}")
    assert {code for code, name in DEPARTMENT_NAMES.items() if f">{name}<" in hr_page.text} >= {
        "SD",
        "WMO",
        "ICT",
    }


# -- the menu in the header ---------------------------------------------------------------

MENU_LINK = re.compile(
    r'<a class="[^"]*utrecht-nav-list__link" href="([^"]+)"(?: aria-current="(\w+)")?>([^<]+)</a>'
)
# What each persona's menu holds: an area per role, never one the role cannot open.
EXPECTED_MENUS = {
    "anonymous": set(),
    "employee": {"Quick Scan", "Our results"},
    "manager_a": {"Team", "Quick Scan", "Our results"},
    "manager_b": {"Team", "Quick Scan", "Our results"},
    "hr": {"Results", "Waves", "Organisation", "Quick Scan figures", "Our results"},
    "admin": {"Admin", "Our results"},
}


def main_menu(html: str) -> dict[str, tuple[str, str]]:
    """label → (link, its aria-current or "") of the page's main menu."""
    if 'aria-label="Main menu"' not in html:
        return {}
    nav = html.split('aria-label="Main menu"', 1)[1].split("</nav>", 1)[0]
    return {label: (href, current) for href, current, label in MENU_LINK.findall(nav)}


async def test_the_menu_shows_each_role_the_areas_it_may_open_and_no_other(app) -> None:
    await load_small_org()
    personas = Personas(app)
    await personas.create()
    for persona, labels in EXPECTED_MENUS.items():
        page = (await personas.request(persona, "GET", "/")).text
        menu = main_menu(page)
        assert set(menu) == labels, f"{persona}: {sorted(menu)}"
        for label, (href, _current) in menu.items():
            got = outcome(await personas.request(persona, "GET", href))
            assert got == "allowed", f"{persona}'s menu links {label} ({href}): {got}"
        if persona != "hr":
            # No link to an HR page on the start page either.
            assert 'href="/hr/' not in page, persona


@pytest.mark.parametrize(
    ("persona", "path", "expected"),
    [
        (
            "hr",
            "/hr/waves",
            {
                "Waves": "page",
                "Results": "",
                "Organisation": "",
                "Quick Scan figures": "",
                "Our results": "",
            },
        ),
        (
            "hr",
            "/hr/results",
            {
                "Results": "page",
                "Waves": "",
                "Organisation": "",
                "Quick Scan figures": "",
                "Our results": "",
            },
        ),
        (
            "hr",
            "/account",
            {
                "Results": "",
                "Waves": "",
                "Organisation": "",
                "Quick Scan figures": "",
                "Our results": "",
            },
        ),
        (
            "hr",
            "/hr/organisation",
            {
                "Results": "",
                "Waves": "",
                "Organisation": "page",
                "Quick Scan figures": "",
                "Our results": "",
            },
        ),
        ("admin", "/admin", {"Admin": "page", "Our results": ""}),
        ("admin", "/admin/users", {"Admin": "true", "Our results": ""}),
        ("manager_a", "/teams", {"Team": "page", "Quick Scan": "", "Our results": ""}),
        ("employee", "/results", {"Quick Scan": "", "Our results": "page"}),
        ("employee", "/quickscan", {"Quick Scan": "page", "Our results": ""}),
    ],
)
async def test_the_menu_marks_the_current_area(app, persona, path, expected) -> None:
    await load_small_org()
    personas = Personas(app)
    await personas.create()
    page = await personas.request(persona, "GET", path)
    assert page.status_code == 200
    menu = main_menu(page.text)
    assert {label: current for label, (_href, current) in menu.items()} == expected


async def test_a_wave_s_results_are_in_the_results_area_and_its_management_in_waves(app) -> None:
    """The results of a wave live under /hr/waves/<id>, but the menu marks Results there."""
    await load_small_org()
    personas = Personas(app)
    await personas.create()
    wave = (await open_wave()).wave.public_id
    for path, area in [
        (f"/hr/waves/{wave}", "Results"),
        (f"/hr/waves/{wave}/themes", "Results"),
        (f"/hr/waves/{wave}/departments/GEM", "Results"),
        (f"/hr/waves/{wave}/manage", "Waves"),
        (f"/hr/waves/{wave}/mail", "Waves"),
    ]:
        page = await personas.request("hr", "GET", path)
        assert page.status_code == 200, path
        marked = {label for label, (_href, current) in main_menu(page.text).items() if current}
        assert marked == {area}, (path, marked)
