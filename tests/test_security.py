"""Web security: CSRF, headers, cookies, sessions, lockout, rate limits and their audit trail."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from survey_app import audit
from survey_app.accounts.controllers import SIGN_IN_FAILURES_PER_CLIENT
from survey_app.accounts.service import LOCKOUT_THRESHOLD
from survey_app.accounts.sessions import SESSION_COOKIE
from survey_app.core.settings import Settings
from survey_app.responding.controllers import UNKNOWN_LINKS_PER_CLIENT
from survey_app.tables.identity import Account, AuthSession
from tests.helpers import (
    PASSWORD,
    csrf_from,
    csrf_token,
    full_answers,
    load_small_org,
    make_account,
    open_wave,
    sign_in,
    stored_state,
    with_csrf,
)


async def actions() -> list[str]:
    records, _total = await audit.search(limit=1000)
    return [record.action for record in reversed(records)]


# --- CSRF ------------------------------------------------------------------------------------


async def test_an_unsafe_request_without_the_token_is_refused_and_changes_nothing(
    raw_client,
) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    await raw_client.get("/sign-in")  # the browser has its CSRF cookie
    response = await raw_client.post(
        "/sign-in", data={"username": "hr@testdorp.example", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert await AuthSession.count() == 0
    assert "verlopen" in response.text  # "Dit formulier is verlopen", in Dutch by default


async def test_a_token_of_another_browser_is_refused(app, raw_client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        foreign = await csrf_token(other)
    await raw_client.get("/sign-in")
    response = await raw_client.post(
        "/sign-in",
        data={"_csrf": foreign, "username": "hr@testdorp.example", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert await AuthSession.count() == 0


async def test_the_token_works_as_form_field_and_as_htmx_header(raw_client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    token = csrf_from((await raw_client.get("/sign-in")).text)
    as_field = await raw_client.post(
        "/sign-in",
        data={"_csrf": token, "username": "hr@testdorp.example", "password": PASSWORD},
    )
    assert as_field.status_code == 303
    as_header = await raw_client.post(
        "/account/sign-out-everywhere", headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert as_header.status_code == 303
    assert await AuthSession.count() == 0


async def test_pages_give_htmx_the_token_in_a_header_attribute(client) -> None:
    page = (await client.get("/sign-in")).text
    token = csrf_from(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page


async def test_a_survey_answer_without_the_token_is_refused_and_the_link_still_works(
    app, raw_client
) -> None:
    await load_small_org()
    opened = await open_wave()
    await raw_client.get(f"/s/{opened.tokens['1002']}")
    refused = await raw_client.post("/survey", data=full_answers())
    assert refused.status_code == 403
    assert (await stored_state())[0] == 0
    token = csrf_from((await raw_client.get("/survey")).text)
    accepted = await raw_client.post("/survey", data={**full_answers(), "_csrf": token})
    assert accepted.status_code == 303
    assert (await stored_state())[0] == 1


# --- headers and cookies -------------------------------------------------------------------


async def test_security_headers_on_pages_errors_and_static_files(client) -> None:
    for path in ("/", "/sign-in", "/does-not-exist", "/static/css/app.css", "/hr/waves"):
        headers = (await client.get(path)).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS
    assert (await client.get("/sign-in")).headers["cache-control"] == "no-store"


async def test_under_https_hsts_is_sent_and_cookies_are_secure(db) -> None:
    from survey_app.app import create_app

    await make_account("hr@testdorp.example", is_hr=True)
    settings = Settings.from_env(database_url=db, base_url="https://klankbord.example", https=True)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        first = await http.get("/sign-in")
        assert first.headers["strict-transport-security"].startswith("max-age=")
        csrf_cookie = first.headers["set-cookie"].lower()
        assert csrf_cookie.startswith("__host-klankbord_csrf=") and "secure" in csrf_cookie
        token = csrf_from(first.text)
        response = await http.post(
            "/sign-in",
            data={"_csrf": token, "username": "hr@testdorp.example", "password": PASSWORD},
        )
        cookie = next(
            value
            for value in response.headers.get_list("set-cookie")
            if value.startswith("__Host-" + SESSION_COOKIE)
        ).lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_the_session_cookie_is_httponly_and_samesite_lax(client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    response = await sign_in(client, "hr@testdorp.example")
    cookies = response.headers.get_list("set-cookie")
    # The session cookie's own attributes, not those of another cookie in the response.
    cookie = next(value for value in cookies if value.startswith(SESSION_COOKIE + "=")).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    # The token in the cookie is not what the database holds.
    token = response.cookies[SESSION_COOKIE]
    stored = [row["token_hash"] for row in await AuthSession.select(AuthSession.token_hash)]
    assert stored and token not in stored


# --- sessions ---------------------------------------------------------------------------------


async def test_sessions_end_after_the_idle_timeout(client, settings) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    await sign_in(client, "hr@testdorp.example")
    assert (await client.get("/hr/waves")).status_code == 200
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    await AuthSession.update(
        {AuthSession.last_seen_at: dt.datetime.now(dt.UTC) - idle - dt.timedelta(seconds=5)}
    ).where(AuthSession.id > 0)
    response = await client.get("/hr/waves")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")
    assert await AuthSession.count() == 0


async def test_sessions_end_after_the_absolute_timeout_even_when_in_use(client, settings) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    await sign_in(client, "hr@testdorp.example")
    absolute = dt.timedelta(hours=settings.session_absolute_hours)
    now = dt.datetime.now(dt.UTC)
    await AuthSession.update(
        {
            AuthSession.created_at: now - absolute - dt.timedelta(seconds=5),
            AuthSession.last_seen_at: now,
        }
    ).where(AuthSession.id > 0)
    assert (await client.get("/hr/waves")).status_code == 303


async def test_sign_out_everywhere_ends_every_session_of_the_account(app, client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    await make_account("ander@testdorp.example", is_hr=True)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as phone,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as colleague,
    ):
        phone, colleague = with_csrf(phone), with_csrf(colleague)
        await sign_in(client, "hr@testdorp.example")
        await sign_in(phone, "hr@testdorp.example")
        await sign_in(colleague, "ander@testdorp.example")
        assert (await phone.get("/hr/waves")).status_code == 200
        response = await client.post("/account/sign-out-everywhere")
        assert response.status_code == 303
        assert (await phone.get("/hr/waves")).status_code == 303
        assert (await client.get("/hr/waves")).status_code == 303
        # Another person's session is not touched.
        assert (await colleague.get("/hr/waves")).status_code == 200
    assert "sign_out.everywhere" in await actions()


async def test_signing_in_replaces_the_session_cookie_a_browser_had(client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    await sign_in(client, "hr@testdorp.example")
    first = client.cookies[SESSION_COOKIE]
    await sign_in(client, "hr@testdorp.example")
    assert client.cookies[SESSION_COOKIE] != first
    assert await AuthSession.count() == 1


async def test_sign_in_only_redirects_to_this_site(raw_client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    for target, expected in [
        ("/hr/waves", "/hr/waves"),
        ("https://evil.example/", "/hr/waves"),
        ("//evil.example/", "/hr/waves"),
        ("/\\evil.example", "/hr/waves"),
    ]:
        token = csrf_from((await raw_client.get("/sign-in")).text)
        response = await raw_client.post(
            "/sign-in",
            data={
                "_csrf": token,
                "username": "hr@testdorp.example",
                "password": PASSWORD,
                "next": target,
            },
        )
        assert response.headers["location"] == expected


# --- passwords and lockout -----------------------------------------------------------------


async def test_after_repeated_failures_the_account_is_locked_even_for_the_right_password(
    client,
) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    token = await csrf_token(client)
    for _attempt in range(LOCKOUT_THRESHOLD - 1):
        wrong = await client.post(
            "/sign-in",
            data={"_csrf": token, "username": "hr@testdorp.example", "password": "fout" * 4},
        )
        assert wrong.status_code == 401
        assert "niet juist" in wrong.text
    locking = await client.post(
        "/sign-in", data={"_csrf": token, "username": "hr@testdorp.example", "password": "x"}
    )
    assert locking.status_code == 403
    right = await client.post(
        "/sign-in",
        data={"_csrf": token, "username": "hr@testdorp.example", "password": PASSWORD},
    )
    assert right.status_code == 403
    assert "geblokkeerd" in right.text
    assert await AuthSession.count() == 0
    # When the lockout has passed, the right password works again.
    await Account.update(
        {Account.locked_until: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(Account.id > 0)
    assert (await sign_in(client, "hr@testdorp.example")).status_code == 303
    assert (await actions()).count("sign_in.failure") == LOCKOUT_THRESHOLD
    assert "sign_in.locked" in await actions()
    assert (await actions())[-1] == "sign_in.success"


async def test_unknown_user_names_get_the_same_answer_as_wrong_passwords(client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    token = await csrf_token(client)
    unknown = await client.post(
        "/sign-in", data={"_csrf": token, "username": "niemand@x.example", "password": "abc"}
    )
    wrong = await client.post(
        "/sign-in", data={"_csrf": token, "username": "hr@testdorp.example", "password": "abc"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.text.replace("niemand@x.example", "") == wrong.text.replace(
        "hr@testdorp.example", ""
    )


@pytest.mark.real_password_hashing
async def test_passwords_are_stored_as_argon2id() -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    stored = (await Account.select(Account.password_hash))[0]["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.real_password_hashing
def test_the_unknown_user_dummy_hash_is_checked_like_a_real_one() -> None:
    """The written-out hash for unknown user names has today's parameters: verifying it costs
    what verifying a real password costs, so the answer time does not tell them apart."""
    from survey_app.accounts import passwords

    assert passwords._HASHER.verify(passwords._DUMMY_HASH, passwords.DUMMY_PASSWORD)
    assert not passwords._HASHER.check_needs_rehash(passwords._DUMMY_HASH)


async def test_a_weak_new_password_is_refused_with_each_reason(client) -> None:
    await make_account("henk@testdorp.example", is_hr=True, display_name="Henk Ravensberg")
    await sign_in(client, "henk@testdorp.example")
    response = await client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "henkhenk",
            "new_password_again": "henkhenk",
        },
    )
    assert response.status_code == 422
    assert "minstens 12 tekens" in response.text
    assert "te eenvoudig" in response.text
    assert "naam of gebruikersnaam van het account niet bevatten" in response.text
    stored = (await Account.select(Account.password_hash))[0]["password_hash"]
    from survey_app.accounts.passwords import verify_password

    assert await verify_password(stored, PASSWORD)


async def test_changing_the_password_ends_other_sessions_and_is_audited(app, client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as laptop:
        await sign_in(laptop, "hr@testdorp.example")
        await sign_in(client, "hr@testdorp.example")
        new = "een heel andere zin voor morgen"
        response = await client.post(
            "/account/password",
            data={"current_password": PASSWORD, "new_password": new, "new_password_again": new},
        )
        assert response.status_code == 303
        assert (await client.get("/hr/waves")).status_code == 200
        assert (await laptop.get("/hr/waves")).status_code == 303
    assert "password.changed" in await actions()


# --- rate limits shared by the worker processes of a real server ---------------------------


@pytest.mark.server
async def test_sign_in_failures_are_throttled_across_worker_processes(live_server) -> None:
    """Twenty failures from one address, spread over both workers (a new connection each
    time), and the next attempt waits: the count is in the shared database."""
    await make_account("hr@testdorp.example", is_hr=True)
    statuses = []
    for attempt in range(SIGN_IN_FAILURES_PER_CLIENT + 1):
        async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as browser:
            token = csrf_from((await browser.get("/sign-in")).text)
            # Different user names, so that no account lockout is involved.
            response = await browser.post(
                "/sign-in",
                data={"_csrf": token, "username": f"poging{attempt}@x.example", "password": "x"},
            )
            statuses.append(response.status_code)
    assert statuses == [401] * SIGN_IN_FAILURES_PER_CLIENT + [429]
    assert int(response.headers["retry-after"]) > 0
    # Even the right password waits now.
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as browser:
        token = csrf_from((await browser.get("/sign-in")).text)
        response = await browser.post(
            "/sign-in",
            data={"_csrf": token, "username": "hr@testdorp.example", "password": PASSWORD},
        )
        assert response.status_code == 429


@pytest.mark.server
async def test_unknown_survey_links_are_throttled_across_worker_processes(live_server) -> None:
    await load_small_org()
    opened = await open_wave()
    statuses = []
    for attempt in range(UNKNOWN_LINKS_PER_CLIENT):
        async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as browser:
            statuses.append((await browser.get(f"/s/geraden-{attempt}")).status_code)
    assert statuses == [404] * UNKNOWN_LINKS_PER_CLIENT
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as browser:
        response = await browser.get(f"/s/{opened.tokens['1002']}")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0


# --- found in review: each of these was possible before its fix ------------------------------


async def test_parallel_attempts_cannot_slip_past_the_lockout(app) -> None:
    """Twelve simultaneous guesses, the right password last: at most the threshold of
    passwords is ever checked, and the right one comes too late."""
    import asyncio

    await make_account("hr@testdorp.example", is_hr=True)
    transport = httpx.ASGITransport(app=app)

    async def attempt(password: str) -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:
            token = await csrf_token(web)
            response = await web.post(
                "/sign-in",
                data={"_csrf": token, "username": "hr@testdorp.example", "password": password},
            )
            return response.status_code

    statuses = await asyncio.gather(*[attempt(f"fout {n} " * 3) for n in range(11)])
    statuses.append(await attempt(PASSWORD))
    assert 303 not in statuses
    assert statuses.count(401) <= LOCKOUT_THRESHOLD - 1
    assert statuses[-1] == 403


async def test_unknown_user_names_lock_like_real_ones(client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    token = await csrf_token(client)
    answers = {}
    for name in ("hr@testdorp.example", "niemand@testdorp.example"):
        answers[name] = [
            (
                await client.post(
                    "/sign-in", data={"_csrf": token, "username": name, "password": "fout"}
                )
            ).status_code
            for _attempt in range(LOCKOUT_THRESHOLD + 1)
        ]
    assert answers["hr@testdorp.example"] == answers["niemand@testdorp.example"]
    assert answers["niemand@testdorp.example"][-1] == 403


async def test_guessing_the_current_password_locks_the_account(client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    await sign_in(client, "hr@testdorp.example")
    statuses = [
        (
            await client.post(
                "/account/password",
                data={
                    "current_password": f"gok {attempt}",
                    "new_password": "een heel andere zin voor morgen",
                    "new_password_again": "een heel andere zin voor morgen",
                },
            )
        ).status_code
        for attempt in range(LOCKOUT_THRESHOLD + 1)
    ]
    assert statuses == [422] * (LOCKOUT_THRESHOLD + 1)
    locked = (await Account.select(Account.locked_until))[0]["locked_until"]
    assert locked is not None
    records, _total = await audit.search(action="sign_in.locked")
    assert records and records[0].details.get("during") == "password_change"


async def test_a_malformed_cookie_of_another_application_does_not_hide_ours(raw_client) -> None:
    await make_account("hr@testdorp.example", is_hr=True)
    token = csrf_from((await raw_client.get("/sign-in")).text)
    secret = raw_client.cookies["klankbord_csrf"]
    response = await raw_client.post(
        "/sign-in",
        data={"_csrf": token, "username": "hr@testdorp.example", "password": PASSWORD},
        headers={"cookie": f'consent={{"necessary":true}}; klankbord_csrf={secret}'},
    )
    assert response.status_code == 303


async def test_the_language_link_stays_on_this_site(raw_client) -> None:
    page = (await raw_client.get("//evil.example/x")).text
    assert 'href="?lang=en"' in page
    assert "//evil.example" not in page.split("<main", 1)[0]
