"""The one rule for who may read a Quick Scan conversation.

The employee whose conversation it is reads it. A manager reads it only while they are one
of the employee's *current* managers (`survey_app.quickscan.people`) and either hold the
conversation themselves or were given it by the employee (a `QuickScanGrant`). Nobody else
does: not HR, not an administrator, not an earlier manager after the employee moved or got
a new manager, not another manager of the organisation. Roles of the account (HR, admin)
play no part; only the employee record counts.

Of the two manager ways, only the holder may act (record the talk, mark the follow-up,
delete); a manager reading through a grant reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.core.principal import Principal
from survey_app.quickscan.people import current_managers
from survey_app.tables.conversations import QuickScan, QuickScanGrant

EMPLOYEE, MANAGER = "employee", "manager"


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the account's username (for the audit trail) and employee id."""

    username: str
    employee_id: int | None

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        return cls(username=principal.username, employee_id=principal.employee_id)


async def has_grant(quick_scan_id: int, manager_employee_id: int) -> bool:
    return await QuickScanGrant.exists().where(
        (QuickScanGrant.quick_scan == quick_scan_id)
        & (QuickScanGrant.manager == manager_employee_id)
    )


async def role_of(viewer: Viewer, row: QuickScan) -> str | None:
    """ "employee", "manager" or None (may not read it) for ``viewer`` and conversation ``row``."""
    if viewer.employee_id is None:
        return None
    if viewer.employee_id == row.employee:
        return EMPLOYEE
    if viewer.employee_id not in await current_managers(row.employee):
        return None
    if row.manager == viewer.employee_id or await has_grant(row.id, viewer.employee_id):
        return MANAGER
    return None
