"""HR's pages for survey waves: the list of waves, and a new wave (a draft) from a survey
template, with its title, days and departments chosen from the tree.

The wave's own page and its actions are in `manage_controllers.py`, its questionnaire in
`questionnaire_controllers.py`; the preview is `responding/preview_controllers.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import local_day, utc_now
from survey_app.core.errors import N_, AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.tree import load_tree
from survey_app.waves.choosing import department_choices, shipped_templates
from survey_app.waves.self_identification import offered_anywhere, template_asking
from survey_app.waves.service import WaveError, create_wave, list_waves, state_label
from survey_app.web.access import Rule, access
from survey_app.web.forms import Day, Form, FormData, FormValues, Text, form_values
from survey_app.web.pages import (
    SIGN_IN_REQUIRED,
    html_response,
    page,
    redirect_response,
    see_other,
)

HR_ONLY = {**SIGN_IN_REQUIRED, 403: html_response("Signed in without the HR role")}
HR_FORM = {
    303: redirect_response("Done: on to the wave's page (not signed in: to the sign-in page)"),
    403: html_response("Signed in without the HR role, or the form is out of date (CSRF)"),
    422: html_response("The form again, with what is wrong"),
}
# How long a new wave runs by default, from a week from today.
DEFAULT_START_DAYS = 7
DEFAULT_LENGTH_DAYS = 14
DEPARTMENTS_FIELD = "departments"
SELF_ID_FIELD = "self_identification"
# Which form field a service's refusal belongs to.
ERROR_FIELDS = {
    "title_required": "title",
    "closes_before_opening": "closes_on",
    "no_departments": DEPARTMENTS_FIELD,
    "unknown_department": DEPARTMENTS_FIELD,
    "unknown_template": "template",
    "unknown_self_identification": SELF_ID_FIELD,
    "no_self_identification": SELF_ID_FIELD,
}


class WaveForm(Form):
    """A wave's title, first and last day (and, on a new wave, its survey)."""

    template = Text(max_length=64, strip=True, required="template_required")
    title = Text(max_length=200, strip=True, required="title_required")
    opens_on = Day()
    closes_on = Day()
    messages: ClassVar[dict[str, str]] = {
        "template_required": N_("Choose a survey."),
        "title_required": N_("A wave needs a title."),
        "opens_required": N_("Enter the first day."),
        "closes_required": N_("Enter the last day."),
    }


def read_wave_form(values: FormValues, *, with_template: bool) -> tuple[FormData, list[str]]:
    """The form's typed values and problems, and the department codes ticked."""
    form = WaveForm.read(values if with_template else {**values, "template": ["-"]})
    if form["opens_on"] is None and not any(p.field == "opens_on" for p in form.problems):
        form.add("opens_required", field="opens_on")
    if form["closes_on"] is None and not any(p.field == "closes_on" for p in form.problems):
        form.add("closes_required", field="closes_on")
    codes = [code.strip() for code in values.get(DEPARTMENTS_FIELD, []) if code.strip()]
    return form, list(dict.fromkeys(code[:64] for code in codes))[:1000]


def chosen_self_identification(values: FormValues) -> list[str]:
    """The self-identification categories ticked (at most a few dozen, short keys)."""
    return [key.strip()[:64] for key in values.get(SELF_ID_FIELD, [])[:100] if key.strip()]


def add_wave_error(form: FormData, error: AppError) -> None:
    form.add_error(
        error, field=ERROR_FIELDS.get(error.code, "") if isinstance(error, WaveError) else ""
    )


async def wave_form_context(typed: dict[str, str], chosen: list[str]) -> dict:
    """What the wave form (templates/waves/_wave_fields.html) shows."""
    return {
        "typed": typed,
        "choices": department_choices(await load_tree(), set(chosen)),
    }


async def new_wave_page(
    request: Request,
    *,
    status_code: int = 200,
    typed: dict[str, str],
    chosen: list[str],
    problems: list[tuple[str, str]] | None = None,
    self_id_checked: list[str] | None = None,
) -> Template:
    return page(
        request,
        "waves/new.html",
        status_code=status_code,
        templates=shipped_templates(),
        problems=problems or [],
        self_id_categories=offered_anywhere(),
        self_id_checked=self_id_checked or [],
        **await wave_form_context(typed, chosen),
    )


class WaveListController(Controller):
    path = "/hr/waves"
    opt = access(Rule.HR)

    @get("/", name="hr:waves", responses=HR_ONLY)
    async def waves(self, request: Request) -> Template:
        now = utc_now()
        return page(
            request,
            "waves/list.html",
            waves=[(wave, wave.state(now)) for wave in await list_waves()],
            state_label=state_label,
        )

    @get("/new", name="hr:wave_new", responses=HR_ONLY)
    async def new(self, request: Request, settings: NamedDependency[Settings]) -> Template:
        today = local_day(utc_now(), settings.timezone)
        opens = today + dt.timedelta(days=DEFAULT_START_DAYS)
        typed = {
            "template": shipped_templates()[0].key,
            "title": "",
            "opens_on": opens.isoformat(),
            "closes_on": (opens + dt.timedelta(days=DEFAULT_LENGTH_DAYS - 1)).isoformat(),
        }
        return await new_wave_page(request, typed=typed, chosen=[])

    @post("/", name="hr:wave_create", status_code=HTTP_303_SEE_OTHER, responses=HR_FORM)
    async def create(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        values = await form_values(request)
        form, codes = read_wave_form(values, with_template=True)
        self_id = chosen_self_identification(values)
        if form.ok:
            try:
                wave = await create_wave(
                    title=form["title"],
                    template_key=form["template"],
                    template=template_asking(form["template"], self_id),
                    department_codes=codes,
                    opens_on=form["opens_on"],
                    closes_on=form["closes_on"],
                    timezone=settings.timezone,
                    draft=True,
                    actor=principal.username,
                )
            except AppError as error:
                add_wave_error(form, error)
        if not form.ok:
            return await new_wave_page(
                request,
                status_code=422,
                typed=form.typed,
                chosen=codes,
                problems=form.messages(),
                self_id_checked=self_id,
            )
        return see_other(
            request, "hr:wave_manage", {"done": "created"}, public_id=str(wave.public_id)
        )


ROUTES = [WaveListController]
