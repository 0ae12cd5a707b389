"""Administrator pages: accounts and their roles, the anonymity thresholds, the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.auth import audit, thresholds
from survey_app.auth.accounts import (
    AccountError,
    adjust_scope,
    create_account,
    set_password,
    set_roles,
    storable,
    unlock,
)
from survey_app.auth.passwords import MIN_LENGTH, PasswordProblems
from survey_app.auth.sessions import (
    Principal,
    active_session_count,
    end_all_sessions,
    manager_scope,
)
from survey_app.i18n import _
from survey_app.organisation import load_tree
from survey_app.settings import Settings
from survey_app.tables import Account, Department, ScopeAdjustment
from survey_app.web.access import Rule, access, principal_of
from survey_app.web.auth import SIGN_IN_REQUIRED, expired_session_cookie
from survey_app.web.forms import FormValues, displayable, first, form_values
from survey_app.web.pages import html_response, page

USERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50
# More rows than an organisation's audit trail holds in years; a bound on one export.
AUDIT_EXPORT_LIMIT = 100_000
# Account ids are 32-bit serials: a larger number is simply not an account.
MAX_ACCOUNT_ID = 2**31 - 1
MAX_PAGE = 100_000

# Redirects carry no body. Anonymous visitors of a page are sent to sign in first.
DONE_REDIRECT = {
    303: ResponseSpec(
        data_container=None,
        description="Done: back to the page with a notice (not signed in: to the sign-in page)",
    )
}
CSRF_RESPONSE = {
    **DONE_REDIRECT,
    403: html_response("Not an administrator, or the form is out of date (CSRF)"),
}
NOT_ADMIN_RESPONSE = {
    **SIGN_IN_REQUIRED,
    400: html_response("A query parameter is too long or out of range"),
    403: html_response("Not an administrator"),
}
ACCOUNT_RESPONSES = {**NOT_ADMIN_RESPONSE, 404: html_response("No account with this id")}
ACCOUNT_FORM_RESPONSES = {
    **CSRF_RESPONSE,
    404: html_response("No account with this id"),
    422: html_response("The account page again, with what is wrong"),
}
FORM_RESPONSES = {**CSRF_RESPONSE, 422: html_response("The form again, with what is wrong")}
FILTER_RESPONSES = {**NOT_ADMIN_RESPONSE, 422: html_response("A filter is not a valid date")}


def administrator(request: Request) -> Principal:
    """The signed-in administrator (the route's access rule has already checked the role)."""
    principal = principal_of(request)
    assert principal is not None
    return principal


def checked(values: FormValues, name: str) -> bool:
    """A checkbox: browsers send the field only when it is ticked."""
    return bool(first(values, name, 10))


def flag(values: FormValues, name: str) -> bool | None:
    """A checkbox after a hidden field of the same name with value 0: the last value is
    the answer, and None means the form did not carry the field at all."""
    sent = values.get(name)
    return sent[-1] == "1" if sent else None


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_moment(moment: dt.datetime | None, settings: Settings, seconds: bool = False) -> str:
    """A moment as the organisation's clock shows it, e.g. ``28-11-2026 14:05``."""
    moment = aware(moment)
    if moment is None:
        return ""
    return moment.astimezone(settings.timezone).strftime(
        "%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M"
    )


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    total: int
    per_page: int

    @classmethod
    def of(cls, requested: int, total: int, per_page: int) -> Paging:
        pages = max(1, math.ceil(total / per_page))
        return cls(min(max(1, requested), pages), pages, total, per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.per_page)


def page_link(path: str, filters: dict[str, str], page_number: int) -> str:
    """A link to another page of a list, keeping the filters that are set."""
    query = {key: value for key, value in filters.items() if value}
    if page_number > 1:
        query["page"] = str(page_number)
    return path + ("?" + urlencode(query) if query else "")


# --- Overview -------------------------------------------------------------------------


def is_locked(row: dict[str, Any], now: dt.datetime) -> bool:
    until = aware(row["locked_until"])
    return until is not None and until > now


class AdminOverviewController(Controller):
    path = "/"
    opt = access(Rule.ADMIN)

    @get("/", name="admin:overview", responses=NOT_ADMIN_RESPONSE)
    async def overview(self, request: Request, settings: NamedDependency[Settings]) -> Template:
        rows = await Account.select(
            Account.active, Account.is_admin, Account.is_hr, Account.locked_until
        )
        now = dt.datetime.now(dt.UTC)
        return page(
            request,
            "admin/overview.html",
            accounts=len(rows),
            active=sum(1 for row in rows if row["active"]),
            administrators=sum(1 for row in rows if row["active"] and row["is_admin"]),
            hr=sum(1 for row in rows if row["active"] and row["is_hr"]),
            locked=sum(1 for row in rows if is_locked(row, now)),
            thresholds=await thresholds.current(settings),
        )


# --- Accounts --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSummary:
    """One line of the account list."""

    id: int
    username: str
    display_name: str
    employee_number: str | None
    scope_roots: tuple[str, ...]
    is_hr: bool
    is_admin: bool
    active: bool
    locked_until: str


def matches(query: str, *texts: str) -> bool:
    needle = query.casefold()
    return any(needle in text.casefold() for text in texts)


async def account_list(
    query: str, requested_page: int, settings: Settings
) -> tuple[list[AccountSummary], Paging]:
    """Accounts whose user name or name contains ``query``, one page of them.

    Filtered here rather than with LIKE: ``%`` and ``_`` in a search are ordinary
    characters, and case is ignored beyond ASCII on SQLite too. An organisation has
    thousands of accounts at most.
    """
    rows = await Account.select(
        Account.id,
        Account.username,
        Account.display_name,
        Account.employee,
        Account.employee.employee_number.as_alias("employee_number"),
        Account.is_hr,
        Account.is_admin,
        Account.active,
        Account.locked_until,
    ).order_by(Account.username)
    if query:
        rows = [row for row in rows if matches(query, row["username"], row["display_name"])]
    paging = Paging.of(requested_page, len(rows), USERS_PER_PAGE)
    now = dt.datetime.now(dt.UTC)
    summaries = []
    for row in rows[paging.offset : paging.offset + USERS_PER_PAGE]:
        _codes, roots = await manager_scope(row["id"], row["employee"])
        summaries.append(
            AccountSummary(
                id=row["id"],
                username=row["username"],
                display_name=row["display_name"],
                employee_number=row["employee_number"] if row["employee"] else None,
                scope_roots=roots,
                is_hr=row["is_hr"],
                is_admin=row["is_admin"],
                active=row["active"],
                locked_until=local_moment(row["locked_until"], settings)
                if is_locked(row, now)
                else "",
            )
        )
    return summaries, paging


def new_account_page(
    request: Request,
    *,
    status_code: int = 200,
    values: FormValues | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> Template:
    return page(
        request,
        "admin/user_new.html",
        status_code=status_code,
        values=displayable(values or {}),
        problems=problems or [],
        min_length=MIN_LENGTH,
    )


async def account_row(account_id: int) -> dict[str, Any]:
    """The account with its employee, or 404."""
    if not 1 <= account_id <= MAX_ACCOUNT_ID:
        raise NotFoundException()
    rows = await Account.select(
        Account.all_columns(),
        Account.employee.employee_number.as_alias("employee_number"),
        Account.employee.name.as_alias("employee_name"),
        Account.employee.is_manager.as_alias("employee_is_manager"),
        Account.employee.active.as_alias("employee_active"),
        Account.employee.department.as_alias("employee_department"),
    ).where(Account.id == account_id)
    if not rows:
        raise NotFoundException()
    return rows[0]


async def account_page(
    request: Request,
    settings: Settings,
    account_id: int,
    *,
    status_code: int = 200,
    problems: dict[str, list[str]] | None = None,
    scope_code: str = "",
    done: str = "",
) -> Template:
    """One account: facts, roles, manager scope, password, lock and sessions."""
    account = await account_row(account_id)
    has_password = bool(account.pop("password_hash"))
    tree = await load_tree()
    imported = None
    if (
        account["employee"] is not None
        and account["employee_is_manager"]
        and account["employee_active"]
    ):
        imported = tree.nodes.get(account["employee_department"])
    adjustments = [
        (tree.nodes[row["department"]], row["granted"])
        for row in await ScopeAdjustment.select(
            ScopeAdjustment.department, ScopeAdjustment.granted
        ).where(ScopeAdjustment.account == account_id)
        if row["department"] in tree.nodes
    ]
    _codes, roots = await manager_scope(account_id, account["employee"])
    departments = await Department.select(Department.code, Department.name).where(
        Department.active == True  # noqa: E712
    )
    principal = administrator(request)
    return page(
        request,
        "admin/user.html",
        status_code=status_code,
        account=account,
        is_self=account_id == principal.account_id,
        has_password=has_password,
        created=local_moment(account["created_at"], settings),
        locked_until=local_moment(account["locked_until"], settings)
        if is_locked(account, dt.datetime.now(dt.UTC))
        else "",
        employee_department=tree.nodes.get(account["employee_department"]),
        imported_scope=imported,
        adjustments=sorted(adjustments, key=lambda item: item[0].code),
        scope_roots=[tree.by_code(code) for code in roots],
        departments=sorted(departments, key=lambda row: row["code"]),
        sessions=await active_session_count(
            account_id,
            now=dt.datetime.now(dt.UTC),
            idle=settings.session_idle,
            absolute=settings.session_absolute,
        ),
        problems=problems or {},
        scope_code=scope_code,
        done=done,
        min_length=MIN_LENGTH,
    )


class AccountAdminController(Controller):
    path = "/users"
    opt = access(Rule.ADMIN)

    @get("/", name="admin:users", responses=NOT_ADMIN_RESPONSE)
    async def users(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        search: Annotated[str, QueryParameter(name="q", max_length=254)] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> Template:
        search = search.strip()
        summaries, paging = await account_list(search, page_number, settings)
        return page(
            request,
            "admin/users.html",
            accounts=summaries,
            paging=paging,
            query=search,
            previous_link=page_link("/admin/users", {"q": search}, paging.page - 1),
            next_link=page_link("/admin/users", {"q": search}, paging.page + 1),
        )

    @get("/new", name="admin:user_new", responses=NOT_ADMIN_RESPONSE)
    async def new_account(self, request: Request) -> Template:
        return new_account_page(request)

    @post(
        "/",
        name="admin:user_create",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM_RESPONSES,
    )
    async def create(self, request: Request) -> Template | Redirect:
        values = await form_values(request)
        sso_only = checked(values, "sso_only")
        fields = {
            "username": first(values, "username", 254),
            "display_name": first(values, "display_name", 200),
            "employee_number": first(values, "employee_number", 64),
            "password": first(values, "password", 1024),
        }
        problems = [
            (name, _("This field contains characters that cannot be typed."))
            for name, text in fields.items()
            if not storable(text)
        ]
        if not sso_only and not fields["password"]:
            problems.append(
                (
                    "password",
                    _(
                        "Enter an initial password, or choose that the account signs in "
                        "only with the organisation account."
                    ),
                )
            )
        if not problems:
            try:
                account_id = await create_account(
                    username=fields["username"],
                    display_name=fields["display_name"],
                    password=None if sso_only else fields["password"],
                    actor=administrator(request).username,
                    employee_number=fields["employee_number"],
                    is_hr=checked(values, "is_hr"),
                    is_admin=checked(values, "is_admin"),
                )
            except AccountError as error:
                problems.append(("", str(error)))
            except PasswordProblems as error:
                problems.extend(("password", message) for message in error.messages)
        if problems:
            return new_account_page(request, status_code=422, values=values, problems=problems)
        return see_other(f"/admin/users/{account_id}?done=created")

    @get("/{account_id:int}", name="admin:user", responses=ACCOUNT_RESPONSES)
    async def account(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        account_id: int,
        done: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return await account_page(request, settings, account_id, done=done)

    @post(
        "/{account_id:int}/roles",
        name="admin:user_roles",
        status_code=HTTP_303_SEE_OTHER,
        responses=ACCOUNT_FORM_RESPONSES,
    )
    async def roles(
        self, request: Request, settings: NamedDependency[Settings], account_id: int
    ) -> Template | Redirect:
        await account_row(account_id)
        values = await form_values(request)
        principal = administrator(request)
        is_hr, is_admin, active = (flag(values, name) for name in ("is_hr", "is_admin", "active"))
        try:
            if is_hr is None or is_admin is None or active is None:
                # Never read a missing field as "off": that would take roles away, or
                # deactivate the account, on a form that was cut short.
                raise AccountError(_("The form was incomplete; nothing was changed."))
            await set_roles(
                account_id,
                is_hr=is_hr,
                is_admin=is_admin,
                active=active,
                actor=principal.username,
                actor_id=principal.account_id,
            )
        except AccountError as error:
            return await account_page(
                request, settings, account_id, status_code=422, problems={"roles": [str(error)]}
            )
        return see_other(f"/admin/users/{account_id}?done=roles")

    @post(
        "/{account_id:int}/scope",
        name="admin:user_scope",
        status_code=HTTP_303_SEE_OTHER,
        responses=ACCOUNT_FORM_RESPONSES,
    )
    async def scope(
        self, request: Request, settings: NamedDependency[Settings], account_id: int
    ) -> Template | Redirect:
        await account_row(account_id)
        values = await form_values(request)
        code = first(values, "department", 64).strip()
        granted = first(values, "granted", 10)
        problems = []
        if not code:
            problems.append(_("Enter the code of a department."))
        elif not storable(code):
            problems.append(_("This field contains characters that cannot be typed."))
        if granted not in {"1", "0"}:
            problems.append(_("Choose whether to add or remove the department."))
        if not problems:
            try:
                principal = administrator(request)
                await adjust_scope(
                    account_id,
                    code,
                    granted=granted == "1",
                    actor=principal.username,
                    actor_id=principal.account_id,
                )
            except AccountError as error:
                problems.append(str(error))
        if problems:
            return await account_page(
                request,
                settings,
                account_id,
                status_code=422,
                problems={"scope": problems},
                scope_code=displayable({"code": [code]})["code"][0],
            )
        return see_other(f"/admin/users/{account_id}?done=scope")

    @post(
        "/{account_id:int}/password",
        name="admin:user_password",
        status_code=HTTP_303_SEE_OTHER,
        responses=ACCOUNT_FORM_RESPONSES,
    )
    async def password(
        self, request: Request, settings: NamedDependency[Settings], account_id: int
    ) -> Template | Redirect:
        await account_row(account_id)
        values = await form_values(request)
        principal = administrator(request)
        password = first(values, "password", 1024)
        try:
            if not storable(password):
                raise AccountError(_("This field contains characters that cannot be typed."))
            await set_password(
                account_id,
                password,
                actor=principal.username,
                own_change=False,
                # An administrator setting their own password here stays signed in.
                keep_session=principal.session_id if account_id == principal.account_id else None,
            )
        except AccountError as error:
            problems = [str(error)]
        except PasswordProblems as error:
            problems = error.messages
        else:
            return see_other(f"/admin/users/{account_id}?done=password")
        return await account_page(
            request, settings, account_id, status_code=422, problems={"password": problems}
        )

    @post(
        "/{account_id:int}/unlock",
        name="admin:user_unlock",
        status_code=HTTP_303_SEE_OTHER,
        responses={**CSRF_RESPONSE, 404: html_response("No account with this id")},
    )
    async def unlock_account(self, request: Request, account_id: int) -> Redirect:
        await account_row(account_id)
        await unlock(account_id, actor=administrator(request).username)
        return see_other(f"/admin/users/{account_id}?done=unlocked")

    @post(
        "/{account_id:int}/sign-out",
        name="admin:user_sign_out",
        status_code=HTTP_303_SEE_OTHER,
        responses={**CSRF_RESPONSE, 404: html_response("No account with this id")},
    )
    async def sign_out(
        self, request: Request, settings: NamedDependency[Settings], account_id: int
    ) -> Redirect:
        account = await account_row(account_id)
        principal = administrator(request)
        ended = await end_all_sessions(account_id)
        await audit.record(
            "account.sessions_ended",
            actor=principal.username,
            target=account["username"],
            sessions=ended,
        )
        if account_id == principal.account_id:
            return Redirect(
                "/sign-in?signed_out=1",
                status_code=HTTP_303_SEE_OTHER,
                cookies=[expired_session_cookie(settings)],
            )
        return see_other(f"/admin/users/{account_id}?done=signed_out")


# --- Settings ---------------------------------------------------------------------------


async def settings_page(
    request: Request,
    settings: Settings,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    done: str = "",
) -> Template:
    current = await thresholds.current(settings)
    shown = {key: str(getattr(current, key)) for key in thresholds.KEYS}
    shown.update(values or {})
    return page(
        request,
        "admin/settings.html",
        status_code=status_code,
        values=shown,
        problems=problems or {},
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
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        values = await form_values(request)
        posted = {key: first(values, key, 20) for key in thresholds.KEYS}
        parsed: dict[str, int] = {}
        problems: dict[str, str] = {}
        for key, text in posted.items():
            try:
                # Only ASCII digits: str.isdigit() also accepts "²", which int() cannot read.
                parsed[key] = thresholds.parse(text if text.isascii() else "")
            except thresholds.ThresholdError as error:
                problems[key] = str(error)
        if problems:
            shown = displayable({key: [text] for key, text in posted.items()})
            return await settings_page(
                request,
                settings,
                status_code=422,
                values={key: items[0] for key, items in shown.items()},
                problems=problems,
            )
        actor = administrator(request).username
        changed = [
            await thresholds.change(settings, key, value, actor=actor)
            for key, value in parsed.items()
        ]
        return see_other("/admin/settings?done=" + ("saved" if any(changed) else "unchanged"))


# --- Audit trail ------------------------------------------------------------------------


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
    }


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

    def bounds(self, settings: Settings) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The dates as UTC moments: from the start of ``since`` to the end of ``until``,
        both days as the organisation's clock counts them."""

        def start_of(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(), settings.timezone).astimezone(dt.UTC)

        return (
            start_of(self.since) if self.since else None,
            start_of(self.until + dt.timedelta(days=1)) if self.until else None,
        )

    async def search(
        self, settings: Settings, *, limit: int, offset: int = 0
    ) -> tuple[list[audit.AuditRecord], int]:
        since, until = self.bounds(settings)
        return await audit.search(
            action=self.action,
            actor=self.actor,
            target=self.target,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )


def parse_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def audit_filters(
    action: str, actor: str, target: str, since: str, until: str
) -> tuple[AuditFilters, dict[str, str]]:
    """The filters of the audit page, and a message for each one that cannot be used."""
    problems: dict[str, str] = {}
    days: dict[str, dt.date | None] = {"from": None, "to": None}
    for key, text in (("from", since), ("to", until)):
        if text.strip():
            try:
                days[key] = parse_day(text)
            except ValueError:
                problems[key] = _("Enter a date as day, month and year.")
    if days["from"] and days["to"] and days["from"] > days["to"]:
        problems["to"] = _("The end date is before the start date.")
    return AuditFilters(
        action=action if action in audit.ACTIONS else "",
        actor=actor,
        target=target,
        since=days["from"] if not problems else None,
        until=days["to"] if not problems else None,
    ), problems


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula (a failed sign-in
    records whatever user name was typed)."""
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


ActionQuery = Annotated[str, QueryParameter(name="action", max_length=64)]
ActorQuery = Annotated[str, QueryParameter(name="actor", max_length=254)]
TargetQuery = Annotated[str, QueryParameter(name="target", max_length=300)]
FromQuery = Annotated[str, QueryParameter(name="from", max_length=20)]
ToQuery = Annotated[str, QueryParameter(name="to", max_length=20)]


async def audit_page(
    request: Request, settings: Settings, typed: dict[str, str], page_number: int
) -> Template:
    filters, problems = audit_filters(**typed)
    offset = (page_number - 1) * AUDIT_PER_PAGE
    records, total = await filters.search(settings, limit=AUDIT_PER_PAGE, offset=offset)
    paging = Paging.of(page_number, total, AUDIT_PER_PAGE)
    if paging.offset != offset:  # a page past the end: show the last one
        records, total = await filters.search(settings, limit=AUDIT_PER_PAGE, offset=paging.offset)
    query = filters.query()
    return page(
        request,
        "admin/audit.html",
        status_code=422 if problems else 200,
        records=[
            (
                local_moment(record.occurred_at, settings, seconds=True),
                record,
                details_text(record.details),
            )
            for record in records
        ],
        paging=paging,
        # What was typed stays in the form, even a date that could not be read.
        typed=typed,
        problems=problems,
        labels=action_labels(),
        actions=audit.ACTIONS,
        previous_link=page_link("/admin/audit", query, paging.page - 1),
        next_link=page_link("/admin/audit", query, paging.page + 1),
        export_link=page_link("/admin/audit.csv", query, 1),
        timezone=str(settings.timezone),
    )


def audit_csv(records: list[audit.AuditRecord], settings: Settings) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["occurred_at", "actor", "action", "target", "details"])
    for record in records:
        writer.writerow(
            [
                local_moment(record.occurred_at, settings, seconds=True),
                csv_cell(record.actor),
                record.action,
                csv_cell(record.target),
                csv_cell(details_text(record.details)),
            ]
        )
    # With a byte order mark, spreadsheet programs read the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


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
        filters, problems = audit_filters(**typed)
        if problems:
            shown = await audit_page(request, settings, typed, 1)
            shown.media_type = MediaType.HTML  # not the route's text/csv
            return shown
        records, _total = await filters.search(settings, limit=AUDIT_EXPORT_LIMIT)
        return Response(
            audit_csv(records, settings),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
        )


admin_router = Router(
    path="/admin",
    route_handlers=[
        AdminOverviewController,
        AccountAdminController,
        SettingsController,
        AuditTrailController,
    ],
)
