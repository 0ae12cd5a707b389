"""Schema-driven fuzzing: every route is called with generated requests (Schemathesis) and
every response must be documented in the app's OpenAPI schema, with no server error.

The schema is fetched from ``/schema/openapi.json`` of the in-process app. Requests go
through Schemathesis' ASGI client without entering the app's lifespan (as the ``client``
fixture does), so on PostgreSQL each query opens its own connection and no pool is bound to
another event loop. All default checks run: ``not_a_server_error``, status code, content
type, headers and body conformance, positive data accepted, negative data rejected, and the
method checks (405 with ``Allow``).

Examples are bounded and derandomized so the run is reproducible and takes seconds.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.python.asgi import ASGIClient

from survey_app.app import create_app
from survey_app.settings import Settings
from survey_app.tables import Response
from tests.helpers import full_answers, load_small_org, open_wave

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

# Without a session every survey route answers 400 "open the link from your invitation":
# the request itself is well-formed, but the state it needs is not in the schema.
NO_SESSION_CONFIG = {
    "operations": [
        {
            "include-path-regex": SURVEY_PATHS,
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "400", "404"]}
            },
        }
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


def load_schema(app, config: dict, paths: str = "") -> schemathesis.BaseSchema:
    """The schema as the app serves it (only the ``paths`` matching), bound to the app."""
    http = ASGIClient(app)
    served = http.get("/schema/openapi.json")
    assert served.status_code == 200, served.text[:500]
    assert "json" in served.headers["content-type"]
    document = served.json()
    assert document["info"]["title"] == "Klankbord"
    document["paths"] = {
        path: item for path, item in document["paths"].items() if re.match(paths, path)
    }
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(config))
    schema.app = app
    return schema


# One app for collection and calls. It reads the database through the global engine, which
# the autouse ``db`` fixture points at the test database before every test. At import time
# the PostgreSQL test database does not exist yet: Piccolo's version probe only warns.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*Unable to fetch server version")
    APP = create_app(Settings.from_env())
api = load_schema(APP, NO_SESSION_CONFIG)
survey_api = load_schema(APP, SESSION_CONFIG, SURVEY_PATHS)


@pytest.fixture
def http() -> Iterator[ASGIClient]:
    """Schemathesis' in-process client; the app's lifespan is deliberately not entered."""
    session = ASGIClient(APP)
    yield session
    session.close()


@dataclass
class Invitations:
    """Invitation links for the session runs; each stored response uses one up."""

    tokens: list[str]
    used: int = 0
    session_open: bool = False
    statuses: dict[str, set[int]] = field(default_factory=dict)

    def ensure_session(self, http: ASGIClient) -> None:
        """Open the next unused link in ``http`` unless its session is still valid."""
        if self.session_open:
            return
        assert self.used < len(self.tokens), "more stored responses than invitations"
        http.cookies.clear()
        opened = http.get(f"/s/{self.tokens[self.used]}", allow_redirects=False)
        assert opened.status_code == 303, opened.text[:500]
        self.session_open = True

    def record(self, label: str, status: int) -> None:
        self.statuses.setdefault(label, set()).add(status)
        if label == "POST /survey" and status == 303:
            # Stored: the invitation is used and the server cleared the session.
            self.used += 1
            self.session_open = False


@pytest.fixture
async def invitations() -> Invitations:
    await load_small_org({"JEUGD": 120, "WMO": 60, "ICT": 60})
    opened = await open_wave()
    return Invitations(list(opened.tokens.values()))


def count_responses() -> int:
    # The test body is synchronous (Hypothesis); a short-lived loop is enough for a count.
    return asyncio.run(Response.count().run())


@api.parametrize()
@FUZZ_SETTINGS
def test_every_route_answers_as_documented_without_a_session(case, http) -> None:
    http.cookies.clear()
    case.call_and_validate(session=http)


@survey_api.parametrize()
@SESSION_SETTINGS
def test_survey_routes_answer_as_documented_with_an_open_invitation(
    case, http, invitations: Invitations
) -> None:
    invitations.ensure_session(http)
    if case.method == "POST" and case.path == "/survey" and isinstance(case.body, dict):
        # Generated answers over a complete valid form: positive cases store a response,
        # negative ones must be refused with the field's error.
        case.body = {**full_answers(), **case.body}
    response = case.call_and_validate(session=http, allow_redirects=False)
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
            case.body = {**full_answers(), **case.body}
        response = case.call_and_validate(session=http, allow_redirects=False)
        invitations.record("POST /survey", response.status_code)

    run()
    statuses = invitations.statuses["POST /survey"]
    assert 422 in statuses and 303 in statuses, statuses
    assert count_responses() == invitations.used > 0
