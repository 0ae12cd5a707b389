"""Results pages: HR's overview of a wave (heatmap, eNPS, response rates) and a department
page (HR for any department, managers for theirs), the comment themes, and the
organisation's results for everyone signed in. Each page renders one `WaveResults` from
the door in `results.service`; nothing here reads answers or counts.

Filters are query parameters (so a view can be bookmarked and shared); with htmx the
filter form swaps only the results region and pushes the address.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import Parameter, PathParameter
from litestar.response import Template

from survey_app.core.i18n import _, current_language
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.tree import load_tree
from survey_app.results import charts
from survey_app.results.dashboard import SPREAD_FAVOURABLE, SPREAD_MEAN_PER_POINT, heat_cells
from survey_app.results.inclusion_filters import inclusion_filters
from survey_app.results.selection import closed_waves, department_choices, organisation_waves
from survey_app.results.service import WaveResults, wave_results, waves_by_department
from survey_app.waves.service import WaveNotFound, list_waves, state_label, wave_template
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page

# A wave id is a UUID; uuid.UUID() also accepts the "urn:uuid:" and "{...}" spellings.
PUBLIC_ID_MAX_LENGTH = 45
DEPARTMENT_CODE_MAX_LENGTH = 64

WaveId = Annotated[str, PathParameter(max_length=PUBLIC_ID_MAX_LENGTH)]
DepartmentCode = Annotated[str, PathParameter(max_length=DEPARTMENT_CODE_MAX_LENGTH)]
WaveChoice = Annotated[
    str | None, Parameter(query="wave", max_length=PUBLIC_ID_MAX_LENGTH, required=False)
]
DepartmentChoice = Annotated[
    str | None,
    Parameter(query="department", max_length=DEPARTMENT_CODE_MAX_LENGTH, required=False),
]
# Inclusion filters: a self-identification category key, a department code, a scale key.
Key = Annotated[str | None, Parameter(max_length=64, required=False)]
UnitChoice = Annotated[
    str | None, Parameter(query="unit", max_length=DEPARTMENT_CODE_MAX_LENGTH, required=False)
]
SecondChoice = Annotated[str | None, Parameter(query="and", max_length=64, required=False)]
# What a heatmap cell shows, and which columns: scales (with eNPS) or every item.
Measure = Annotated[Literal["favourable", "mean"], Parameter(query="measure")]
Columns = Annotated[Literal["scales", "items"], Parameter(query="columns")]

HR_ONLY = {**SIGN_IN_REQUIRED, 403: html_response("Signed in without the HR role")}
WAVE_RESPONSES = {
    400: html_response("The wave id or a filter is not valid"),
    404: html_response("No wave (or department) with this id"),
}
NOT_THEIR_DEPARTMENT = {
    403: html_response("Neither HR nor a manager (of this department)"),
}
# Below this response rate a department is highlighted in the response rate table.
LOW_RESPONSE_RATE = 0.5


def _context(results: WaveResults, **extra: Any) -> dict[str, Any]:
    return {
        "results": results,
        "state_label": state_label,
        "charts": charts,
        "heat_cells": heat_cells,
        # The legend's scale is the one the cells are coloured by (a 1-5 mean).
        "heat_spread": {"favourable": SPREAD_FAVOURABLE, "mean": SPREAD_MEAN_PER_POINT * 4},
        "low_response_rate": LOW_RESPONSE_RATE,
        **extra,
    }


def _overview(request: Request, results: WaveResults, **extra: Any) -> Template:
    partial = (
        bool(request.headers.get("hx-request"))
        and request.headers.get("hx-target") == "results-view"
    )
    return page(
        request,
        "results/_overview.html" if partial else "results/overview.html",
        # A swapped part brings its <title> (htmx sets the page's from it).
        partial=partial,
        **_context(results, **extra),
    )


async def _wave_overview(
    request: Request,
    public_id: str,
    principal: Principal,
    settings: Settings,
    department: str | None,
    measure: str,
    columns: str,
) -> Template:
    notice = None
    try:
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="overview",
            department_code=department or None,
            with_view=True,
        )
    except WaveNotFound:
        if not department:
            raise
        # The wave exists but invited nobody there: the whole organisation instead, said so.
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="overview",
            with_view=True,
        )
        notice = _(
            "Nobody in this department was invited to this wave; the whole organisation is shown."
        )
    return _overview(
        request,
        results,
        # HR's page links the figures per self-identified group of a wave that asked them.
        asks_self_identification=bool((await wave_template(results.wave)).self_identification),
        notice=notice,
        measure=measure,
        columns=columns,
        waves=await list_waves(),
        departments=department_choices(await load_tree()),
    )


async def _department_page(
    request: Request, public_id: str, code: str, principal: Principal, settings: Settings
) -> Template:
    """One department's page, for HR (any department) and its managers."""
    results = await wave_results(
        principal,
        public_id,
        settings=settings,
        language=current_language.get(),
        view="department",
        department_code=code,
        with_themes=True,
        with_trend=True,
    )
    return page(request, "results/department.html", **_context(results))


class WaveResultsController(Controller):
    """HR: a wave's overview for the organisation (or a department's subtree), a
    department's page and the comment themes."""

    path = "/hr"
    opt = access(Rule.HR)

    @get("/results", name="hr:results", responses={**HR_ONLY, **WAVE_RESPONSES})
    async def results(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        wave: WaveChoice = None,
        department: DepartmentChoice = None,
        measure: Measure = "favourable",
        columns: Columns = "scales",
    ) -> Template:
        """The overview of the chosen wave (by default the last closed one, or the last)."""
        if not wave:
            waves = await closed_waves() or await list_waves()
            if not waves:
                return page(request, "results/overview.html", results=None, waves=[])
            wave = str(waves[-1].public_id)
        return await _wave_overview(
            request, wave, principal, settings, department, measure, columns
        )

    @get("/waves/{public_id:str}", name="hr:wave", responses={**HR_ONLY, **WAVE_RESPONSES})
    async def wave(
        self,
        request: Request,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        department: DepartmentChoice = None,
        measure: Measure = "favourable",
        columns: Columns = "scales",
    ) -> Template:
        return await _wave_overview(
            request, public_id, principal, settings, department, measure, columns
        )

    @get(
        "/waves/{public_id:str}/departments/{department_code:str}",
        name="hr:department",
        responses={**HR_ONLY, **WAVE_RESPONSES},
    )
    async def department(
        self,
        request: Request,
        public_id: WaveId,
        department_code: DepartmentCode,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        return await _department_page(request, public_id, department_code, principal, settings)

    @get("/waves/{public_id:str}/themes", name="hr:themes", responses={**HR_ONLY, **WAVE_RESPONSES})
    async def themes(
        self,
        request: Request,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        """What people wrote about: themes of the comments, per department through the gate,
        with representative (redacted) quotes of themes above the comment minimum. Only for
        closed waves."""
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="themes",
            with_themes=True,
        )
        return page(request, "results/themes.html", **_context(results))

    @get(
        "/waves/{public_id:str}/inclusion",
        name="hr:inclusion",
        responses={**HR_ONLY, **WAVE_RESPONSES},
    )
    async def inclusion(
        self,
        request: Request,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        demographic: Key = None,
        unit: UnitChoice = None,
        second: SecondChoice = None,
        scale: Key = None,
    ) -> Template:
        """Scale scores and undesirable behaviour per self-identified category (DIG), per
        top-level department or for the organisation, two categories at once for the
        organisation, and the gap's trend over waves; only what the demographic minimum
        lets through. Only for HR, only for closed waves."""
        results = await wave_results(
            principal,
            public_id,
            settings=settings,
            language=current_language.get(),
            view="inclusion",
            with_inclusion=True,
            with_gap_trend=True,
        )
        return page(
            request,
            "results/inclusion.html",
            **_context(results),
            **inclusion_filters(results, demographic, unit, second, scale),
        )


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
        return await _department_page(request, public_id, department_code, principal, settings)


class OrganisationResultsController(Controller):
    """Everyone signed in: the organisation's results of closed waves."""

    path = "/results"
    opt = access(Rule.SIGNED_IN)

    @get("/", name="results:organisation", responses={**SIGN_IN_REQUIRED, **WAVE_RESPONSES})
    async def organisation(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        wave: WaveChoice = None,
    ) -> Template:
        waves = await organisation_waves()
        results = None
        if wave and wave not in {str(item.public_id) for item in waves}:
            raise WaveNotFound("unknown_wave", id=wave)  # open, scheduled or unknown
        if waves:
            results = await wave_results(
                principal,
                wave or str(waves[-1].public_id),
                settings=settings,
                language=current_language.get(),
                view="organisation",
                with_trend=True,
                organisation_only=True,
            )
        return page(
            request,
            "results/organisation.html",
            results=results,
            waves=waves,
            charts=charts,
            state_label=state_label,
        )


ROUTES = [WaveResultsController, TeamsController, OrganisationResultsController]
