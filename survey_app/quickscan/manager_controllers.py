"""The manager's Quick Scan pages: the team page (the people they lead, their conversations,
due follow-ups, planning a new one) and the manager's actions on a conversation (recording
the talk, marking the follow-up done, cancelling a talk that has not been held).

The service decides every action: only the manager who holds a conversation may change it;
anyone who may not read it gets a 404.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import utc_now
from survey_app.core.errors import AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.quickscan import service
from survey_app.quickscan.controllers import (
    FORM,
    ConversationId,
    back,
    conversation_page,
    refuse,
    today_of,
)
from survey_app.quickscan.forms import PlanForm, read_talk
from survey_app.quickscan.people import direct_reports
from survey_app.quickscan.service import AgreementInput, Viewer
from survey_app.web.access import Rule, access
from survey_app.web.forms import FormData, form_values
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page, see_other

MANAGERS_ONLY = {**SIGN_IN_REQUIRED, 403: html_response("Signed in, but not a manager")}
# Which field of the plan form a service's refusal belongs to.
PLAN_FIELDS = {"not_a_report": "employee", "already_open": "employee", "date_in_past": "talk_on"}


class ConversationManagerController(Controller):
    """The manager's actions on one conversation."""

    path = "/quickscan"
    opt = access(Rule.SIGNED_IN)

    @post(
        "/{public_id:str}/talk",
        name="quickscan:talk",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def talk(
        self,
        request: Request,
        public_id: ConversationId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        checked, talk = read_talk(await form_values(request))
        if talk.add_row:
            # One more empty row, nothing saved; the problems wait for the real submit.
            checked.form.problems.clear()
            return await conversation_page(
                request, principal, settings, public_id,
                form_name="talk", checked=checked, rows=talk.rows,
            )  # fmt: skip
        if checked.ok:
            try:
                await service.record_talk(
                    Viewer.of(principal),
                    public_id,
                    held_on=checked.form["held_on"],
                    summary=talk.summary,
                    agreements=[
                        AgreementInput(text=row.text, owner=row.owner, due_on=row.due_on)
                        for row in talk.agreements
                    ],
                    follow_up_on=checked.form["follow_up_on"],
                    now=utc_now(),
                )
            except service.QuickScanInvalid as error:
                refuse(checked, error)
        if not checked.ok:
            return await conversation_page(
                request, principal, settings, public_id, status_code=422,
                form_name="talk", checked=checked, rows=talk.rows,
            )  # fmt: skip
        return back(request, public_id, "held")

    @post(
        "/{public_id:str}/followed-up",
        name="quickscan:followed-up",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def followed_up(
        self, request: Request, public_id: ConversationId, principal: NamedDependency[Principal]
    ) -> Redirect:
        await service.mark_followed_up(Viewer.of(principal), public_id, now=utc_now())
        return back(request, public_id, "followed-up")

    @post(
        "/{public_id:str}/delete",
        name="quickscan:delete",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def delete(
        self, request: Request, public_id: ConversationId, principal: NamedDependency[Principal]
    ) -> Redirect:
        await service.delete_planned(Viewer.of(principal), public_id, now=utc_now())
        return see_other(request, "quickscan:team", {"done": "deleted"})


async def team_page(
    request: Request,
    principal: Principal,
    settings: Settings,
    *,
    status_code: int = 200,
    plan: FormData | None = None,
    plan_for: str = "",
) -> Template:
    overview = await service.for_manager(Viewer.of(principal), today=today_of(settings))
    return page(
        request,
        "quickscan/team.html",
        status_code=status_code,
        overview=overview,
        plan_for=plan_for,
        plan_typed=plan.typed if plan else {},
        plan_errors=plan.by_field() if plan else {},
        problems=plan.messages() if plan else [],
        done=request.query_params.get("done", "")[:20],
    )


class TeamQuickScanController(Controller):
    """A manager's team: the people they lead, with their Quick Scan conversations."""

    path = "/team/quickscan"
    opt = access(Rule.MANAGER)

    @get("/", name="quickscan:team", responses=MANAGERS_ONLY)
    async def team(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        return await team_page(request, principal, settings)

    @post(
        "/",
        name="quickscan:plan",
        status_code=HTTP_303_SEE_OTHER,
        responses={**MANAGERS_ONLY, 422: html_response("The team page with what is wrong")},
    )
    async def plan(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        form = PlanForm.read(await form_values(request))
        viewer = Viewer.of(principal)
        if form.ok:
            reports = await direct_reports(viewer.employee_id) if viewer.employee_id else []
            chosen = [person for person in reports if person.employee_number == form["employee"]]
            if not chosen:
                form.add("not_a_report", field="employee")
        if form.ok:
            try:
                public_id = await service.plan(
                    viewer, chosen[0].id, talk_on=form["talk_on"], now=utc_now()
                )
            except AppError as error:
                if not isinstance(error, service.QuickScanInvalid):
                    raise
                form.add_error(error, field=PLAN_FIELDS.get(error.code, ""))
        if not form.ok:
            return await team_page(
                request, principal, settings, status_code=422, plan=form,
                plan_for=form.typed.get("employee", ""),
            )  # fmt: skip
        return back(request, public_id, "planned")


ROUTES = [ConversationManagerController, TeamQuickScanController]
