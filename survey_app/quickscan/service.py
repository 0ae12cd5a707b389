"""The Quick Scan cycle: plan, self-assessment, talk and agreements, confirmation, grants.

Every action is one write transaction, checks the viewer's role with the one rule of
`survey_app.quickscan.access` (QuickScanNotFound when they may not read it at all), sets
``updated_at`` (the retention period counts from it) and leaves an audit record that names
the conversation, never its content. Reading is in `survey_app.quickscan.conversation`,
re-exported here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from survey_app import audit
from survey_app.core.db import write_transaction
from survey_app.core.errors import Problem
from survey_app.quickscan.access import EMPLOYEE, MANAGER, Viewer, role_of
from survey_app.quickscan.conversation import (
    TALKED,
    AgreementView,
    Conversation,
    ConversationSummary,
    GrantView,
    ManagerOverview,
    QuickScanAnswerProblems,
    QuickScanInvalid,
    QuickScanNotFound,
    QuickScanRefused,
    ReportConversations,
    agreements_of,
    find,
    for_employee,
    for_manager,
    form,
    get,
    own_data,
    readable,
)
from survey_app.quickscan.people import current_managers, person
from survey_app.quickscan.planning import OPEN, RoundResult, in_range, plan, start_round
from survey_app.tables.conversations import (
    CONFIRMED,
    HELD,
    OWNERS,
    PREPARED,
    QuickScan,
    QuickScanAgreement,
    QuickScanGrant,
)
from surveys import validate_answer
from surveys.answers import is_clean_text, normalise_text

__all__ = [
    "AgreementInput",
    "AgreementView",
    "Conversation",
    "ConversationSummary",
    "GrantView",
    "ManagerOverview",
    "QuickScanAnswerProblems",
    "QuickScanInvalid",
    "QuickScanNotFound",
    "QuickScanRefused",
    "ReportConversations",
    "RoundResult",
    "Viewer",
    "confirm",
    "delete_planned",
    "for_employee",
    "for_manager",
    "get",
    "grant",
    "mark_agreement",
    "mark_followed_up",
    "own_data",
    "plan",
    "record_talk",
    "revoke",
    "save_self_assessment",
    "start_round",
]

MAX_AGREEMENTS = 20
SUMMARY_MAX_LENGTH = 5000
REACTION_MAX_LENGTH = 2000
AGREEMENT_MAX_LENGTH = 500


@dataclass(frozen=True)
class AgreementInput:
    text: str
    owner: str
    due_on: dt.date | None


# --- checks ------------------------------------------------------------------------------


def _text(value: str, code: str, max_length: int, **params: object) -> str:
    """Free text as stored: line endings unified, composed, trimmed; the survey text rule
    (line breaks and tabs allowed, no other control characters)."""
    text = normalise_text(value)
    if not is_clean_text(text):
        raise QuickScanInvalid("invalid_text")
    text = text.strip()
    if len(text) > max_length:
        raise QuickScanInvalid(code, length=len(text), max_length=max_length, **params)
    return text


async def _acting(viewer: Viewer, public_id: str, role: str) -> QuickScan:
    """The conversation, when ``viewer`` may do what only ``role`` may: the employee, or
    the manager who holds it (not one who reads it through a grant)."""
    row, found = await readable(viewer, public_id)
    if role == EMPLOYEE and found != EMPLOYEE:
        raise QuickScanRefused("employee_only")
    if role == MANAGER and (found != MANAGER or row.manager != viewer.employee_id):
        raise QuickScanRefused("manager_only")
    return row


async def _touch(row: QuickScan, now: dt.datetime, changes: dict | None = None) -> None:
    await QuickScan.update({**(changes or {}), QuickScan.updated_at: now}).where(
        QuickScan.id == row.id
    )


# --- planning ----------------------------------------------------------------------------


# --- the employee's side -----------------------------------------------------------------


def _checked_answers(answers: Mapping[str, int | str]) -> dict[str, int | str]:
    quickscan = form()
    keys = {question.key for question in quickscan.questions}
    problems: list[Problem] = []
    checked: dict[str, int | str] = {}
    for key, value in answers.items():
        if key not in keys:
            problems.append(Problem("unknown_question", field=key))
            continue
        raw = value if isinstance(value, str) else str(value)
        if not raw.strip():
            continue
        error = validate_answer(quickscan, key, {key: [raw]})  # type: ignore[arg-type]
        if error is not None:
            problems.append(Problem(error.code, error.params, field=key))
            continue
        question = quickscan.question(key)
        if question.is_numeric:
            checked[key] = int(raw.strip())
        else:
            checked[key] = normalise_text(raw).strip()
    if problems:
        raise QuickScanAnswerProblems(problems)
    return checked


async def save_self_assessment(
    viewer: Viewer,
    public_id: str,
    answers: Mapping[str, int | str],
    shared: Iterable[str],
    *,
    now: dt.datetime,
) -> None:
    """The employee's answers (only those given) and which of them the manager may see.
    Shared keys without an answer are dropped: sharing ticks start on for every question."""
    checked = _checked_answers(answers)
    visible = sorted(set(shared) & set(checked))
    async with write_transaction():
        row = await _acting(viewer, public_id, EMPLOYEE)
        if row.status not in OPEN:
            raise QuickScanInvalid("already_held")
        await _touch(
            row,
            now,
            {
                QuickScan.self_assessment: json.dumps(checked),
                QuickScan.shared: json.dumps(visible),
                QuickScan.status: PREPARED,
                QuickScan.prepared_at: now,
            },
        )
        await audit.record("quickscan.prepared", viewer.username, str(row.public_id))


async def confirm(viewer: Viewer, public_id: str, *, reaction: str, now: dt.datetime) -> None:
    """The employee has read the record of the talk; an optional reaction."""
    text = _text(reaction, "reaction_too_long", REACTION_MAX_LENGTH)
    async with write_transaction():
        row = await _acting(viewer, public_id, EMPLOYEE)
        if row.status == CONFIRMED:
            raise QuickScanInvalid("already_confirmed")
        if row.status != HELD:
            raise QuickScanInvalid("not_held")
        await _touch(
            row,
            now,
            {QuickScan.reaction: text, QuickScan.status: CONFIRMED, QuickScan.confirmed_at: now},
        )
        await audit.record("quickscan.confirmed", viewer.username, str(row.public_id))


async def _grant_target(viewer: Viewer, public_id: str, manager_employee_id: int) -> QuickScan:
    row = await _acting(viewer, public_id, EMPLOYEE)
    if manager_employee_id == row.manager or manager_employee_id not in await current_managers(
        row.employee
    ):
        raise QuickScanInvalid("not_a_current_manager")
    return row


async def grant(
    viewer: Viewer, public_id: str, manager_employee_id: int, *, now: dt.datetime
) -> None:
    """The employee lets a current manager who does not hold the conversation read it."""
    async with write_transaction():
        row = await _grant_target(viewer, public_id, manager_employee_id)
        exists = await QuickScanGrant.exists().where(
            (QuickScanGrant.quick_scan == row.id) & (QuickScanGrant.manager == manager_employee_id)
        )
        if not exists:
            await QuickScanGrant.insert(
                QuickScanGrant(quick_scan=row.id, manager=manager_employee_id, granted_at=now)
            )
        await _touch(row, now)
        await audit.record(
            "quickscan.granted", viewer.username, str(row.public_id), manager=manager_employee_id
        )


async def revoke(
    viewer: Viewer, public_id: str, manager_employee_id: int, *, now: dt.datetime
) -> None:
    """The employee takes a grant back (the manager who holds it keeps reading it)."""
    async with write_transaction():
        row = await _acting(viewer, public_id, EMPLOYEE)
        await QuickScanGrant.delete().where(
            (QuickScanGrant.quick_scan == row.id) & (QuickScanGrant.manager == manager_employee_id)
        )
        await _touch(row, now)
        await audit.record(
            "quickscan.revoked", viewer.username, str(row.public_id), manager=manager_employee_id
        )


# --- the manager's side ------------------------------------------------------------------


def _checked_agreements(
    agreements: Sequence[AgreementInput], now: dt.datetime
) -> list[AgreementInput]:
    kept = [item for item in agreements if item.text.strip() or item.due_on is not None]
    if len(kept) > MAX_AGREEMENTS:
        raise QuickScanInvalid("too_many_agreements", max=MAX_AGREEMENTS, count=len(kept))
    checked = []
    for number, item in enumerate(kept, start=1):
        text = _text(item.text, "agreement_too_long", AGREEMENT_MAX_LENGTH, number=number)
        if not text:
            raise QuickScanInvalid("agreement_text_required", number=number)
        if item.owner not in OWNERS:
            raise QuickScanInvalid("bad_owner", number=number)
        in_range(item.due_on, now)
        checked.append(AgreementInput(text, item.owner, item.due_on))
    return checked


async def record_talk(
    viewer: Viewer,
    public_id: str,
    *,
    held_on: dt.date,
    summary: str,
    agreements: Sequence[AgreementInput],
    follow_up_on: dt.date | None,
    now: dt.datetime,
) -> None:
    """The manager's record of the talk; replaces earlier agreements (an agreement with the
    same text and owner keeps being done)."""
    text = _text(summary, "summary_too_long", SUMMARY_MAX_LENGTH)
    checked = _checked_agreements(agreements, now)
    if held_on > now.date() + dt.timedelta(days=1):
        raise QuickScanInvalid("date_in_future", day=held_on.strftime("%d-%m-%Y"))
    in_range(held_on, now)
    in_range(follow_up_on, now)
    if follow_up_on is not None and follow_up_on < held_on:
        raise QuickScanInvalid("follow_up_before_talk")
    async with write_transaction():
        row = await _acting(viewer, public_id, MANAGER)
        if row.status == CONFIRMED:
            raise QuickScanInvalid("already_confirmed")
        done = {
            (item.text, item.owner): item.done_at
            for item in await agreements_of(row.id)
            if item.done_at is not None
        }
        await QuickScanAgreement.delete().where(QuickScanAgreement.quick_scan == row.id)
        if checked:
            await QuickScanAgreement.insert(
                *(
                    QuickScanAgreement(
                        quick_scan=row.id,
                        position=position,
                        text=item.text,
                        owner=item.owner,
                        due_on=item.due_on,
                        done_at=done.get((item.text, item.owner)),
                    )
                    for position, item in enumerate(checked)
                )
            )
        changes: dict = {
            QuickScan.summary: text,
            QuickScan.held_on: held_on,
            QuickScan.follow_up_on: follow_up_on,
            QuickScan.status: HELD,
        }
        if follow_up_on != row.follow_up_on:
            changes[QuickScan.followed_up_at] = None
        await _touch(row, now, changes)
        await audit.record(
            "quickscan.held", viewer.username, str(row.public_id), agreements=len(checked)
        )


async def mark_agreement(
    viewer: Viewer, public_id: str, agreement_id: int, done: bool, *, now: dt.datetime
) -> None:
    """Either party marks an agreement done or not done (not a manager reading by grant)."""
    async with write_transaction():
        row, role = await readable(viewer, public_id)
        if role == MANAGER and row.manager != viewer.employee_id:
            raise QuickScanRefused("manager_only")
        agreement = (
            await QuickScanAgreement.objects()
            .where(
                (QuickScanAgreement.id == agreement_id) & (QuickScanAgreement.quick_scan == row.id)
            )
            .first()
        )
        if agreement is None:
            raise QuickScanNotFound("not_found")
        await QuickScanAgreement.update({QuickScanAgreement.done_at: now if done else None}).where(
            QuickScanAgreement.id == agreement.id
        )
        await _touch(row, now)


async def mark_followed_up(viewer: Viewer, public_id: str, *, now: dt.datetime) -> None:
    async with write_transaction():
        row = await _acting(viewer, public_id, MANAGER)
        if row.status not in TALKED:
            raise QuickScanInvalid("not_held")
        if row.follow_up_on is None:
            raise QuickScanInvalid("no_follow_up")
        await _touch(row, now, {QuickScan.followed_up_at: now})


async def delete_planned(viewer: Viewer, public_id: str, *, now: dt.datetime) -> None:
    """A cancelled talk: the conversation and any self-assessment are gone."""
    async with write_transaction():
        row = await _acting(viewer, public_id, MANAGER)
        if row.status not in OPEN:
            raise QuickScanInvalid("already_held")
        await QuickScan.delete().where(QuickScan.id == row.id)
        await audit.record("quickscan.deleted", viewer.username, str(row.public_id))


# Kept for callers that look a conversation up without a viewer (reminders, the demo).
__all__ += ["find", "person", "role_of"]
