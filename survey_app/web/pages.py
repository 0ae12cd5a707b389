"""Rendering pages and redirects: the template context every page shares, links by route
name, and the OpenAPI description of HTML answers."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.i18n import LANGUAGE_NAMES, current_language
from survey_app.web.navigation import main_menu


def page_context(request: Request, language: str, /, **context: Any) -> dict[str, Any]:
    """What every page's template gets, plus ``context``."""
    principal = request.scope.get("user")
    return {
        "lang": language,
        "other_languages": {
            code: name for code, name in LANGUAGE_NAMES.items() if code != language
        },
        "current_path": request.url.path,
        "csrf_token": request.scope.get("klankbord.csrf_token", ""),
        "csrf_field": "_csrf",
        "principal": principal,
        "menu": main_menu(request, principal),
        **context,
    }


def page(request: Request, template_name: str, status_code: int = 200, **context: Any) -> Template:
    """A full page (or an htmx partial) rendered in the request's language."""
    return Template(
        template_name=template_name,
        status_code=status_code,
        context=page_context(request, current_language.get(), **context),
    )


# Pages that are the same for every visitor but for the CSRF token (a survey's empty form):
# rendered once per key, path and language with this stand-in, which each response replaces
# with the visitor's token. The survey page is most of a respondent's rendering.
_TOKEN_STAND_IN = "csrf-token-stand-in-0c5e2b7a"  # noqa: S105 (not a secret)
_SHARED_PAGES: dict[tuple[Hashable, str, str, str], str] = {}
_SHARED_PAGES_KEPT = 256


def shared_page(request: Request, key: Hashable, template_name: str, /, **context: Any) -> Response:
    """``page`` for a visitor who is not signed in, rendered once per ``key`` (which must
    change whenever ``context`` does) and language."""
    language = current_language.get()
    cache_key = (key, template_name, request.url.path, language)
    html = _SHARED_PAGES.get(cache_key)
    if html is None:
        context = page_context(request, language, **context)
        context.update(csrf_token=_TOKEN_STAND_IN, principal=None, menu=[], request=request)
        template = request.app.template_engine.get_template(template_name)
        html = template.render(**context)
        if len(_SHARED_PAGES) >= _SHARED_PAGES_KEPT:
            _SHARED_PAGES.pop(next(iter(_SHARED_PAGES)))
        _SHARED_PAGES[cache_key] = html
    token = request.scope.get("klankbord.csrf_token", "")
    return Response(html.replace(_TOKEN_STAND_IN, token), media_type=MediaType.HTML)


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
