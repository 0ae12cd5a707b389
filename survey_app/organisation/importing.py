"""Importing the organisation: make the database match a checked file, in one transaction.

Departments are updated by code and employees by employee number; departments that are
no longer in the file are deactivated and employees who are no longer in it are marked as
having left today. Nothing is deleted; invitations and responses keep their own snapshot.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from survey_app.core.db import write_transaction
from survey_app.organisation.csvformat import (
    DepartmentRecord,
    EmployeeRecord,
    OrgPlan,
    check_size,
    file_problem,
)
from survey_app.organisation.parsing import parse_org_csv
from survey_app.tables.identity import Department, Employee

# Rows per INSERT or IN (...) list; keeps every statement far below SQLite's and
# PostgreSQL's limits on bound parameters.
BATCH_SIZE = 500


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed. An employee who moved and was renamed counts in both."""

    departments_added: int = 0
    departments_updated: int = 0
    departments_deactivated: int = 0
    employees_added: int = 0
    employees_updated: int = 0
    employees_moved: int = 0
    employees_left: int = 0
    employees_returned: int = 0


def _batches(items: Sequence, size: int = BATCH_SIZE) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def apply_org_plan(plan: OrgPlan, today: datetime.date) -> ImportSummary:
    """Make the database match the plan, in one write transaction."""
    async with write_transaction():
        department_counts = await _apply_departments(plan.departments)
        employee_counts = await _apply_employees(plan.employees, today)
    return ImportSummary(**department_counts, **employee_counts)


async def _departments_by_code() -> dict[str, dict]:
    rows = await Department.select(
        Department.id,
        Department.code,
        Department.name,
        Department.parent,
        Department.level,
        Department.active,
    )
    return {row["code"]: row for row in rows}


async def _apply_departments(records: list[DepartmentRecord]) -> dict[str, int]:
    existing = await _departments_by_code()
    new = [record for record in records if record.code not in existing]
    # Parents are linked in a second pass, once every department has an id.
    for batch in _batches(new):
        await Department.insert(
            *(
                Department(code=record.code, name=record.name, level=record.level, parent=None)
                for record in batch
            )
        )
    ids = {code: row["id"] for code, row in (await _departments_by_code()).items()}

    updated = 0
    for record in records:
        parent_id = ids[record.parent_code] if record.parent_code else None
        row = existing.get(record.code)
        if row is None:
            if parent_id is not None:
                await Department.update({Department.parent: parent_id}).where(
                    Department.id == ids[record.code]
                )
            continue
        wanted = {"name": record.name, "parent": parent_id, "level": record.level, "active": True}
        changes = {
            Department._meta.get_column_by_name(column): value
            for column, value in wanted.items()
            if row[column] != value
        }
        if changes:
            updated += 1
            await Department.update(changes).where(Department.id == row["id"])

    in_file = {record.code for record in records}
    gone = [row["id"] for code, row in existing.items() if code not in in_file and row["active"]]
    for batch in _batches(gone):
        await Department.update({Department.active: False}).where(Department.id.is_in(batch))
    return {
        "departments_added": len(new),
        "departments_updated": updated,
        "departments_deactivated": len(gone),
    }


async def _apply_employees(records: list[EmployeeRecord], today: datetime.date) -> dict[str, int]:
    department_ids = {
        row["code"]: row["id"] for row in await Department.select(Department.id, Department.code)
    }
    rows = await Employee.select(
        Employee.id,
        Employee.employee_number,
        Employee.name,
        Employee.email,
        Employee.department,
        Employee.is_manager,
        Employee.active,
    )
    existing = {row["employee_number"]: row for row in rows}
    counts = {"employees_updated": 0, "employees_moved": 0, "employees_returned": 0}
    new: list[Employee] = []
    for record in records:
        department_id = department_ids[record.department_code]
        row = existing.get(record.employee_number)
        if row is None:
            new.append(
                Employee(
                    employee_number=record.employee_number,
                    name=record.name,
                    email=record.email,
                    department=department_id,
                    is_manager=record.is_manager,
                )
            )
            continue
        changes: dict = {}
        if row["department"] != department_id:
            changes[Employee.department] = department_id
            counts["employees_moved"] += 1
        details = {
            Employee.name: record.name,
            Employee.email: record.email,
            Employee.is_manager: record.is_manager,
        }
        if any(row[column._meta.name] != value for column, value in details.items()):
            changes.update(details)
            counts["employees_updated"] += 1
        if not row["active"]:
            changes.update({Employee.active: True, Employee.left_on: None})
            counts["employees_returned"] += 1
        if changes:
            await Employee.update(changes).where(Employee.id == row["id"])
    for batch in _batches(new):
        await Employee.insert(*batch)

    in_file = {record.employee_number for record in records}
    leavers = [
        row["id"] for number, row in existing.items() if number not in in_file and row["active"]
    ]
    for batch in _batches(leavers):
        await Employee.update({Employee.active: False, Employee.left_on: today}).where(
            Employee.id.is_in(batch)
        )
    return {**counts, "employees_added": len(new), "employees_left": len(leavers)}


async def import_org_file(path: Path, today: datetime.date) -> ImportSummary:
    """Read, check and apply an organisation file; ``OrgImportError`` if it is rejected."""
    try:
        check_size((await asyncio.to_thread(path.stat)).st_size)
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise file_problem(None, "unreadable_file", path=path, reason=error.strerror) from None
    return await apply_org_plan(parse_org_csv(data), today)
