"""HR's mail page of a wave: counts, failed addresses to correct, and the buttons that queue
invitations and reminders (each after a confirmation of how many)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import Parameter, PathParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import utc_now
from survey_app.core.errors import AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.mail.outbox import wave_mail
from survey_app.mail.service import pending, queue_invitations, queue_reminders
from survey_app.waves.service import WaveInfo, get_wave, state_label
from survey_app.web.access import Rule, access
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page, redirect_response, see_other

WaveId = Annotated[str, PathParameter(max_length=45)]
Confirm = Annotated[
    Literal["", "invitations", "reminders"], Parameter(query="confirm", required=False)
]
Done = Annotated[Literal["", "invitations", "reminders"], Parameter(query="done", required=False)]
Count = Annotated[int, Parameter(query="count", ge=0, le=10**7, required=False)]
PAGE_RESPONSES = {
    **SIGN_IN_REQUIRED,
    403: html_response("Signed in without the HR role"),
    404: html_response("No wave with this id"),
    400: html_response("The wave id or a query value is not valid"),
}
SEND_RESPONSES = {
    400: html_response("The wave id is not valid"),
    303: redirect_response("Queued: back to the mail page with the number queued"),
    403: html_response("Signed in without the HR role, or the form is out of date (CSRF)"),
    404: html_response("No wave with this id"),
    409: html_response("E-mail is not set up, or the wave is a draft or closed (the page again)"),
}


async def mail_page(
    request: Request,
    wave: WaveInfo,
    settings: Settings,
    *,
    confirm: str = "",
    done: str = "",
    count: int = 0,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Template:
    now = utc_now()
    return page(
        request,
        "mail/wave.html",
        status_code=status_code,
        wave=wave,
        state=wave.state(now),
        state_label=state_label,
        mail=await wave_mail(wave.id),
        pending=await pending(wave, settings),
        configured=settings.mail_configured,
        confirm=confirm,
        done=done,
        count=count,
        problems=problems or [],
    )


class WaveMailController(Controller):
    path = "/hr/waves/{public_id:str}/mail"
    opt = access(Rule.HR)

    @get("/", name="hr:wave_mail", responses=PAGE_RESPONSES)
    async def show(
        self,
        request: Request,
        public_id: WaveId,
        settings: NamedDependency[Settings],
        confirm: Confirm = "",
        done: Done = "",
        count: Count = 0,
    ) -> Template:
        wave = await get_wave(public_id)
        return await mail_page(request, wave, settings, confirm=confirm, done=done, count=count)

    @post(
        "/invitations",
        name="hr:wave_mail_invite",
        status_code=HTTP_303_SEE_OTHER,
        responses=SEND_RESPONSES,
    )
    async def send_invitations(
        self,
        request: Request,
        public_id: WaveId,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        return await _queue(request, public_id, settings, principal, "invitations")

    @post(
        "/reminders",
        name="hr:wave_mail_remind",
        status_code=HTTP_303_SEE_OTHER,
        responses=SEND_RESPONSES,
    )
    async def send_reminders(
        self,
        request: Request,
        public_id: WaveId,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        return await _queue(request, public_id, settings, principal, "reminders")


async def _queue(
    request: Request, public_id: str, settings: Settings, principal: Principal, kind: str
) -> Template | Redirect:
    wave = await get_wave(public_id)
    queue = queue_reminders if kind == "reminders" else queue_invitations
    try:
        queued = await queue(wave, settings=settings, now=utc_now(), actor=principal.username)
    except AppError as error:
        if error.status == 404:
            raise
        return await mail_page(
            request, wave, settings, problems=[error.message()], status_code=error.status
        )
    count = queued.reminders if kind == "reminders" else queued.invitations
    return see_other(
        request,
        "hr:wave_mail",
        {"done": kind, "count": str(count)},
        public_id=str(wave.public_id),
    )


ROUTES = [WaveMailController]
