"""The audit trail for administrators: filter, page through and export the records."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from survey_app import audit
from survey_app.core.clock import day_start, local_moment
from survey_app.core.csvfile import spreadsheet_csv
from survey_app.core.errors import N_
from survey_app.core.i18n import _
from survey_app.core.settings import Settings
from survey_app.web.access import Rule, access
from survey_app.web.forms import Day, Form, FormData
from survey_app.web.pages import NOT_ADMIN_RESPONSE, html_response, page, url
from survey_app.web.paging import MAX_PAGE, Paging

AUDIT_PER_PAGE = 50
# More rows than an organisation's audit trail holds in years; a bound on one export.
AUDIT_EXPORT_LIMIT = 100_000
FILTER_RESPONSES = {**NOT_ADMIN_RESPONSE, 422: html_response("A filter is not a valid date")}


def action_labels() -> dict[str, str]:
    """What each audit action means, in the reader's language."""
    return {
        "sign_in.success": _("Signed in"),
        "sign_in.failure": _("Sign-in failed"),
        "sign_in.locked": _("Account locked after failed sign-ins"),
        "sign_out": _("Signed out"),
        "sign_out.everywhere": _("Signed out everywhere"),
        "password.changed": _("Own password changed"),
        "account.created": _("Account created"),
        "account.linked": _("Linked to an organisation account"),
        "account.roles_changed": _("Roles changed"),
        "account.scope_changed": _("Manager scope changed"),
        "account.password_reset": _("Password set by an administrator"),
        "account.unlocked": _("Account unlocked"),
        "account.sessions_ended": _("Sessions ended by an administrator"),
        "setting.changed": _("Setting changed"),
        "results.viewed": _("Results viewed"),
        "change.requested": _("Change requested, waiting for a second administrator"),
        "change.approved": _("Change approved by a second administrator"),
        "change.rejected": _("Change rejected or withdrawn"),
        "wave.created": _("Wave created"),
        "wave.edited": _("Draft wave edited"),
        "wave.published": _("Wave published"),
        "wave.opened": _("Wave opened early"),
        "wave.rescheduled": _("Last day of a wave moved"),
        "wave.closed": _("Wave closed"),
        "wave.questionnaire_changed": _("Questionnaire of a draft wave changed"),
        "mail.invitations_queued": _("Invitations queued for e-mail"),
        "mail.reminders_queued": _("Reminders queued for e-mail"),
        "quickscan.planned": _("Quick Scan planned"),
        "quickscan.round_started": _("Quick Scan round started"),
        "quickscan.prepared": _("Quick Scan self-assessment saved"),
        "quickscan.held": _("Quick Scan talk recorded"),
        "quickscan.confirmed": _("Quick Scan confirmed by the employee"),
        "quickscan.deleted": _("Planned Quick Scan cancelled"),
        "quickscan.granted": _("Quick Scan shared with a later manager"),
        "quickscan.revoked": _("Quick Scan no longer shared with a later manager"),
        "quickscan.viewed": _("Quick Scan opened by a manager"),
        "quickscan.downloaded": _("Own Quick Scan data downloaded"),
        "quickscan.purged": _("Quick Scans past the retention period deleted"),
        "quickscan.reminded": _("Quick Scan follow-up reminders sent"),
        "quickscan.figures_viewed": _("Quick Scan figures viewed"),
    }


def result_views() -> dict[str, str]:
    """The pages, exports and commands a view of results is recorded as (``page``)."""
    return {
        "overview": _("overview of a wave (heatmap and response rates)"),
        "department": _("results of a department"),
        "themes": _("themes in comments"),
        "organisation": _("results for everyone"),
        "export_csv": _("export as CSV"),
        "export_xlsx": _("export as Excel workbook"),
        "export_pdf": _("report as PDF"),
        "wave_status": _("response rates on the command line"),
        "score_report": _("score report on the command line"),
    }


def readable_details(action: str, details: dict[str, Any]) -> str:
    """A record's details as a reader wants them: the view of results in words, any other
    details as ``key=value``."""
    if action == "results.viewed" and set(details) == {"page"}:
        views = result_views()
        return _("Seen as: {view}").format(view=views.get(details["page"], details["page"]))
    return details_text(details)


def value_text(value: Any) -> str:
    """A detail value as text: words as they are, anything else as JSON."""
    if isinstance(value, str) and value and not any(char in value for char in ' ="\n\t'):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def details_text(details: dict[str, Any], prefix: str = "") -> str:
    """``before.admin=false after.admin=true``: nested records flattened with dots."""
    parts = []
    for key in sorted(details):
        value = details[key]
        if isinstance(value, dict) and value:
            parts.append(details_text(value, f"{prefix}{key}."))
        else:
            parts.append(f"{prefix}{key}={value_text(value)}")
    return " ".join(parts)


class AuditFilterForm(Form):
    """The dates of the filter (the other filters are free text)."""

    since = Day()
    until = Day()
    messages: ClassVar[dict[str, str]] = {
        "end_before_start": N_("The end date is before the start date."),
    }


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def query(self) -> dict[str, str]:
        return {
            "action": self.action,
            "actor": self.actor,
            "target": self.target,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }

    async def search(
        self, settings: Settings, *, limit: int, offset: int = 0
    ) -> tuple[list[audit.AuditRecord], int]:
        """Matching records, the dates counted from the start of ``since`` to the end of
        ``until`` as the organisation's clock counts them."""
        return await audit.search(
            action=self.action,
            actor=self.actor,
            target=self.target,
            since=day_start(self.since, settings.timezone) if self.since else None,
            until=day_start(self.until + dt.timedelta(days=1), settings.timezone)
            if self.until
            else None,
            limit=limit,
            offset=offset,
        )


def audit_filters(
    action: str, actor: str, target: str, since: str, until: str
) -> tuple[AuditFilters, FormData]:
    """The filters of the audit page, and what is wrong with the dates (if anything)."""
    form = AuditFilterForm.read({"since": [since], "until": [until]})
    if form.ok and form["since"] and form["until"] and form["since"] > form["until"]:
        form.add("end_before_start", field="until")
    return AuditFilters(
        action=action if action in audit.ACTIONS else "",
        actor=actor,
        target=target,
        since=form["since"] if form.ok else None,
        until=form["until"] if form.ok else None,
    ), form


ActionQuery = Annotated[str, QueryParameter(name="action", max_length=64)]
ActorQuery = Annotated[str, QueryParameter(name="actor", max_length=254)]
TargetQuery = Annotated[str, QueryParameter(name="target", max_length=300)]
FromQuery = Annotated[str, QueryParameter(name="from", max_length=20)]
ToQuery = Annotated[str, QueryParameter(name="to", max_length=20)]


async def audit_page(
    request: Request, settings: Settings, typed: dict[str, str], page_number: int
) -> Template:
    filters, form = audit_filters(**typed)
    offset = (page_number - 1) * AUDIT_PER_PAGE
    records, total = await filters.search(settings, limit=AUDIT_PER_PAGE, offset=offset)
    paging = Paging.of(page_number, total, AUDIT_PER_PAGE)
    if paging.offset != offset:  # a page past the end: show the last one
        records, total = await filters.search(settings, limit=AUDIT_PER_PAGE, offset=paging.offset)
    query = filters.query()
    names = {"since": "from", "until": "to"}
    return page(
        request,
        "audit/trail.html",
        status_code=200 if form.ok else 422,
        records=[
            (
                local_moment(record.occurred_at, settings.timezone, seconds=True),
                record,
                readable_details(record.action, record.details),
            )
            for record in records
        ],
        paging=paging,
        # What was typed stays in the form, even a date that could not be read.
        typed=typed,
        problems={names[name]: messages[0] for name, messages in form.by_field().items()},
        labels=action_labels(),
        actions=audit.ACTIONS,
        previous_link=url(request, "admin:audit", _page(query, paging.page - 1)),
        next_link=url(request, "admin:audit", _page(query, paging.page + 1)),
        export_link=url(request, "admin:audit_export", query),
        timezone=str(settings.timezone),
    )


def _page(query: dict[str, str], number: int) -> dict[str, str]:
    return {**query, "page": str(number) if number > 1 else ""}


def audit_csv(records: list[audit.AuditRecord], settings: Settings) -> bytes:
    return spreadsheet_csv(
        ["occurred_at", "actor", "action", "target", "details"],
        (
            [
                local_moment(record.occurred_at, settings.timezone, seconds=True),
                record.actor,
                record.action,
                record.target,
                details_text(record.details),
            ]
            for record in records
        ),
    )


class AuditTrailController(Controller):
    path = "/"
    opt = access(Rule.ADMIN)

    @get("/audit", name="admin:audit", responses=FILTER_RESPONSES)
    async def trail(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        action: ActionQuery = "",
        actor: ActorQuery = "",
        target: TargetQuery = "",
        since: FromQuery = "",
        until: ToQuery = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> Template:
        typed = {"action": action, "actor": actor, "target": target}
        return await audit_page(
            request, settings, {**typed, "since": since, "until": until}, page_number
        )

    @get(
        "/audit.csv",
        name="admin:audit_export",
        media_type="text/csv",
        responses=FILTER_RESPONSES,
    )
    async def export(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        action: ActionQuery = "",
        actor: ActorQuery = "",
        target: TargetQuery = "",
        since: FromQuery = "",
        until: ToQuery = "",
    ) -> Response[bytes] | Template:
        """The filtered records as a spreadsheet file, times in the organisation's zone."""
        typed = {"action": action, "actor": actor, "target": target}
        typed.update(since=since, until=until)
        filters, form = audit_filters(**typed)
        if not form.ok:
            shown = await audit_page(request, settings, typed, 1)
            shown.media_type = MediaType.HTML  # not the route's text/csv
            return shown
        records, _total = await filters.search(settings, limit=AUDIT_EXPORT_LIMIT)
        return Response(
            audit_csv(records, settings),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
        )


ROUTES = [AuditTrailController]
