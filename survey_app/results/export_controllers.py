"""Downloads of a wave's results (CSV, XLSX, PDF) for HR and for managers: the same door,
the same access rules as the results pages, one audit record per file."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from survey_app.core.clock import local_today
from survey_app.core.i18n import current_language
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.results.controllers import (
    DEPARTMENT_CODE_MAX_LENGTH,
    HR_ONLY,
    NOT_THEIR_DEPARTMENT,
    WAVE_RESPONSES,
    DepartmentCode,
    WaveId,
)
from survey_app.results.exports import FORMATS, export, file_name
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED

DepartmentQuery = Annotated[
    str | None, QueryParameter(name="department", max_length=DEPARTMENT_CODE_MAX_LENGTH)
]


def file_response(export_format: str) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the download (the handler's own 200)."""
    return {
        200: ResponseSpec(
            data_container=bytes,
            media_type=FORMATS[export_format].media_type,
            description="The file, as an attachment",
            generate_examples=False,
        )
    }


async def download(
    principal: Principal,
    settings: Settings,
    public_id: str,
    export_format: str,
    department_code: str | None,
) -> Response[bytes]:
    results, content = await export(
        principal,
        public_id,
        export_format,
        department_code,
        settings=settings,
        language=current_language.get(),
    )
    name = file_name(results, export_format, local_today(settings.timezone))
    return Response(
        content,
        media_type=FORMATS[export_format].media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


HR_EXPORT_RESPONSES = {**HR_ONLY, **WAVE_RESPONSES}
TEAM_EXPORT_RESPONSES = {**SIGN_IN_REQUIRED, **NOT_THEIR_DEPARTMENT, **WAVE_RESPONSES}


class WaveExportController(Controller):
    """HR: the whole organisation, or one department's subtree with ``?department=``."""

    path = "/hr/waves"
    opt = access(Rule.HR)

    @get(
        "/{public_id:str}/export.csv",
        name="hr:export_csv",
        media_type=FORMATS["csv"].media_type,
        responses={**HR_EXPORT_RESPONSES, **file_response("csv")},
    )
    async def csv(
        self,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        department: DepartmentQuery = None,
    ) -> Response[bytes]:
        return await download(principal, settings, public_id, "csv", department)

    @get(
        "/{public_id:str}/export.xlsx",
        name="hr:export_xlsx",
        media_type=FORMATS["xlsx"].media_type,
        responses={**HR_EXPORT_RESPONSES, **file_response("xlsx")},
    )
    async def xlsx(
        self,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        department: DepartmentQuery = None,
    ) -> Response[bytes]:
        return await download(principal, settings, public_id, "xlsx", department)

    @get(
        "/{public_id:str}/export.pdf",
        name="hr:export_pdf",
        media_type=FORMATS["pdf"].media_type,
        responses={**HR_EXPORT_RESPONSES, **file_response("pdf")},
    )
    async def pdf(
        self,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        department: DepartmentQuery = None,
    ) -> Response[bytes]:
        return await download(principal, settings, public_id, "pdf", department)


class TeamExportController(Controller):
    """Managers: a department of their scope and everything below it (HR: any)."""

    path = "/teams"
    opt = access(Rule.MANAGER)

    @get(
        "/{department_code:str}/waves/{public_id:str}/export.csv",
        name="teams:export_csv",
        media_type=FORMATS["csv"].media_type,
        responses={**TEAM_EXPORT_RESPONSES, **file_response("csv")},
    )
    async def csv(
        self,
        department_code: DepartmentCode,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        return await download(principal, settings, public_id, "csv", department_code)

    @get(
        "/{department_code:str}/waves/{public_id:str}/export.xlsx",
        name="teams:export_xlsx",
        media_type=FORMATS["xlsx"].media_type,
        responses={**TEAM_EXPORT_RESPONSES, **file_response("xlsx")},
    )
    async def xlsx(
        self,
        department_code: DepartmentCode,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        return await download(principal, settings, public_id, "xlsx", department_code)

    @get(
        "/{department_code:str}/waves/{public_id:str}/export.pdf",
        name="teams:export_pdf",
        media_type=FORMATS["pdf"].media_type,
        responses={**TEAM_EXPORT_RESPONSES, **file_response("pdf")},
    )
    async def pdf(
        self,
        department_code: DepartmentCode,
        public_id: WaveId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        return await download(principal, settings, public_id, "pdf", department_code)


ROUTES = [WaveExportController, TeamExportController]
