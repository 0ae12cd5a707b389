"""Reading accounts for administrators: the list with roles and scopes, one account in
full, and the counts on the overview. Nothing here changes an account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from survey_app.accounts.sessions import active_session_count, manager_scope
from survey_app.core.clock import aware_or_none, local_moment, utc_now
from survey_app.core.errors import N_, NotFound
from survey_app.organisation.tree import DepartmentNode, load_tree
from survey_app.tables.identity import Account, Department, ScopeAdjustment

# Account ids are 32-bit serials: a larger number is simply not an account.
MAX_ACCOUNT_ID = 2**31 - 1


class AccountNotFound(NotFound):
    messages: ClassVar[dict[str, str]] = {"no_such_account": N_("No such account.")}


def is_locked(row: dict[str, Any], now: dt.datetime) -> bool:
    until = aware_or_none(row["locked_until"])
    return until is not None and until > now


@dataclass(frozen=True)
class AccountCounts:
    accounts: int
    active: int
    administrators: int
    hr: int
    locked: int


async def account_counts(now: dt.datetime) -> AccountCounts:
    rows = await Account.select(
        Account.active, Account.is_admin, Account.is_hr, Account.locked_until
    )
    return AccountCounts(
        accounts=len(rows),
        active=sum(1 for row in rows if row["active"]),
        administrators=sum(1 for row in rows if row["active"] and row["is_admin"]),
        hr=sum(1 for row in rows if row["active"] and row["is_hr"]),
        locked=sum(1 for row in rows if is_locked(row, now)),
    )


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


async def matching_accounts(query: str) -> list[dict[str, Any]]:
    """Accounts whose user name or name contains ``query``, by user name.

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
    return rows


async def summaries(rows: list[dict[str, Any]], timezone: dt.tzinfo) -> list[AccountSummary]:
    """The rows of `matching_accounts` with each manager's departments."""
    now = utc_now()
    found = []
    for row in rows:
        _codes, roots = await manager_scope(row["id"], row["employee"])
        found.append(
            AccountSummary(
                id=row["id"],
                username=row["username"],
                display_name=row["display_name"],
                employee_number=row["employee_number"] if row["employee"] else None,
                scope_roots=roots,
                is_hr=row["is_hr"],
                is_admin=row["is_admin"],
                active=row["active"],
                locked_until=local_moment(row["locked_until"], timezone)
                if is_locked(row, now)
                else "",
            )
        )
    return found


async def account_row(account_id: int) -> dict[str, Any]:
    """The account with its employee; `AccountNotFound` when there is none."""
    if not 1 <= account_id <= MAX_ACCOUNT_ID:
        raise AccountNotFound("no_such_account")
    rows = await Account.select(
        Account.all_columns(),
        Account.employee.employee_number.as_alias("employee_number"),
        Account.employee.name.as_alias("employee_name"),
        Account.employee.is_manager.as_alias("employee_is_manager"),
        Account.employee.active.as_alias("employee_active"),
        Account.employee.department.as_alias("employee_department"),
    ).where(Account.id == account_id)
    if not rows:
        raise AccountNotFound("no_such_account")
    return rows[0]


@dataclass(frozen=True)
class AccountDetails:
    """One account as an administrator sees it (never its password hash)."""

    account: dict[str, Any]
    has_password: bool
    created: str
    locked_until: str
    employee_department: DepartmentNode | None
    imported_scope: DepartmentNode | None
    adjustments: list[tuple[DepartmentNode, bool]]
    scope_roots: list[DepartmentNode | None]
    departments: list[dict[str, Any]]  # active departments, for adding to a scope
    sessions: int


async def account_details(
    account_id: int,
    *,
    timezone: dt.tzinfo,
    idle: dt.timedelta,
    absolute: dt.timedelta,
) -> AccountDetails:
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
    now = utc_now()
    return AccountDetails(
        account=account,
        has_password=has_password,
        created=local_moment(account["created_at"], timezone),
        locked_until=local_moment(account["locked_until"], timezone)
        if is_locked(account, now)
        else "",
        employee_department=tree.nodes.get(account["employee_department"]),
        imported_scope=imported,
        adjustments=sorted(adjustments, key=lambda item: item[0].code),
        scope_roots=[tree.by_code(code) for code in roots],
        departments=sorted(departments, key=lambda row: row["code"]),
        sessions=await active_session_count(account_id, now=now, idle=idle, absolute=absolute),
    )
