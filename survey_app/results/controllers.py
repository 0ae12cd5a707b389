"""Results pages: a wave's response rates and comment themes for HR (every department) and
for managers (the departments they lead). Each page renders one `WaveResults` from the
door in `results.service`; nothing here reads answers or counts."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Template

from survey_app.core.i18n import current_language
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.results.service import wave_results, waves_by_department
from survey_app.waves.service import state_label
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page

# A wave id is a UUID; uuid.UUID() also accepts the "urn:uuid:" and "{...}" spellings.
PUBLIC_ID_MAX_LENGTH = 45
DEPARTMENT_CODE_MAX_LENGTH = 64

WaveId = Annotated[str, PathParameter(max_length=PUBLIC_ID_MAX_LENGTH)]
DepartmentCode = Annotated[str, PathParameter(max_length=DEPARTMENT_CODE_MAX_LENGTH)]

HR_ONLY = {**SIGN_IN_REQUIRED, 403: html_response("Signed in without the HR role")}
WAVE_RESPONSES = {
    400: html_response("The wave id is too long"),
    404: html_response("No wave with this id"),
}
NOT_THEIR_DEPARTMENT = {
    403: html_response("Neither HR nor a manager (of this department)"),
}


class WaveResultsController(Controller):
    """HR: a wave's response rates and its comment themes for the whole organisation."""

    path = "/hr/waves"
    opt = access(Rule.HR)

    @get("/{public_id:str}", name="hr:wave", responses={**HR_ONLY, **WAVE_RESPONSES})
    async def wave(
        self,
        request: Request,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="response_rates",
        )
        return page(request, "results/wave.html", results=results, state_label=state_label)

    @get("/{public_id:str}/themes", name="hr:themes", responses={**HR_ONLY, **WAVE_RESPONSES})
    async def themes(
        self,
        request: Request,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        """What people wrote about: themes of the comments, per department through the gate.

        Only labels, terms and shares are shown; no comment text (quotes wait for sign-in
        and roles, so that only HR can read them). Only for closed waves.
        """
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="themes",
            with_themes=True,
        )
        return page(request, "results/themes.html", results=results)


class TeamsController(Controller):
    """Managers: the departments they lead and everything below them (HR: any department).

    The rows are a subset of what the gate releases for the whole organisation, so a
    manager never sees more than HR would.
    """

    path = "/teams"
    # Managers for departments in their scope (checked against ``department_code`` by the
    # guard, and again by the results door), HR for every department.
    opt = access(Rule.MANAGER)

    @get("/", name="teams:overview", responses={**SIGN_IN_REQUIRED, **NOT_THEIR_DEPARTMENT})
    async def overview(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return page(
            request,
            "results/teams.html",
            departments=await waves_by_department(principal),
            state_label=state_label,
        )

    @get(
        "/{department_code:str}/waves/{public_id:str}",
        name="teams:wave",
        responses={**SIGN_IN_REQUIRED, **NOT_THEIR_DEPARTMENT, **WAVE_RESPONSES},
    )
    async def wave(
        self,
        request: Request,
        department_code: DepartmentCode,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="team_results",
            department_code=department_code,
            with_themes=True,
        )
        return page(request, "results/team_wave.html", results=results, state_label=state_label)


ROUTES = [WaveResultsController, TeamsController]
