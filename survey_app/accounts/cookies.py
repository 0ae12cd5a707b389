"""The cookies of signing in: the session, and a sign-in at the identity provider in progress.

The session cookie holds 256 random bits (the database keeps their hash). The pending OIDC
sign-in (state, nonce, PKCE verifier and where to go afterwards) is encrypted with a key
derived from the secret key and kept by the browser in a cookie of its own.
"""

from __future__ import annotations

import base64
import json
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from litestar.datastructures import Cookie

from survey_app.accounts.sessions import SESSION_COOKIE
from survey_app.core.hashing import derived_key
from survey_app.core.settings import Settings
from survey_app.web.csrf import cookie_name

OIDC_COOKIE = "klankbord_oidc"
# A sign-in at the identity provider must come back within this time.
OIDC_PENDING_SECONDS = 10 * 60


def safe_next(target: str | None) -> str | None:
    """Only paths on this site: never another host (open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 33 for char in target) or len(target) > 500:
        return None
    return target


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(
        key=cookie_name(SESSION_COOKIE, settings.https),
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


def expired_session_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=cookie_name(SESSION_COOKIE, settings.https),
        value="",
        path="/",
        max_age=0,
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


def _pending_cipher(settings: Settings) -> AESGCM:
    return AESGCM(derived_key(settings.secret_key, "oidc"))


def seal_pending(settings: Settings, data: dict[str, str]) -> str:
    """State, nonce and PKCE verifier of a sign-in in progress, encrypted for the browser to
    hold in a cookie of its own (not the survey's session, which it would replace)."""
    body = json.dumps({**data, "expires": int(time.time()) + OIDC_PENDING_SECONDS}).encode()
    nonce = os.urandom(12)
    sealed = nonce + _pending_cipher(settings).encrypt(nonce, body, b"oidc")
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal_pending(settings: Settings, value: str | None) -> dict:
    """The pending sign-in, or {} when the cookie is missing, altered or too old."""
    if not value or len(value) > 4000:
        return {}
    try:
        sealed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = json.loads(_pending_cipher(settings).decrypt(sealed[:12], sealed[12:], b"oidc"))
    except (InvalidTag, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("expires"), int):
        return {}
    return data if data["expires"] >= time.time() else {}


def pending_cookie(settings: Settings, value: str, max_age: int = OIDC_PENDING_SECONDS) -> Cookie:
    return Cookie(
        key=cookie_name(OIDC_COOKIE, settings.https),
        value=value,
        path="/",
        max_age=max_age,
        httponly=True,
        # The provider sends the browser back with a top-level GET: Lax cookies go along.
        samesite="lax",
        secure=settings.https,
    )
