"""HR's pages for survey waves: the list of waves with their state and answering period."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from survey_app.core.clock import utc_now
from survey_app.waves.service import list_waves, state_label
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page

HR_ONLY = {**SIGN_IN_REQUIRED, 403: html_response("Signed in without the HR role")}


class WaveListController(Controller):
    path = "/hr/waves"
    opt = access(Rule.HR)

    @get("/", name="hr:waves", responses=HR_ONLY)
    async def waves(self, request: Request) -> Template:
        now = utc_now()
        return page(
            request,
            "waves/list.html",
            waves=[(wave, wave.state(now)) for wave in await list_waves()],
            state_label=state_label,
        )


ROUTES = [WaveListController]
