"""The small organisation with Quick Scan viewers: who leads whom, by employee number.

`tests.helpers.small_org_csv`: Jeugd 1001 (manager) to 1006, Wmo 1007 (manager) to 1009,
ICT 1010 (manager) to 1016; Gemeente, Sociaal Domein and Bedrijfsvoering have nobody.
"""

from __future__ import annotations

import datetime as dt

from survey_app.quickscan.service import Viewer
from survey_app.tables.identity import Department, Employee
from tests.helpers import load_small_org

NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


async def employee_id(number: str) -> int:
    row = await Employee.select(Employee.id).where(Employee.employee_number == number).first()
    assert row is not None, number
    return row["id"]


async def viewer(number: str) -> Viewer:
    return Viewer(username=f"m{number}@testdorp.example", employee_id=await employee_id(number))


async def org() -> None:
    await load_small_org()


async def move(number: str, department_code: str) -> None:
    """The employee now works in another department (as an organisation import would)."""
    department = (
        await Department.select(Department.id).where(Department.code == department_code).first()
    )
    await Employee.update({Employee.department: department["id"]}).where(
        Employee.employee_number == number
    )
