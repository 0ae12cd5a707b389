"""Signed-in sessions, kept in the database so that every worker process shares them.

The cookie holds 256 random bits; the database only their SHA-256 hash, so a copy of the
database does not let anyone take over a session. Sessions end after a period without use
(idle timeout) and in any case some hours after sign-in (absolute timeout).
"""

from __future__ import annotations

import datetime as dt

from survey_app.core.clock import aware
from survey_app.core.hashing import SESSION_TOKEN_BYTES, hash_token, new_token
from survey_app.core.principal import Principal
from survey_app.organisation.tree import load_tree
from survey_app.tables.identity import AuthSession, Employee, ScopeAdjustment

SESSION_COOKIE = "klankbord_session"
# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


async def start_session(account_id: int, method: str) -> str:
    """A new session (a new token on every sign-in, so a planted cookie is worthless)."""
    token = new_token(SESSION_TOKEN_BYTES)
    await AuthSession.insert(
        AuthSession(token_hash=hash_token(token), account=account_id, method=method)
    )
    return token


async def end_session(token: str) -> None:
    await AuthSession.delete().where(AuthSession.token_hash == hash_token(token))


async def end_all_sessions(account_id: int) -> int:
    """Sign out everywhere; returns how many sessions ended."""
    ended = await AuthSession.count().where(AuthSession.account == account_id)
    await AuthSession.delete().where(AuthSession.account == account_id)
    return ended


def _live(now: dt.datetime, idle: dt.timedelta, absolute: dt.timedelta):
    return (AuthSession.last_seen_at > now - idle) & (AuthSession.created_at > now - absolute)


async def active_session_count(
    account_id: int, *, now: dt.datetime, idle: dt.timedelta, absolute: dt.timedelta
) -> int:
    """Sessions that still work (expired ones are only deleted when next used or pruned)."""
    return await AuthSession.count().where(
        (AuthSession.account == account_id) & _live(now, idle, absolute)
    )


async def prune_expired_sessions(
    *, now: dt.datetime, idle: dt.timedelta, absolute: dt.timedelta
) -> None:
    """Remove sessions nobody came back to, so the table holds only live ones."""
    await AuthSession.delete().where(
        (AuthSession.last_seen_at <= now - idle) | (AuthSession.created_at <= now - absolute)
    )


async def manager_scope(account_id: int, employee_id: int | None) -> tuple[frozenset[str], tuple]:
    """Departments the account leads according to the import, adjusted by administrators."""
    roots: set[int] = set()
    if employee_id is not None:
        rows = await Employee.select(Employee.department).where(
            (Employee.id == employee_id)
            & (Employee.is_manager == True)  # noqa: E712
            & (Employee.active == True)  # noqa: E712
        )
        roots.update(row["department"] for row in rows)
    adjustments = await ScopeAdjustment.select(
        ScopeAdjustment.department, ScopeAdjustment.granted
    ).where(ScopeAdjustment.account == account_id)
    roots.update(row["department"] for row in adjustments if row["granted"])
    revoked = {row["department"] for row in adjustments if not row["granted"]}
    if not roots:
        return frozenset(), ()
    tree = await load_tree()
    # The nearest decision up the tree wins: a department taken away goes with everything
    # below it, also inside a department that stays, unless something below is given back.
    candidates: set[int] = set()
    for root in roots:
        candidates |= tree.subtree_ids(root)
    visible = set()
    for node in candidates:
        for ancestor in reversed(tree.ancestors(node)):
            if ancestor.id in revoked:
                break
            if ancestor.id in roots:
                visible.add(node)
                break
    roots = {root for root in roots if root in visible}
    codes = {tree.nodes[node].code for node in visible}
    return frozenset(codes), tuple(sorted(tree.nodes[root].code for root in roots))


async def load_principal(
    token: str, *, now: dt.datetime, idle: dt.timedelta, absolute: dt.timedelta
) -> Principal | None:
    """The session's principal, or None when the token is unknown, expired or disabled."""
    rows = await AuthSession.select(
        AuthSession.id,
        AuthSession.created_at,
        AuthSession.last_seen_at,
        AuthSession.method,
        AuthSession.account.id.as_alias("account_id"),
        AuthSession.account.username.as_alias("username"),
        AuthSession.account.display_name.as_alias("display_name"),
        AuthSession.account.employee.as_alias("employee_id"),
        AuthSession.account.is_hr.as_alias("is_hr"),
        AuthSession.account.is_admin.as_alias("is_admin"),
        AuthSession.account.active.as_alias("active"),
    ).where(AuthSession.token_hash == hash_token(token))
    if not rows:
        return None
    row = rows[0]
    created = aware(row["created_at"])
    last_seen = aware(row["last_seen_at"])
    if not row["active"] or now - created > absolute or now - last_seen > idle:
        await AuthSession.delete().where(AuthSession.id == row["id"])
        return None
    if now - last_seen > TOUCH_INTERVAL:
        await AuthSession.update({AuthSession.last_seen_at: now}).where(AuthSession.id == row["id"])
    scope_codes, scope_roots = await manager_scope(row["account_id"], row["employee_id"])
    return Principal(
        account_id=row["account_id"],
        username=row["username"],
        display_name=row["display_name"],
        employee_id=row["employee_id"],
        is_hr=row["is_hr"],
        is_admin=row["is_admin"],
        session_id=row["id"],
        method=row["method"],
        scope_codes=scope_codes,
        scope_roots=scope_roots,
    )
