"""Signing in and out: local accounts, the organisation's identity provider, own account."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import time
from typing import Annotated

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.auth import audit, ratelimit
from survey_app.auth.accounts import (
    AccountError,
    SignInOutcome,
    account_for_identity,
    authenticate,
    change_own_password,
)
from survey_app.auth.oidc import OIDCClient, OIDCError, PendingSignIn
from survey_app.auth.passwords import MIN_LENGTH, PasswordProblems
from survey_app.auth.sessions import (
    SESSION_COOKIE,
    Principal,
    active_session_count,
    end_all_sessions,
    end_session,
    manager_scope,
    prune_expired_sessions,
    start_session,
)
from survey_app.i18n import _, current_language, ngettext
from survey_app.organisation import load_tree
from survey_app.settings import Settings
from survey_app.tables import Account
from survey_app.web.access import Rule, access, principal_of
from survey_app.web.forms import first, form_values
from survey_app.web.middleware import cookie_value
from survey_app.web.pages import html_response, page
from survey_app.web.security import cookie_name

# Failed sign-ins from one client address before it must wait (on top of the lockout of
# the account itself after 5 failures), and failed survey links per client address.
SIGN_IN_FAILURES_PER_CLIENT = 20
SIGN_IN_WINDOW_SECONDS = 15 * 60
OIDC_COOKIE = "klankbord_oidc"
# A sign-in at the identity provider must come back within this time.
OIDC_PENDING_SECONDS = 10 * 60

# Redirects carry no body. Routes that need an account send anonymous visitors to sign in.
SIGNED_IN_REDIRECT = ResponseSpec(
    data_container=None, description="Signed in: on to the page asked for, or the start page"
)
SIGN_IN_REQUIRED = {
    303: ResponseSpec(
        data_container=None,
        description="Not signed in: to the sign-in page, and back here afterwards",
    )
}
NEXT_TOO_LONG = {400: html_response("The address to return to is too long")}

SIGN_IN_RESPONSES = {
    303: SIGNED_IN_REDIRECT,
    400: html_response("Sign-in through the identity provider did not complete"),
    401: html_response("Wrong user name or password"),
    403: html_response("The form is out of date (CSRF) or the account is locked"),
    429: html_response("Too many failed attempts from this address: wait and try again"),
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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


async def signed_in_redirect(
    request: Request, settings: Settings, account_id: int, method: str, next_path: str | None
) -> Redirect:
    """Start a session (ending one this browser had) and go on to where the person was going."""
    old = cookie_value(request.scope, cookie_name(SESSION_COOKIE, settings.https))
    if old:
        await end_session(old)
    await prune_expired_sessions(
        now=dt.datetime.now(dt.UTC), idle=settings.session_idle, absolute=settings.session_absolute
    )
    token = await start_session(account_id, method)
    rows = await Account.select(
        Account.username, Account.is_hr, Account.is_admin, Account.employee
    ).where(Account.id == account_id)
    account = rows[0]
    await audit.record("sign_in.success", actor=account["username"], method=method)
    if next_path:
        target = next_path
    elif account["is_admin"]:
        target = "/admin"
    elif account["is_hr"]:
        target = "/hr/waves"
    elif (await manager_scope(account_id, account["employee"]))[0]:
        target = "/teams"
    else:
        target = "/account"
    return Redirect(
        target, status_code=HTTP_303_SEE_OTHER, cookies=[session_cookie(token, settings)]
    )


def sign_in_page(
    request: Request,
    settings: Settings,
    *,
    status_code: int = 200,
    error: str = "",
    username: str = "",
    next_path: str | None = None,
) -> Template:
    return page(
        request,
        "auth/sign_in.html",
        status_code=status_code,
        error=error,
        username=username,
        next_path=next_path or "",
        oidc_enabled=settings.oidc_enabled,
        oidc_label=settings.oidc_button_label or _("Sign in with your organisation account"),
        local_sign_in=settings.local_sign_in,
        signed_out=request.query_params.get("signed_out") == "1",
    )


def _pending_cipher(settings: Settings) -> AESGCM:
    return AESGCM(hashlib.sha256(("oidc:" + settings.secret_key).encode()).digest())


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


def oidc_client(request: Request, settings: Settings) -> OIDCClient:
    """One client per application, so discovery and keys are fetched once."""
    state = request.app.state
    if getattr(state, "oidc_client", None) is None:
        state.oidc_client = OIDCClient(
            settings.oidc_discovery_url, settings.oidc_client_id, settings.oidc_client_secret
        )
    return state.oidc_client


def local_time(moment: dt.datetime, settings: Settings) -> str:
    return moment.astimezone(settings.timezone).strftime("%H:%M")


class SignInController(Controller):
    @get("/sign-in", name="auth:sign_in", opt=access(Rule.PUBLIC), responses=NEXT_TOO_LONG)
    async def sign_in_form(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        next_path: Annotated[str | None, QueryParameter(name="next", max_length=500)] = None,
    ) -> Template:
        return sign_in_page(request, settings, next_path=safe_next(next_path))

    @post(
        "/sign-in",
        name="auth:sign_in_submit",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.PUBLIC),
        responses=SIGN_IN_RESPONSES,
    )
    async def sign_in(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        values = await form_values(request)
        username = first(values, "username", 254).strip()
        password = first(values, "password", 1024)
        next_path = safe_next(first(values, "next", 500))
        if not settings.local_sign_in:
            return sign_in_page(request, settings, status_code=403, next_path=next_path)
        client_key = ratelimit.client_key(settings.secret_key, "sign-in", client_address(request))
        # Counted before the password is checked, so parallel attempts cannot all pass;
        # a successful sign-in gives its count back.
        attempts = await ratelimit.count(client_key, SIGN_IN_WINDOW_SECONDS)
        if attempts > SIGN_IN_FAILURES_PER_CLIENT:
            wait = ratelimit.retry_after(SIGN_IN_WINDOW_SECONDS)
            response = sign_in_page(
                request,
                settings,
                status_code=429,
                error=ngettext(
                    "Too many failed sign-in attempts from this network. "
                    "Try again in {minutes} minute.",
                    "Too many failed sign-in attempts from this network. "
                    "Try again in {minutes} minutes.",
                    max(1, wait // 60),
                ).format(minutes=max(1, wait // 60)),
                username=username,
                next_path=next_path,
            )
            response.headers["Retry-After"] = str(wait)
            return response
        if not username or not password:
            await ratelimit.release(client_key, SIGN_IN_WINDOW_SECONDS)
            return sign_in_page(
                request,
                settings,
                status_code=401,
                error=_("Enter your user name and your password."),
                username=username,
                next_path=next_path,
            )
        now = dt.datetime.now(dt.UTC)
        result = await authenticate(username, password, now=now)
        if result.outcome is SignInOutcome.OK and result.account_id is not None:
            await ratelimit.release(client_key, SIGN_IN_WINDOW_SECONDS)
            return await signed_in_redirect(
                request, settings, result.account_id, "password", next_path
            )
        if result.outcome is SignInOutcome.LOCKED and result.locked_until is not None:
            return sign_in_page(
                request,
                settings,
                status_code=403,
                error=_(
                    "This account is locked for a while after too many failed attempts. "
                    "Try again after {time}, or ask an administrator to unlock it."
                ).format(time=local_time(result.locked_until, settings)),
                username=username,
                next_path=next_path,
            )
        return sign_in_page(
            request,
            settings,
            status_code=401,
            error=_("The user name or password is not correct."),
            username=username,
            next_path=next_path,
        )

    @post(
        "/sign-out",
        name="auth:sign_out",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.PUBLIC),
        responses={403: html_response("The form is out of date (CSRF)")},
    )
    async def sign_out(self, request: Request, settings: NamedDependency[Settings]) -> Redirect:
        token = cookie_value(request.scope, cookie_name(SESSION_COOKIE, settings.https))
        principal = principal_of(request)
        if token:
            await end_session(token)
        if principal is not None:
            await audit.record("sign_out", actor=principal.username)
        return Redirect(
            "/sign-in?signed_out=1",
            status_code=HTTP_303_SEE_OTHER,
            cookies=[expired_session_cookie(settings)],
        )

    @get(
        "/auth/oidc/start",
        name="auth:oidc_start",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.PUBLIC),
        responses={
            303: ResponseSpec(data_container=None, description="On to the identity provider"),
            **NEXT_TOO_LONG,
            404: html_response("Sign-in through an identity provider is not configured"),
            502: html_response("The identity provider cannot be reached"),
        },
    )
    async def oidc_start(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        next_path: Annotated[str | None, QueryParameter(name="next", max_length=500)] = None,
    ) -> Template | Redirect:
        if not settings.oidc_enabled:
            return page(request, "error.html", status_code=404, status=404)
        try:
            url, pending = await oidc_client(request, settings).begin(
                settings.base_url + "/auth/oidc/callback"
            )
        except OIDCError:
            return oidc_problem(request, settings, 502)
        sealed = seal_pending(settings, {**pending.to_dict(), "next": safe_next(next_path) or ""})
        return Redirect(
            url, status_code=HTTP_303_SEE_OTHER, cookies=[pending_cookie(settings, sealed)]
        )

    @get(
        "/auth/oidc/callback",
        name="auth:oidc_callback",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.PUBLIC),
        responses={
            303: SIGNED_IN_REDIRECT,
            400: html_response("The sign-in could not be completed or verified"),
            403: html_response("The identity is not known as an employee or account"),
            404: html_response("Sign-in through an identity provider is not configured"),
        },
    )
    async def oidc_callback(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        if not settings.oidc_enabled:
            return page(request, "error.html", status_code=404, status=404)
        stored = unseal_pending(
            settings, cookie_value(request.scope, cookie_name(OIDC_COOKIE, settings.https))
        )
        pending = PendingSignIn.from_dict(stored)
        params = {key: value[:2000] for key, value in request.query_params.items()}
        if pending is None:
            return oidc_problem(request, settings, 400)
        response = await self._complete(request, settings, pending, params, stored)
        # The pending sign-in is used once, whatever the outcome.
        response.cookies.append(pending_cookie(settings, "", max_age=0))
        return response

    async def _complete(
        self,
        request: Request,
        settings: Settings,
        pending: PendingSignIn,
        params: dict[str, str],
        stored: dict,
    ) -> Template | Redirect:
        try:
            claims = await oidc_client(request, settings).finish(pending, params)
        except OIDCError as error:
            await audit.record("sign_in.failure", method="oidc", reason=error.code)
            return oidc_problem(request, settings, 400)
        subject = f"{claims.get('iss', '')} {claims.get('sub', '')}"
        account_id = await account_for_identity(
            subject,
            claims,
            employee_claim=settings.oidc_employee_claim,
            trust_unverified_email=settings.oidc_trust_email,
        )
        if account_id is None:
            await audit.record(
                "sign_in.failure",
                actor=str(claims.get("email") or claims.get("sub") or "")[:254],
                method="oidc",
                reason="no_matching_account",
            )
            return oidc_problem(request, settings, 403)
        next_path = safe_next(str(stored.get("next") or ""))
        return await signed_in_redirect(request, settings, account_id, "oidc", next_path)


def oidc_problem(request: Request, settings: Settings, status: int) -> Template:
    if status == 403:
        message = _(
            "You signed in with your organisation account, but Klankbord does not know you as "
            "an employee or user. Ask HR or the administrator to add you."
        )
    elif status == 502:
        message = _(
            "The sign-in service of the organisation cannot be reached right now. "
            "Try again in a few minutes."
        )
    else:
        message = _(
            "The sign-in could not be completed. It may have taken too long or been started "
            "in another window. Please start again."
        )
    return sign_in_page(request, settings, status_code=status, error=message)


class AccountController(Controller):
    path = "/account"

    @get("/", name="account:view", opt=access(Rule.SIGNED_IN), responses=SIGN_IN_REQUIRED)
    async def view(self, request: Request, settings: NamedDependency[Settings]) -> Template:
        return await account_page(request, settings)

    @post(
        "/password",
        name="account:password",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.SIGNED_IN),
        responses={
            303: ResponseSpec(
                data_container=None,
                description="Password changed: back to the account page (or, when not "
                "signed in, to the sign-in page)",
            ),
            403: html_response("The form is out of date (CSRF)"),
            422: html_response("The account page again, with what is wrong"),
        },
    )
    async def change_password(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        principal = principal_of(request)
        assert principal is not None
        values = await form_values(request)
        new = first(values, "new_password", 1024)
        if new != first(values, "new_password_again", 1024):
            return await account_page(
                request, settings, 422, [_("The two new passwords are not the same.")]
            )
        try:
            await change_own_password(
                principal.account_id,
                first(values, "current_password", 1024),
                new,
                actor=principal.username,
                session_id=principal.session_id,
                now=dt.datetime.now(dt.UTC),
            )
        except AccountError as error:
            return await account_page(request, settings, 422, [str(error)])
        except PasswordProblems as problems:
            return await account_page(request, settings, 422, problems.messages)
        return Redirect("/account?changed=1", status_code=HTTP_303_SEE_OTHER)

    @post(
        "/sign-out-everywhere",
        name="account:sign_out_everywhere",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.SIGNED_IN),
        responses={403: html_response("The form is out of date (CSRF)")},
    )
    async def sign_out_everywhere(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Redirect:
        principal = principal_of(request)
        assert principal is not None
        ended = await end_all_sessions(principal.account_id)
        await audit.record("sign_out.everywhere", actor=principal.username, sessions=ended)
        return Redirect(
            "/sign-in?signed_out=1",
            status_code=HTTP_303_SEE_OTHER,
            cookies=[expired_session_cookie(settings)],
        )


async def account_page(
    request: Request,
    settings: Settings,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Template:
    principal: Principal | None = principal_of(request)
    assert principal is not None
    rows = await Account.select(Account.password_hash).where(Account.id == principal.account_id)
    tree = await load_tree() if principal.is_manager else None
    return page(
        request,
        "auth/account.html",
        status_code=status_code,
        account=principal,
        scope_names=[tree.name_for_path(code) for code in principal.scope_roots] if tree else [],
        has_password=bool(rows and rows[0]["password_hash"]),
        sessions=await active_session_count(
            principal.account_id,
            now=dt.datetime.now(dt.UTC),
            idle=settings.session_idle,
            absolute=settings.session_absolute,
        ),
        problems=problems or [],
        changed=request.query_params.get("changed") == "1",
        min_length=MIN_LENGTH,
        idle_minutes=settings.session_idle_minutes,
        language=current_language.get(),
    )
