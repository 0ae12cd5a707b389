"""Routes of the site as a whole: the start page and the health check."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from survey_app.core.db import current_engine
from survey_app.web.access import Rule, access
from survey_app.web.pages import page


@get("/health", name="health", include_in_schema=True, opt=access(Rule.PUBLIC))
async def health() -> dict[str, str]:
    """Liveness and database reachability, for load balancers and the container."""
    await current_engine().run_ddl("SELECT 1")
    return {"status": "ok", "database": current_engine().engine_type}


@get("/", name="home", opt=access(Rule.PUBLIC))
async def home(request: Request) -> Template:
    return page(request, "home.html")


ROUTES = [health, home]
