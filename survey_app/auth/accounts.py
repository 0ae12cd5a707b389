"""Accounts: local passwords with lockout, roles, manager scopes and identity-provider links."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from survey_app.auth import audit
from survey_app.auth.passwords import check_policy, hash_password, verify_password
from survey_app.auth.sessions import end_all_sessions
from survey_app.i18n import _
from survey_app.tables import Account, AuthSession, Department, Employee, ScopeAdjustment

# Consecutive failed sign-ins before an account is locked, and for how long.
LOCKOUT_THRESHOLD = 5
LOCKOUT_DURATION = dt.timedelta(minutes=15)


class AccountError(Exception):
    """An account cannot be created or changed as asked; the message is translated."""


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


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def authenticate(username: str, password: str, *, now: dt.datetime) -> SignInResult:
    """Check a local password, counting failures and locking the account after too many.

    An unknown user name costs the same password verification as a known one, so timing
    does not tell which user names exist.
    """
    name = normalise_username(username)
    rows = await Account.select(
        Account.id,
        Account.password_hash,
        Account.active,
        Account.failed_sign_ins,
        Account.locked_until,
    ).where(Account.username == name)
    account = rows[0] if rows else None
    locked_until = _aware(account["locked_until"]) if account else None
    if account and locked_until and locked_until > now:
        await audit.record("sign_in.failure", actor=name, reason="locked")
        return SignInResult(SignInOutcome.LOCKED, account["id"], locked_until)
    matches = await verify_password(account["password_hash"] if account else "", password)
    if account and matches and account["active"]:
        await Account.update({Account.failed_sign_ins: 0, Account.locked_until: None}).where(
            Account.id == account["id"]
        )
        return SignInResult(SignInOutcome.OK, account["id"])
    if account is None or not account["active"]:
        reason = "unknown_account" if account is None else "inactive_account"
        await audit.record("sign_in.failure", actor=name[:254], reason=reason)
        return SignInResult(SignInOutcome.WRONG)
    # One atomic increment: parallel attempts cannot slip past the threshold together.
    counted = (
        await Account.update({Account.failed_sign_ins: Account.failed_sign_ins + 1})
        .where(Account.id == account["id"])
        .returning(Account.failed_sign_ins)
    )
    failures = counted[0]["failed_sign_ins"]
    if failures >= LOCKOUT_THRESHOLD:
        until = now + LOCKOUT_DURATION
        await Account.update({Account.failed_sign_ins: 0, Account.locked_until: until}).where(
            Account.id == account["id"]
        )
        await audit.record("sign_in.locked", actor=name, failures=failures, until=until.isoformat())
        return SignInResult(SignInOutcome.LOCKED, account["id"], until)
    await audit.record("sign_in.failure", actor=name, reason="wrong_password")
    return SignInResult(SignInOutcome.WRONG)


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
    name = normalise_username(username)
    if not name or len(name) > 254 or any(char.isspace() for char in name):
        raise AccountError(_("A user name is required and cannot contain spaces."))
    display_name = display_name.strip()
    employee_id = None
    if employee_number.strip():
        employee_id = await employee_by_number(employee_number)
        if employee_id is None:
            raise AccountError(
                _("No employee with number {number} in the organisation.").format(
                    number=employee_number.strip()
                )
            )
        if await Account.exists().where(Account.employee == employee_id):
            raise AccountError(_("This employee already has an account."))
        if not display_name:
            rows = await Employee.select(Employee.name).where(Employee.id == employee_id)
            display_name = rows[0]["name"]
    if not display_name:
        raise AccountError(_("A name is required."))
    if await Account.exists().where(Account.username == name):
        raise AccountError(_("The user name {username} is already taken.").format(username=name))
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
        raise AccountError(_("No such account."))
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
    account_id: int, current: str, new: str, *, actor: str, session_id: int
) -> None:
    rows = await Account.select(Account.password_hash).where(Account.id == account_id)
    if not rows or not await verify_password(rows[0]["password_hash"], current):
        raise AccountError(_("Your current password is not correct."))
    await set_password(account_id, new, actor=actor, own_change=True, keep_session=session_id)


async def set_roles(
    account_id: int, *, is_hr: bool, is_admin: bool, active: bool, actor: str, actor_id: int
) -> None:
    rows = await Account.select().where(Account.id == account_id)
    if not rows:
        raise AccountError(_("No such account."))
    before = rows[0]
    if account_id == actor_id and (not is_admin or not active):
        raise AccountError(
            _("You cannot remove your own administrator role or deactivate yourself.")
        )
    if (before["is_admin"] and not (is_admin and active)) and await Account.count().where(
        (Account.is_admin == True) & (Account.active == True)  # noqa: E712
    ) <= 1:
        raise AccountError(_("There must be at least one active administrator."))
    await Account.update(
        {Account.is_hr: is_hr, Account.is_admin: is_admin, Account.active: active}
    ).where(Account.id == account_id)
    if not active:
        await end_all_sessions(account_id)
    await audit.record(
        "account.roles_changed",
        actor=actor,
        target=before["username"],
        before={"hr": before["is_hr"], "admin": before["is_admin"], "active": before["active"]},
        after={"hr": is_hr, "admin": is_admin, "active": active},
    )


async def adjust_scope(account_id: int, department_code: str, *, granted: bool, actor: str) -> None:
    """Add a department (with its subtree) to a manager's scope, or take one away."""
    accounts = await Account.select(Account.username).where(Account.id == account_id)
    if not accounts:
        raise AccountError(_("No such account."))
    departments = await Department.select(Department.id).where(
        Department.code == department_code.strip()
    )
    if not departments:
        raise AccountError(
            _("No department with code {code}.").format(code=department_code.strip())
        )
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
        raise AccountError(_("No such account."))
    await Account.update({Account.failed_sign_ins: 0, Account.locked_until: None}).where(
        Account.id == account_id
    )
    await audit.record("account.unlocked", actor=actor, target=rows[0]["username"])


async def account_for_identity(subject: str, claims: dict, *, employee_claim: str) -> int | None:
    """The account for an identity-provider subject, linking it on first sign-in.

    Linked by subject when seen before; otherwise the claim named by ``employee_claim``
    (``email`` by default, or e.g. an employee number) is matched to an employee, or to
    an account whose user name equals it. The first match is linked for good.
    """
    rows = await Account.select(Account.id, Account.active).where(Account.oidc_subject == subject)
    if rows:
        return rows[0]["id"] if rows[0]["active"] else None
    value = str(claims.get(employee_claim) or "").strip()
    if not value:
        return None
    if employee_claim == "email" and claims.get("email_verified") is False:
        return None
    account_id: int | None = None
    by_name = await Account.select(Account.id, Account.oidc_subject, Account.active).where(
        Account.username == normalise_username(value)
    )
    if by_name:
        if by_name[0]["oidc_subject"] or not by_name[0]["active"]:
            return None
        account_id = by_name[0]["id"]
    else:
        column = Employee.email if employee_claim == "email" else Employee.employee_number
        employees = await Employee.select(Employee.id, Employee.name, column.as_alias("key")).where(
            (column.ilike(value) if employee_claim == "email" else column == value)
            & (Employee.active == True)  # noqa: E712
        )
        # ILIKE treats "_" as a wildcard: keep exact (case-insensitive) matches only.
        employees = [row for row in employees if row["key"].lower() == value.lower()]
        if len(employees) != 1:
            return None
        existing = await Account.select(Account.id, Account.oidc_subject, Account.active).where(
            Account.employee == employees[0]["id"]
        )
        if existing:
            if existing[0]["oidc_subject"] or not existing[0]["active"]:
                return None
            account_id = existing[0]["id"]
        else:
            username = normalise_username(value)
            rows = await Account.insert(
                Account(
                    username=username,
                    display_name=str(claims.get("name") or employees[0]["name"])[:200],
                    employee=employees[0]["id"],
                )
            ).returning(Account.id)
            account_id = rows[0]["id"]
            await audit.record("account.created", actor="", target=username, via="oidc")
    await Account.update({Account.oidc_subject: subject}).where(Account.id == account_id)
    return account_id
