"""HR's upload of the organisation file: the same reading, checks and all-or-nothing import
as ``survey-app org import`` (`organisation.parsing.parse_org_csv`, `.importing.apply_org_plan`).

Here rather than in `organisation/`, which sits below the audit trail that records each
upload; HR keeps the organisation up to date for its waves."""

from __future__ import annotations

import dataclasses

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Template

from survey_app import audit
from survey_app.core.clock import local_today
from survey_app.core.i18n import _
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.csvformat import OrgImportError, file_problem
from survey_app.organisation.importing import SUMMARY_LABELS, ImportSummary, apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page

# The largest file the page takes: about 50,000 employees. The command line takes larger.
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# The request may be somewhat larger, so that a file just too large gets its own message.
UPLOAD_REQUEST_MAX_BYTES = 2 * UPLOAD_MAX_BYTES

UPLOAD_RESPONSES = {
    **SIGN_IN_REQUIRED,
    403: html_response("Signed in without the HR role, or the form lacks its CSRF token"),
    413: html_response("The request is larger than the page accepts"),
    422: html_response("The file was rejected: every problem by line; nothing changed"),
}


def summary_lines(summary: ImportSummary) -> list[tuple[str, int]]:
    return [(_(SUMMARY_LABELS.get(name, name)), count) for name, count in vars(summary).items()]


def upload_page(request: Request, status_code: int = 200, **context: object) -> Template:
    context = {"problems": [], "summary": None, "file_name": "", **context}
    return page(
        request,
        "waves/organisation.html",
        status_code=status_code,
        max_megabytes=UPLOAD_MAX_BYTES // 1024 // 1024,
        **context,
    )


async def uploaded_file(request: Request) -> UploadFile | None:
    form = await request.form()
    upload = form.get("file")
    return upload if isinstance(upload, UploadFile) else None


class OrganisationController(Controller):
    path = "/hr/organisation"
    opt = access(Rule.HR)

    @get("/", name="hr:organisation", media_type=MediaType.HTML, responses=UPLOAD_RESPONSES)
    async def organisation(self, request: Request) -> Template:
        return upload_page(request)

    @post(
        "/",
        name="hr:organisation_upload",
        status_code=200,
        responses=UPLOAD_RESPONSES,
        request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
    )
    async def upload(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template:
        upload = await uploaded_file(request)
        if upload is None or not upload.filename:
            return upload_page(
                request, status_code=422, problems=[(None, _("Choose the organisation file."))]
            )
        data = await upload.read(UPLOAD_MAX_BYTES + 1)
        try:
            if len(data) > UPLOAD_MAX_BYTES:
                raise file_problem(
                    None,
                    "file_too_large",
                    size=f"> {UPLOAD_MAX_BYTES / 1024 / 1024:.0f}",
                    maximum=UPLOAD_MAX_BYTES // 1024 // 1024,
                )
            summary = await apply_org_plan(parse_org_csv(data), local_today(settings.timezone))
        except OrgImportError as error:
            return upload_page(
                request,
                status_code=422,
                file_name=upload.filename,
                problems=[(problem.line, error.text(problem)) for problem in error.problems],
            )
        await audit.record(
            "organisation.imported",
            principal.username,
            upload.filename,
            **dataclasses.asdict(summary),
        )
        return upload_page(request, summary=summary_lines(summary), file_name=upload.filename)


ROUTES = [OrganisationController]
