"""Rendering pages and redirects: the template context every page shares, links by route
name, and the OpenAPI description of HTML answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request
from litestar.datastructures import Cookie
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.i18n import LANGUAGE_NAMES, current_language


def page(request: Request, template_name: str, status_code: int = 200, **context: Any) -> Template:
    """A full page (or an htmx partial) rendered in the request's language."""
    language = current_language.get()
    return Template(
        template_name=template_name,
        status_code=status_code,
        context={
            "lang": language,
            "other_languages": {
                code: name for code, name in LANGUAGE_NAMES.items() if code != language
            },
            "current_path": request.url.path,
            "csrf_token": request.scope.get("klankbord.csrf_token", ""),
            "csrf_field": "_csrf",
            "principal": request.scope.get("user"),
            **context,
        },
    )


def url(
    request: Request, route_name: str, query: dict[str, str] | None = None, **params: Any
) -> str:
    """The path of a named route, with an optional query string (empty values left out)."""
    path = request.app.route_reverse(route_name, **params)
    kept = {key: value for key, value in (query or {}).items() if value}
    return path + ("?" + urlencode(kept) if kept else "")


def see_other(
    request: Request,
    route_name: str,
    query: dict[str, str] | None = None,
    cookies: list[Cookie] | None = None,
    **params: Any,
) -> Redirect:
    """Post/redirect/get: on to a named route after a form was handled."""
    return Redirect(
        url(request, route_name, query, **params),
        status_code=HTTP_303_SEE_OTHER,
        cookies=cookies or [],
    )


def html_response(description: str) -> ResponseSpec:
    """OpenAPI documentation of an HTML page with a status other than the handler's default."""
    return ResponseSpec(
        data_container=str,
        media_type=MediaType.HTML,
        description=description,
        generate_examples=False,
    )


def redirect_response(description: str) -> ResponseSpec:
    """OpenAPI documentation of a redirect (no body)."""
    return ResponseSpec(data_container=None, description=description)


# Routes that need an account send anonymous visitors to sign in.
SIGN_IN_REQUIRED = {
    303: redirect_response("Not signed in: to the sign-in page, and back here afterwards")
}
# Administrator pages: anonymous visitors sign in first; others are refused.
NOT_ADMIN_RESPONSE = {
    **SIGN_IN_REQUIRED,
    400: html_response("A query parameter is too long or out of range"),
    403: html_response("Not an administrator"),
}
