"""Answering with a code from a printed slip: the code page, the slip's QR link and the
kiosk mode of a shared tablet.

A code works exactly like an invitation link (`responding.service`, ``by_code``): it is
swapped for the same encrypted survey session, and the QR link leaves the address bar at
once. In kiosk mode the thank-you page returns to an empty code page by itself, and
nothing of one respondent stays for the next (see ``templates/responding/code.html``).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, Request, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core import ratelimit
from survey_app.core.clock import utc_now
from survey_app.core.hashing import code_hash, normalise_code
from survey_app.core.i18n import _
from survey_app.core.settings import Settings
from survey_app.responding.controllers import (
    CODE_SESSION_KEY,
    KIOSK_SESSION_KEY,
    LINK_WINDOW_SECONDS,
    PROBLEM_STATUS,
    UNKNOWN_LINKS_PER_CLIENT,
)
from survey_app.responding.service import TokenRejected, TokenState, open_invitation
from survey_app.web.access import Rule, access
from survey_app.web.forms import first, form_values
from survey_app.web.pages import html_response, page, redirect_response, see_other

CODE_RESPONSES = {
    HTTP_303_SEE_OTHER: redirect_response("Code accepted: on to /survey"),
    400: html_response("A malformed request (a code far longer than any code)"),
    403: html_response("The survey is not open yet, or the form lacks its CSRF token"),
    404: html_response("The code is not known (the code page again, with the error)"),
    409: html_response("The code has already been used"),
    410: html_response("The survey has closed, or HR closed it early"),
    429: html_response("Too many unknown codes from this address: wait and try again"),
}


def code_problem(state: TokenState) -> str:
    """What is wrong with a typed code, in the visitor's language."""
    if state is TokenState.USED:
        return _(
            "This code has already been used. Each code can be used once; if you just "
            "filled in the survey with it, your answers have been received."
        )
    if state is TokenState.NOT_YET_OPEN:
        return _("This survey is not open yet. Please use your code once it has opened.")
    if state is TokenState.EXPIRED:
        return _("This survey has closed, so no more answers can be accepted.")
    if state is TokenState.CLOSED:
        return _("HR closed this survey early, so no more answers can be accepted.")
    return _(
        "We do not recognise this code. Check that you typed all twelve letters and digits "
        "from your slip (a code has no 0, 1, I, L or O)."
    )


def code_page(
    request: Request, *, kiosk: bool, status_code: int = 200, error: str = "", typed: str = ""
) -> Template:
    return page(
        request,
        "responding/code.html",
        status_code=status_code,
        kiosk=kiosk,
        error=error,
        typed=typed,
        action="respond:kiosk_submit" if kiosk else "respond:code_submit",
    )


async def redeem(
    request: Request, settings: Settings, typed: str, *, kiosk: bool
) -> Template | Redirect:
    """Swap a code for a survey session, or show the code page with what is wrong."""
    request.clear_session()
    client_key = ratelimit.client_key(
        settings.secret_key, "survey-code", request.client.host if request.client else ""
    )
    if await ratelimit.hits(client_key, LINK_WINDOW_SECONDS) >= UNKNOWN_LINKS_PER_CLIENT:
        response = page(request, "error.html", status_code=429, status=429)
        response.headers["Retry-After"] = str(ratelimit.retry_after(LINK_WINDOW_SECONDS))
        return response
    # In kiosk mode a wrong code is not shown again for the next person to see.
    shown = "" if kiosk else typed
    if not normalise_code(typed):
        await ratelimit.count(client_key, LINK_WINDOW_SECONDS)
        return code_page(
            request,
            kiosk=kiosk,
            status_code=404,
            error=code_problem(TokenState.UNKNOWN),
            typed=shown,
        )
    hashed = code_hash(settings.secret_key, typed)
    try:
        await open_invitation(hashed, utc_now(), settings.secret_key, by_code=True)
    except TokenRejected as rejected:
        if rejected.state is TokenState.UNKNOWN:
            await ratelimit.count(client_key, LINK_WINDOW_SECONDS)
        return code_page(
            request,
            kiosk=kiosk,
            status_code=PROBLEM_STATUS[rejected.state],
            error=code_problem(rejected.state),
            typed=shown,
        )
    request.set_session({CODE_SESSION_KEY: hashed, KIOSK_SESSION_KEY: kiosk})
    return see_other(request, "respond:survey")


class CodeController(Controller):
    """The code page, the QR link of a slip, and the kiosk: no account needed."""

    opt = access(Rule.PUBLIC)

    @get("/code", name="respond:code", media_type=MediaType.HTML)
    async def code(self, request: Request) -> Template:
        return code_page(request, kiosk=False)

    @post(
        "/code",
        name="respond:code_submit",
        status_code=HTTP_303_SEE_OTHER,
        responses=CODE_RESPONSES,
    )
    async def code_submit(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        return await redeem(
            request, settings, first(await form_values(request), "code", 100), kiosk=False
        )

    @get(
        "/c/{code:str}",
        name="respond:code_link",
        status_code=HTTP_303_SEE_OTHER,
        responses=CODE_RESPONSES,
    )
    async def code_link(
        self,
        request: Request,
        code: Annotated[str, PathParameter(max_length=100)],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        """The link in a slip's QR code: the code leaves the address bar at once."""
        return await redeem(request, settings, code, kiosk=False)

    @get("/kiosk", name="respond:kiosk", media_type=MediaType.HTML)
    async def kiosk(self, request: Request) -> Template:
        # A respondent who walked away mid-survey leaves nothing for the next one.
        request.clear_session()
        return code_page(request, kiosk=True)

    @post(
        "/kiosk",
        name="respond:kiosk_submit",
        status_code=HTTP_303_SEE_OTHER,
        responses=CODE_RESPONSES,
    )
    async def kiosk_submit(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        return await redeem(
            request, settings, first(await form_values(request), "code", 100), kiosk=True
        )


ROUTES = [CodeController]
