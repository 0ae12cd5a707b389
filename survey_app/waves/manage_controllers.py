"""A wave's page for HR (/hr/waves/<id>/manage): its state, period, departments and
questions, and the actions its state allows, each a form that posts and comes back here:
edit a draft, publish, open now, move the last day, close (after a confirmation page),
plan the next wave. A change the wave's state no longer allows is the page again, 409,
with the reason; the services write every change to the audit trail.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import utc_now
from survey_app.core.errors import N_, AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.waves import schedule, self_identification
from survey_app.waves.choosing import wave_departments
from survey_app.waves.composing import questionnaire
from survey_app.waves.controllers import (
    HR_FORM,
    HR_ONLY,
    add_wave_error,
    chosen_self_identification,
    read_wave_form,
    wave_form_context,
)
from survey_app.waves.service import WaveInfo, WaveState, get_wave, state_label
from survey_app.web.access import Rule, access
from survey_app.web.forms import Day, Form, FormData, WholeNumber, form_values
from survey_app.web.pages import html_response, page, see_other

# Any text: what is not the id of a wave is 404 (`get_wave`).
PublicId = str
WAVE_PAGE = {
    **HR_ONLY,
    400: html_response("A query parameter is too long"),
    404: html_response("No wave with this id"),
}
WAVE_ACTION = {
    **HR_FORM,
    404: html_response("No wave with this id"),
    409: html_response("The wave's page again: its state does not allow this (any more)"),
}
MAX_MONTHS_AHEAD = 24


class LastDayForm(Form):
    closes_on = Day()
    messages: ClassVar[dict[str, str]] = {"closes_required": N_("Enter the last day.")}


class NextWaveForm(Form):
    months = WholeNumber(minimum=1, maximum=MAX_MONTHS_AHEAD)


async def manage_page(
    request: Request,
    settings: Settings,
    wave: WaveInfo,
    *,
    status_code: int = 200,
    problems: dict[str, list[tuple[str, str]]] | None = None,
    typed: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    done: str = "",
    kept: dict[str, str] | None = None,
) -> Template:
    """The wave's page; ``problems`` per section (edit, self_id, publish, open, extend,
    close, next),
    each a list of (field, message); ``typed``/``chosen`` what the edit form showed,
    ``kept`` what the last-day or next-wave form showed (``closes_on``, ``months``)."""
    now = utc_now()
    departments = await wave_departments(wave)
    first = schedule.first_day(wave, settings.timezone)
    last = schedule.last_day(wave, settings.timezone)
    if typed is None:
        typed = {"title": wave.title, "opens_on": first.isoformat(), "closes_on": last.isoformat()}
    if chosen is None:
        chosen = [department.code for department in departments]
    state = wave.state(now)
    asked = await questionnaire(wave)
    return page(
        request,
        "waves/manage.html",
        status_code=status_code,
        wave=wave,
        state=state.value,
        state_text=state_label(state),
        first_day=first,
        last_day=last,
        departments=departments,
        questions=asked.items,
        self_id_asked=asked.template.self_identification,
        self_id_offered=self_identification.offered(wave.template_key),
        problems=problems or {},
        done=done,
        kept={"closes_on": last.isoformat(), "months": str(schedule.NEXT_WAVE_MONTHS)}
        | (kept or {}),
        max_months=MAX_MONTHS_AHEAD,
        **await wave_form_context(typed, chosen),
    )


def refusal(error: AppError) -> list[tuple[str, str]]:
    return [("", error.message())]


def back(request: Request, wave: WaveInfo, done: str) -> Redirect:
    return see_other(request, "hr:wave_manage", {"done": done}, public_id=str(wave.public_id))


class WaveManageController(Controller):
    path = "/hr/waves/{public_id:str}"
    opt = access(Rule.HR)

    @get("/manage", name="hr:wave_manage", responses=WAVE_PAGE)
    async def manage(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        public_id: PublicId,
        done: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return await manage_page(request, settings, await get_wave(public_id), done=done)

    @post("/edit", name="hr:wave_edit", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def edit(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        form, codes = read_wave_form(await form_values(request), with_template=False)
        status = 422
        if form.ok:
            try:
                await schedule.edit_draft(
                    wave,
                    title=form["title"],
                    opens_on=form["opens_on"],
                    closes_on=form["closes_on"],
                    department_codes=codes,
                    timezone=settings.timezone,
                    actor=principal.username,
                )
            except AppError as error:
                add_wave_error(form, error)
                status = error.status
        if not form.ok:
            return await manage_page(
                request,
                settings,
                wave,
                status_code=status,
                problems={"edit": form.messages()},
                typed=form.typed,
                chosen=codes,
            )
        return back(request, wave, "edited")

    @post(
        "/self-identification",
        name="hr:wave_self_identification",
        status_code=HTTP_303_SEE_OTHER,
        responses=WAVE_ACTION,
    )
    async def choose_self_identification(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        keys = chosen_self_identification(await form_values(request))

        async def action() -> None:
            await self_identification.change(wave, keys, actor=principal.username)

        return await self._act(request, settings, wave, "self_id", action)

    async def _act(
        self,
        request: Request,
        settings: Settings,
        wave: WaveInfo,
        section: str,
        action,
        kept: dict[str, str] | None = None,
    ) -> Template | Redirect:
        try:
            await action()
        except AppError as error:
            return await manage_page(
                request,
                settings,
                wave,
                status_code=error.status,
                problems={section: refusal(error)},
                kept=kept,
            )
        return back(request, wave, section)

    @post("/publish", name="hr:wave_publish", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def publish(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)

        async def action() -> None:
            await schedule.publish(wave, now=utc_now(), actor=principal.username)

        return await self._act(request, settings, wave, "publish", action)

    @post("/open", name="hr:wave_open", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def open(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)

        async def action() -> None:
            await schedule.open_now(wave, now=utc_now(), actor=principal.username)

        return await self._act(request, settings, wave, "open", action)

    @post("/extend", name="hr:wave_extend", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def extend(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        form: FormData = LastDayForm.read(await form_values(request))
        if form.ok and form["closes_on"] is None:
            form.add("closes_required", field="extend-closes_on")
        if not form.ok:
            messages = [("extend-closes_on", message) for _field, message in form.messages()]
            return await manage_page(
                request,
                settings,
                wave,
                status_code=422,
                problems={"extend": messages},
                kept={"closes_on": form.typed["closes_on"]},
            )

        async def action() -> None:
            await schedule.change_last_day(
                wave,
                form["closes_on"],
                now=utc_now(),
                timezone=settings.timezone,
                actor=principal.username,
            )

        return await self._act(
            request, settings, wave, "extend", action, kept={"closes_on": form.typed["closes_on"]}
        )

    @get("/close", name="hr:wave_close_confirm", responses=WAVE_PAGE)
    async def close_confirm(
        self, request: Request, settings: NamedDependency[Settings], public_id: PublicId
    ) -> Template:
        wave = await get_wave(public_id)
        state = wave.state(utc_now())
        return page(
            request,
            "waves/close.html",
            wave=wave,
            closable=state in (WaveState.SCHEDULED, WaveState.OPEN),
            state_text=state_label(state),
            last_day=schedule.last_day(wave, settings.timezone),
        )

    @post("/close", name="hr:wave_close", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def close(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)

        async def action() -> None:
            await schedule.close(wave, now=utc_now(), actor=principal.username)

        return await self._act(request, settings, wave, "close", action)

    @post("/next", name="hr:wave_next", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def plan_next(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        public_id: PublicId,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        form: FormData = NextWaveForm.read(await form_values(request))
        if not form.ok:
            messages = [("next-months", message) for _field, message in form.messages()]
            return await manage_page(
                request,
                settings,
                wave,
                status_code=422,
                problems={"next": messages},
                kept={"months": form.typed["months"]},
            )
        try:
            planned = await schedule.plan_next(
                wave, timezone=settings.timezone, actor=principal.username, months=form["months"]
            )
        except AppError as error:
            return await manage_page(
                request, settings, wave, status_code=error.status, problems={"next": refusal(error)}
            )
        return back(request, planned, "planned")


ROUTES = [WaveManageController]
