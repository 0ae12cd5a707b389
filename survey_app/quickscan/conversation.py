"""What a viewer may see of Quick Scan conversations: the errors, the views and the reading.

The actions that change a conversation are in `survey_app.quickscan.service`, which also
re-exports everything here (callers import the service only).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from survey_app import audit
from survey_app.core.clock import aware, aware_or_none
from survey_app.core.errors import N_, Forbidden, Invalid, NotFound, Problems
from survey_app.quickscan.access import EMPLOYEE, MANAGER, Viewer, role_of
from survey_app.quickscan.people import Person, current_managers, direct_reports, people
from survey_app.tables.conversations import (
    CONFIRMED,
    HELD,
    QuickScan,
    QuickScanAgreement,
    QuickScanGrant,
)
from surveys import QuickScanForm, load_quickscan
from surveys.quickscan import Signal

# The stages in which a follow-up can be due.
TALKED = (HELD, CONFIRMED)


class QuickScanNotFound(NotFound):
    """Unknown, or not for this viewer: the same answer, so nobody learns it exists."""

    messages: ClassVar[dict[str, str]] = {
        "not_found": N_("There is no such conversation, or it is not yours to see.")
    }


class QuickScanRefused(Forbidden):
    messages: ClassVar[dict[str, str]] = {
        "manager_only": N_("Only the manager who holds this conversation can do this."),
        "employee_only": N_("Only the employee whose conversation this is can do this."),
    }


class QuickScanInvalid(Invalid):
    messages: ClassVar[dict[str, str]] = {
        "already_held": N_("The talk has been recorded: the self-assessment can no longer change."),
        "not_held": N_("The talk has not been recorded yet."),
        "already_confirmed": N_("The employee has confirmed this conversation: it cannot change."),
        "not_a_report": N_("This employee is not one of the people you lead."),
        "already_open": N_("There is already a Quick Scan planned for {name} that is not held."),
        "not_a_current_manager": N_("This person is not one of your current managers."),
        "unknown_department": N_("There is no department with code {code}."),
        "date_in_past": N_("The date {day} has passed; choose today or a later day."),
        "date_in_future": N_("The talk cannot have been held on {day}: that day is still to come."),
        "date_out_of_range": N_("The date {day} is too far away; choose a day within two years."),
        "follow_up_before_talk": N_("The follow-up date comes before the talk."),
        "no_follow_up": N_("This conversation has no follow-up date."),
        "too_many_agreements": N_("At most {max} agreements; there are {count}."),
        "agreement_text_required": N_("Agreement {number} has a date or owner but no text."),
        "bad_owner": N_("Agreement {number}: choose who carries it out."),
        "summary_too_long": N_(
            "The summary is {length} characters long; the maximum is {max_length}."
        ),
        "reaction_too_long": N_(
            "Your reaction is {length} characters long; the maximum is {max_length}."
        ),
        "agreement_too_long": N_(
            "Agreement {number} is {length} characters long; the maximum is {max_length}."
        ),
        "invalid_text": N_("The text contains characters that cannot be stored."),
    }


class QuickScanAnswerProblems(Problems, QuickScanInvalid):
    """Answers of a self-assessment that cannot be stored, by question key (the field)."""

    messages: ClassVar[dict[str, str]] = {
        "not_a_number": N_("Choose one of the answers."),
        "out_of_range": N_("Choose a number from {min} to {max}."),
        "unknown_option": N_("Choose one of the answers."),
        "too_long": N_("Your answer is {length} characters long; the maximum is {max_length}."),
        "invalid_text": N_("The answer contains characters that cannot be stored."),
        "multiple_values": N_("Give one answer."),
        "required": N_("This question needs an answer."),
        "too_many_choices": N_("Choose at most {max}."),
        "too_few_choices": N_("Choose at least {min}."),
        "unknown_question": N_("This question is not part of the Quick Scan."),
    }


@dataclass(frozen=True)
class AgreementView:
    id: int
    text: str
    owner: str
    due_on: dt.date | None
    done: bool


@dataclass(frozen=True)
class GrantView:
    """A current manager of the employee who does not hold the conversation: may read it?"""

    manager_id: int
    name: str
    granted: bool


@dataclass(frozen=True)
class Conversation:
    """What one viewer may see of one conversation."""

    public_id: str
    role: str
    employee: Person
    manager_name: str
    status: str
    talk_on: dt.date | None
    answers: Mapping[str, int | str]
    shared: frozenset[str]
    signals: tuple[Signal, ...]
    summary: str
    held_on: dt.date | None
    agreements: tuple[AgreementView, ...]
    follow_up_on: dt.date | None
    follow_up_done: bool
    overdue: bool
    reaction: str
    confirmed: bool
    created_on: dt.date
    # Manager role: this viewer holds it and may act (false when reading through a grant).
    # Employee role: the manager who holds it is still one of the employee's managers.
    is_current_manager: bool
    # Employee role: the current managers who do not hold it, and whether each may read it.
    grants: tuple[GrantView, ...] = ()
    manager_id: int = 0


@dataclass(frozen=True)
class ConversationSummary:
    public_id: str
    employee_name: str
    manager_name: str
    status: str
    talk_on: dt.date | None
    held_on: dt.date | None
    follow_up_on: dt.date | None
    overdue: bool
    created_on: dt.date
    role: str
    follow_up_done: bool = False
    grants: tuple[GrantView, ...] = ()


@dataclass(frozen=True)
class ReportConversations:
    person: Person
    conversations: list[ConversationSummary]


@dataclass(frozen=True)
class ManagerOverview:
    reports: list[ReportConversations]
    due_follow_ups: list[ConversationSummary] = field(default_factory=list)


def form() -> QuickScanForm:
    return load_quickscan()


def signals_for(answers: Mapping[str, object]) -> tuple[Signal, ...]:
    return tuple(form().signals_for(answers)) if answers else ()


def visible_signals(answers: Mapping[str, object], shared: frozenset[str]) -> tuple[Signal, ...]:
    return tuple(form().visible_signals(answers, shared)) if answers and shared else ()


def is_overdue(row: QuickScan, today: dt.date) -> bool:
    return (
        row.status in TALKED
        and row.follow_up_on is not None
        and row.follow_up_on < today
        and row.followed_up_at is None
    )


def is_due(row: QuickScan, today: dt.date) -> bool:
    return (
        row.status in TALKED
        and row.follow_up_on is not None
        and row.follow_up_on <= today
        and row.followed_up_at is None
    )


def stored_json(value: object, empty: object) -> object:
    """A JSON column's value: Piccolo hands back the text."""
    if value is None or value == "":
        return empty
    return json.loads(value) if isinstance(value, str) else value


def answers_of(row: QuickScan) -> dict[str, int | str]:
    return dict(stored_json(row.self_assessment, {}))  # type: ignore[call-overload]


def shared_of(row: QuickScan) -> frozenset[str]:
    return frozenset(stored_json(row.shared, [])) & frozenset(answers_of(row))  # type: ignore[arg-type]


def created_on(row: QuickScan) -> dt.date:
    return aware(row.created_at).date()


async def find(public_id: str) -> QuickScan | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return await QuickScan.objects().where(QuickScan.public_id == key).first()


async def readable(viewer: Viewer, public_id: str) -> tuple[QuickScan, str]:
    """The conversation and the viewer's role; QuickScanNotFound when they may not read it."""
    row = await find(public_id)
    role = None if row is None else await role_of(viewer, row)
    if row is None or role is None:
        raise QuickScanNotFound("not_found")
    return row, role


async def grant_views(
    row: QuickScan, managers: frozenset[int], names: Mapping[int, Person]
) -> tuple[GrantView, ...]:
    others = sorted(managers - {row.manager})
    if not others:
        return ()
    granted = {
        grant["manager"]
        for grant in await QuickScanGrant.select(QuickScanGrant.manager).where(
            QuickScanGrant.quick_scan == row.id
        )
    }
    return tuple(
        GrantView(manager_id=other, name=names[other].name, granted=other in granted)
        for other in others
        if other in names
    )


async def agreements_of(quick_scan_id: int) -> list[QuickScanAgreement]:
    return (
        await QuickScanAgreement.objects()
        .where(QuickScanAgreement.quick_scan == quick_scan_id)
        .order_by(QuickScanAgreement.position)
        .order_by(QuickScanAgreement.id)
    )


async def get(viewer: Viewer, public_id: str, *, today: dt.date) -> Conversation:
    """The conversation as ``viewer`` may see it; QuickScanNotFound when they may not."""
    row, role = await readable(viewer, public_id)
    managers = await current_managers(row.employee)
    names = await people({row.employee, row.manager, *managers})
    answers = answers_of(row)
    shared = shared_of(row)
    if role == EMPLOYEE:
        signals = signals_for(answers)
        grants = await grant_views(row, managers, names)
        is_current = row.manager in managers
    else:
        signals = visible_signals(answers, shared)
        answers = {key: value for key, value in answers.items() if key in shared}
        grants = ()
        is_current = row.manager == viewer.employee_id
        await audit.record(
            "quickscan.viewed", viewer.username, str(row.public_id), holder=is_current
        )
    manager = names.get(row.manager)
    return Conversation(
        public_id=str(row.public_id),
        role=role,
        employee=names[row.employee],
        manager_name=manager.name if manager else "",
        status=row.status,
        talk_on=row.talk_on,
        answers=answers,
        shared=shared,
        signals=tuple(signals),
        summary=row.summary,
        held_on=row.held_on,
        agreements=tuple(
            AgreementView(
                id=item.id,
                text=item.text,
                owner=item.owner,
                due_on=item.due_on,
                done=item.done_at is not None,
            )
            for item in await agreements_of(row.id)
        ),
        follow_up_on=row.follow_up_on,
        follow_up_done=row.followed_up_at is not None,
        overdue=is_overdue(row, today),
        reaction=row.reaction,
        confirmed=row.status == CONFIRMED,
        created_on=created_on(row),
        is_current_manager=is_current,
        grants=grants,
        manager_id=row.manager,
    )


def summary_of(
    row: QuickScan,
    role: str,
    names: Mapping[int, Person],
    today: dt.date,
    grants: tuple[GrantView, ...] = (),
) -> ConversationSummary:
    employee, manager = names.get(row.employee), names.get(row.manager)
    return ConversationSummary(
        public_id=str(row.public_id),
        employee_name=employee.name if employee else "",
        manager_name=manager.name if manager else "",
        status=row.status,
        talk_on=row.talk_on,
        held_on=row.held_on,
        follow_up_on=row.follow_up_on,
        overdue=is_overdue(row, today),
        created_on=created_on(row),
        role=role,
        follow_up_done=row.followed_up_at is not None,
        grants=grants,
    )


def _newest_first(rows: list[QuickScan]) -> list[QuickScan]:
    return sorted(rows, key=lambda row: (aware(row.created_at), row.id), reverse=True)


async def for_employee(viewer: Viewer, *, today: dt.date) -> list[ConversationSummary]:
    """The viewer's own conversations, newest first, each with its grant controls."""
    if viewer.employee_id is None:
        return []
    rows = await QuickScan.objects().where(QuickScan.employee == viewer.employee_id)
    managers = await current_managers(viewer.employee_id)
    names = await people({viewer.employee_id, *managers, *(row.manager for row in rows)})
    return [
        summary_of(row, EMPLOYEE, names, today, await grant_views(row, managers, names))
        for row in _newest_first(rows)
    ]


async def for_manager(viewer: Viewer, *, today: dt.date) -> ManagerOverview:
    """The viewer's reports, each with the conversations the viewer may read, and the
    follow-ups due of the conversations the viewer holds (earliest first)."""
    if viewer.employee_id is None:
        return ManagerOverview(reports=[])
    reports = await direct_reports(viewer.employee_id)
    if not reports:
        return ManagerOverview(reports=[])
    report_ids = [person.id for person in reports]
    granted = {
        grant["quick_scan"]
        for grant in await QuickScanGrant.select(QuickScanGrant.quick_scan).where(
            QuickScanGrant.manager == viewer.employee_id
        )
    }
    rows = [
        row
        for row in await QuickScan.objects().where(QuickScan.employee.is_in(report_ids))
        if row.manager == viewer.employee_id or row.id in granted
    ]
    names = await people({viewer.employee_id, *report_ids, *(row.manager for row in rows)})
    by_employee: dict[int, list[ConversationSummary]] = {}
    for row in _newest_first(rows):
        by_employee.setdefault(row.employee, []).append(summary_of(row, MANAGER, names, today))
    due = sorted(
        (row for row in rows if row.manager == viewer.employee_id and is_due(row, today)),
        key=lambda row: (row.follow_up_on, row.id),
    )
    return ManagerOverview(
        reports=[
            ReportConversations(person=person, conversations=by_employee.get(person.id, []))
            for person in reports
        ],
        due_follow_ups=[summary_of(row, MANAGER, names, today) for row in due],
    )


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: dt.datetime | None) -> str | None:
    value = aware_or_none(value)
    return None if value is None else value.isoformat()


async def own_data(viewer: Viewer) -> dict[str, Any]:
    """Everything stored about the viewer's own conversations, for a download (JSON)."""
    if viewer.employee_id is None:
        return {"conversations": []}
    rows = _newest_first(await QuickScan.objects().where(QuickScan.employee == viewer.employee_id))
    ids = [row.id for row in rows]
    grants: dict[int, list[int]] = {}
    for grant in (
        await QuickScanGrant.select(QuickScanGrant.quick_scan, QuickScanGrant.manager).where(
            QuickScanGrant.quick_scan.is_in(ids)
        )
        if ids
        else []
    ):
        grants.setdefault(grant["quick_scan"], []).append(grant["manager"])
    managers = {row.manager for row in rows} | {m for ms in grants.values() for m in ms}
    names = await people({viewer.employee_id, *managers})
    conversations = []
    for row in rows:
        answers = answers_of(row)
        conversations.append(
            {
                "id": str(row.public_id),
                "status": row.status,
                "manager": names[row.manager].name if row.manager in names else "",
                "talk_on": _day(row.talk_on),
                "created_at": _moment(row.created_at),
                "self_assessment": answers,
                "shared_with_manager": sorted(shared_of(row)),
                "signals": [signal.key for signal in signals_for(answers)],
                "prepared_at": _moment(row.prepared_at),
                "held_on": _day(row.held_on),
                "summary": row.summary,
                "agreements": [
                    {
                        "text": item.text,
                        "owner": item.owner,
                        "due_on": _day(item.due_on),
                        "done_at": _moment(item.done_at),
                    }
                    for item in await agreements_of(row.id)
                ],
                "follow_up_on": _day(row.follow_up_on),
                "followed_up_at": _moment(row.followed_up_at),
                "reaction": row.reaction,
                "confirmed_at": _moment(row.confirmed_at),
                "readable_by_later_managers": sorted(
                    names[manager].name for manager in grants.get(row.id, []) if manager in names
                ),
                "updated_at": _moment(row.updated_at),
            }
        )
    me = names.get(viewer.employee_id)
    await audit.record("quickscan.downloaded", viewer.username, me.employee_number if me else "")
    return {
        "employee": {"name": me.name, "employee_number": me.employee_number} if me else {},
        "conversations": conversations,
    }
