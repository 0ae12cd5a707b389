"""Importing the organisation: make the database match a checked file, in one transaction.

Departments are updated by code and employees by employee number; departments that are
no longer in the file are deactivated and employees who are no longer in it are marked as
having left today. Nothing is deleted; invitations and responses keep their own snapshot.
"""

from __future__ import annotations

import asyncio
import datetime
from dataclasses import dataclass
from pathlib import Path

from survey_app.core.db import insert_rows, update_rows, write_transaction
from survey_app.core.errors import N_
from survey_app.organisation.csvformat import (
    DepartmentRecord,
    EmployeeRecord,
    OrgPlan,
    check_size,
    file_problem,
)
from survey_app.organisation.parsing import parse_org_csv
from survey_app.tables.identity import Department, Employee

# What each count of an `ImportSummary` is called (English msgids, translated where shown).
SUMMARY_LABELS = {
    "departments_added": N_("Departments added"),
    "departments_updated": N_("Departments updated"),
    "departments_deactivated": N_("Departments no longer in the file (deactivated)"),
    "employees_added": N_("Employees added"),
    "employees_updated": N_("Employees updated"),
    "employees_moved": N_("Employees moved to another department"),
    "employees_left": N_("Employees who left"),
    "employees_returned": N_("Employees who returned"),
}


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


async def apply_org_plan(plan: OrgPlan, today: datetime.date) -> ImportSummary:
    """Make the database match the plan, in one write transaction."""
    async with write_transaction():
        department_counts = await _apply_departments(plan.departments)
        employee_counts = await _apply_employees(plan.employees, today)
    return ImportSummary(**department_counts, **employee_counts)


# Written whole for every changed row, so that all changed rows share one prepared UPDATE.
DEPARTMENT_DETAILS = (Department.name, Department.parent, Department.level, Department.active)
EMPLOYEE_DETAILS = (
    Employee.department,
    Employee.name,
    Employee.email,
    Employee.is_manager,
    Employee.active,
    Employee.left_on,
)


async def _departments_by_code() -> dict[str, dict]:
    rows = await Department.select(Department.id, Department.code, *DEPARTMENT_DETAILS)
    return {row["code"]: row for row in rows}


async def _apply_departments(records: list[DepartmentRecord]) -> dict[str, int]:
    existing = await _departments_by_code()
    new = [record for record in records if record.code not in existing]
    # Parents are linked in a second pass, once every department has an id.
    await insert_rows(
        Department,
        (Department.code, *DEPARTMENT_DETAILS),
        [(record.code, record.name, None, record.level, True) for record in new],
    )
    ids = {code: row["id"] for code, row in (await _departments_by_code()).items()}

    changed = []
    updated = 0
    for record in records:
        parent_id = ids[record.parent_code] if record.parent_code else None
        wanted = (record.name, parent_id, record.level, True)
        row = existing.get(record.code)
        if row is None:
            if parent_id is not None:
                changed.append((*wanted, ids[record.code]))
        elif wanted != tuple(row[column._meta.name] for column in DEPARTMENT_DETAILS):
            updated += 1
            changed.append((*wanted, row["id"]))
    await update_rows(Department, DEPARTMENT_DETAILS, changed)

    in_file = {record.code for record in records}
    gone = [row["id"] for code, row in existing.items() if code not in in_file and row["active"]]
    await update_rows(Department, (Department.active,), [(False, id_) for id_ in gone])
    return {
        "departments_added": len(new),
        "departments_updated": updated,
        "departments_deactivated": len(gone),
    }


async def _apply_employees(records: list[EmployeeRecord], today: datetime.date) -> dict[str, int]:
    department_ids = {
        row["code"]: row["id"] for row in await Department.select(Department.id, Department.code)
    }
    rows = await Employee.select(Employee.id, Employee.employee_number, *EMPLOYEE_DETAILS)
    existing = {row["employee_number"]: row for row in rows}
    counts = {"employees_updated": 0, "employees_moved": 0, "employees_returned": 0}
    new = []
    changed = []
    for record in records:
        department_id = department_ids[record.department_code]
        wanted = (department_id, record.name, record.email, record.is_manager, True, None)
        row = existing.get(record.employee_number)
        if row is None:
            new.append((record.employee_number, *wanted))
            continue
        moved = row["department"] != department_id
        details_changed = (row["name"], row["email"], row["is_manager"]) != (
            record.name,
            record.email,
            record.is_manager,
        )
        counts["employees_moved"] += moved
        counts["employees_updated"] += details_changed
        counts["employees_returned"] += not row["active"]
        if moved or details_changed or not row["active"]:
            changed.append((*wanted, row["id"]))
    await insert_rows(Employee, (Employee.employee_number, *EMPLOYEE_DETAILS), new)
    await update_rows(Employee, EMPLOYEE_DETAILS, changed)

    in_file = {record.employee_number for record in records}
    leavers = [
        row["id"] for number, row in existing.items() if number not in in_file and row["active"]
    ]
    await update_rows(
        Employee, (Employee.active, Employee.left_on), [(False, today, id_) for id_ in leavers]
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
