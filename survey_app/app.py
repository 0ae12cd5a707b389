"""The application factory."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import logging
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response, Router, get
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig

from survey_app import i18n
from survey_app.db import close_pool, current_engine, engine_from_url, start_pool, use_engine
from survey_app.settings import PROJECT_ROOT, Settings
from survey_app.web.access import Rule, SignInRequired, access, enforce_access
from survey_app.web.admin import admin_router
from survey_app.web.auth import AccountController, SignInController
from survey_app.web.hr import WaveStatusController
from survey_app.web.middleware import WebMiddleware
from survey_app.web.pages import page
from survey_app.web.respond import RespondController
from survey_app.web.security import (
    CSRFMiddleware,
    CSRFRejected,
    PrincipalMiddleware,
    cookie_name,
)
from survey_app.web.teams import TeamsController

logger = logging.getLogger("survey_app")

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"


def jinja_environment(settings: Settings, template_dir: Path = TEMPLATE_DIR) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)

    def localdate(moment: dt.datetime, end: bool = False) -> str:
        """A date in the organisation's time zone; ``end`` for an exclusive end moment."""
        local = moment.astimezone(settings.timezone) - (
            dt.timedelta(seconds=1) if end else dt.timedelta()
        )
        return local.strftime("%d-%m-%Y")

    environment.filters["localdate"] = localdate
    return environment


@get("/health", name="health", include_in_schema=True, opt=access(Rule.PUBLIC))
async def health() -> dict[str, str]:
    """Liveness and database reachability, for load balancers and the container."""
    await current_engine().run_ddl("SELECT 1")
    return {"status": "ok", "database": current_engine().engine_type}


@get("/", name="home", opt=access(Rule.PUBLIC))
async def home(request: Request) -> Template:
    return page(request, "home.html")


def error_page(request: Request, exc: Exception) -> Response:
    """Errors as a page in the user's language; the request line is not logged (tokens)."""
    status = exc.status_code if isinstance(exc, HTTPException) else HTTP_500_INTERNAL_SERVER_ERROR
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        handler = request.scope.get("route_handler")
        logger.error("Unhandled error in %s", getattr(handler, "name", None), exc_info=exc)
    # Keep the exception's headers: `Allow` on a 405 is required (RFC 9110).
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if isinstance(exc, SignInRequired):
        target = "/sign-in?next=" + quote(str((exc.extra or {}).get("next", "/")), safe="")
        if request.headers.get("hx-request"):
            # htmx would swap the sign-in page into a fragment: send the whole page there.
            return Response(None, status_code=204, headers={"HX-Redirect": target})
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    if request.url.path.startswith("/api/") or request.url.path == "/health":
        detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
        return Response(
            {"status_code": status, "detail": detail}, status_code=status, headers=headers
        )
    response = page(
        request, "error.html", status_code=status, status=status, csrf=isinstance(exc, CSRFRejected)
    )
    response.headers.update(headers)
    return response


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI schema at ``/schema/openapi.json`` (for integrations and the fuzz tests).

    Only the JSON document is served: the interactive viewers load scripts from CDNs, which
    a self-hosted survey must not do (and the Content-Security-Policy blocks anyway).
    """
    return OpenAPIConfig(
        title="Klankbord",
        version=importlib.metadata.version("klankbord"),
        description="Self-hosted employee surveys. HTML pages and their form posts.",
        render_plugins=[JsonRenderPlugin()],
        # The schema documents the public forms; it holds no data.
        openapi_router=Router(
            path="/schema", route_handlers=[], opt=access(Rule.PUBLIC), include_in_schema=False
        ),
    )


def repair_options_allow(app: Litestar) -> None:
    """Make the automatic OPTIONS response list every method of its path.

    Litestar 2 builds that handler with the first route registered for a path and keeps
    it when the path gains another method, so ``OPTIONS /survey`` said ``GET, OPTIONS``
    without ``POST`` (litestar-org/litestar#4169, fixed in Litestar 3): point it at the
    final route. Found by the ``allow_header_conformance`` check in tests/test_fuzz.py.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler = route.route_handler_map["OPTIONS"][0]
        for cell in getattr(handler.fn, "__closure__", None) or ():
            if isinstance(cell.cell_contents, HTTPRoute) and cell.cell_contents is not route:
                cell.cell_contents = route


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    use_engine(engine_from_url(settings.database_url))
    session_secret = hashlib.sha256(("session:" + settings.secret_key).encode()).digest()
    session = CookieBackendConfig(
        secret=session_secret,
        key=cookie_name("klankbord_survey", settings.https),
        max_age=3 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )
    app = Litestar(
        route_handlers=[
            health,
            home,
            RespondController,
            SignInController,
            AccountController,
            WaveStatusController,
            TeamsController,
            admin_router,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], name="static", opt=access(Rule.PUBLIC)
            ),
        ],
        guards=[enforce_access],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        # In order: the survey's cookie session, who is signed in, then the CSRF check.
        middleware=[
            session.middleware,
            DefineMiddleware(PrincipalMiddleware, settings=settings),
            DefineMiddleware(CSRFMiddleware, settings=settings),
        ],
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(jinja_environment(settings))
        ),
        plugins=[HTMXPlugin()],
        openapi_config=openapi_config(),
        on_startup=[start_pool],
        on_shutdown=[close_pool],
        exception_handlers={HTTPException: error_page, Exception: error_page},
        request_max_body_size=settings.max_request_body,
        debug=settings.debug,
    )
    repair_options_allow(app)
    # Around the whole application, not per route: requests that match no route (404s
    # from the router) get the visitor's language and the security headers too.
    app.asgi_handler = WebMiddleware(
        app.asgi_handler, default_language=settings.default_language, https=settings.https
    )
    return app
