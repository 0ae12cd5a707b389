"""HR's preview of a wave's survey (/hr/waves/<id>/preview): the respondent's page,
rendered by the respondent's own templates, in the language chosen (``?lang=nl|en``),
marked as a preview; its form cannot be sent and nothing is stored. A survey with questions
about oneself (DIG) shows the consent screen's text first and its "About you" section.

It lives here rather than in `survey_app.waves` because it renders what `responding`
shows; `waves` may not import `responding`.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from survey_app.core.settings import Settings
from survey_app.responding import consent
from survey_app.responding.controllers import survey_page_context
from survey_app.waves import thresholds
from survey_app.waves.service import get_wave, wave_template
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page, url

PREVIEW_RESPONSES = {
    **SIGN_IN_REQUIRED,
    403: html_response("Signed in without the HR role"),
    404: html_response("No wave with this id"),
}


class PreviewController(Controller):
    path = "/hr/waves/{public_id:str}/preview"
    opt = access(Rule.HR)

    @get("/", name="hr:wave_preview", responses=PREVIEW_RESPONSES)
    async def preview(
        self, request: Request, public_id: str, settings: NamedDependency[Settings]
    ) -> Template:
        wave = await get_wave(public_id)
        template = await wave_template(wave)
        # Questions about oneself: the consent screen's text, then the survey with the
        # section a respondent sees after giving consent.
        asks = consent.asks_self_identification(template)
        return page(
            request,
            "responding/survey.html",
            preview=True,
            back_url=url(request, "hr:wave_manage", public_id=str(wave.public_id)),
            demographic_minimum=consent.demographic_minimum(await thresholds.current(settings)),
            **survey_page_context(
                template, wave, {}, {}, settings=settings, self_identification=asks
            ),
        )


ROUTES = [PreviewController]
