"""ASGI middleware: the request's language and the security headers of every response."""

from __future__ import annotations

from urllib.parse import parse_qs

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from survey_app.core.i18n import LANGUAGE_COOKIE, choose_language, current_language

ONE_YEAR = 365 * 24 * 3600

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    ),
    # Survey links must never leak to other sites through the Referer header.
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


def cookie_value(scope: Scope, name: str) -> str | None:
    """The value of cookie ``name``, read leniently: one malformed cookie of another
    application on the same domain (e.g. a JSON consent cookie) must not hide ours, as it
    would with ``http.cookies.SimpleCookie``. With duplicates, the first one counts (the
    browser sends the most specific path first)."""
    for key, value in scope.get("headers", []):
        if key != b"cookie":
            continue
        for pair in value.decode("latin-1").split(";"):
            cookie_name, separator, cookie = pair.strip().partition("=")
            if separator and cookie_name == name:
                return cookie.strip().strip('"')
    return None


class WebMiddleware:
    """Sets the language for the request and adds security headers to the response."""

    def __init__(self, app: ASGIApp, default_language: str, https: bool) -> None:
        self.app = app
        self.default_language = default_language
        self.headers = list(SECURITY_HEADERS)
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        requested = (query.get("lang") or [None])[0]
        language = choose_language(
            requested, cookie_value(scope, LANGUAGE_COOKIE), self.default_language
        )
        token = current_language.set(language)
        remember = requested == language

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(item for item in self.headers if item[0] not in names)
                if b"cache-control" not in names and not scope["path"].startswith("/static/"):
                    # Pages hold survey forms, personal sessions or results: never store
                    # them in shared or browser caches.
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"content-language", language.encode()))
                if remember:
                    headers.append(
                        (
                            b"set-cookie",
                            f"{LANGUAGE_COOKIE}={language}; Path=/; Max-Age={ONE_YEAR}; "
                            f"SameSite=Lax; HttpOnly".encode(),
                        )
                    )
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            current_language.reset(token)
