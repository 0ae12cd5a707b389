"""The application factory."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig

from survey_app import i18n
from survey_app.db import close_pool, current_engine, engine_from_url, start_pool, use_engine
from survey_app.settings import PROJECT_ROOT, Settings
from survey_app.web.hr import WaveStatusController
from survey_app.web.middleware import WebMiddleware
from survey_app.web.pages import page
from survey_app.web.respond import RespondController

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


@get("/health", name="health", include_in_schema=True)
async def health() -> dict[str, str]:
    """Liveness and database reachability, for load balancers and the container."""
    await current_engine().run_ddl("SELECT 1")
    return {"status": "ok", "database": current_engine().engine_type}


@get("/", name="home")
async def home(request: Request) -> Template:
    return page(request, "home.html")


def error_page(request: Request, exc: Exception) -> Response:
    """Errors as a page in the user's language; the request line is not logged (tokens)."""
    status = exc.status_code if isinstance(exc, HTTPException) else HTTP_500_INTERNAL_SERVER_ERROR
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        handler = request.scope.get("route_handler")
        logger.error("Unhandled error in %s", getattr(handler, "name", None), exc_info=exc)
    if request.url.path.startswith("/api/") or request.url.path == "/health":
        detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
        return Response({"status_code": status, "detail": detail}, status_code=status)
    return page(request, "error.html", status_code=status, status=status)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    use_engine(engine_from_url(settings.database_url))
    session_secret = hashlib.sha256(("session:" + settings.secret_key).encode()).digest()
    session = CookieBackendConfig(
        secret=session_secret,
        key="klankbord_survey",
        max_age=3 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )
    return Litestar(
        route_handlers=[
            health,
            home,
            RespondController,
            WaveStatusController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        middleware=[
            DefineMiddleware(
                WebMiddleware, default_language=settings.default_language, https=settings.https
            ),
            session.middleware,
        ],
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(jinja_environment(settings))
        ),
        plugins=[HTMXPlugin()],
        on_startup=[start_pool],
        on_shutdown=[close_pool],
        exception_handlers={HTTPException: error_page, Exception: error_page},
        request_max_body_size=settings.max_request_body,
        debug=settings.debug,
    )
