"""Four eyes: changes that would let someone read results wait for a second administrator.

An administrator who grants the HR role, adds a department to a manager's scope, or sets
the password of an account that can see results (HR or a manager) makes a request; another
administrator approves or rejects it, and only the approval changes the account. Without
this, one administrator could give an account of their choosing the HR role and a
password they know, and read results in one step. The operator's command line (`survey-app
user …`) applies changes directly: whoever runs it holds the database anyway.

A password waits as its argon2id hash, never as text. Every request and decision is in the
audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from survey_app import audit
from survey_app.accounts.passwords import check_policy, hash_password
from survey_app.accounts.service import AccountError, adjust_scope, normalise_username
from survey_app.accounts.sessions import manager_scope
from survey_app.core.clock import utc_now
from survey_app.core.db import write_transaction
from survey_app.core.errors import N_, Conflict, Forbidden, NotFound
from survey_app.tables.identity import Account, AuthSession, ChangeRequest, Department

KINDS = ("grant_hr", "grant_scope", "set_password")


class RequestRefused(Forbidden):
    messages: ClassVar[dict[str, str]] = {
        "own_request": N_("Another administrator must approve a change you asked for."),
        "own_account": N_("Another administrator must approve a change to your own account."),
    }


class RequestNotFound(NotFound):
    messages: ClassVar[dict[str, str]] = {"no_such_request": N_("No such request.")}


class RequestDecided(Conflict):
    messages: ClassVar[dict[str, str]] = {
        "already_decided": N_("This request has already been decided."),
        "account_inactive": N_("The account is no longer active; the request was not applied."),
    }


@dataclass(frozen=True)
class PendingChange:
    id: int
    kind: str
    account_id: int
    username: str
    department_code: str
    requested_by: str
    requested_at: dt.datetime


async def can_see_results(account_id: int) -> bool:
    """HR, or a manager of at least one department."""
    rows = await Account.select(Account.is_hr, Account.employee).where(Account.id == account_id)
    if not rows:
        return False
    if rows[0]["is_hr"]:
        return True
    codes, _roots = await manager_scope(account_id, rows[0]["employee"])
    return bool(codes)


async def request_change(
    kind: str,
    account_id: int,
    *,
    actor: str,
    actor_id: int | None = None,
    department_code: str = "",
    password: str = "",
) -> int:
    """Record a request (the password checked against the policy and hashed first).
    Raises `AccountError` for what could never be approved (one's own roles or
    departments, a department that does not exist) and `PasswordProblems`."""
    if kind not in KINDS:
        raise ValueError(f"unknown change {kind!r}")
    accounts = await Account.select(Account.username, Account.display_name).where(
        Account.id == account_id
    )
    if not accounts:
        raise AccountError("no_such_account")
    if actor_id == account_id and kind == "grant_hr":
        raise AccountError("own_hr_role")
    if actor_id == account_id and kind == "grant_scope":
        raise AccountError("own_departments")
    department_id = None
    if kind == "grant_scope":
        found = await Department.select(Department.id).where(
            Department.code == department_code.strip()
        )
        if not found:
            raise AccountError("no_department", code=department_code.strip())
        department_id = found[0]["id"]
    password_hash = ""
    if kind == "set_password":
        check_policy(password, accounts[0]["username"], accounts[0]["display_name"])
        password_hash = await hash_password(password)
    # The same change asked again (a second click, another administrator) waits once; a
    # newer password replaces the one waiting.
    same = (
        (ChangeRequest.status == "pending")
        & (ChangeRequest.kind == kind)
        & (ChangeRequest.account == account_id)
    )
    if department_id is not None:
        same &= ChangeRequest.department == department_id
    waiting = await ChangeRequest.select(ChangeRequest.id).where(same)
    if waiting:
        request_id = waiting[0]["id"]
        if kind == "set_password":
            await ChangeRequest.update(
                {ChangeRequest.password_hash: password_hash, ChangeRequest.requested_by: actor}
            ).where(ChangeRequest.id == request_id)
        else:
            return request_id
    else:
        rows = await ChangeRequest.insert(
            ChangeRequest(
                kind=kind,
                account=account_id,
                department=department_id,
                password_hash=password_hash,
                requested_by=actor,
            )
        ).returning(ChangeRequest.id)
        request_id = rows[0]["id"]
    await audit.record(
        "change.requested",
        actor=actor,
        target=accounts[0]["username"],
        change=kind,
        department=department_code or None,
        request=request_id,
    )
    return request_id


async def pending_changes(account_id: int | None = None) -> list[PendingChange]:
    condition = ChangeRequest.status == "pending"
    if account_id is not None:
        condition &= ChangeRequest.account == account_id
    rows = await (
        ChangeRequest.select(
            ChangeRequest.id,
            ChangeRequest.kind,
            ChangeRequest.account,
            ChangeRequest.account.username.as_alias("username"),
            ChangeRequest.department.code.as_alias("department_code"),
            ChangeRequest.requested_by,
            ChangeRequest.requested_at,
        )
        .where(condition)
        .order_by(ChangeRequest.id)
    )
    return [
        PendingChange(
            id=row["id"],
            kind=row["kind"],
            account_id=row["account"],
            username=row["username"],
            department_code=row["department_code"] or "",
            requested_by=row["requested_by"],
            requested_at=row["requested_at"],
        )
        for row in rows
    ]


async def _claim(request_id: int, status: str, actor: str) -> dict:
    """Mark a pending request decided, exactly once (two approvals at once: one wins)."""
    rows = await ChangeRequest.select().where(ChangeRequest.id == request_id)
    if not rows:
        raise RequestNotFound("no_such_request")
    request = rows[0]
    if status == "approved" and normalise_username(request["requested_by"]) == (
        normalise_username(actor)
    ):
        raise RequestRefused("own_request")
    if status == "approved":
        target = await Account.select(Account.username).where(Account.id == request["account"])
        if target and normalise_username(target[0]["username"]) == normalise_username(actor):
            raise RequestRefused("own_account")
    claimed = (
        await ChangeRequest.update(
            {
                ChangeRequest.status: status,
                ChangeRequest.decided_by: actor,
                ChangeRequest.decided_at: utc_now(),
            }
        )
        .where((ChangeRequest.id == request_id) & (ChangeRequest.status == "pending"))
        .returning(ChangeRequest.id)
    )
    if not claimed:
        raise RequestDecided("already_decided")
    return request


async def approve(request_id: int, *, actor: str) -> None:
    """Apply a request as the second administrator ``actor``."""
    async with write_transaction():
        request = await _claim(request_id, "approved", actor)
        accounts = await Account.select(Account.username, Account.active, Account.is_hr).where(
            Account.id == request["account"]
        )
        account = accounts[0]
        if not account["active"]:
            raise RequestDecided("account_inactive")
        if request["kind"] == "grant_hr":
            await Account.update({Account.is_hr: True}).where(Account.id == request["account"])
        elif request["kind"] == "set_password":
            await Account.update(
                {
                    Account.password_hash: request["password_hash"],
                    Account.failed_sign_ins: 0,
                    Account.locked_until: None,
                }
            ).where(Account.id == request["account"])
            await AuthSession.delete().where(AuthSession.account == request["account"])
        department_code = ""
        if request["kind"] == "grant_scope" and request["department"] is not None:
            # In the same transaction as the claim: approved means applied.
            departments = await Department.select(Department.code).where(
                Department.id == request["department"]
            )
            department_code = departments[0]["code"]
            await adjust_scope(request["account"], department_code, granted=True, actor=actor)
        await ChangeRequest.update({ChangeRequest.password_hash: ""}).where(
            ChangeRequest.id == request_id
        )
    if request["kind"] == "grant_hr":
        await audit.record(
            "account.roles_changed",
            actor=actor,
            target=account["username"],
            before={"hr": account["is_hr"]},
            after={"hr": True},
            requested_by=request["requested_by"],
        )
    elif request["kind"] == "set_password":
        await audit.record(
            "account.password_reset",
            actor=actor,
            target=account["username"],
            requested_by=request["requested_by"],
        )
    await audit.record(
        "change.approved",
        actor=actor,
        target=account["username"],
        change=request["kind"],
        request=request_id,
        requested_by=request["requested_by"],
        department=department_code or None,
    )


async def reject(request_id: int, *, actor: str) -> None:
    """Turn a request down (by another administrator), or withdraw it (by its requester)."""
    rows = await ChangeRequest.select(ChangeRequest.requested_by).where(
        ChangeRequest.id == request_id
    )
    if not rows:
        raise RequestNotFound("no_such_request")
    own = normalise_username(rows[0]["requested_by"]) == normalise_username(actor)
    request = await _claim(request_id, "withdrawn" if own else "rejected", actor)
    await ChangeRequest.update({ChangeRequest.password_hash: ""}).where(
        ChangeRequest.id == request_id
    )
    accounts = await Account.select(Account.username).where(Account.id == request["account"])
    await audit.record(
        "change.rejected",
        actor=actor,
        target=accounts[0]["username"] if accounts else "",
        change=request["kind"],
        request=request_id,
        withdrawn=own,
    )
