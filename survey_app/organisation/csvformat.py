"""The organisation file: one CSV file with the whole organisation (departments and employees).

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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from survey_app.core.errors import N_, Problem, Problems
from survey_app.core.i18n import translate
from survey_app.tables.identity import DEPARTMENT_LEVELS

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
# Bounds on one file, far above the largest Dutch municipality (about 17,000 staff) but far
# below what would hold the server's memory and a write lock for minutes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

MESSAGES: dict[str, str] = {
    "utf16": N_(
        "The file is saved as UTF-16 (Unicode text). Save it as CSV UTF-8 and import it again."
    ),
    "not_utf8": N_(
        "This line contains characters that are not UTF-8, so the file was saved in another "
        "encoding. Save the file as CSV UTF-8 and import it again."
    ),
    "empty_file": N_("The file is empty."),
    "empty_header": N_("The first line is empty; it must be the header row with the columns."),
    "tab_separated": N_(
        "The columns in the header row are separated by tabs; expected columns separated by , or ;."
    ),
    "one_column": N_("The header row has only one column; expected columns separated by , or ;."),
    "unreadable_csv": N_(
        "From this line on the file cannot be read as CSV ({reason}); check for a missing "
        'closing quote (").'
    ),
    "duplicate_column": N_("Column {column} appears more than once in the header row."),
    "unknown_column_suggestion": N_("Unknown column {column} (did you mean {suggestion}?)."),
    "unknown_column": N_("Unknown column {column}; the columns are: {columns}."),
    "missing_columns": N_("The header row lacks these columns: {columns}."),
    "field_count": N_("This row has {count} fields, but the header row has {expected}."),
    "unclosed_quote": N_(
        'A quoted value on this line runs on to line {end}; check for a missing closing quote (").'
    ),
    "file_too_large": N_(
        "The file is {size} MB; the largest file accepted is {maximum} MB. An organisation "
        "file needs about 100 bytes per employee."
    ),
    "too_many_rows": N_(
        "The file has more than {maximum} departments and employees; this is more than any "
        "organisation file should hold. Check that it is the right file."
    ),
    "unstorable_text": N_(
        "Column {column} contains characters that cannot be stored: control characters, "
        "line breaks or invisible marks that change how text reads."
    ),
    "unnamed_column_value": N_("Column {number} has a value but no name in the header row."),
    "empty_record_type": N_(
        "The record_type is empty; use department (afdeling) or employee (medewerker)."
    ),
    "unknown_record_type": N_(
        "Unknown record_type {value}; use department (afdeling) or employee (medewerker)."
    ),
    "required": N_("Column {column} must not be empty."),
    "too_long": N_("Column {column} is {length} characters long; the maximum is {maximum}."),
    "bad_department_code": N_(
        "Department code {code} may contain only letters, digits, hyphens (-), underscores "
        "(_) and full stops (.)."
    ),
    "bad_level": N_(
        "Level {value} is not valid; use organisation, domain, department or team "
        "(organisatie, domein, afdeling, team)."
    ),
    "empty_level": N_(
        "Column level must not be empty; use organisation, domain, department or team "
        "(organisatie, domein, afdeling, team)."
    ),
    "department_only_empty": N_("On a department row these columns must be empty: {columns}."),
    "bad_email": N_("E-mail address {email} is not a valid address."),
    "bad_is_manager": N_(
        "Column is_manager contains {value}; use ja, nee, yes, no, true, false, 1 or 0 (empty"
        " means no)."
    ),
    "employee_only_empty": N_("On an employee row these columns must be empty: {columns}."),
    "no_rows": N_("The file has a header row but no departments or employees below it."),
    "duplicate_department": N_("Department code {code} also appears on line {other}."),
    "no_departments": N_("The file defines no departments."),
    "no_root": N_(
        "No department is the root: exactly one department must have an empty parent_code."
    ),
    "second_root": N_(
        "Department {code} has no parent_code, but {root} on line {other} is already the "
        "root; only one department may have no parent."
    ),
    "root_level": N_(
        "Department {code} is the root (it has no parent_code), so its level must be "
        "organisation, not {level}."
    ),
    "unknown_parent": N_("Parent department {code} is not defined in this file."),
    "level_order": N_(
        "Department {code} has level {level}, which must be below the level {parent_level} of"
        " its parent {parent}."
    ),
    "own_parent": N_(
        "Department {code} is its own parent; every chain of parents must end at the root."
    ),
    "parent_cycle": N_(
        "The parent_code links of departments {chain} go round in a circle (lines {lines}); "
        "every chain of parents must end at the root."
    ),
    "duplicate_employee": N_("Employee number {number} also appears on line {other}."),
    "duplicate_email": N_(
        "E-mail address {email} is also used by employee {number} on line {other}."
    ),
    "unknown_department": N_("Department {code} is not defined in this file."),
    "unreadable_file": N_("Cannot read {path}: {reason}"),
}

AT_LINE = N_("Line {line}: {message}")


class OrgImportError(Problems):
    """The file was rejected; ``problems`` lists everything wrong with it, by line (``line``
    is None for a problem of the whole file)."""

    messages: ClassVar[dict[str, str]] = MESSAGES

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems)

    def message(self) -> str:
        """Every problem on a line of its own, starting with its line number."""
        return "\n".join(
            self.text(problem)
            if problem.line is None
            else translate(AT_LINE, {"line": problem.line, "message": self.text(problem)})
            for problem in self.problems
        )


def check_size(size: int) -> None:
    """Refuse a file above `MAX_FILE_BYTES` before reading it."""
    if size > MAX_FILE_BYTES:
        raise file_problem(
            None,
            "file_too_large",
            size=f"{size / 1024 / 1024:.1f}",
            maximum=MAX_FILE_BYTES // 1024 // 1024,
        )


def file_problem(line: int | None, kind: str, /, **params: object) -> OrgImportError:
    """The whole file is rejected for one problem (it cannot be read further)."""
    return OrgImportError([Problem(kind, params, line=line)])


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
