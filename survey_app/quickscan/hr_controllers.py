"""HR's Quick Scan page (/hr/quickscan): the gated figures per department and per quarter
(`survey_app.quickscan.aggregates`), and the form that starts a round of Quick Scans for a
department (`service.start_round`). HR never sees a conversation, only these figures.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import local_day, utc_now
from survey_app.core.errors import N_
from survey_app.core.i18n import current_language
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.tree import DepartmentTree, load_tree
from survey_app.quickscan import service
from survey_app.quickscan.aggregates import quickscan_figures
from survey_app.results import charts
from survey_app.web.access import Rule, access
from survey_app.web.forms import Day, Form, FormData, Text, form_values
from survey_app.web.pages import SIGN_IN_REQUIRED, html_response, page, redirect_response, see_other
from surveys import load_quickscan

HR_ONLY = {
    **SIGN_IN_REQUIRED,
    400: html_response("A count in the query is too long"),
    403: html_response("Signed in without the HR role"),
}
HR_FORM = {
    303: redirect_response("Round started: back to the page with the counts"),
    403: html_response("Signed in without the HR role, or the form is out of date (CSRF)"),
    422: html_response("The page again, with what is wrong in the round form"),
}
# The counts a started round shows after its redirect: digits only, anything else ignored
# (a number too large for the page's query is a 400, documented).
Count = Annotated[str | None, QueryParameter(max_length=7, required=False)]


def _count(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() else 0


# Short column headings for the topics (the questions are in the legend below the table).
TOPIC_LABELS = {
    "qs_energy": N_("Energy"),
    "qs_workload": N_("Workload"),
    "qs_enjoyment": N_("Enjoyment"),
    "qs_autonomy": N_("Autonomy"),
    "qs_collaboration": N_("Collaboration"),
    "qs_manager_support": N_("Support"),
    "qs_development": N_("Development"),
    "qs_balance": N_("Balance"),
    "work_ability": N_("Work ability"),
}


class RoundForm(Form):
    department = Text(max_length=64, strip=True, required="department_required")
    due_on = Day()
    messages: ClassVar[dict[str, str]] = {
        "department_required": N_("Choose a department."),
        "due_required": N_("Enter the day by which the talks should have been held."),
    }


def department_choices(tree: DepartmentTree) -> list[tuple[str, str, int]]:
    """(code, name, depth) of every active department, in tree order."""
    found: list[tuple[str, str, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in tree.children(parent):
            if node.active:
                found.append((node.code, node.name, depth))
                walk(node.id, depth + 1)

    walk(None, 0)
    return found


async def hr_page(
    request: Request,
    settings: Settings,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: list[tuple[str, str]] | None = None,
    typed: dict[str, str] | None = None,
    started: dict[str, int] | None = None,
) -> Template:
    today = local_day(utc_now(), settings.timezone)
    overview = await quickscan_figures(today=today, settings=settings, actor=principal.username)
    form = load_quickscan()
    language = current_language.get()
    topics = [
        {
            "key": key,
            "label": TOPIC_LABELS.get(key, key),
            "text": form.question(key).text(language),
            "scale": (form.question(key).min_value, form.question(key).max_value),
        }
        for key in overview.topics
    ]
    return page(
        request,
        "quickscan/hr_figures.html",
        status_code=status_code,
        overview=overview,
        topics=topics,
        charts=charts,
        departments=department_choices(await load_tree()),
        problems=problems or [],
        typed=typed or {"department": "", "due_on": ""},
        started=started,
        today=today,
    )


class HRQuickScanController(Controller):
    path = "/hr/quickscan"
    opt = access(Rule.HR)

    @get("/", name="hr:quickscan", responses=HR_ONLY)
    async def figures(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        planned: Count = None,
        without_manager: Count = None,
        already_open: Count = None,
    ) -> Template:
        started = None
        if planned is not None and planned.isascii() and planned.isdigit():
            started = {
                "planned": _count(planned),
                "without_manager": _count(without_manager),
                "already_open": _count(already_open),
            }
        return await hr_page(request, settings, principal, started=started)

    @post("/rounds", name="hr:quickscan-round", status_code=HTTP_303_SEE_OTHER, responses=HR_FORM)
    async def start_round(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
    ) -> Template | Redirect:
        form: FormData = RoundForm.read(await form_values(request))
        if form.ok and form["due_on"] is None:
            form.add("due_required", field="due_on")
        result: Any = None
        if form.ok:
            try:
                result = await service.start_round(
                    principal.username, form["department"], due_on=form["due_on"], now=utc_now()
                )
            except service.QuickScanInvalid as error:
                field = "department" if error.code == "unknown_department" else "due_on"
                form.add_error(error, field=field)
        if not form.ok:
            return await hr_page(
                request,
                settings,
                principal,
                status_code=422,
                problems=[(f"round-{name}", message) for name, message in form.messages()],
                typed=form.typed,
            )
        return see_other(
            request,
            "hr:quickscan",
            {
                "planned": str(result.planned),
                "without_manager": str(result.skipped_without_manager),
                "already_open": str(result.skipped_open),
            },
        )


ROUTES = [HRQuickScanController]
