"""Signing in and out: local accounts, the organisation's identity provider, own account."""

from __future__ import annotations

from typing import Annotated, ClassVar

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app import audit
from survey_app.accounts.cookies import (
    OIDC_COOKIE,
    expired_session_cookie,
    pending_cookie,
    safe_next,
    seal_pending,
    session_cookie,
    unseal_pending,
)
from survey_app.accounts.oidc import OIDCClient, OIDCError, PendingSignIn
from survey_app.accounts.passwords import MIN_LENGTH
from survey_app.accounts.service import (
    SignInOutcome,
    account_for_identity,
    authenticate,
    change_own_password,
    end_own_sessions,
    has_password,
    start_page,
)
from survey_app.accounts.sessions import (
    SESSION_COOKIE,
    active_session_count,
    end_session,
    prune_expired_sessions,
    start_session,
)
from survey_app.core import ratelimit
from survey_app.core.clock import local_time, utc_now
from survey_app.core.errors import N_, AppError
from survey_app.core.i18n import _, current_language, ngettext
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.tree import load_tree
from survey_app.web.access import Rule, access, principal_of
from survey_app.web.csrf import cookie_name
from survey_app.web.forms import Form, Text, first, form_values
from survey_app.web.middleware import cookie_value
from survey_app.web.pages import (
    SIGN_IN_REQUIRED,
    html_response,
    page,
    redirect_response,
    see_other,
    url,
)

# Failed sign-ins from one client address before it must wait (on top of the lockout of
# the account itself after 5 failures), and failed survey links per client address.
SIGN_IN_FAILURES_PER_CLIENT = 20
SIGN_IN_WINDOW_SECONDS = 15 * 60

# Redirects carry no body. Routes that need an account send anonymous visitors to sign in.
SIGNED_IN_REDIRECT = redirect_response("Signed in: on to the page asked for, or the start page")
NEXT_TOO_LONG = {400: html_response("The address to return to is too long")}

# Where each kind of account starts after signing in (without a page to return to).
START_ROUTES = {
    "admin": "admin:overview",
    "hr": "hr:waves",
    "teams": "teams:overview",
    "account": "account:view",
}

SIGN_IN_RESPONSES = {
    303: SIGNED_IN_REDIRECT,
    400: html_response("Sign-in through the identity provider did not complete"),
    401: html_response("Wrong user name or password"),
    403: html_response("The form is out of date (CSRF) or the account is locked"),
    429: html_response("Too many failed attempts from this address: wait and try again"),
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def signed_in_redirect(
    request: Request, settings: Settings, account_id: int, method: str, next_path: str | None
) -> Redirect:
    """Start a session (ending one this browser had) and go on to where the person was going."""
    old = cookie_value(request.scope, cookie_name(SESSION_COOKIE, settings.https))
    if old:
        await end_session(old)
    await prune_expired_sessions(
        now=utc_now(), idle=settings.session_idle, absolute=settings.session_absolute
    )
    token = await start_session(account_id, method)
    username, start = await start_page(account_id)
    await audit.record("sign_in.success", actor=username, method=method)
    return Redirect(
        next_path or url(request, START_ROUTES[start]),
        status_code=HTTP_303_SEE_OTHER,
        cookies=[session_cookie(token, settings)],
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
        "accounts/sign_in.html",
        status_code=status_code,
        error=error,
        username=username,
        next_path=next_path or "",
        oidc_enabled=settings.oidc_enabled,
        oidc_label=settings.oidc_button_label or _("Sign in with your organisation account"),
        local_sign_in=settings.local_sign_in,
        signed_out=request.query_params.get("signed_out") == "1",
    )


def oidc_client(request: Request, settings: Settings) -> OIDCClient:
    """One client per application, so discovery and keys are fetched once."""
    state = request.app.state
    if getattr(state, "oidc_client", None) is None:
        state.oidc_client = OIDCClient(
            settings.oidc_discovery_url, settings.oidc_client_id, settings.oidc_client_secret
        )
    return state.oidc_client


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
        now = utc_now()
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
                ).format(time=local_time(result.locked_until, settings.timezone)),
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
        return see_other(
            request, "auth:sign_in", {"signed_out": "1"}, cookies=[expired_session_cookie(settings)]
        )

    @get(
        "/auth/oidc/start",
        name="auth:oidc_start",
        status_code=HTTP_303_SEE_OTHER,
        opt=access(Rule.PUBLIC),
        responses={
            303: redirect_response("On to the identity provider"),
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
            provider_url, pending = await oidc_client(request, settings).begin(
                settings.base_url + url(request, "auth:oidc_callback")
            )
        except OIDCError:
            return oidc_problem(request, settings, 502)
        sealed = seal_pending(settings, {**pending.to_dict(), "next": safe_next(next_path) or ""})
        return Redirect(
            provider_url,
            status_code=HTTP_303_SEE_OTHER,
            cookies=[pending_cookie(settings, sealed)],
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


class ChangePasswordForm(Form):
    current_password = Text(max_length=1024)
    new_password = Text(max_length=1024)
    new_password_again = Text(max_length=1024)
    messages: ClassVar[dict[str, str]] = {
        "passwords_differ": N_("The two new passwords are not the same."),
    }


class AccountController(Controller):
    path = "/account"
    opt = access(Rule.SIGNED_IN)

    @get("/", name="account:view", responses=SIGN_IN_REQUIRED)
    async def view(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template:
        return await account_page(request, settings, principal)

    @post(
        "/password",
        name="account:password",
        status_code=HTTP_303_SEE_OTHER,
        responses={
            303: redirect_response(
                "Password changed: back to the account page (or, when not signed in, to the "
                "sign-in page)"
            ),
            403: html_response("The form is out of date (CSRF)"),
            422: html_response("The account page again, with what is wrong"),
        },
    )
    async def change_password(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        form = ChangePasswordForm.read(await form_values(request))
        if form.ok and form["new_password"] != form["new_password_again"]:
            form.add("passwords_differ", field="new_password_again")
        if form.ok:
            try:
                await change_own_password(
                    principal.account_id,
                    form["current_password"],
                    form["new_password"],
                    actor=principal.username,
                    session_id=principal.session_id,
                    now=utc_now(),
                )
            except AppError as error:
                form.add_error(error)
        if not form.ok:
            problems = [message for _field, message in form.messages()]
            return await account_page(request, settings, principal, 422, problems)
        return see_other(request, "account:view", {"changed": "1"})

    @post(
        "/sign-out-everywhere",
        name="account:sign_out_everywhere",
        status_code=HTTP_303_SEE_OTHER,
        responses={403: html_response("The form is out of date (CSRF)")},
    )
    async def sign_out_everywhere(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        await end_own_sessions(principal.account_id, actor=principal.username)
        return see_other(
            request, "auth:sign_in", {"signed_out": "1"}, cookies=[expired_session_cookie(settings)]
        )


async def account_page(
    request: Request,
    settings: Settings,
    principal: Principal,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Template:
    tree = await load_tree() if principal.is_manager else None
    return page(
        request,
        "accounts/account.html",
        status_code=status_code,
        account=principal,
        scope_names=[tree.name_for_path(code) for code in principal.scope_roots] if tree else [],
        has_password=await has_password(principal.account_id),
        sessions=await active_session_count(
            principal.account_id,
            now=utc_now(),
            idle=settings.session_idle,
            absolute=settings.session_absolute,
        ),
        problems=problems or [],
        changed=request.query_params.get("changed") == "1",
        min_length=MIN_LENGTH,
        idle_minutes=settings.session_idle_minutes,
        language=current_language.get(),
    )


ROUTES = [SignInController, AccountController]
