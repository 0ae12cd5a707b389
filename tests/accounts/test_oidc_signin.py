"""Signing in to the application through a real OpenID provider, with the app's own routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from survey_app import audit
from survey_app.tables.identity import Account
from tests.helpers import load_small_org
from tests.oidc_support import (
    APP_REDIRECT_URI,
    CLIENT_ID,
    CLIENT_SECRET,
    OIDCProvider,
    TamperingProxy,
    oidc_provider,
    proxy,
    sign_in_at_provider,
    tampering_proxy,
)

__all__ = ["oidc_provider", "proxy", "tampering_proxy"]  # fixtures, used by name

pytestmark = pytest.mark.server

EMPLOYEE = "m1002@testdorp.example"  # of team JEUGD in the small organisation, not a manager


def app_client(db: str, discovery_url: str) -> httpx.AsyncClient:
    """The application configured for the test provider, as a browser at its base URL sees it."""
    from survey_app.app import create_app
    from survey_app.core.settings import Settings

    settings = Settings.from_env(
        database_url=db,
        base_url="http://testserver",
        default_language="en",
        oidc_discovery_url=discovery_url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def browser(db: str, oidc_provider: OIDCProvider) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(db, oidc_provider.discovery_url) as client:
        yield client


@pytest.fixture
async def browser_via_proxy(db: str, proxy: TamperingProxy) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(db, proxy.discovery_url) as client:
        yield client


async def sign_in_through_provider(
    browser: httpx.AsyncClient, login: str, issuer: str
) -> httpx.Response:
    """The sign-in button, the provider's forms, and the app's callback: the app's answer."""
    start = await browser.get("/auth/oidc/start")
    assert start.status_code == 303, start.text[:500]
    authorization_url = start.headers["location"]
    assert authorization_url.startswith(f"{issuer}/auth?")
    callback = await sign_in_at_provider(authorization_url, login)
    assert callback.startswith(APP_REDIRECT_URI + "?")
    parts = urlsplit(callback)
    return await browser.get(f"{parts.path}?{parts.query}")


async def test_an_employee_signs_in_with_the_organisation_account(
    browser: httpx.AsyncClient, oidc_provider: OIDCProvider
) -> None:
    await load_small_org()
    sign_in_page = await browser.get("/sign-in")
    assert 'href="/auth/oidc/start"' in sign_in_page.text

    response = await sign_in_through_provider(browser, EMPLOYEE, oidc_provider.issuer)

    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == "/account"
    account_page = await browser.get("/account")
    assert account_page.status_code == 200
    assert "Your account" in account_page.text
    assert EMPLOYEE in account_page.text
    assert "<li>Employee</li>" in account_page.text
    # Linked for good to the provider's subject, and recorded as an OIDC sign-in.
    rows = await Account.select(Account.oidc_subject).where(Account.username == EMPLOYEE)
    assert rows == [{"oidc_subject": f"{oidc_provider.issuer} {EMPLOYEE}"}]
    records, _ = await audit.search(action="sign_in.success")
    assert [(record.actor, record.details["method"]) for record in records] == [(EMPLOYEE, "oidc")]


async def test_a_person_the_app_does_not_know_is_refused_with_a_clear_message(
    browser: httpx.AsyncClient, oidc_provider: OIDCProvider
) -> None:
    await load_small_org()

    response = await sign_in_through_provider(browser, "stranger@example.org", oidc_provider.issuer)

    assert response.status_code == 403
    assert "Klankbord does not know you as an employee or user" in response.text
    assert "Ask HR or the administrator to add you" in response.text
    assert (await browser.get("/account")).status_code != 200
    assert await Account.count() == 0
    records, _ = await audit.search(action="sign_in.failure")
    assert [record.details["reason"] for record in records] == ["no_matching_account"]


async def test_a_tampered_id_token_does_not_sign_anyone_in(
    browser_via_proxy: httpx.AsyncClient, proxy: TamperingProxy, oidc_provider: OIDCProvider
) -> None:
    """An outsider's genuine sign-in, with the ID token rewritten on the wire to name an
    employee: only the signature check stands between them and the employee's account."""
    await load_small_org()
    proxy.mode = "claims"
    proxy.impersonate = EMPLOYEE

    response = await sign_in_through_provider(
        browser_via_proxy, "outsider@example.org", oidc_provider.issuer
    )

    assert proxy.tampered == 1
    assert response.status_code == 400
    assert "The sign-in could not be completed" in response.text
    assert (await browser_via_proxy.get("/account")).status_code != 200
    assert await Account.count() == 0
    records, _ = await audit.search(action="sign_in.failure")
    assert [record.details["reason"] for record in records] == ["invalid_id_token"]


async def test_the_employee_signs_in_through_the_untampering_proxy(
    browser_via_proxy: httpx.AsyncClient, proxy: TamperingProxy, oidc_provider: OIDCProvider
) -> None:
    """The control for the test above: the proxy in the path breaks nothing by itself."""
    await load_small_org()

    response = await sign_in_through_provider(browser_via_proxy, EMPLOYEE, oidc_provider.issuer)

    assert response.status_code == 303, response.text[:500]
    assert (await browser_via_proxy.get("/account")).status_code == 200
