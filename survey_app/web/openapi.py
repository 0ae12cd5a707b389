"""The OpenAPI document of the application, and a repair of Litestar's OPTIONS answer."""

from __future__ import annotations

import importlib.metadata

from litestar import Litestar, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from survey_app.web.access import Rule, access


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
