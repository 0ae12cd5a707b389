"""Who is whose manager, for Quick Scan conversations.

An employee's *current managers* are the active managers (``Employee.is_manager``) of their
own department other than themselves; when there are none, those of the nearest ancestor
department that has any. So a manager's own manager is found one level up, and a team
without a manager of its own is led from the department above it. This is the organisation
import's picture of the moment: a move or a new manager changes it at once, and with it who
may read a conversation (`survey_app.quickscan.access`).

Scope adjustments (`ScopeAdjustment`) widen what a manager may see of *anonymous* results;
they make nobody a manager in a personal conversation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from survey_app.organisation.tree import DepartmentTree, load_tree
from survey_app.tables.identity import Employee


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    employee_number: str
    department_code: str
    department_name: str
    email: str


@dataclass(frozen=True)
class _Managers:
    """The active managers of every department, and the tree to walk up."""

    tree: DepartmentTree
    by_department: dict[int, frozenset[int]]

    def of(self, employee_id: int, department_id: int) -> frozenset[int]:
        for node in reversed(self.tree.ancestors(department_id)):
            found = self.by_department.get(node.id, frozenset()) - {employee_id}
            if found:
                return found
        return frozenset()


async def _managers() -> _Managers:
    rows = await Employee.select(Employee.id, Employee.department).where(
        (Employee.is_manager == True) & (Employee.active == True)  # noqa: E712
    )
    by_department: dict[int, set[int]] = {}
    for row in rows:
        by_department.setdefault(row["department"], set()).add(row["id"])
    return _Managers(
        await load_tree(), {key: frozenset(value) for key, value in by_department.items()}
    )


async def current_managers(employee_id: int) -> frozenset[int]:
    """Employee ids of the employee's current manager(s); empty when nobody qualifies."""
    row = await Employee.select(Employee.department).where(Employee.id == employee_id).first()
    if row is None:
        return frozenset()
    return (await _managers()).of(employee_id, row["department"])


async def current_managers_of(employee_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """`current_managers` for many employees at once (one look at the tree)."""
    ids = sorted(set(employee_ids))
    if not ids:
        return {}
    rows = await Employee.select(Employee.id, Employee.department).where(Employee.id.is_in(ids))
    managers = await _managers()
    return {row["id"]: managers.of(row["id"], row["department"]) for row in rows}


def _person(row: dict, tree: DepartmentTree) -> Person:
    node = tree.nodes.get(row["department"])
    return Person(
        id=row["id"],
        name=row["name"],
        employee_number=row["employee_number"],
        department_code=node.code if node else "",
        department_name=node.name if node else "",
        email=row["email"],
    )


_PERSON_COLUMNS = (
    Employee.id,
    Employee.name,
    Employee.employee_number,
    Employee.department,
    Employee.email,
)


async def people(employee_ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids (active or not), by id."""
    ids = sorted(set(employee_ids))
    if not ids:
        return {}
    rows = await Employee.select(*_PERSON_COLUMNS).where(Employee.id.is_in(ids))
    tree = await load_tree()
    return {row["id"]: _person(row, tree) for row in rows}


async def person(employee_id: int) -> Person | None:
    return (await people([employee_id])).get(employee_id)


async def direct_reports(manager_employee_id: int) -> list[Person]:
    """Active employees whose current managers include this manager, sorted by name."""
    manager = (
        await Employee.select(Employee.department)
        .where((Employee.id == manager_employee_id) & (Employee.is_manager == True))  # noqa: E712
        .where(Employee.active == True)  # noqa: E712
        .first()
    )
    if manager is None:
        return []
    managers = await _managers()
    # Only the manager's own department and those below it can be led by them.
    departments = sorted(managers.tree.subtree_ids(manager["department"]))
    rows = await Employee.select(*_PERSON_COLUMNS).where(
        Employee.department.is_in(departments) & (Employee.active == True)  # noqa: E712
    )
    reports = [
        _person(row, managers.tree)
        for row in rows
        if manager_employee_id in managers.of(row["id"], row["department"])
    ]
    return sorted(reports, key=lambda item: (item.name.casefold(), item.employee_number))
