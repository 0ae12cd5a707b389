"""CSRF protection of every unsafe method, and the cookie names it shares with sign-in.

Runs as Litestar middleware, after routing, for every route of the application.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from survey_app.core.hashing import derived_key, new_token
from survey_app.core.settings import Settings
from survey_app.web.middleware import cookie_value

CSRF_COOKIE = "klankbord_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
CSRF_SCOPE_KEY = "klankbord.csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CSRFRejected(PermissionDeniedException):
    """The form or request lacks the token of this browser: refused, nothing stored."""


def cookie_name(name: str, https: bool) -> str:
    """Under HTTPS the ``__Host-`` prefix: the browser then accepts the cookie only from this
    host, over HTTPS, for path ``/`` — a sibling subdomain or a network attacker cannot
    plant or overwrite it (cookie tossing against CSRF tokens or sessions)."""
    return f"__Host-{name}" if https else name


def session_cookie_attributes(settings: Settings) -> str:
    """HttpOnly, SameSite=Lax, Secure under HTTPS; no Max-Age: the server decides expiry."""
    secure = "; Secure" if settings.https else ""
    return f"Path=/; HttpOnly; SameSite=Lax{secure}"


def _sign(key: bytes, browser_secret: str) -> str:
    digest = hmac.new(key, browser_secret.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class CSRFMiddleware:
    """Double-submit tokens bound to a browser secret in an HttpOnly cookie.

    Pages get the token (an HMAC of the cookie's secret) for their forms and for htmx's
    ``X-CSRF-Token`` header; an unsafe request must carry it, or it is refused with 403
    before the handler runs. SameSite=Lax cookies are a second line of defence.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.key = derived_key(settings.secret_key, "csrf")
        self.cookie = cookie_name(CSRF_COOKIE, settings.https)
        self.cookie_attributes = session_cookie_attributes(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        browser_secret = cookie_value(scope, self.cookie)
        fresh = not browser_secret or len(browser_secret) > 100
        if fresh:
            browser_secret = new_token(32)
        expected = _sign(self.key, browser_secret)
        scope[CSRF_SCOPE_KEY] = expected  # type: ignore[literal-required]
        if scope["method"] not in SAFE_METHODS:
            given = "" if fresh else await self._token_of(scope, receive)
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise CSRFRejected()
        if not fresh:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{self.cookie}={browser_secret}; {self.cookie_attributes}"
                headers = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    async def _token_of(scope: Scope, receive: Receive) -> str:
        for name, value in scope.get("headers", []):
            if name == CSRF_HEADER.encode():
                return value.decode("latin-1")
        request: Request = Request(scope, receive)
        content_type = request.content_type[0]
        if content_type == RequestEncodingType.URL_ENCODED:
            # The body is cached on the scope, so the handler reads it again unchanged.
            body = (await request.body()).decode("utf-8", "surrogateescape")
            for key, value in parse_qsl(body, encoding="utf-8", errors="surrogateescape"):
                if key == CSRF_FIELD:
                    return value
        elif content_type == RequestEncodingType.MULTI_PART:
            try:
                form = await request.form()
            except Exception:
                # A body that is not a readable form carries no token either: 403, not 400.
                return ""
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else ""
        return ""
