"""HR's page for code slips: choose a department and a number, get the sheet (a PDF or a
printable page). The codes exist only in that one answer (`waves.codes`)."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, ClassVar

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Template

from survey_app.core.errors import N_, AppError
from survey_app.core.i18n import current_language
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.waves.code_sheet import sheet_context, sheet_pdf
from survey_app.waves.codes import MAX_CODES, code_departments, issue_codes
from survey_app.waves.controllers import HR_ONLY
from survey_app.waves.service import WaveInfo, get_wave
from survey_app.web.access import Rule, access
from survey_app.web.forms import Choice, FieldProblem, Form, Text, form_values
from survey_app.web.pages import html_response, page

WaveId = Annotated[str, PathParameter(max_length=45)]
PDF = "application/pdf"
CODE_RESPONSES = {
    **HR_ONLY,
    400: html_response("The wave id is not valid"),
    404: html_response("Unknown wave"),
    422: html_response("The form again, with what is wrong"),
}


class CodeCount(Text):
    """How many codes: empty for the default (the department's invitees without e-mail)."""

    def read(self, name: str, values) -> int | None:
        text = super().read(name, values)
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_CODES:
            raise FieldProblem("whole_number", minimum=1, maximum=MAX_CODES)
        return int(text)


class CodesForm(Form):
    department = Text(max_length=64, strip=True, required="department_required")
    count = CodeCount(max_length=10, strip=True)
    format = Choice(frozenset({"pdf", "html"}), problem="format_required")
    messages: ClassVar[dict[str, str]] = {
        "department_required": N_("Choose a department."),
        "format_required": N_("Choose a PDF or a page to print."),
    }


async def codes_page(
    request: Request,
    wave: WaveInfo,
    settings: Settings,
    *,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> Template:
    return page(
        request,
        "waves/codes.html",
        status_code=status_code,
        wave=wave,
        departments=await code_departments(wave, settings),
        typed=typed or {"format": "pdf"},
        problems=problems or [],
        max_codes=MAX_CODES,
    )


class CodeSlipController(Controller):
    path = "/hr/waves/{public_id:str}/codes"
    opt = access(Rule.HR)

    @get("/", name="hr:wave_codes", media_type=MediaType.HTML, responses=CODE_RESPONSES)
    async def codes(
        self, request: Request, public_id: WaveId, settings: NamedDependency[Settings]
    ) -> Template:
        return await codes_page(request, await get_wave(public_id), settings)

    @post("/", name="hr:wave_codes_print", status_code=200, responses=CODE_RESPONSES)
    async def print_codes(
        self,
        request: Request,
        public_id: WaveId,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Response:
        wave = await get_wave(public_id)
        form = CodesForm.read(await form_values(request))
        issued = None
        if form.ok:
            try:
                issued = await issue_codes(
                    wave,
                    form["department"],
                    form["count"],
                    settings=settings,
                    actor=principal.username,
                )
            except AppError as error:
                form.add_error(error, field="department")
        if issued is None:
            return await codes_page(
                request,
                wave,
                settings,
                status_code=422,
                typed=form.typed,
                problems=form.messages(),
            )
        if form["format"] == "html":
            return page(request, "waves/code_sheet.html", **sheet_context(issued, settings))
        # WeasyPrint takes a while for a large sheet: not on the event loop.
        pdf = await asyncio.to_thread(sheet_pdf, issued, current_language.get(), settings=settings)
        name = re.sub(r"[^A-Za-z0-9-]+", "-", issued.department_code).strip("-") or "codes"
        return Response(
            pdf,
            media_type=PDF,
            headers={"Content-Disposition": f'attachment; filename="codes-{name}.pdf"'},
        )


ROUTES = [CodeSlipController]
