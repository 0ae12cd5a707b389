"""Accounts: local passwords with lockout, roles, manager scopes and identity-provider links."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import ClassVar

from piccolo.engine.postgres import PostgresEngine

from survey_app import audit
from survey_app.accounts.passwords import check_policy, hash_password, verify_password
from survey_app.accounts.sessions import end_all_sessions, manager_scope
from survey_app.core import ratelimit
from survey_app.core.clock import aware_or_none
from survey_app.core.db import current_engine, write_transaction
from survey_app.core.errors import N_, Invalid
from survey_app.core.hashing import hash_token
from survey_app.core.text import storable
from survey_app.tables.identity import Account, AuthSession, Department, Employee, ScopeAdjustment

# Consecutive failed sign-ins before an account is locked, and for how long.
LOCKOUT_THRESHOLD = 5
LOCKOUT_DURATION = dt.timedelta(minutes=15)
LOCKOUT_WINDOW_SECONDS = 15 * 60
# Any fixed number: the key of PostgreSQL's advisory lock for role changes.
ROLE_CHANGE_LOCK = 7_240_001


class AccountError(Invalid):
    """An account cannot be created or changed as asked."""

    messages: ClassVar[dict[str, str]] = {
        "unstorable": N_("This field contains characters that cannot be typed."),
        "username_required": N_("A user name is required and cannot contain spaces."),
        "employee_has_account": N_("This employee already has an account."),
        "name_required": N_("A name is required."),
        "no_such_account": N_("No such account."),
        "locked": N_(
            "Too many wrong passwords: this account is locked for a while. Try again later."
        ),
        "wrong_current_password": N_("Your current password is not correct."),
        "own_admin_role": N_(
            "You cannot remove your own administrator role or deactivate yourself."
        ),
        "own_hr_role": N_("Another administrator must change your own HR role."),
        "last_admin": N_("There must be at least one active administrator."),
        "own_departments": N_("Another administrator must change your own departments."),
        "no_employee": N_("No employee with number {number} in the organisation."),
        "username_taken": N_("The user name {username} is already taken."),
        "no_department": N_("No department with code {code}."),
    }


class SignInOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # unknown user name or wrong password: the same answer for both
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    account_id: int | None = None
    locked_until: dt.datetime | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


async def authenticate(username: str, password: str, *, now: dt.datetime) -> SignInResult:
    """Check a local password, counting failures and locking the account after too many.

    Each attempt takes its number before the password is checked, in one atomic update, so
    parallel attempts cannot slip past the threshold together: at most ``LOCKOUT_THRESHOLD``
    passwords are tried per lockout period. Unknown user names are counted too (by a hash
    of the name) and answer the same, after the same password verification time.
    """
    name = normalise_username(username)
    rows = await Account.select(
        Account.id, Account.password_hash, Account.active, Account.locked_until
    ).where(Account.username == name)
    if not rows:
        await verify_password("", password)
        failures = await ratelimit.count(_unknown_name_key(name), LOCKOUT_WINDOW_SECONDS)
        await audit.record("sign_in.failure", actor=name[:254], reason="unknown_account")
        if failures >= LOCKOUT_THRESHOLD:
            return SignInResult(SignInOutcome.LOCKED, None, now + LOCKOUT_DURATION)
        return SignInResult(SignInOutcome.WRONG)
    return await _attempt(rows[0], name, password, now)


async def _attempt(
    account: dict, name: str, password: str, now: dt.datetime, **context: str
) -> SignInResult:
    """One counted password attempt on an existing account (sign-in or password change)."""
    locked_until = aware_or_none(account["locked_until"])
    if locked_until is not None and locked_until <= now:
        # The lockout has passed: counting starts again.
        await Account.update({Account.failed_sign_ins: 0, Account.locked_until: None}).where(
            (Account.id == account["id"]) & (Account.locked_until == account["locked_until"])
        )
    counted = (
        await Account.update({Account.failed_sign_ins: Account.failed_sign_ins + 1})
        .where((Account.id == account["id"]) & Account.locked_until.is_null())
        .returning(Account.failed_sign_ins)
    )
    if not counted or counted[0]["failed_sign_ins"] > LOCKOUT_THRESHOLD:
        await verify_password("", password)
        until = await _lock(account["id"], now)
        await audit.record("sign_in.failure", actor=name, reason="locked", **context)
        return SignInResult(SignInOutcome.LOCKED, account["id"], until)
    attempt = counted[0]["failed_sign_ins"]
    if await verify_password(account["password_hash"], password) and account["active"]:
        await Account.update({Account.failed_sign_ins: 0}).where(Account.id == account["id"])
        return SignInResult(SignInOutcome.OK, account["id"])
    if attempt >= LOCKOUT_THRESHOLD:
        until = await _lock(account["id"], now)
        await audit.record(
            "sign_in.locked", actor=name, failures=attempt, until=until.isoformat(), **context
        )
        return SignInResult(SignInOutcome.LOCKED, account["id"], until)
    reason = "wrong_password" if account["active"] else "inactive_account"
    await audit.record("sign_in.failure", actor=name, reason=reason, **context)
    return SignInResult(SignInOutcome.WRONG)


def _unknown_name_key(name: str) -> str:
    return "unknown-name:" + hash_token(name)


async def _lock(account_id: int, now: dt.datetime) -> dt.datetime:
    """Lock the account (unless a parallel attempt already did) and say until when."""
    await Account.update({Account.locked_until: now + LOCKOUT_DURATION}).where(
        (Account.id == account_id) & Account.locked_until.is_null()
    )
    rows = await Account.select(Account.locked_until).where(Account.id == account_id)
    return aware_or_none(rows[0]["locked_until"]) or now + LOCKOUT_DURATION


async def employee_by_number(employee_number: str) -> int | None:
    rows = await Employee.select(Employee.id).where(
        Employee.employee_number == employee_number.strip()
    )
    return rows[0]["id"] if rows else None


async def create_account(
    *,
    username: str,
    display_name: str,
    password: str | None,
    actor: str,
    employee_number: str = "",
    is_hr: bool = False,
    is_admin: bool = False,
) -> int:
    """A new account; ``password`` None for one that signs in only through the identity
    provider. Raises ``AccountError`` or ``PasswordProblems``."""
    if not storable(username) or not storable(display_name) or not storable(employee_number):
        raise AccountError("unstorable")
    name = normalise_username(username)
    if not name or len(name) > 254 or any(char.isspace() for char in name):
        raise AccountError("username_required")
    display_name = display_name.strip()
    employee_id = None
    if employee_number.strip():
        employee_id = await employee_by_number(employee_number)
        if employee_id is None:
            raise AccountError("no_employee", number=employee_number.strip())
        if await Account.exists().where(Account.employee == employee_id):
            raise AccountError("employee_has_account")
        if not display_name:
            rows = await Employee.select(Employee.name).where(Employee.id == employee_id)
            display_name = rows[0]["name"]
    if not display_name:
        raise AccountError("name_required")
    if await Account.exists().where(Account.username == name):
        raise AccountError("username_taken", username=name)
    password_hash = ""
    if password is not None:
        check_policy(password, name, display_name)
        password_hash = await hash_password(password)
    rows = await Account.insert(
        Account(
            username=name,
            display_name=display_name[:200],
            employee=employee_id,
            password_hash=password_hash,
            is_hr=is_hr,
            is_admin=is_admin,
        )
    ).returning(Account.id)
    account_id = rows[0]["id"]
    await audit.record(
        "account.created",
        actor=actor,
        target=name,
        is_hr=is_hr,
        is_admin=is_admin,
        employee=employee_number.strip() or None,
        password=password is not None,
    )
    return account_id


async def set_password(
    account_id: int, password: str, *, actor: str, own_change: bool, keep_session: int | None
) -> None:
    """Set a new password and end the account's other sessions."""
    rows = await Account.select(Account.username, Account.display_name).where(
        Account.id == account_id
    )
    if not rows:
        raise AccountError("no_such_account")
    check_policy(password, rows[0]["username"], rows[0]["display_name"])
    await Account.update(
        {
            Account.password_hash: await hash_password(password),
            Account.failed_sign_ins: 0,
            Account.locked_until: None,
        }
    ).where(Account.id == account_id)
    condition = AuthSession.account == account_id
    if keep_session is not None:
        condition &= AuthSession.id != keep_session
    await AuthSession.delete().where(condition)
    await audit.record(
        "password.changed" if own_change else "account.password_reset",
        actor=actor,
        target=rows[0]["username"],
    )


async def change_own_password(
    account_id: int, current: str, new: str, *, actor: str, session_id: int, now: dt.datetime
) -> None:
    """A password change needs the current password, counted like a sign-in attempt: a
    borrowed session cannot be used to guess it."""
    rows = await Account.select(
        Account.id, Account.username, Account.password_hash, Account.active, Account.locked_until
    ).where(Account.id == account_id)
    if not rows:
        raise AccountError("no_such_account")
    result = await _attempt(rows[0], rows[0]["username"], current, now, during="password_change")
    if result.outcome is SignInOutcome.LOCKED:
        raise AccountError("locked")
    if result.outcome is not SignInOutcome.OK:
        raise AccountError("wrong_current_password")
    await set_password(account_id, new, actor=actor, own_change=True, keep_session=session_id)


async def set_roles(
    account_id: int, *, is_hr: bool, is_admin: bool, active: bool, actor: str, actor_id: int
) -> None:
    """Change roles and status. Administrators cannot raise their own access (an HR role on
    their own account needs another administrator), nor leave the product without one."""
    async with write_transaction():
        await _serialise_role_changes()
        rows = await Account.select().where(Account.id == account_id)
        if not rows:
            raise AccountError("no_such_account")
        before = rows[0]
        if account_id == actor_id and (not is_admin or not active):
            raise AccountError("own_admin_role")
        if account_id == actor_id and is_hr != before["is_hr"]:
            raise AccountError("own_hr_role")
        if (before["is_admin"] and not (is_admin and active)) and await Account.count().where(
            (Account.is_admin == True) & (Account.active == True)  # noqa: E712
        ) <= 1:
            raise AccountError("last_admin")
        await Account.update(
            {Account.is_hr: is_hr, Account.is_admin: is_admin, Account.active: active}
        ).where(Account.id == account_id)
        if not active:
            await AuthSession.delete().where(AuthSession.account == account_id)
    await audit.record(
        "account.roles_changed",
        actor=actor,
        target=before["username"],
        before={"hr": before["is_hr"], "admin": before["is_admin"], "active": before["active"]},
        after={"hr": is_hr, "admin": is_admin, "active": active},
    )


async def _serialise_role_changes() -> None:
    """Two administrators demoting each other at once must not leave none: on PostgreSQL
    role changes queue behind a transaction lock (SQLite's IMMEDIATE write already does)."""
    if isinstance(current_engine(), PostgresEngine):
        await Account.raw("SELECT pg_advisory_xact_lock({})", ROLE_CHANGE_LOCK)


async def adjust_scope(
    account_id: int,
    department_code: str,
    *,
    granted: bool,
    actor: str,
    actor_id: int | None = None,
) -> None:
    """Add a department (with its subtree) to a manager's scope, or take one away."""
    if actor_id is not None and account_id == actor_id:
        raise AccountError("own_departments")
    accounts = await Account.select(Account.username).where(Account.id == account_id)
    if not accounts:
        raise AccountError("no_such_account")
    departments = (
        await Department.select(Department.id).where(Department.code == department_code.strip())
        if storable(department_code)
        else []
    )
    if not departments:
        raise AccountError("no_department", code=department_code.strip())
    department_id = departments[0]["id"]
    await ScopeAdjustment.delete().where(
        (ScopeAdjustment.account == account_id) & (ScopeAdjustment.department == department_id)
    )
    await ScopeAdjustment.insert(
        ScopeAdjustment(account=account_id, department=department_id, granted=granted)
    )
    await audit.record(
        "account.scope_changed",
        actor=actor,
        target=accounts[0]["username"],
        department=department_code.strip(),
        granted=granted,
    )


async def unlock(account_id: int, *, actor: str) -> None:
    rows = await Account.select(Account.username).where(Account.id == account_id)
    if not rows:
        raise AccountError("no_such_account")
    await Account.update({Account.failed_sign_ins: 0, Account.locked_until: None}).where(
        Account.id == account_id
    )
    await audit.record("account.unlocked", actor=actor, target=rows[0]["username"])


def email_is_verified(claims: dict, trust_unverified: bool) -> bool:
    """An e-mail address may only identify someone when the provider vouches for it.

    Providers that let users choose their own address (or mark it unverified) could
    otherwise sign someone in as a colleague. Microsoft Entra ID sends no
    ``email_verified``; there, match on a claim the tenant controls (e.g. an employee
    number) or set ``KLANKBORD_OIDC_TRUST_EMAIL`` when the tenant assigns every address.
    """
    return trust_unverified or claims.get("email_verified") in (True, "true")


async def account_for_identity(
    subject: str, claims: dict, *, employee_claim: str, trust_unverified_email: bool = False
) -> int | None:
    """The account for an identity-provider subject, linking it on first sign-in.

    Linked by subject when seen before. Otherwise the claim named by ``employee_claim``
    (``email`` by default, or a claim holding the employee number) is matched to exactly
    one active employee — whose account is linked, or created — or to an account made for
    the identity provider only (no password) whose user name equals it. Accounts with a
    password are never taken over by a name match. Every link is in the audit trail.
    """
    rows = await Account.select(Account.id, Account.active).where(Account.oidc_subject == subject)
    if rows:
        return rows[0]["id"] if rows[0]["active"] else None
    value = str(claims.get(employee_claim) or "").strip()
    if not value:
        return None
    if employee_claim == "email" and not email_is_verified(claims, trust_unverified_email):
        return None
    account_id: int | None = None
    column = Employee.email if employee_claim == "email" else Employee.employee_number
    employees = await Employee.select(Employee.id, Employee.name, column.as_alias("key")).where(
        (column.ilike(value) if employee_claim == "email" else column == value)
        & (Employee.active == True)  # noqa: E712
    )
    # ILIKE treats "_" as a wildcard: keep exact (case-insensitive) matches only.
    employees = [row for row in employees if row["key"].lower() == value.lower()]
    if len(employees) > 1:
        return None
    if employees:
        existing = await Account.select(Account.id, Account.oidc_subject, Account.active).where(
            Account.employee == employees[0]["id"]
        )
        if existing:
            if existing[0]["oidc_subject"] or not existing[0]["active"]:
                return None
            account_id = existing[0]["id"]
        else:
            username = normalise_username(str(claims.get("email") or value))
            if await Account.exists().where(Account.username == username):
                return None
            rows = await Account.insert(
                Account(
                    username=username,
                    display_name=str(claims.get("name") or employees[0]["name"])[:200],
                    employee=employees[0]["id"],
                )
            ).returning(Account.id)
            account_id = rows[0]["id"]
            await audit.record("account.created", actor="", target=username, via="oidc")
    else:
        by_name = await Account.select(
            Account.id, Account.oidc_subject, Account.active, Account.password_hash
        ).where(Account.username == normalise_username(value))
        if not by_name or by_name[0]["oidc_subject"] or not by_name[0]["active"]:
            return None
        if by_name[0]["password_hash"]:
            return None
        account_id = by_name[0]["id"]
    await Account.update({Account.oidc_subject: subject}).where(Account.id == account_id)
    linked = await Account.select(Account.username).where(Account.id == account_id)
    await audit.record(
        "account.linked",
        actor=linked[0]["username"],
        target=linked[0]["username"],
        issuer=subject.split(" ", 1)[0],
    )
    return account_id


async def account_roles() -> list[dict]:
    """Every account's user name, name, roles and status, by user name."""
    return await Account.select(
        Account.username, Account.display_name, Account.is_hr, Account.is_admin, Account.active
    ).order_by(Account.username)


async def account_id_by_username(username: str) -> int | None:
    rows = await Account.select(Account.id).where(Account.username == normalise_username(username))
    return rows[0]["id"] if rows else None


async def end_sessions_by_administrator(account_id: int, *, actor: str) -> int:
    """Sign an account out everywhere on an administrator's word; returns how many ended."""
    rows = await Account.select(Account.username).where(Account.id == account_id)
    if not rows:
        raise AccountError("no_such_account")
    ended = await end_all_sessions(account_id)
    await audit.record(
        "account.sessions_ended", actor=actor, target=rows[0]["username"], sessions=ended
    )
    return ended


async def start_page(account_id: int) -> tuple[str, str]:
    """The account's user name and where it starts after signing in: "admin", "hr",
    "teams" (a manager) or "account"."""
    rows = await Account.select(
        Account.username, Account.is_hr, Account.is_admin, Account.employee
    ).where(Account.id == account_id)
    account = rows[0]
    if account["is_admin"]:
        start = "admin"
    elif account["is_hr"]:
        start = "hr"
    elif (await manager_scope(account_id, account["employee"]))[0]:
        start = "teams"
    else:
        start = "account"
    return account["username"], start


async def has_password(account_id: int) -> bool:
    rows = await Account.select(Account.password_hash).where(Account.id == account_id)
    return bool(rows and rows[0]["password_hash"])


async def end_own_sessions(account_id: int, *, actor: str) -> int:
    """ "Sign out everywhere": every session of the account ends; returns how many."""
    ended = await end_all_sessions(account_id)
    await audit.record("sign_out.everywhere", actor=actor, sessions=ended)
    return ended
