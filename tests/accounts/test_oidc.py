"""The OpenID Connect client against a real OpenID provider (oidc-provider) on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from survey_app.accounts.oidc import OIDCClient, OIDCError, PendingSignIn
from tests.conftest import free_port
from tests.oidc_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    TEST_REDIRECT_URI,
    OIDCProvider,
    TamperingProxy,
    oidc_provider,
    proxy,
    sign_in_at_provider,
    tampering_proxy,
)

__all__ = ["oidc_provider", "proxy", "tampering_proxy"]  # fixtures, used by name

pytestmark = pytest.mark.server


def make_client(discovery_url: str) -> OIDCClient:
    return OIDCClient(discovery_url, CLIENT_ID, CLIENT_SECRET, timeout=5)


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def id_token_claims(id_token: str) -> dict[str, object]:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def signed_in(
    client: OIDCClient, login: str = "ada.lovelace"
) -> tuple[PendingSignIn, dict[str, str]]:
    """A begun sign-in and the provider's callback parameters after login and consent."""
    url, pending = await client.begin(TEST_REDIRECT_URI)
    callback = await sign_in_at_provider(url, login)
    assert callback.startswith(TEST_REDIRECT_URI + "?")
    return pending, query(callback)


async def test_sign_in_returns_the_verified_claims_of_the_person(
    oidc_provider: OIDCProvider,
) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client, "ada.lovelace")

    claims = await client.finish(pending, params)

    assert claims["sub"] == "ada.lovelace"
    assert claims["iss"] == oidc_provider.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == pending.nonce
    # oidc-provider keeps email and name out of a code-flow ID token: they come from userinfo.
    assert claims["email"] == "ada.lovelace@example.org"
    assert claims["name"] == "Ada Lovelace"


async def test_the_authorization_url_asks_for_code_with_s256_pkce_state_and_nonce(
    oidc_provider: OIDCProvider,
) -> None:
    client = make_client(oidc_provider.discovery_url)
    url, pending = await client.begin(TEST_REDIRECT_URI)
    other_url, other = await client.begin(TEST_REDIRECT_URI)

    assert url.startswith(f"{oidc_provider.issuer}/auth?")
    params = query(url)
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == TEST_REDIRECT_URI
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert params["state"] == pending.state
    assert params["nonce"] == pending.nonce
    assert params["code_challenge_method"] == "S256"
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert "code_verifier" not in params
    assert 43 <= len(pending.code_verifier) <= 128
    # Fresh secrets for every sign-in.
    assert other.state != pending.state
    assert other.nonce != pending.nonce
    assert other.code_verifier != pending.code_verifier
    assert query(other_url)["code_challenge"] != params["code_challenge"]
    assert min(len(pending.state), len(pending.nonce)) >= 32


async def test_the_provider_requires_the_code_verifier_that_began_the_sign_in(
    oidc_provider: OIDCProvider,
) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)
    stolen = replace(pending, code_verifier="x" * 64)

    with pytest.raises(OIDCError) as refused:
        await client.finish(stolen, params)
    assert refused.value.code == "token_exchange"


async def test_a_callback_with_another_state_is_refused(oidc_provider: OIDCProvider) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)

    for state in [pending.state[:-1] + "x", "", None]:
        forged = (
            {**params, "state": state}
            if state is not None
            else {name: value for name, value in params.items() if name != "state"}
        )
        with pytest.raises(OIDCError) as refused:
            await client.finish(pending, forged)
        assert refused.value.code == "state_mismatch"
    # The code itself was good: the state check is what refused it.
    assert (await client.finish(pending, params))["sub"] == "ada.lovelace"


async def test_a_person_who_cancels_at_the_provider_gets_a_provider_error(
    oidc_provider: OIDCProvider,
) -> None:
    client = make_client(oidc_provider.discovery_url)
    url, pending = await client.begin(TEST_REDIRECT_URI)
    params = query(await sign_in_at_provider(url, "ada", deny=True))
    assert params["error"] == "access_denied"

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, params)
    assert refused.value.code == "provider_error"
    assert "access_denied" in refused.value.detail


async def test_a_callback_naming_another_issuer_is_refused(oidc_provider: OIDCProvider) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)
    assert params["iss"] == oidc_provider.issuer

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, {**params, "iss": "https://login.example.net"})
    assert refused.value.code == "provider_error"


async def test_an_authorization_code_works_only_once(oidc_provider: OIDCProvider) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)
    await client.finish(pending, params)

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, params)
    assert refused.value.code == "token_exchange"


async def test_an_id_token_for_another_sign_in_is_refused_by_its_nonce(
    oidc_provider: OIDCProvider,
) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)
    # Same state and code verifier (so the exchange succeeds), but this browser's nonce.
    other_browser = replace(pending, nonce="another-sign-in-nonce")

    with pytest.raises(OIDCError) as refused:
        await client.finish(other_browser, params)
    assert refused.value.code == "nonce_mismatch"


async def test_sign_in_through_the_untampering_proxy_works(proxy: TamperingProxy) -> None:
    """The control for the tampering tests: the proxy itself breaks nothing."""
    client = make_client(proxy.discovery_url)
    pending, params = await signed_in(client, "grace@example.org")

    claims = await client.finish(pending, params)

    assert claims["sub"] == "grace@example.org"
    assert claims["email"] == "grace@example.org"


@pytest.mark.parametrize("mode", ["claims", "alg_none", "hs256_client_secret"])
async def test_a_tampered_id_token_is_refused(proxy: TamperingProxy, mode: str) -> None:
    client = make_client(proxy.discovery_url)
    proxy.mode = mode
    pending, params = await signed_in(client, "ada")

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, params)
    assert refused.value.code == "invalid_id_token"
    assert proxy.tampered == 1


@pytest.mark.parametrize("mode", ["access_token", "userinfo_sub"])
async def test_tokens_or_userinfo_that_do_not_belong_to_the_id_token_are_refused(
    proxy: TamperingProxy, mode: str
) -> None:
    """at_hash binds the access token to the ID token; userinfo must be about the same sub."""
    client = make_client(proxy.discovery_url)
    proxy.mode = mode
    pending, params = await signed_in(client, "ada")

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, params)
    assert refused.value.code == "invalid_id_token"
    assert proxy.tampered == 1


async def test_userinfo_adds_to_the_id_token_claims_but_never_replaces_them(
    proxy: TamperingProxy, oidc_provider: OIDCProvider
) -> None:
    client = make_client(proxy.discovery_url)
    proxy.mode = "userinfo_extra"
    pending, params = await signed_in(client, "ada")

    claims = await client.finish(pending, params)

    assert proxy.tampered == 1
    assert claims["email"] == "ada@example.org"
    assert (claims["iss"], claims["aud"], claims["nonce"]) == (
        oidc_provider.issuer,
        CLIENT_ID,
        pending.nonce,
    )


async def test_an_id_token_from_another_issuer_than_discovery_names_is_refused(
    proxy: TamperingProxy,
) -> None:
    client = make_client(proxy.discovery_url)
    proxy.mode = "discovery_issuer"
    pending, params = await signed_in(client)
    # Entra ID sends no iss in the callback, so the ID token's iss is the check that counts.
    del params["iss"]

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, params)
    assert refused.value.code == "invalid_id_token"
    assert "iss" in refused.value.detail


async def test_an_id_token_for_another_client_is_refused(oidc_provider: OIDCProvider) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)
    token = await client.exchange_code(pending, params["code"])
    assert id_token_claims(token["id_token"])["aud"] == CLIENT_ID
    another_app = OIDCClient(oidc_provider.discovery_url, "another-app", CLIENT_SECRET)

    with pytest.raises(OIDCError) as refused:
        await another_app.verify_id_token(token["id_token"], pending)
    assert refused.value.code == "invalid_id_token"
    assert "aud" in refused.value.detail
    assert (await client.verify_id_token(token["id_token"], pending))["sub"] == "ada.lovelace"


async def test_expiry_and_issue_time_are_checked_with_a_minute_of_leeway(
    oidc_provider: OIDCProvider,
) -> None:
    client = make_client(oidc_provider.discovery_url)
    pending, params = await signed_in(client)
    id_token = (await client.exchange_code(pending, params["code"]))["id_token"]
    claims = id_token_claims(id_token)
    issued, expires = int(claims["iat"]), int(claims["exp"])

    for now, accepted in [
        (expires + 30, True),  # clocks a little apart
        (expires + 90, False),
        (issued - 30, True),
        (issued - 90, False),  # issued in the future
    ]:
        client.clock = lambda now=now: now
        if accepted:
            assert (await client.verify_id_token(id_token, pending))["sub"] == "ada.lovelace"
        else:
            with pytest.raises(OIDCError) as refused:
                await client.verify_id_token(id_token, pending)
            assert refused.value.code == "invalid_id_token", now


async def test_the_provider_keys_are_fetched_again_once_when_they_rotated(
    proxy: TamperingProxy,
) -> None:
    client = make_client(proxy.discovery_url)
    proxy.mode = "stale_jwks"
    await client.finish(*await signed_in(client))  # caches the stale keys, then refetches
    assert proxy.requests["/jwks"] == 2

    claims = await client.finish(*await signed_in(client, "grace"))

    assert claims["sub"] == "grace"
    # Discovery and the new keys are cached by the client.
    assert proxy.requests["/jwks"] == 2
    assert proxy.requests["/.well-known/openid-configuration"] == 1


async def test_an_id_token_not_signed_by_the_published_keys_is_refused(
    proxy: TamperingProxy,
) -> None:
    client = make_client(proxy.discovery_url)
    proxy.mode = "foreign_jwks"
    pending, params = await signed_in(client)

    with pytest.raises(OIDCError) as refused:
        await client.finish(pending, params)
    assert refused.value.code == "invalid_id_token"
    assert proxy.requests["/jwks"] == 2  # tried once more, then gave up


async def test_an_unreachable_or_missing_discovery_document_is_a_discovery_error(
    oidc_provider: OIDCProvider,
) -> None:
    for url in [
        f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration",
        f"{oidc_provider.issuer}/no-such/.well-known/openid-configuration",
        f"{oidc_provider.issuer}/jwks",  # JSON, but not a discovery document
    ]:
        with pytest.raises(OIDCError) as refused:
            await make_client(url).begin(TEST_REDIRECT_URI)
        assert refused.value.code == "discovery", url


@pytest.mark.parametrize("mode", ["no_issuer", "symmetric_only", "insecure_endpoint"])
async def test_a_provider_that_cannot_be_trusted_is_refused_before_sign_in(
    proxy: TamperingProxy, mode: str
) -> None:
    """No issuer to check tokens against, only algorithms anyone with the client secret (or
    no one) can sign with, or codes and secrets sent in plain text to another host."""
    proxy.mode = mode
    with pytest.raises(OIDCError) as refused:
        await make_client(proxy.discovery_url).begin(TEST_REDIRECT_URI)
    assert refused.value.code == "discovery"


def test_a_pending_sign_in_survives_the_session_and_nothing_else_passes_for_one() -> None:
    pending = PendingSignIn("s", "n", "v", "https://app.example/auth/oidc/callback")
    assert PendingSignIn.from_dict(json.loads(json.dumps(pending.to_dict()))) == pending
    for malformed in [
        None,
        "state",
        [],
        {},
        {**pending.to_dict(), "state": 1},
        {**pending.to_dict(), "nonce": ""},
        {key: value for key, value in pending.to_dict().items() if key != "code_verifier"},
    ]:
        assert PendingSignIn.from_dict(malformed) is None
    # The web layer keeps where the person was going in the same session entry.
    assert PendingSignIn.from_dict({**pending.to_dict(), "next": "/teams"}) == pending
