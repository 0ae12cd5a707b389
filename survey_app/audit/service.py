"""The audit trail: append-only records of who viewed results and who changed what.

Records name the actor, the action and its target (a wave, a department, an account or a
setting) and never survey content. Each record is also written to the ``survey_app.audit``
logger, so an operator can ship the trail to a log store the database operator cannot edit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from survey_app.core.text import escaped_for_log, without_unstorable
from survey_app.tables.identity import AuditEvent

logger = logging.getLogger("survey_app.audit")

ACTIONS = (
    "sign_in.success",
    "sign_in.failure",
    "sign_in.locked",
    "sign_out",
    "sign_out.everywhere",
    "password.changed",
    "account.created",
    "account.linked",
    "account.roles_changed",
    "account.scope_changed",
    "account.password_reset",
    "account.unlocked",
    "account.sessions_ended",
    "setting.changed",
    "results.viewed",
    "change.requested",
    "change.approved",
    "change.rejected",
    "wave.created",
    "wave.edited",
    "wave.published",
    "wave.opened",
    "wave.rescheduled",
    "wave.closed",
    "wave.questionnaire_changed",
    "mail.invitations_queued",
    "mail.reminders_queued",
    "wave.codes_issued",
    "organisation.imported",
    "quickscan.planned",
    "quickscan.round_started",
    "quickscan.prepared",
    "quickscan.held",
    "quickscan.confirmed",
    "quickscan.deleted",
    "quickscan.granted",
    "quickscan.revoked",
    "quickscan.viewed",
    "quickscan.downloaded",
    "quickscan.purged",
    "quickscan.reminded",
    "quickscan.figures_viewed",
)


@dataclass(frozen=True)
class AuditRecord:
    occurred_at: dt.datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


async def record(action: str, actor: str = "", target: str = "", **details: Any) -> None:
    """Append one record. ``details`` holds identifiers and settings, never answers."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    await AuditEvent.insert(
        AuditEvent(actor=actor[:254], action=action, target=target[:300], details=details)
    )
    # Every field escaped: a typed user name with a line break cannot forge a log record.
    logger.info(
        "%s actor=%s target=%s %s",
        action,
        escaped_for_log(actor),
        escaped_for_log(target),
        json.dumps(details),
    )


async def search(
    *,
    action: str = "",
    actor: str = "",
    target: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditRecord], int]:
    """Records matching every given filter, newest first, and how many match in total."""
    condition = AuditEvent.id > 0
    actor, target = without_unstorable(actor), without_unstorable(target)
    if action:
        condition &= AuditEvent.action == action
    if actor:
        condition &= AuditEvent.actor.ilike(f"%{actor}%")
    if target:
        condition &= AuditEvent.target.ilike(f"%{target}%")
    if since is not None:
        condition &= AuditEvent.occurred_at >= since
    if until is not None:
        condition &= AuditEvent.occurred_at < until
    total = await AuditEvent.count().where(condition)
    rows = (
        await AuditEvent.select()
        .where(condition)
        .order_by(AuditEvent.occurred_at, ascending=False)
        .order_by(AuditEvent.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [
        AuditRecord(
            occurred_at=row["occurred_at"],
            actor=row["actor"],
            action=row["action"],
            target=row["target"],
            details=json.loads(row["details"])
            if isinstance(row["details"], str)
            else row["details"],
        )
        for row in rows
    ], total
