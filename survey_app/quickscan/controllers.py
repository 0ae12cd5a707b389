"""The Quick Scan pages of a conversation: the employee's own list and data download, the
conversation page (the self-assessment, the manager's preparation and talk form, the
record), and the employee's actions (answers, reaction and confirmation, grants).

Who may read or change a conversation is decided by the service alone
(`survey_app.quickscan.access`): anyone else gets the same 404 as for an unknown id. The
manager's actions are in `manager_controllers.py`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import local_day, utc_now
from survey_app.core.errors import AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.quickscan import service
from survey_app.quickscan.forms import (
    AGREEMENT_ROWS,
    SHARE_PREFIX,
    Checked,
    DoneForm,
    GrantForm,
    agreement_fields,
    checked_field,
    read_confirm,
    read_self_assessment,
)
from survey_app.quickscan.service import Viewer
from survey_app.tables.conversations import CONFIRMED, HELD, OWNERS, PLANNED
from survey_app.web.access import Rule, access
from survey_app.web.forms import FormData, form_values
from survey_app.web.pages import (
    SIGN_IN_REQUIRED,
    html_response,
    page,
    redirect_response,
)
from surveys import load_quickscan, medical_terms

ConversationId = Annotated[str, Parameter(max_length=64, description="The conversation's id")]
PAGE = {
    **SIGN_IN_REQUIRED,
    400: html_response("The conversation's id is too long"),
    404: html_response("Unknown, or not a conversation you may read"),
}
FORM = {
    400: html_response("The conversation's id is too long"),
    303: redirect_response("Saved: back to the conversation (not signed in: to sign in)"),
    403: html_response("Not an action of yours on this conversation, or an old form (CSRF)"),
    404: html_response("Unknown, or not a conversation you may read"),
    422: html_response("The form again, with what is wrong and everything typed"),
}
# The page's sections a form returns to.
ANCHORS = {"assess": "self-assessment", "talk": "talk", "confirm": "confirm"}


def today_of(settings: Settings):
    return local_day(utc_now(), settings.timezone)


def assessment_typed(conversation: service.Conversation) -> dict[str, str]:
    """The self-assessment form filled in with what was saved; every share box ticked on a
    new form (the self-assessment is there to prepare the talk)."""
    fresh = conversation.status == PLANNED and not conversation.answers
    typed: dict[str, str] = {}
    for question in load_quickscan().questions:
        key = question.key
        value = conversation.answers.get(key)
        typed[key] = "" if value is None else str(value)
        typed[SHARE_PREFIX + key] = "1" if fresh or key in conversation.shared else ""
    return typed


def talk_typed(conversation: service.Conversation, today) -> tuple[dict[str, str], int]:
    """The talk form filled in with the record so far (a talk may be corrected until the
    employee confirms), and its number of agreement rows."""
    typed = {
        "held_on": (conversation.held_on or today).isoformat(),
        "summary": conversation.summary,
        "follow_up_on": conversation.follow_up_on.isoformat() if conversation.follow_up_on else "",
    }
    rows = max(AGREEMENT_ROWS, len(conversation.agreements) + 1)
    for index, agreement in enumerate(conversation.agreements):
        text_name, owner_name, due_name = agreement_fields(index)
        typed[text_name] = agreement.text
        typed[owner_name] = agreement.owner
        typed[due_name] = agreement.due_on.isoformat() if agreement.due_on else ""
    return typed, rows


async def conversation_page(
    request: Request,
    principal: Principal,
    settings: Settings,
    public_id: str,
    *,
    status_code: int = 200,
    form_name: str = "",
    checked: Checked | None = None,
    typed: dict[str, str] | None = None,
    rows: int | None = None,
) -> Template:
    """The conversation as its reader sees it; ``form_name`` names the form that comes back
    with ``checked``'s problems, warnings and typed values."""
    today = today_of(settings)
    conversation = await service.get(Viewer.of(principal), public_id, today=today)
    forms: dict[str, dict[str, Any]] = {
        "assess": {"typed": assessment_typed(conversation)},
        "confirm": {"typed": {"reaction": conversation.reaction}},
    }
    talk, talk_rows = talk_typed(conversation, today)
    forms["talk"] = {"typed": talk, "rows": talk_rows}
    for name, each in forms.items():
        each.update(name=name, errors={}, warnings={}, problems=[], medical_checked=False)
    if form_name and checked is not None:
        forms[form_name] = {
            "name": form_name,
            "typed": typed if typed is not None else checked.form.typed,
            "rows": rows if rows is not None else forms.get(form_name, {}).get("rows"),
            "errors": checked.form.by_field(),
            "warnings": checked.warnings,
            "problems": checked.form.messages(),
            "medical_checked": checked.medical_checked,
        }
    return page(
        request,
        "quickscan/conversation.html",
        status_code=status_code,
        conversation=conversation,
        quickscan=load_quickscan(),
        forms=forms,
        owners=OWNERS,
        done=request.query_params.get("done", "")[:20],
        today=today,
    )


# Which field of the talk form a service's refusal belongs to.
REFUSAL_FIELDS = {
    "date_in_future": "held_on",
    "follow_up_before_talk": "follow_up_on",
    "date_in_past": "follow_up_on",
    "date_out_of_range": "follow_up_on",
    "already_held": "",
}


def refuse(checked: Checked, error: AppError) -> None:
    """A service's refusal, shown with the form (answers' problems at their question)."""
    checked.form.add_error(error, field=REFUSAL_FIELDS.get(error.code, ""))


def back(request: Request, public_id: str, done: str, anchor: str = "") -> Redirect:
    path = request.app.route_reverse("quickscan:conversation", public_id=public_id)
    return Redirect(
        f"{path}?done={done}" + (f"#{anchor}" if anchor else ""), status_code=HTTP_303_SEE_OTHER
    )


class QuickScanController(Controller):
    """Everyone with an employee record: their own conversations; a manager: those they hold."""

    path = "/quickscan"
    opt = access(Rule.SIGNED_IN)

    @get("/", name="quickscan:home", responses=SIGN_IN_REQUIRED)
    async def home(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        today = today_of(settings)
        viewer = Viewer.of(principal)
        own = await service.for_employee(viewer, today=today) if principal.is_employee else []
        return page(
            request,
            "quickscan/home.html",
            conversations=own,
            to_fill=[item for item in own if item.status in ("planned", "prepared")],
            to_confirm=[item for item in own if item.status == HELD],
            earlier=[item for item in own if item.status == CONFIRMED],
            is_manager=principal.is_manager,
            quickscan=load_quickscan(),
        )

    @get(
        "/my-data.json",
        name="quickscan:download",
        responses={**SIGN_IN_REQUIRED, 200: redirect_response("Your conversations, as JSON")},
    )
    async def download(self, principal: NamedDependency[Principal]) -> Response:
        data = await service.own_data(Viewer.of(principal))
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2, default=str),
            media_type="application/json; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="quickscan-my-data.json"',
                "Cache-Control": "no-store",
            },
        )

    @post(
        "/check-text",
        name="quickscan:check-text",
        status_code=200,
        responses={**SIGN_IN_REQUIRED, 403: html_response("An old form (CSRF)")},
    )
    async def check_text(self, request: Request) -> Template:
        """htmx: the medical warning of one free-text field (empty when there is none)."""
        name, text = checked_field(await form_values(request))
        return page(
            request,
            "quickscan/_medical.html",
            name=name,
            words=medical_terms(text) if text else (),
            live=True,
        )

    @get("/{public_id:str}", name="quickscan:conversation", responses=PAGE)
    async def conversation(
        self,
        request: Request,
        public_id: ConversationId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template:
        return await conversation_page(request, principal, settings, public_id)

    @post(
        "/{public_id:str}/self-assessment",
        name="quickscan:assess",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def assess(
        self,
        request: Request,
        public_id: ConversationId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        checked, assessment = read_self_assessment(load_quickscan(), await form_values(request))
        if checked.ok:
            try:
                await service.save_self_assessment(
                    Viewer.of(principal),
                    public_id,
                    assessment.answers,
                    assessment.shared,
                    now=utc_now(),
                )
            except service.QuickScanInvalid as error:
                refuse(checked, error)
        if not checked.ok:
            return await conversation_page(
                request, principal, settings, public_id, status_code=422,
                form_name="assess", checked=checked,
            )  # fmt: skip
        return back(request, public_id, "prepared")

    @post(
        "/{public_id:str}/confirm",
        name="quickscan:confirm",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def confirm(
        self,
        request: Request,
        public_id: ConversationId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        checked, reaction = read_confirm(await form_values(request))
        if checked.ok:
            try:
                await service.confirm(
                    Viewer.of(principal), public_id, reaction=reaction, now=utc_now()
                )
            except service.QuickScanInvalid as error:
                refuse(checked, error)
        if not checked.ok:
            return await conversation_page(
                request, principal, settings, public_id, status_code=422,
                form_name="confirm", checked=checked,
            )  # fmt: skip
        return back(request, public_id, "confirmed")

    @post(
        "/{public_id:str}/agreements/{agreement_id:int}",
        name="quickscan:agreement",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def agreement(
        self,
        request: Request,
        public_id: ConversationId,
        agreement_id: int,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        form = DoneForm.read(await form_values(request))
        if not form.ok:
            return await small_form_problem(request, principal, settings, public_id, form)
        await service.mark_agreement(
            Viewer.of(principal), public_id, agreement_id, form["done"] == "1", now=utc_now()
        )
        return back(request, public_id, "agreement", "agreements")

    @post(
        "/{public_id:str}/grant",
        name="quickscan:grant",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM,
    )
    async def grant(
        self,
        request: Request,
        public_id: ConversationId,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        form = GrantForm.read(await form_values(request))
        manager = form["manager"] or ""
        if not form.ok or not (manager.isascii() and manager.isdigit()):
            return await small_form_problem(request, principal, settings, public_id, form)
        viewer, now = Viewer.of(principal), utc_now()
        if form["allow"] == "1":
            await service.grant(viewer, public_id, int(manager), now=now)
        else:
            await service.revoke(viewer, public_id, int(manager), now=now)
        return back(request, public_id, "granted" if form["allow"] == "1" else "revoked", "grants")


async def small_form_problem(
    request: Request, principal: Principal, settings: Settings, public_id: str, form: FormData
) -> Template:
    """A button's form arrived incomplete: the page again with the problem (never a change)."""
    checked = Checked(form)
    if form.ok:
        form.add("incomplete")
    return await conversation_page(
        request, principal, settings, public_id, status_code=422, form_name="small",
        checked=checked, typed={},
    )  # fmt: skip


ROUTES = [QuickScanController]
