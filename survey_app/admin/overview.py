"""The administration start page: how many accounts, roles and lockouts, and the thresholds."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from survey_app.accounts.approvals import pending_changes
from survey_app.accounts.directory import account_counts
from survey_app.core.clock import utc_now
from survey_app.core.settings import Settings
from survey_app.waves import thresholds
from survey_app.web.access import Rule, access
from survey_app.web.pages import NOT_ADMIN_RESPONSE, page


class AdminOverviewController(Controller):
    path = "/"
    opt = access(Rule.ADMIN)

    @get("/", name="admin:overview", responses=NOT_ADMIN_RESPONSE)
    async def overview(self, request: Request, settings: NamedDependency[Settings]) -> Template:
        return page(
            request,
            "admin/overview.html",
            counts=await account_counts(utc_now()),
            pending=len(await pending_changes()),
            thresholds=await thresholds.current(settings),
        )
