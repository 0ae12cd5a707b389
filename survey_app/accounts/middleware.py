"""Who is signed in: the session cookie's principal, put on every request."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from survey_app.accounts.sessions import SESSION_COOKIE, load_principal
from survey_app.core.clock import utc_now
from survey_app.core.log_config import is_survey_path
from survey_app.core.settings import Settings
from survey_app.web.csrf import cookie_name
from survey_app.web.middleware import cookie_value


class PrincipalMiddleware:
    """Puts the signed-in person (or None) in ``scope["user"]``.

    Survey requests get None without a look at the session cookie: answering never marks a
    signed-in session as seen, so no identity-side time lines up with a submission.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cookie = cookie_name(SESSION_COOKIE, settings.https)
        self.idle = settings.session_idle
        self.absolute = settings.session_absolute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = None if is_survey_path(scope.get("path", "")) else cookie_value(scope, self.cookie)
        scope["user"] = (
            await load_principal(token, now=utc_now(), idle=self.idle, absolute=self.absolute)
            if token
            else None
        )
        await self.app(scope, receive, send)
