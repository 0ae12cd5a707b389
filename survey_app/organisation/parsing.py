"""Reading the organisation file: encoding, separator, header and each row's values.

The checks across rows (unique codes, one root, the tree, employees' departments) are in
`survey_app.organisation.checks`; the format is documented in
`survey_app.organisation.csvformat`.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Iterator

from survey_app.core.errors import Problem
from survey_app.core.text import storable, without_unstorable
from survey_app.organisation.checks import CrossRowChecks, DepartmentRow, parents_first
from survey_app.organisation.csvformat import (
    BOOLEANS,
    COLUMNS,
    DELIMITERS,
    DEPARTMENT_CODE_PATTERN,
    DEPARTMENT_ONLY_COLUMNS,
    EMAIL_PATTERN,
    EMPLOYEE_ONLY_COLUMNS,
    LEVELS,
    MAX_LENGTHS,
    MAX_ROWS,
    RECORD_TYPES,
    EmployeeRecord,
    OrgImportError,
    OrgPlan,
    check_size,
    file_problem,
)


def parse_org_csv(data: bytes) -> OrgPlan:
    """Read and check the whole file; raise ``OrgImportError`` listing every problem."""
    check_size(len(data))
    text = _decode(data)
    delimiter = _detect_delimiter(text)
    records = _read_records(text, delimiter)
    _first, _last, header_cells = next(records)
    header = _check_header(header_cells)
    parser = RowParser(header)
    for first_line, last_line, fields in records:
        parser.add_row(first_line, last_line, fields)
    return parser.finish()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_problem(
            None,
            "utf16",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise file_problem(
            line,
            "not_utf8",
        ) from None
    if not text.strip():
        raise file_problem(None, "empty_file")
    return text


def _detect_delimiter(text: str) -> str:
    header_line = text.splitlines()[0]
    if not header_line.strip():
        raise file_problem(1, "empty_header")
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda candidate: counts[candidate])
    if counts[delimiter]:
        return delimiter
    raise file_problem(1, "tab_separated" if "\t" in header_line else "one_column")


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
            raise file_problem(previous_end + 1, "unreadable_csv", reason=str(error)) from None
        start, previous_end = previous_end + 1, reader.line_num
        yield start, previous_end, fields


def _check_header(cells: list[str]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if not name:
            continue  # tolerated while the column stays blank; checked per row
        if name in seen:
            problems.append(Problem("duplicate_column", {"column": name}, line=1))
        elif name not in COLUMNS:
            suggestion = difflib.get_close_matches(name, COLUMNS, n=1)
            problems.append(
                Problem(
                    "unknown_column_suggestion" if suggestion else "unknown_column",
                    {
                        "column": name,
                        "suggestion": suggestion[0] if suggestion else "",
                        "columns": ", ".join(COLUMNS),
                    },
                    line=1,
                )
            )
        seen.add(name)
    missing = [column for column in COLUMNS if column not in seen]
    if missing:
        problems.append(Problem("missing_columns", {"columns": ", ".join(missing)}, line=1))
    if problems:
        raise OrgImportError(problems)
    return header


class RowParser(CrossRowChecks):
    """Collects rows and problems; the cross-row checks run in ``finish``."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.problems: list[Problem] = []
        self.department_rows: list[DepartmentRow] = []
        self.employee_rows: list[EmployeeRecord] = []
        self.data_rows = 0

    def add_row(self, line: int, last_line: int, fields: list[str]) -> None:
        if not any(field.strip() for field in fields):
            return
        self.data_rows += 1
        if self.data_rows > MAX_ROWS:
            raise file_problem(line, "too_many_rows", maximum=MAX_ROWS)
        if len(fields) != len(self.header):
            self.problem(
                line,
                "field_count",
                count=len(fields),
                expected=len(self.header),
            )
            if last_line > line:
                self.problem(
                    line,
                    "unclosed_quote",
                    end=last_line,
                )
            return
        values: dict[str, str] = {}
        for position, (column, field) in enumerate(zip(self.header, fields, strict=True), 1):
            if column:
                values[column] = field.strip()
                if not storable(values[column]):
                    # The one rule of the web forms: no control characters, line breaks
                    # or invisible marks in names, codes and addresses.
                    self.problem(line, "unstorable_text", column=column)
                    values[column] = without_unstorable(values[column])
            elif field.strip():
                self.problem(
                    line,
                    "unnamed_column_value",
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
                "empty_record_type",
            )
        else:
            self.problem(
                line,
                "unknown_record_type",
                value=values["record_type"],
            )

    def _check_text(self, line: int, values: dict[str, str], column: str, required: bool) -> bool:
        value = values[column]
        if required and not value:
            self.problem(line, "required", column=column)
            return False
        if len(value) > MAX_LENGTHS[column]:
            self.problem(
                line,
                "too_long",
                column=column,
                length=len(value),
                maximum=MAX_LENGTHS[column],
            )
            return False
        return True

    def _check_empty(
        self, line: int, values: dict[str, str], columns: Iterable[str], code: str
    ) -> None:
        filled = [column for column in columns if values[column]]
        if filled:
            self.problem(line, code, columns=", ".join(filled))

    def _add_department(self, line: int, values: dict[str, str]) -> None:
        code = values["department_code"]
        if self._check_text(line, values, "department_code", required=True) and (
            not DEPARTMENT_CODE_PATTERN.fullmatch(code)
        ):
            self.problem(
                line,
                "bad_department_code",
                code=code,
            )
        self._check_text(line, values, "department_name", required=True)
        self._check_text(line, values, "parent_code", required=False)
        level = LEVELS.get(values["level"].lower())
        if level is None:
            self.problem(
                line,
                "bad_level" if values["level"] else "empty_level",
                value=values["level"],
            )
        self._check_empty(
            line,
            values,
            EMPLOYEE_ONLY_COLUMNS,
            "department_only_empty",
        )
        self.department_rows.append(
            DepartmentRow(
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
            self.problem(line, "bad_email", email=email)
        self._check_text(line, values, "department_code", required=True)
        is_manager = BOOLEANS.get(values["is_manager"].lower())
        if is_manager is None:
            self.problem(
                line,
                "bad_is_manager",
                value=values["is_manager"],
            )
        self._check_empty(
            line,
            values,
            DEPARTMENT_ONLY_COLUMNS,
            "employee_only_empty",
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
                "no_rows",
            )
            raise OrgImportError(self.problems)
        departments = self._check_departments()
        self._check_employees(departments)
        if self.problems:
            # Stable sort: problems of one line stay in the order they were found.
            raise OrgImportError(sorted(self.problems, key=lambda problem: problem.line or 0))
        return OrgPlan(
            departments=parents_first(departments),
            employees=list(self.employee_rows),
        )
