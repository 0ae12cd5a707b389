"""Checks of the organisation file across rows: duplicates, the single root, levels going
down the tree, cycles of parents, and employees' departments."""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.core.errors import Problem
from survey_app.organisation.csvformat import LEVEL_RANK, DepartmentRecord, EmployeeRecord


def find_cycles(departments: dict[str, DepartmentRow]) -> list[list[DepartmentRow]]:
    """Each cycle of parent links once, starting at the member that comes first in the file."""
    finished: set[str] = set()
    cycles: list[list[DepartmentRow]] = []
    for start in departments:
        path: list[str] = []
        on_path: set[str] = set()
        code: str | None = start
        while code is not None and code not in finished and code not in on_path:
            path.append(code)
            on_path.add(code)
            parent = departments[code].parent_code
            code = parent if parent in departments else None
        if code is not None and code in on_path:
            members = [departments[member] for member in path[path.index(code) :]]
            first = min(range(len(members)), key=lambda index: members[index].line)
            cycles.append(members[first:] + members[:first])
        finished.update(path)
    return cycles


def parents_first(departments: dict[str, DepartmentRow]) -> list[DepartmentRecord]:
    """The validated tree from the root down, siblings in file order."""
    children: dict[str, list[DepartmentRow]] = {}
    roots: list[DepartmentRow] = []
    for row in departments.values():
        if row.parent_code:
            children.setdefault(row.parent_code, []).append(row)
        else:
            roots.append(row)
    ordered: list[DepartmentRecord] = []
    frontier = roots
    while frontier:
        next_frontier: list[DepartmentRow] = []
        for row in frontier:
            assert row.level is not None  # a plan is only built from valid rows
            ordered.append(
                DepartmentRecord(
                    line=row.line,
                    code=row.code,
                    name=row.name,
                    parent_code=row.parent_code or None,
                    level=row.level,
                )
            )
            next_frontier.extend(children.get(row.code, []))
        frontier = next_frontier
    return ordered


@dataclass(frozen=True)
class DepartmentRow:
    """A department row as read, kept even when invalid so the tree can still be checked."""

    line: int
    code: str
    name: str
    parent_code: str
    level: str | None
    level_as_written: str  # messages quote the file, e.g. "domein" rather than "domain"


class CrossRowChecks:
    """The checks that need every row; `survey_app.organisation.parsing.RowParser` runs them
    once all rows are read."""

    problems: list[Problem]
    department_rows: list[DepartmentRow]
    employee_rows: list[EmployeeRecord]

    def problem(self, line: int | None, kind: str, /, **values: object) -> None:
        """Record a problem ``kind`` (a code of `MESSAGES`) at ``line``."""
        self.problems.append(Problem(kind, values, line=line))

    def _check_departments(self) -> dict[str, DepartmentRow]:
        """Duplicates, parents, the single root, level order and cycles."""
        departments: dict[str, DepartmentRow] = {}
        for row in self.department_rows:
            if not row.code:
                continue
            first = departments.get(row.code)
            if first is None:
                departments[row.code] = row
            else:
                self.problem(
                    row.line,
                    "duplicate_department",
                    code=row.code,
                    other=first.line,
                )
        if not departments:
            self.problem(None, "no_departments")
            return departments

        roots = [row for row in departments.values() if not row.parent_code]
        if not roots:
            self.problem(
                None,
                "no_root",
            )
        else:
            root = next((row for row in roots if row.level == "organisation"), roots[0])
            for row in roots:
                if row is not root:
                    self.problem(
                        row.line,
                        "second_root",
                        code=row.code,
                        root=root.code,
                        other=root.line,
                    )
            if root.level not in (None, "organisation"):
                self.problem(
                    root.line,
                    "root_level",
                    code=root.code,
                    level=root.level_as_written,
                )

        # Levels inside a cycle cannot be put in order; the cycle is the problem to fix.
        in_cycle = self._check_cycles(departments)
        for row in departments.values():
            if not row.parent_code or row.code in in_cycle:
                continue
            parent = departments.get(row.parent_code)
            if parent is None:
                self.problem(
                    row.line,
                    "unknown_parent",
                    code=row.parent_code,
                )
            elif (
                row.level is not None
                and parent.level is not None
                and LEVEL_RANK[row.level] <= LEVEL_RANK[parent.level]
            ):
                self.problem(
                    row.line,
                    "level_order",
                    code=row.code,
                    level=row.level_as_written,
                    parent_level=parent.level_as_written,
                    parent=parent.code,
                )

        return departments

    def _check_cycles(self, departments: dict[str, DepartmentRow]) -> set[str]:
        """Report each cycle of parent links; return the codes caught in one."""
        in_cycle: set[str] = set()
        for cycle in find_cycles(departments):
            in_cycle.update(row.code for row in cycle)
            if len(cycle) == 1:
                self.problem(
                    cycle[0].line,
                    "own_parent",
                    code=cycle[0].code,
                )
                continue
            self.problem(
                cycle[0].line,
                "parent_cycle",
                chain=" → ".join(row.code for row in [*cycle, cycle[0]]),
                lines=", ".join(str(row.line) for row in cycle),
            )
        return in_cycle

    def _check_employees(self, departments: dict[str, DepartmentRow]) -> None:
        numbers: dict[str, EmployeeRecord] = {}
        emails: dict[str, EmployeeRecord] = {}
        for row in self.employee_rows:
            if row.employee_number:
                first = numbers.setdefault(row.employee_number, row)
                if first is not row:
                    self.problem(
                        row.line,
                        "duplicate_employee",
                        number=row.employee_number,
                        other=first.line,
                    )
            if row.email:
                first = emails.setdefault(row.email.casefold(), row)
                if first is not row:
                    self.problem(
                        row.line,
                        "duplicate_email",
                        email=row.email,
                        number=first.employee_number,
                        other=first.line,
                    )
            if row.department_code and row.department_code not in departments:
                self.problem(
                    row.line,
                    "unknown_department",
                    code=row.department_code,
                )
