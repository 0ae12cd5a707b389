"""Schema-driven fuzzing: every route is called with generated requests (Schemathesis) and
every response must be documented in the app's OpenAPI schema, with no server error.

The schema is fetched from ``/schema/openapi.json`` of the in-process app. Requests go
through Schemathesis' ASGI client without entering the app's lifespan (as the ``client``
fixture does), so on PostgreSQL each query opens its own connection and no pool is bound to
another event loop. All default checks run: ``not_a_server_error``, status code, content
type, headers and body conformance, positive data accepted, negative data rejected, and the
method checks (405 with ``Allow``).

Requests come from a browser: it has this application's CSRF cookie and sends the token
(``X-CSRF-Token``, as htmx does) with unsafe methods, so the handlers themselves are
reached; redirects are not followed, so a 303 is checked as the route's own answer. The
runs are:

- anonymous, without a survey session: public routes answer as documented, and every route
  that needs an account answers 303 to the sign-in page, whatever the request;
- with an open invitation (the survey routes), storing responses;
- signed in as an account with the HR and administrator roles (the routes that need an
  account), so that their handlers run, on an organisation with an open and a closed wave;
- unsafe methods without the token (a form posted from another site): always 403, even
  for a signed-in administrator.

Examples are bounded and derandomized so the run is reproducible and takes seconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python.asgi import ASGIClient

from survey_app.accounts.sessions import SESSION_COOKIE, start_session
from survey_app.app import create_app
from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.settings import Settings
from survey_app.responding.service import submit_response
from survey_app.tables.anonymous import Response, SealedResponse
from survey_app.tables.identity import Account
from survey_app.waves.service import close_wave
from survey_app.web.access import ACCESS_KEY, Rule, is_automatic_options
from survey_app.web.csrf import CSRF_COOKIE, CSRF_HEADER
from surveys import load_template, load_templates, validate_answers
from surveys.model import Bilingual, Section
from tests.helpers import (
    app_settings,
    csrf_from,
    dig_answers,
    full_answers,
    load_small_org,
    make_account,
    open_wave,
)

# Per operation and per mode; the coverage phase adds its boundary cases on top.
MAX_EXAMPLES = 30
SESSION_EXAMPLES = 20
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
SESSION_SETTINGS = settings(FUZZ_SETTINGS, max_examples=SESSION_EXAMPLES)
SURVEY_PATHS = "^/survey"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The routes that serve the OpenAPI document itself: not operations of the application.
SCHEMA_PATHS = "^/schema(/|$)"


def operation_rules(app) -> dict[str, Rule | None]:
    """``"GET /hr/waves/{public_id}"`` (as the schema names operations) → the route's rule."""
    rules: dict[str, Rule | None] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if is_automatic_options(handler):
                continue
            path = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path)
            for method in handler.http_methods:
                rules[f"{method} {path}"] = handler.opt.get(ACCESS_KEY)
    return rules


def exactly(names: set[str]) -> str:
    return "^(?:" + "|".join(re.escape(name) for name in sorted(names)) + ")$"


# One app for collection and calls. It reads the database through the global engine, which
# the autouse ``db`` fixture points at the test database before every test. At import time
# the PostgreSQL test database does not exist yet: Piccolo's version probe only warns.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*Unable to fetch server version")
    APP = create_app(Settings.from_env())
RULES = operation_rules(APP)
# Routes that need an account (any role): anonymous requests are sent to sign in.
PROTECTED = {name for name, rule in RULES.items() if rule is not Rule.PUBLIC}

# Without a session every survey route answers 400 "open the link from your invitation":
# the request itself is well-formed, but the state it needs is not in the schema. Routes
# that need an account answer 303 to the sign-in page before they look at the request, so
# a schema-violating request gets the same 303 (or 404 from the router when a path
# parameter does not fit the route, such as a non-numeric account id).
ANONYMOUS_CONFIG = {
    "operations": [
        {
            "include-path-regex": SURVEY_PATHS,
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "400", "404"]}
            },
        },
        {
            "include-name-regex": exactly(PROTECTED),
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["303"]},
                "negative_data_rejection": {"expected-statuses": ["303", "404"]},
            },
        },
    ]
}
# With a session, the answer form's schema lists every question of the bank but cannot say
# which ones this survey asks: a positive form missing a required answer is 422, and a
# question key that is not in this survey is 404.
SESSION_CONFIG = {
    "operations": [
        {
            "include-path-regex": SURVEY_PATHS,
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "404", "422"]}
            },
        }
    ]
}
# Signed in with every role. The forms of these pages are read by their handlers and not
# described in the schema, so a generated request carries none of their fields: 422 with
# what is missing. Ids that are not there are 404. Sending a wave's mail is refused with
# 409 on this server: it has no SMTP settings (and a draft or closed wave invites nobody).
# An action on a wave whose state does not allow it (publishing the open wave, closing the
# closed one) is 409 as well.
STAFF_CONFIG = {
    "operations": [
        {
            "include-path-regex": r"/mail/(invitations|reminders)$",
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "404", "409"]}
            },
        },
        {
            "include-name-regex": ".",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "404", "409", "422"]
                }
            },
        },
    ]
}
# A form posted from another site carries the browser's cookies but not the token: 403
# before any handler (or 404 from the router for a path that fits no route). This schema
# holds only the unsafe methods, so it cannot judge which methods a path allows: the
# anonymous run checks that (405 and ``Allow``).
NO_TOKEN_CONFIG = {
    "checks": {
        "unsupported_method": {"enabled": False},
        "allow_header_conformance": {"enabled": False},
    },
    "operations": [
        {
            "include-name-regex": ".",
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["403"]},
                "negative_data_rejection": {"expected-statuses": ["403", "404"]},
            },
        }
    ],
}


def load_schema(
    app, config: dict, keep: Callable[[str, str], bool] = lambda method, path: True
) -> schemathesis.BaseSchema:
    """The schema as the app serves it (only the operations ``keep`` accepts), bound to the
    app. The routes of the schema document itself are left out: they are no operations of
    the application (and describe their JSON as a string)."""
    http = ASGIClient(app)
    served = http.get("/schema/openapi.json")
    assert served.status_code == 200, served.text[:500]
    assert "json" in served.headers["content-type"]
    document = served.json()
    assert document["info"]["title"] == "Klankbord"
    paths = {}
    for path, item in document["paths"].items():
        if re.match(SCHEMA_PATHS, path):
            continue
        kept = {
            key: value
            for key, value in item.items()
            if key.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
            or keep(key.upper(), path)
        }
        if set(kept) & {"get", "post", "put", "patch", "delete"}:
            paths[path] = kept
    document["paths"] = paths
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(config))
    schema.app = app
    return schema


api = load_schema(APP, ANONYMOUS_CONFIG)
survey_api = load_schema(
    APP, SESSION_CONFIG, lambda method, path: bool(re.match(SURVEY_PATHS, path))
)
staff_api = load_schema(APP, STAFF_CONFIG, lambda method, path: f"{method} {path}" in PROTECTED)
unsafe_api = load_schema(APP, NO_TOKEN_CONFIG, lambda method, path: method in UNSAFE_METHODS)


@dataclass
class Browser:
    """Schemathesis' in-process client with this browser's CSRF cookie and token."""

    http: ASGIClient
    secret: str
    token: str

    def reset(self) -> None:
        """Forget every cookie (sessions, language) but the CSRF one: a fresh visitor."""
        self.http.cookies.clear()
        self.http.cookies.set(CSRF_COOKIE, self.secret)

    @property
    def headers(self) -> dict[str, str]:
        return {CSRF_HEADER: self.token}


@pytest.fixture
def http() -> Iterator[ASGIClient]:
    """Schemathesis' in-process client; the app's lifespan is deliberately not entered."""
    session = ASGIClient(APP)
    yield session
    session.close()


@pytest.fixture
def browser(http: ASGIClient) -> Browser:
    page = http.get("/sign-in")
    assert page.status_code == 200, page.text[:500]
    return Browser(http, http.cookies[CSRF_COOKIE], csrf_from(page.text))


@dataclass
class Invitations:
    """Invitation links for the session runs; each stored response uses one up."""

    tokens: list[str]
    used: int = 0
    session_open: bool = False
    csrf: str = ""
    statuses: dict[str, set[int]] = field(default_factory=dict)

    def ensure_session(self, http: ASGIClient) -> None:
        """Open the next unused link in ``http`` unless its session is still valid; a new
        browser each time, which takes its CSRF token from the survey form."""
        if self.session_open:
            return
        assert self.used < len(self.tokens), "more stored responses than invitations"
        http.cookies.clear()
        opened = http.get(f"/s/{self.tokens[self.used]}", allow_redirects=False)
        assert opened.status_code == 303, opened.text[:500]
        survey = http.get("/survey", allow_redirects=False)
        assert survey.status_code == 200, survey.text[:500]
        self.csrf = csrf_from(survey.text)
        self.session_open = True

    @property
    def headers(self) -> dict[str, str]:
        return {CSRF_HEADER: self.csrf}

    def record(self, label: str, status: int) -> None:
        self.statuses.setdefault(label, set()).add(status)
        if label == "POST /survey" and status == 303:
            # Stored: the invitation is used and the server cleared the session.
            self.used += 1
            self.session_open = False


# The answer form documents every question of every shipped survey (form_schema.py); a
# survey ignores the fields it does not ask. The fuzzed wave asks them all (the pulse with
# the other surveys' questions added, as HR can add bank questions to a draft), so that a
# generated invalid value is always one the server must refuse.
def complete_form() -> dict[str, str]:
    return {**full_answers(), **dig_answers()}


def every_question_template():
    pulse = load_template("pulse").with_self_identification(())
    asked = {question.key for question in pulse.questions}
    others = []
    for template in load_templates().values():
        for question in template.questions:
            if question.key not in asked:
                asked.add(question.key)
                others.append(question)
    extra = Section(Bilingual(nl="Overige vragen", en="Other questions"), tuple(others))
    return dataclasses.replace(pulse, sections=(*pulse.sections, extra))


@pytest.fixture
async def invitations() -> Invitations:
    await load_small_org({"JEUGD": 120, "WMO": 60, "ICT": 60})
    opened = await open_wave(template=every_question_template(), title="Fuzz: every question")
    return Invitations(list(opened.tokens.values()))


def location(response) -> str:
    return response.headers.get("location", [""])[0]


def path_is_negative(case) -> bool:
    component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    return component is not None and component.mode.is_negative


def count_responses() -> int:
    # The test body is synchronous (Hypothesis); a short-lived loop is enough for a count.
    async def count() -> int:
        return await Response.count() + await SealedResponse.count()

    return asyncio.run(count())


@api.parametrize()
@FUZZ_SETTINGS
def test_every_route_answers_as_documented_without_a_session(case, browser: Browser) -> None:
    browser.reset()
    response = case.call_and_validate(
        session=browser.http, headers=browser.headers, allow_redirects=False
    )
    if case.operation.label in PROTECTED and response.status_code == 303:
        assert location(response).startswith("/sign-in?next="), response.headers
    assert count_responses() == 0


@survey_api.parametrize()
@SESSION_SETTINGS
def test_survey_routes_answer_as_documented_with_an_open_invitation(
    case, http, invitations: Invitations
) -> None:
    invitations.ensure_session(http)
    if case.method == "POST" and case.path == "/survey" and isinstance(case.body, dict):
        # Generated answers over a complete valid form: positive cases store a response,
        # negative ones must be refused with the field's error.
        case.body = {**complete_form(), **case.body}
    response = case.call_and_validate(
        session=http, headers=invitations.headers, allow_redirects=False
    )
    invitations.record(f"{case.method} {case.path}", response.status_code)


def test_the_fuzzed_session_run_reached_validation_and_storage(
    http, invitations: Invitations
) -> None:
    """The session fuzzing above must really exercise the form: both 422 and 303 occur."""
    submit = survey_api["/survey"]["POST"]

    @given(case=submit.as_strategy())
    @SESSION_SETTINGS
    def run(case) -> None:
        invitations.ensure_session(http)
        if isinstance(case.body, dict):
            case.body = {**complete_form(), **case.body}
        response = case.call_and_validate(
            session=http, headers=invitations.headers, allow_redirects=False
        )
        invitations.record("POST /survey", response.status_code)

    run()
    statuses = invitations.statuses["POST /survey"]
    assert 422 in statuses and 303 in statuses, statuses
    assert count_responses() == invitations.used > 0


# --- signed in ------------------------------------------------------------------------

STAFF_USERNAME = "fuzz-beheer@testdorp.example"
COMMENTED = 12
COMMENTS = [
    "De werkdruk is te hoog, we lopen achter.",
    "Het zaaksysteem is traag en valt vaak uit.",
    "Fijne collega's en een goede sfeer in het team.",
]


@dataclass
class Staff:
    """An account with the HR and administrator roles, and an organisation to look at."""

    account_id: int
    waves: tuple[str, str]  # public ids: an open wave, a closed one
    department: str
    employee_account_id: int

    def sign_in(self, browser: Browser) -> None:
        """A fresh browser signed in anew; the roles restored, in case a generated request
        to the administration took them away (or ended this account's sessions)."""

        async def fresh_session() -> str:
            await Account.update(
                {
                    Account.is_hr: True,
                    Account.is_admin: True,
                    Account.active: True,
                    Account.failed_sign_ins: 0,
                    Account.locked_until: None,
                }
            ).where(Account.id == self.account_id)
            return await start_session(self.account_id, "password")

        browser.reset()
        browser.http.cookies.set(SESSION_COOKIE, asyncio.run(fresh_session()))

    def use_real_ids(self, case) -> None:
        """Most well-formed generated ids name nothing; let two in three name a real wave
        (open or closed) and department, or account (this one or an employee's), so that
        the pages and forms of real things are exercised too."""
        parameters = case.path_parameters or {}
        if path_is_negative(case):
            return
        if "public_id" in parameters:
            choice = zlib.crc32(str(parameters["public_id"]).encode()) % 3
            if choice < 2:
                parameters["public_id"] = self.waves[choice]
                if "department_code" in parameters:
                    parameters["department_code"] = self.department
        if "account_id" in parameters:
            choice = zlib.crc32(str(parameters["account_id"]).encode()) % 3
            if choice < 2:
                parameters["account_id"] = (self.account_id, self.employee_account_id)[choice]


@pytest.fixture
async def staff() -> Staff:
    await load_small_org()
    opened = await open_wave()
    closed = await open_wave()
    account_id = await make_account(STAFF_USERNAME, is_hr=True, is_admin=True)
    employee = await make_account("medewerker@testdorp.example", employee_number="1002")
    # Answers with comments in both waves, so that rates and themes have something to show.
    for wave in (opened, closed):
        for number, token in list(wave.tokens.items())[:COMMENTED]:
            comment = COMMENTS[int(number) % len(COMMENTS)]
            form = {key: [value] for key, value in full_answers(open_comment=comment).items()}
            answers, errors = validate_answers(load_template("pulse"), form)
            assert not errors
            await submit_response(
                hash_token(token), answers, now=utc_now(), settings=app_settings()
            )
    await close_wave(closed.wave, now=utc_now())
    waves = (str(opened.wave.public_id), str(closed.wave.public_id))
    return Staff(account_id, waves, "SD", employee)


@staff_api.parametrize()
@FUZZ_SETTINGS
def test_routes_for_staff_answer_as_documented_when_signed_in(
    case, browser: Browser, staff: Staff
) -> None:
    staff.sign_in(browser)
    staff.use_real_ids(case)
    response = case.call_and_validate(
        session=browser.http, headers=browser.headers, allow_redirects=False
    )
    if response.status_code == 303:
        # Signed in throughout: never sent to sign in (nor signed out, but by a route
        # that signs people out).
        assert not location(response).startswith("/sign-in?next="), response.headers


@unsafe_api.parametrize()
@FUZZ_SETTINGS
def test_unsafe_requests_without_the_csrf_token_are_refused(
    case, browser: Browser, staff: Staff
) -> None:
    """A form posted to any route from another site, in the browser of a signed-in
    administrator: the cookies go along, the token does not. Refused, before any handler."""
    staff.sign_in(browser)
    response = case.call_and_validate(session=browser.http, allow_redirects=False)
    if case.method.upper() == case.operation.method.upper():
        # (Other methods, which the route does not have, get the router's 405.)
        expected = {403, 404} if path_is_negative(case) else {403}
        assert response.status_code in expected, (case.as_curl_command(), response.text[:300])
    assert count_responses() == 2 * COMMENTED
