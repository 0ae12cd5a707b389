"""Rendering pages: the template context every page shares."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Template

from survey_app.i18n import LANGUAGE_NAMES, current_language


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


def html_response(description: str) -> ResponseSpec:
    """OpenAPI documentation of an HTML page with a status other than the handler's default."""
    return ResponseSpec(
        data_container=str,
        media_type=MediaType.HTML,
        description=description,
        generate_examples=False,
    )
