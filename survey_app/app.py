"""The application factory: collects the routes of every capability and the middleware."""

from __future__ import annotations

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from survey_app.accounts import controllers as accounts
from survey_app.accounts.middleware import PrincipalMiddleware
from survey_app.admin import controllers as admin
from survey_app.audit import controllers as audit
from survey_app.core.db import close_pool, engine_from_url, start_pool, use_engine
from survey_app.core.hashing import derived_key
from survey_app.core.secretkey import confirm_secret_key
from survey_app.core.settings import SITE_DIR, Settings
from survey_app.mail import controllers as mail
from survey_app.mail.background import BackgroundDelivery
from survey_app.quickscan import controllers as quickscan
from survey_app.quickscan import hr_controllers as quickscan_hr
from survey_app.quickscan import manager_controllers as quickscan_team
from survey_app.responding import code_controllers as respond_codes
from survey_app.responding import consent_controllers as respond_consent
from survey_app.responding import controllers as responding
from survey_app.responding import preview_controllers as preview
from survey_app.results import controllers as results
from survey_app.results import export_controllers as result_exports
from survey_app.waves import code_controllers as wave_codes
from survey_app.waves import controllers as waves
from survey_app.waves import manage_controllers as wave_pages
from survey_app.waves import questionnaire_controllers as wave_questions
from survey_app.waves import upload_controllers as organisation
from survey_app.web import site, theme
from survey_app.web.access import Rule, access, enforce_access, provide_principal
from survey_app.web.csrf import CSRFMiddleware, cookie_name
from survey_app.web.errors import EXCEPTION_HANDLERS
from survey_app.web.middleware import WebMiddleware
from survey_app.web.openapi import openapi_config, repair_options_allow
from survey_app.web.templates import jinja_environment

STATIC_DIR = SITE_DIR / "static"
# An opened survey keeps its encrypted session cookie this long (the survey takes minutes;
# on a shared computer the next person must not find it open). Drafts stay in the tab.
SURVEY_SESSION_SECONDS = 3600


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    use_engine(engine_from_url(settings.database_url))
    survey_session = CookieBackendConfig(
        secret=derived_key(settings.secret_key, "session"),
        key=cookie_name("klankbord_survey", settings.https),
        max_age=SURVEY_SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )

    async def refuse_another_secret_key() -> None:
        await confirm_secret_key(settings.secret_key)

    # Queued mail is delivered by every worker while the server runs (when mail is set up).
    mail_delivery = BackgroundDelivery(settings)

    app = Litestar(
        route_handlers=[
            *site.ROUTES,
            *theme.ROUTES,
            *responding.ROUTES,
            *respond_codes.ROUTES,
            *respond_consent.ROUTES,
            *accounts.ROUTES,
            *waves.ROUTES,
            *mail.ROUTES,
            *wave_codes.ROUTES,
            *organisation.ROUTES,
            *wave_pages.ROUTES,
            *wave_questions.ROUTES,
            *preview.ROUTES,
            *results.ROUTES,
            *result_exports.ROUTES,
            *quickscan.ROUTES,
            *quickscan_team.ROUTES,
            *quickscan_hr.ROUTES,
            Router(path="/admin", route_handlers=[*admin.ROUTES, *audit.ROUTES]),
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], name="static", opt=access(Rule.PUBLIC)
            ),
        ],
        guards=[enforce_access],
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        # In order: the survey's cookie session, who is signed in, then the CSRF check.
        middleware=[
            survey_session.middleware,
            DefineMiddleware(PrincipalMiddleware, settings=settings),
            DefineMiddleware(CSRFMiddleware, settings=settings),
        ],
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(jinja_environment(settings))
        ),
        plugins=[HTMXPlugin()],
        openapi_config=openapi_config(),
        on_startup=[start_pool, refuse_another_secret_key, mail_delivery.start],
        on_shutdown=[mail_delivery.stop, close_pool],
        exception_handlers=EXCEPTION_HANDLERS,
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
