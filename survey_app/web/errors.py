"""The one exception handler: every error becomes a page (or JSON) with its status.

Services raise `survey_app.core.errors.AppError` subclasses, whose class says the status
(404, 409, 422, ...) and whose message is translated here, in the visitor's language.
Litestar's own HTTP errors keep their status; anything else is a 500 that is logged
without the request line (which may hold a survey token).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_500_INTERNAL_SERVER_ERROR

from survey_app.core.errors import AppError
from survey_app.web.access import SignInRequired
from survey_app.web.csrf import CSRFRejected
from survey_app.web.pages import page

logger = logging.getLogger("survey_app")

SIGN_IN_ROUTE = "auth:sign_in"


def status_of(exc: Exception) -> int:
    if isinstance(exc, AppError):
        return exc.status
    if isinstance(exc, HTTPException):
        return exc.status_code
    return HTTP_500_INTERNAL_SERVER_ERROR


def error_page(request: Request, exc: Exception) -> Response:
    """Errors as a page in the user's language; the request line is not logged (tokens)."""
    status = status_of(exc)
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        handler = request.scope.get("route_handler")
        logger.error("Unhandled error in %s", getattr(handler, "name", None), exc_info=exc)
    # Keep the exception's headers: `Allow` on a 405 is required (RFC 9110).
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if isinstance(exc, SignInRequired):
        target = (
            request.app.route_reverse(SIGN_IN_ROUTE)
            + "?next="
            + quote(str((exc.extra or {}).get("next", "/")), safe="")
        )
        if request.headers.get("hx-request"):
            # htmx would swap the sign-in page into a fragment: send the whole page there.
            return Response(None, status_code=204, headers={"HX-Redirect": target})
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    if request.url.path.startswith("/api/") or request.url.path == "/health":
        if isinstance(exc, AppError):
            detail = exc.message()
        elif isinstance(exc, HTTPException):
            detail = exc.detail
        else:
            detail = "Internal Server Error"
        return Response(
            {"status_code": status, "detail": detail}, status_code=status, headers=headers
        )
    response = page(
        request,
        "error.html",
        status_code=status,
        status=status,
        csrf=isinstance(exc, CSRFRejected),
        message=exc.message() if isinstance(exc, AppError) else "",
    )
    response.headers.update(headers)
    return response


EXCEPTION_HANDLERS = {HTTPException: error_page, AppError: error_page, Exception: error_page}
