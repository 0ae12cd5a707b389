"""Four eyes: the changes that wait for a second administrator, to approve or reject."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.accounts.approvals import approve, pending_changes, reject
from survey_app.admin.responses import CSRF_RESPONSE
from survey_app.core.errors import AppError
from survey_app.core.principal import Principal
from survey_app.web.access import Rule, access
from survey_app.web.pages import NOT_ADMIN_RESPONSE, html_response, page, see_other

RequestId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
DECISION_RESPONSES = {
    **CSRF_RESPONSE,
    400: html_response("The request id is out of range"),
    404: html_response("No request with this id"),
    403: html_response(
        "Not an administrator, the form is out of date (CSRF), or the administrator's own "
        "request or account (the approvals page again)"
    ),
    409: html_response("The request has already been decided, or its account is inactive"),
}


async def approvals_page(
    request: Request, *, status_code: int = 200, problems: list[str] | None = None, done: str = ""
) -> Template:
    return page(
        request,
        "admin/approvals.html",
        status_code=status_code,
        changes=await pending_changes(),
        problems=problems or [],
        done=done,
    )


class ApprovalsController(Controller):
    path = "/approvals"
    opt = access(Rule.ADMIN)

    @get("/", name="admin:approvals", responses=NOT_ADMIN_RESPONSE)
    async def list_changes(
        self, request: Request, done: Annotated[str, QueryParameter(max_length=20)] = ""
    ) -> Template:
        return await approvals_page(request, done=done)

    @post(
        "/{request_id:int}/approve",
        name="admin:approve",
        status_code=HTTP_303_SEE_OTHER,
        responses=DECISION_RESPONSES,
    )
    async def approve_change(
        self, request: Request, principal: NamedDependency[Principal], request_id: RequestId
    ) -> Template | Redirect:
        try:
            await approve(request_id, actor=principal.username)
        except AppError as error:
            if error.status == 404:
                raise
            return await approvals_page(
                request, status_code=error.status, problems=[error.message()]
            )
        return see_other(request, "admin:approvals", {"done": "approved"})

    @post(
        "/{request_id:int}/reject",
        name="admin:reject",
        status_code=HTTP_303_SEE_OTHER,
        responses=DECISION_RESPONSES,
    )
    async def reject_change(
        self, request: Request, principal: NamedDependency[Principal], request_id: RequestId
    ) -> Template | Redirect:
        try:
            await reject(request_id, actor=principal.username)
        except AppError as error:
            if error.status == 404:
                raise
            return await approvals_page(
                request, status_code=error.status, problems=[error.message()]
            )
        return see_other(request, "admin:approvals", {"done": "rejected"})
