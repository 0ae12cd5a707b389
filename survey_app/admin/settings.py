"""The anonymity thresholds an administrator may change, and the sign-in settings in force."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.admin.responses import FORM_RESPONSES
from survey_app.core.errors import AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.waves import thresholds
from survey_app.web.access import Rule, access
from survey_app.web.forms import Form, FormData, WholeNumber, form_values
from survey_app.web.pages import NOT_ADMIN_RESPONSE, page, see_other


class ThresholdsForm(Form):
    min_group_size = WholeNumber(minimum=thresholds.MINIMUM, maximum=thresholds.MAXIMUM)
    min_comment_group_size = WholeNumber(minimum=thresholds.MINIMUM, maximum=thresholds.MAXIMUM)
    min_demographic_group_size = WholeNumber(minimum=thresholds.MINIMUM, maximum=thresholds.MAXIMUM)


async def settings_page(
    request: Request,
    settings: Settings,
    *,
    status_code: int = 200,
    form: FormData | None = None,
    done: str = "",
) -> Template:
    current = await thresholds.current(settings)
    shown = {key: str(getattr(current, key)) for key in thresholds.KEYS}
    problems: dict[str, str] = {}
    if form is not None:
        shown.update(form.typed)
        problems = {name: messages[0] for name, messages in form.by_field().items()}
    return page(
        request,
        "admin/settings.html",
        status_code=status_code,
        values=shown,
        problems=problems,
        done=done,
        minimum=thresholds.MINIMUM,
        maximum=thresholds.MAXIMUM,
        # Only what the page shows: the settings also hold secrets.
        idle_minutes=settings.session_idle_minutes,
        absolute_hours=settings.session_absolute_hours,
        oidc_enabled=settings.oidc_enabled,
        local_sign_in=settings.local_sign_in,
    )


class SettingsController(Controller):
    path = "/settings"
    opt = access(Rule.ADMIN)

    @get("/", name="admin:settings", responses=NOT_ADMIN_RESPONSE)
    async def view(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        done: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return await settings_page(request, settings, done=done)

    @post(
        "/",
        name="admin:settings_change",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM_RESPONSES,
    )
    async def change(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        form = ThresholdsForm.read(await form_values(request))
        if form.ok:
            try:
                changed = await thresholds.change_all(
                    settings,
                    {key: form[key] for key in thresholds.KEYS},
                    actor=principal.username,
                )
            except AppError as error:
                field = (
                    "min_demographic_group_size"
                    if error.code == "demographic_below_group"
                    else "min_comment_group_size"
                )
                form.add_error(error, field=field)
        if not form.ok:
            return await settings_page(request, settings, status_code=422, form=form)
        return see_other(request, "admin:settings", {"done": "saved" if changed else "unchanged"})
