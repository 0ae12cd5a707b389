"""Import the whole organisation (departments and employees) from one CSV file.

File format (``survey-app org import FILE.csv``)

- UTF-8, with or without BOM (in Excel: save as "CSV UTF-8"). Line 1 is the header row.
- Columns separated by `,` or `;` (read from the header row; Dutch Excel writes `;`).
  Column order is free and names are case-insensitive, but all nine columns below must be
  present and no others (a misspelt column is an error, not silently ignored).
- One row per department or employee, in any order. Values are trimmed; blank rows are
  skipped.

Department rows (`record_type` is `department` or `afdeling`):

- `department_code`: required, unique, at most 64 letters, digits, `-`, `_` or `.`
- `department_name`: required, at most 200 characters
- `parent_code`: the parent's code; empty for the root only
- `level`: `organisation`, `domain`, `department` or `team`
  (or `organisatie`, `domein`, `afdeling`, `team`)
- `employee_number`, `name`, `email`, `is_manager`: empty

Employee rows (`record_type` is `employee` or `medewerker`):

- `employee_number`: required, unique, at most 64 characters
- `name`: required, at most 200 characters
- `email`: optional (field staff may have none); a valid address, unique, at most 254
- `department_code`: required; a department defined in the same file
- `is_manager`: `ja`/`nee`, `yes`/`no`, `true`/`false` or `1`/`0`; empty means no
- `department_name`, `parent_code`, `level`: empty

Exactly one department, the root, has an empty `parent_code` and level `organisation`;
every other department sits at a deeper level than its parent (levels may be skipped).

    record_type;department_code;department_name;parent_code;level;employee_number;name;email;is_manager
    afdeling;GEM;Gemeente Beekhoven;;organisatie;;;;
    afdeling;SD;Sociaal Domein;GEM;domein;;;;
    medewerker;SD;;;;100234;Anna de Vries;a.devries@beekhoven.nl;ja

The file is the complete current organisation. A new import adds what is new, updates
departments (by code) and employees (by employee number), deactivates departments that are
no longer listed, marks employees who are no longer listed as having left today, and
reactivates anyone who comes back. Nothing is deleted; invitations and responses keep their
own department snapshot and are never touched.

A file with any problem is rejected as a whole and nothing is written. Every problem is
reported with its line number (the header is line 1). When the file itself cannot be read
(not UTF-8, wrong separator, wrong header row) only that is reported, because the rows
cannot be checked until it is fixed.
"""

from __future__ import annotations

import asyncio
import csv
import datetime
import difflib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from survey_app.db import write_transaction
from survey_app.i18n import _
from survey_app.tables import DEPARTMENT_LEVELS, Department, Employee

COLUMNS = (
    "record_type",
    "department_code",
    "department_name",
    "parent_code",
    "level",
    "employee_number",
    "name",
    "email",
    "is_manager",
)
DEPARTMENT_ONLY_COLUMNS = ("department_name", "parent_code", "level")
EMPLOYEE_ONLY_COLUMNS = ("employee_number", "name", "email", "is_manager")
MAX_LENGTHS = {
    "department_code": 64,
    "department_name": 200,
    "parent_code": 64,
    "employee_number": 64,
    "name": 200,
    "email": 254,
}
RECORD_TYPES = {
    "department": "department",
    "afdeling": "department",
    "employee": "employee",
    "medewerker": "employee",
}
LEVELS = {
    "organisation": "organisation",
    "organisatie": "organisation",
    "domain": "domain",
    "domein": "domain",
    "department": "department",
    "afdeling": "department",
    "team": "team",
}
LEVEL_RANK = {level: rank for rank, level in enumerate(DEPARTMENT_LEVELS)}
BOOLEANS = {
    "": False,
    "ja": True,
    "yes": True,
    "true": True,
    "1": True,
    "nee": False,
    "no": False,
    "false": False,
    "0": False,
}
DEPARTMENT_CODE_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)
DELIMITERS = (",", ";")
# Rows per INSERT or IN (...) list; keeps every statement far below SQLite's and
# PostgreSQL's limits on bound parameters.
BATCH_SIZE = 500


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file; ``line`` is None when it concerns the whole file."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line {line}: {message}").format(line=self.line, message=self.message)


class OrgImportError(Exception):
    """The file was rejected; ``problems`` lists everything wrong with it, by line."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class DepartmentRecord:
    line: int
    code: str
    name: str
    parent_code: str | None
    level: str


@dataclass(frozen=True)
class EmployeeRecord:
    line: int
    employee_number: str
    name: str
    email: str
    department_code: str
    is_manager: bool


@dataclass(frozen=True)
class OrgPlan:
    """A parsed and validated file: departments parents-first, employees in file order."""

    departments: list[DepartmentRecord]
    employees: list[EmployeeRecord]


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


# --- parsing -----------------------------------------------------------------------------


def parse_org_csv(data: bytes) -> OrgPlan:
    """Read and check the whole file; raise ``OrgImportError`` listing every problem."""
    text = _decode(data)
    delimiter = _detect_delimiter(text)
    records = _read_records(text, delimiter)
    _first, _last, header_cells = next(records)
    header = _check_header(header_cells)
    parser = _RowParser(header)
    for first_line, last_line, fields in records:
        parser.add_row(first_line, last_line, fields)
    return parser.finish()


def _fail(line: int | None, message: str) -> OrgImportError:
    return OrgImportError([ImportProblem(line, message)])


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(
            None,
            _(
                "The file is saved as UTF-16 (Unicode text). Save it as CSV UTF-8 and "
                "import it again."
            ),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _fail(
            line,
            _(
                "This line contains characters that are not UTF-8, so the file was saved "
                "in another encoding. Save the file as CSV UTF-8 and import it again."
            ),
        ) from None
    if not text.strip():
        raise _fail(None, _("The file is empty."))
    return text


def _detect_delimiter(text: str) -> str:
    header_line = text.splitlines()[0]
    if not header_line.strip():
        raise _fail(1, _("The first line is empty; it must be the header row with the columns."))
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda candidate: counts[candidate])
    if counts[delimiter]:
        return delimiter
    if "\t" in header_line:
        message = _(
            "The columns in the header row are separated by tabs; expected columns "
            "separated by , or ;."
        )
    else:
        message = _("The header row has only one column; expected columns separated by , or ;.")
    raise _fail(1, message)


def _read_records(text: str, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """Each record with its first and last physical line (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _fail(
                previous_end + 1,
                _(
                    "From this line on the file cannot be read as CSV ({reason}); check "
                    'for a missing closing quote (").'
                ).format(reason=error),
            ) from None
        start, previous_end = previous_end + 1, reader.line_num
        yield start, previous_end, fields


def _check_header(cells: list[str]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for name in header:
        if not name:
            continue  # tolerated while the column stays blank; checked per row
        if name in seen:
            message = _("Column {column} appears more than once in the header row.")
            problems.append(ImportProblem(1, message.format(column=name)))
        elif name not in COLUMNS:
            suggestion = difflib.get_close_matches(name, COLUMNS, n=1)
            if suggestion:
                message = _("Unknown column {column} (did you mean {suggestion}?).")
            else:
                message = _("Unknown column {column}; the columns are: {columns}.")
            problems.append(
                ImportProblem(
                    1,
                    message.format(
                        column=name,
                        suggestion=suggestion[0] if suggestion else "",
                        columns=", ".join(COLUMNS),
                    ),
                )
            )
        seen.add(name)
    missing = [column for column in COLUMNS if column not in seen]
    if missing:
        message = _("The header row lacks these columns: {columns}.")
        problems.append(ImportProblem(1, message.format(columns=", ".join(missing))))
    if problems:
        raise OrgImportError(problems)
    return header


@dataclass(frozen=True)
class _DepartmentRow:
    """A department row as read, kept even when invalid so the tree can still be checked."""

    line: int
    code: str
    name: str
    parent_code: str
    level: str | None
    level_as_written: str  # messages quote the file, e.g. "domein" rather than "domain"


class _RowParser:
    """Collects rows and problems; the cross-row checks run in ``finish``."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.problems: list[ImportProblem] = []
        self.department_rows: list[_DepartmentRow] = []
        self.employee_rows: list[EmployeeRecord] = []
        self.data_rows = 0

    def problem(self, line: int | None, message: str, **values: object) -> None:
        self.problems.append(ImportProblem(line, message.format(**values)))

    def add_row(self, line: int, last_line: int, fields: list[str]) -> None:
        if not any(field.strip() for field in fields):
            return
        self.data_rows += 1
        if len(fields) != len(self.header):
            self.problem(
                line,
                _("This row has {count} fields, but the header row has {expected}."),
                count=len(fields),
                expected=len(self.header),
            )
            if last_line > line:
                self.problem(
                    line,
                    _(
                        "A quoted value on this line runs on to line {end}; check for a "
                        'missing closing quote (").'
                    ),
                    end=last_line,
                )
            return
        values: dict[str, str] = {}
        for position, (column, field) in enumerate(zip(self.header, fields, strict=True), 1):
            if column:
                values[column] = field.strip()
            elif field.strip():
                self.problem(
                    line,
                    _("Column {number} has a value but no name in the header row."),
                    number=position,
                )
        record_type = RECORD_TYPES.get(values["record_type"].lower())
        if record_type == "department":
            self._add_department(line, values)
        elif record_type == "employee":
            self._add_employee(line, values)
        elif not values["record_type"]:
            self.problem(
                line,
                _("The record_type is empty; use department (afdeling) or employee (medewerker)."),
            )
        else:
            self.problem(
                line,
                _(
                    "Unknown record_type {value}; use department (afdeling) or employee "
                    "(medewerker)."
                ),
                value=values["record_type"],
            )

    def _check_text(self, line: int, values: dict[str, str], column: str, required: bool) -> bool:
        value = values[column]
        if required and not value:
            self.problem(line, _("Column {column} must not be empty."), column=column)
            return False
        if len(value) > MAX_LENGTHS[column]:
            self.problem(
                line,
                _("Column {column} is {length} characters long; the maximum is {maximum}."),
                column=column,
                length=len(value),
                maximum=MAX_LENGTHS[column],
            )
            return False
        return True

    def _check_empty(
        self, line: int, values: dict[str, str], columns: Iterable[str], message: str
    ) -> None:
        filled = [column for column in columns if values[column]]
        if filled:
            self.problem(line, message, columns=", ".join(filled))

    def _add_department(self, line: int, values: dict[str, str]) -> None:
        code = values["department_code"]
        if self._check_text(line, values, "department_code", required=True) and (
            not DEPARTMENT_CODE_PATTERN.fullmatch(code)
        ):
            self.problem(
                line,
                _(
                    "Department code {code} may contain only letters, digits, hyphens (-), "
                    "underscores (_) and full stops (.)."
                ),
                code=code,
            )
        self._check_text(line, values, "department_name", required=True)
        self._check_text(line, values, "parent_code", required=False)
        level = LEVELS.get(values["level"].lower())
        if level is None:
            self.problem(
                line,
                _(
                    "Level {value} is not valid; use organisation, domain, department or team "
                    "(organisatie, domein, afdeling, team)."
                )
                if values["level"]
                else _(
                    "Column level must not be empty; use organisation, domain, department or "
                    "team (organisatie, domein, afdeling, team)."
                ),
                value=values["level"],
            )
        self._check_empty(
            line,
            values,
            EMPLOYEE_ONLY_COLUMNS,
            _("On a department row these columns must be empty: {columns}."),
        )
        self.department_rows.append(
            _DepartmentRow(
                line=line,
                code=code,
                name=values["department_name"],
                parent_code=values["parent_code"],
                level=level,
                level_as_written=values["level"],
            )
        )

    def _add_employee(self, line: int, values: dict[str, str]) -> None:
        self._check_text(line, values, "employee_number", required=True)
        self._check_text(line, values, "name", required=True)
        email = values["email"]
        if (
            self._check_text(line, values, "email", required=False)
            and email
            and not EMAIL_PATTERN.fullmatch(email)
        ):
            self.problem(line, _("E-mail address {email} is not a valid address."), email=email)
        self._check_text(line, values, "department_code", required=True)
        is_manager = BOOLEANS.get(values["is_manager"].lower())
        if is_manager is None:
            self.problem(
                line,
                _(
                    "Column is_manager contains {value}; use ja, nee, yes, no, true, false, "
                    "1 or 0 (empty means no)."
                ),
                value=values["is_manager"],
            )
        self._check_empty(
            line,
            values,
            DEPARTMENT_ONLY_COLUMNS,
            _("On an employee row these columns must be empty: {columns}."),
        )
        self.employee_rows.append(
            EmployeeRecord(
                line=line,
                employee_number=values["employee_number"],
                name=values["name"],
                email=email,
                department_code=values["department_code"],
                is_manager=bool(is_manager),
            )
        )

    def finish(self) -> OrgPlan:
        if not self.data_rows:
            self.problem(
                None,
                _("The file has a header row but no departments or employees below it."),
            )
            raise OrgImportError(self.problems)
        departments = self._check_departments()
        self._check_employees(departments)
        if self.problems:
            # Stable sort: problems of one line stay in the order they were found.
            raise OrgImportError(sorted(self.problems, key=lambda problem: problem.line or 0))
        return OrgPlan(
            departments=_parents_first(departments),
            employees=list(self.employee_rows),
        )

    def _check_departments(self) -> dict[str, _DepartmentRow]:
        """Duplicates, parents, the single root, level order and cycles."""
        departments: dict[str, _DepartmentRow] = {}
        for row in self.department_rows:
            if not row.code:
                continue
            first = departments.get(row.code)
            if first is None:
                departments[row.code] = row
            else:
                self.problem(
                    row.line,
                    _("Department code {code} also appears on line {other}."),
                    code=row.code,
                    other=first.line,
                )
        if not departments:
            self.problem(None, _("The file defines no departments."))
            return departments

        roots = [row for row in departments.values() if not row.parent_code]
        if not roots:
            self.problem(
                None,
                _(
                    "No department is the root: exactly one department must have an empty "
                    "parent_code."
                ),
            )
        else:
            root = next((row for row in roots if row.level == "organisation"), roots[0])
            for row in roots:
                if row is not root:
                    self.problem(
                        row.line,
                        _(
                            "Department {code} has no parent_code, but {root} on line {other} "
                            "is already the root; only one department may have no parent."
                        ),
                        code=row.code,
                        root=root.code,
                        other=root.line,
                    )
            if root.level not in (None, "organisation"):
                self.problem(
                    root.line,
                    _(
                        "Department {code} is the root (it has no parent_code), so its level "
                        "must be organisation, not {level}."
                    ),
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
                    _("Parent department {code} is not defined in this file."),
                    code=row.parent_code,
                )
            elif (
                row.level is not None
                and parent.level is not None
                and LEVEL_RANK[row.level] <= LEVEL_RANK[parent.level]
            ):
                self.problem(
                    row.line,
                    _(
                        "Department {code} has level {level}, which must be below the level "
                        "{parent_level} of its parent {parent}."
                    ),
                    code=row.code,
                    level=row.level_as_written,
                    parent_level=parent.level_as_written,
                    parent=parent.code,
                )

        return departments

    def _check_cycles(self, departments: dict[str, _DepartmentRow]) -> set[str]:
        """Report each cycle of parent links; return the codes caught in one."""
        in_cycle: set[str] = set()
        for cycle in _find_cycles(departments):
            in_cycle.update(row.code for row in cycle)
            if len(cycle) == 1:
                self.problem(
                    cycle[0].line,
                    _(
                        "Department {code} is its own parent; every chain of parents must end "
                        "at the root."
                    ),
                    code=cycle[0].code,
                )
                continue
            self.problem(
                cycle[0].line,
                _(
                    "The parent_code links of departments {chain} go round in a circle "
                    "(lines {lines}); every chain of parents must end at the root."
                ),
                chain=" → ".join(row.code for row in [*cycle, cycle[0]]),
                lines=", ".join(str(row.line) for row in cycle),
            )
        return in_cycle

    def _check_employees(self, departments: dict[str, _DepartmentRow]) -> None:
        numbers: dict[str, EmployeeRecord] = {}
        emails: dict[str, EmployeeRecord] = {}
        for row in self.employee_rows:
            if row.employee_number:
                first = numbers.setdefault(row.employee_number, row)
                if first is not row:
                    self.problem(
                        row.line,
                        _("Employee number {number} also appears on line {other}."),
                        number=row.employee_number,
                        other=first.line,
                    )
            if row.email:
                first = emails.setdefault(row.email.casefold(), row)
                if first is not row:
                    self.problem(
                        row.line,
                        _(
                            "E-mail address {email} is also used by employee {number} on "
                            "line {other}."
                        ),
                        email=row.email,
                        number=first.employee_number,
                        other=first.line,
                    )
            if row.department_code and row.department_code not in departments:
                self.problem(
                    row.line,
                    _("Department {code} is not defined in this file."),
                    code=row.department_code,
                )


def _find_cycles(departments: dict[str, _DepartmentRow]) -> list[list[_DepartmentRow]]:
    """Each cycle of parent links once, starting at the member that comes first in the file."""
    finished: set[str] = set()
    cycles: list[list[_DepartmentRow]] = []
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


def _parents_first(departments: dict[str, _DepartmentRow]) -> list[DepartmentRecord]:
    """The validated tree from the root down, siblings in file order."""
    children: dict[str, list[_DepartmentRow]] = {}
    roots: list[_DepartmentRow] = []
    for row in departments.values():
        if row.parent_code:
            children.setdefault(row.parent_code, []).append(row)
        else:
            roots.append(row)
    ordered: list[DepartmentRecord] = []
    frontier = roots
    while frontier:
        next_frontier: list[_DepartmentRow] = []
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


# --- applying ----------------------------------------------------------------------------


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
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise _fail(
            None, _("Cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    return await apply_org_plan(parse_org_csv(data), today)
