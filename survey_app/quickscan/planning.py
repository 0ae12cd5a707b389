"""Planning Quick Scan conversations: a manager plans one, or HR starts a round.

Part of the cycle of `survey_app.quickscan.service` (which re-exports these).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from survey_app import audit
from survey_app.core.db import insert_rows, write_transaction
from survey_app.organisation.tree import load_tree
from survey_app.quickscan.access import Viewer
from survey_app.quickscan.conversation import QuickScanInvalid, form
from survey_app.quickscan.people import current_managers, current_managers_of
from survey_app.tables.conversations import PLANNED, PREPARED, QuickScan, QuickScanRound
from survey_app.tables.identity import Employee

# Dates further away than this are typing mistakes (a year 2062, a year 1026).
DATE_RANGE = dt.timedelta(days=2 * 365)
OPEN = (PLANNED, PREPARED)
ROUND_COLUMNS = (
    QuickScan.public_id,
    QuickScan.employee,
    QuickScan.manager,
    QuickScan.department,
    QuickScan.round,
    QuickScan.form_version,
    QuickScan.status,
    QuickScan.planned_by,
    QuickScan.self_assessment,
    QuickScan.shared,
    QuickScan.summary,
    QuickScan.reaction,
    QuickScan.created_at,
    QuickScan.updated_at,
)


@dataclass(frozen=True)
class RoundResult:
    public_id: str
    planned: int
    skipped_without_manager: int
    skipped_open: int


def in_range(day: dt.date | None, now: dt.datetime) -> None:
    if day is not None and abs(day - now.date()) > DATE_RANGE:
        raise QuickScanInvalid("date_out_of_range", day=day.strftime("%d-%m-%Y"))


def not_past(day: dt.date | None, now: dt.datetime) -> None:
    # A day of margin: `now` is UTC, the organisation's day may already have begun.
    if day is not None and day < now.date() - dt.timedelta(days=1):
        raise QuickScanInvalid("date_in_past", day=day.strftime("%d-%m-%Y"))
    in_range(day, now)


async def has_open(employee_id: int) -> bool:
    return await QuickScan.exists().where(
        (QuickScan.employee == employee_id) & QuickScan.status.is_in(list(OPEN))
    )


async def _insert(
    employee_id: int,
    manager_id: int,
    department_id: int,
    *,
    planned_by: str,
    talk_on: dt.date | None,
    now: dt.datetime,
    round_id: int | None = None,
) -> str:
    public_id = uuid.uuid4()
    await QuickScan.insert(
        QuickScan(
            public_id=public_id,
            employee=employee_id,
            manager=manager_id,
            department=department_id,
            round=round_id,
            form_version=form().version,
            status=PLANNED,
            planned_by=planned_by,
            talk_on=talk_on,
            created_at=now,
            updated_at=now,
        )
    )
    return str(public_id)


async def plan(
    viewer: Viewer, employee_id: int, *, talk_on: dt.date | None, now: dt.datetime
) -> str:
    """A planned conversation of ``viewer`` (a current manager) with ``employee_id``."""
    not_past(talk_on, now)
    async with write_transaction():
        employee = (
            await Employee.select(Employee.id, Employee.name, Employee.department)
            .where((Employee.id == employee_id) & (Employee.active == True))  # noqa: E712
            .first()
        )
        if (
            employee is None
            or viewer.employee_id is None
            or viewer.employee_id not in await current_managers(employee_id)
        ):
            raise QuickScanInvalid("not_a_report")
        if await has_open(employee_id):
            raise QuickScanInvalid("already_open", name=employee["name"])
        public_id = await _insert(
            employee_id,
            viewer.employee_id,
            employee["department"],
            planned_by=viewer.username,
            talk_on=talk_on,
            now=now,
        )
        await audit.record("quickscan.planned", viewer.username, public_id)
    return public_id


async def start_round(
    actor: str, department_code: str, *, due_on: dt.date, now: dt.datetime
) -> RoundResult:
    """HR: a planned conversation for every active employee of the department and below who
    has a current manager and no open one, held by that manager (of several, the one with
    the lowest employee number)."""
    not_past(due_on, now)
    async with write_transaction():
        tree = await load_tree()
        department = tree.by_code(department_code)
        if department is None:
            raise QuickScanInvalid("unknown_department", code=department_code)
        employees = await Employee.select(Employee.id, Employee.department).where(
            Employee.department.is_in(sorted(tree.subtree_ids(department.id)))
            & (Employee.active == True)  # noqa: E712
        )
        managers = await current_managers_of(row["id"] for row in employees)
        numbers = {
            row["id"]: row["employee_number"]
            for row in await Employee.select(Employee.id, Employee.employee_number).where(
                Employee.is_manager == True  # noqa: E712
            )
        }
        public_id = uuid.uuid4()
        round_row = QuickScanRound(
            public_id=public_id,
            department=department.id,
            started_by=actor,
            started_at=now,
            due_on=due_on,
        )
        await round_row.save()
        open_ids = {
            row["employee"]
            for row in await QuickScan.select(QuickScan.employee).where(
                QuickScan.status.is_in(list(OPEN))
            )
        }
        version = form().version
        rows = []
        without_manager = already_open = 0
        for employee in sorted(employees, key=lambda row: row["id"]):
            holders = managers.get(employee["id"], frozenset())
            if not holders:
                without_manager += 1
            elif employee["id"] in open_ids:
                already_open += 1
            else:
                holder = min(holders, key=lambda manager: (numbers.get(manager, ""), manager))
                rows.append(
                    (
                        *(uuid.uuid4(), employee["id"], holder, employee["department"]),
                        *(round_row.id, version, PLANNED, actor, "{}", "[]", "", "", now, now),
                    )
                )
        # One statement for all (COPY on PostgreSQL): a round over 5,000 employees took 22 s
        # as one INSERT each.
        await insert_rows(QuickScan, ROUND_COLUMNS, rows)
        planned = len(rows)
        await audit.record(
            "quickscan.round_started",
            actor,
            department_code,
            planned=planned,
            skipped_without_manager=without_manager,
            skipped_open=already_open,
        )
    return RoundResult(str(public_id), planned, without_manager, already_open)
