"""The organisation import: the CSV format, every rejected file, and re-import semantics."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey_app.core.i18n import current_language
from survey_app.organisation import csvformat
from survey_app.organisation.csvformat import OrgImportError
from survey_app.organisation.importing import ImportSummary, apply_org_plan, import_org_file
from survey_app.organisation.parsing import parse_org_csv
from survey_app.tables.identity import Department, Employee, Invitation, Wave

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
DAY_ONE = datetime.date(2025, 3, 1)
DAY_TWO = datetime.date(2025, 4, 1)
DAY_THREE = datetime.date(2025, 5, 1)


def dept(code: str, name: str, parent: str = "", level: str = "department") -> dict[str, str]:
    return {
        "record_type": "department",
        "department_code": code,
        "department_name": name,
        "parent_code": parent,
        "level": level,
    }


def emp(number: str, name: str, email: str, department: str, manager: str = "") -> dict[str, str]:
    return {
        "record_type": "employee",
        "department_code": department,
        "employee_number": number,
        "name": name,
        "email": email,
        "is_manager": manager,
    }


def csv_bytes(
    rows: list[dict[str, str]],
    columns: tuple[str, ...] = COLUMNS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A file with a header row and one line per row (values must not need quoting)."""
    lines = [delimiter.join(columns)]
    lines += [delimiter.join(row.get(column, "") for column in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


# Line numbers in the comments: the header is line 1.
ORG = [
    dept("GEM", "Gemeente Voorbeeld", level="organisation"),  # 2
    dept("SD", "Sociaal Domein", "GEM", "domain"),  # 3
    dept("JEUGD", "Jeugd", "SD"),  # 4
    dept("WMO", "Wmo", "SD"),  # 5
    dept("BOR", "Buitenruimte", "GEM"),  # 6
    emp("1001", "Anna de Vries", "anna@example.nl", "JEUGD", "ja"),  # 7
    emp("1002", "Bram Jansen", "bram@example.nl", "JEUGD"),  # 8
    emp("1003", "Chris Bakker", "", "BOR"),  # 9: field staff without e-mail
    emp("1004", "Dewi Smit", "dewi@example.nl", "WMO", "nee"),  # 10
]


def replace_row(rows: list[dict[str, str]], index: int, **changes: str) -> list[dict[str, str]]:
    return [{**row, **changes} if position == index else row for position, row in enumerate(rows)]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    token = current_language.set("en")
    yield
    current_language.reset(token)


async def departments() -> dict[str, dict]:
    rows = await Department.select(
        Department.code,
        Department.name,
        Department.parent.code.as_alias("parent_code"),
        Department.level,
        Department.active,
    )
    return {row["code"]: row for row in rows}


async def employees() -> dict[str, dict]:
    rows = await Employee.select(
        Employee.employee_number,
        Employee.name,
        Employee.email,
        Employee.department.code.as_alias("department_code"),
        Employee.is_manager,
        Employee.active,
        Employee.left_on,
    )
    return {row["employee_number"]: row for row in rows}


async def snapshot() -> tuple[list[dict], list[dict]]:
    """Every column of every department and employee row, ids included."""
    return (
        await Department.select().order_by(Department.id),
        await Employee.select().order_by(Employee.id),
    )


def problems_of(data: bytes) -> list[tuple[int | None, str]]:
    with pytest.raises(OrgImportError) as raised:
        parse_org_csv(data)
    return [(problem.line, raised.value.text(problem)) for problem in raised.value.problems]


# --- a valid file ----------------------------------------------------------------------------


async def test_valid_file_creates_the_tree_and_the_employees() -> None:
    summary = await apply_org_plan(parse_org_csv(csv_bytes(ORG)), DAY_ONE)

    assert summary == ImportSummary(departments_added=5, employees_added=4)
    assert await departments() == {
        "GEM": {
            "code": "GEM",
            "name": "Gemeente Voorbeeld",
            "parent_code": None,
            "level": "organisation",
            "active": True,
        },
        "SD": {
            "code": "SD",
            "name": "Sociaal Domein",
            "parent_code": "GEM",
            "level": "domain",
            "active": True,
        },
        "JEUGD": {
            "code": "JEUGD",
            "name": "Jeugd",
            "parent_code": "SD",
            "level": "department",
            "active": True,
        },
        "WMO": {
            "code": "WMO",
            "name": "Wmo",
            "parent_code": "SD",
            "level": "department",
            "active": True,
        },
        "BOR": {
            "code": "BOR",
            "name": "Buitenruimte",
            "parent_code": "GEM",
            "level": "department",
            "active": True,
        },
    }
    assert await employees() == {
        "1001": {
            "employee_number": "1001",
            "name": "Anna de Vries",
            "email": "anna@example.nl",
            "department_code": "JEUGD",
            "is_manager": True,
            "active": True,
            "left_on": None,
        },
        "1002": {
            "employee_number": "1002",
            "name": "Bram Jansen",
            "email": "bram@example.nl",
            "department_code": "JEUGD",
            "is_manager": False,
            "active": True,
            "left_on": None,
        },
        "1003": {
            "employee_number": "1003",
            "name": "Chris Bakker",
            "email": "",
            "department_code": "BOR",
            "is_manager": False,
            "active": True,
            "left_on": None,
        },
        "1004": {
            "employee_number": "1004",
            "name": "Dewi Smit",
            "email": "dewi@example.nl",
            "department_code": "WMO",
            "is_manager": False,
            "active": True,
            "left_on": None,
        },
    }


def test_dutch_excel_file_with_bom_semicolons_aliases_and_any_column_order() -> None:
    columns = tuple(reversed(COLUMNS))
    rows = [
        {**dept("GEM", "Gemeente", level="Organisatie"), "record_type": "Afdeling"},
        {**dept("SD", "Sociaal Domein", "GEM", "domein"), "record_type": "afdeling"},
        {**dept("T1", "Team 1", "SD", "TEAM"), "record_type": "AFDELING"},
        {**emp("1", "José Müller", "", "T1", "Ja"), "record_type": "medewerker"},
        {**emp("2", "Eva", "eva@example.nl", "T1", "TRUE"), "record_type": "Medewerker"},
        {**emp("3", "Ivo", "ivo@example.nl", "SD", "0"), "record_type": "employee"},
    ]
    data = "\ufeff".encode() + csv_bytes(rows, columns=columns, delimiter=";")

    plan = parse_org_csv(data)

    assert [(d.code, d.level, d.parent_code) for d in plan.departments] == [
        ("GEM", "organisation", None),
        ("SD", "domain", "GEM"),
        ("T1", "team", "SD"),
    ]
    assert [(e.employee_number, e.name, e.is_manager) for e in plan.employees] == [
        ("1", "José Müller", True),
        ("2", "Eva", True),
        ("3", "Ivo", False),
    ]


def test_header_names_are_case_insensitive_and_values_are_trimmed() -> None:
    header = ",".join(column.upper() for column in COLUMNS)
    data = (
        f"{header}\r\n"
        " department , GEM , Gemeente ,, organisation ,,,,\r\n"
        " employee , GEM ,,,, 7 , Ada ,ada@example.nl, yes \r\n"
    ).encode()

    plan = parse_org_csv(data)

    assert plan.departments[0].code == "GEM"
    assert plan.departments[0].name == "Gemeente"
    assert plan.employees[0].employee_number == "7"
    assert plan.employees[0].is_manager is True


def test_children_may_come_before_their_parents_and_levels_may_be_skipped() -> None:
    rows = [
        dept("T1", "Team 1", "SD", "team"),
        emp("1", "Ada", "", "T1"),
        dept("SD", "Sociaal Domein", "GEM", "domain"),
        dept("GEM", "Gemeente", level="organisation"),
        dept("T2", "Team 2", "GEM", "team"),
    ]

    plan = parse_org_csv(csv_bytes(rows))

    assert [d.code for d in plan.departments] == ["GEM", "SD", "T2", "T1"]


def test_blank_rows_and_an_unnamed_blank_column_are_ignored() -> None:
    data = csv_bytes(ORG, columns=(*COLUMNS, ""), delimiter=";")
    data = data.replace(b"\nemployee;JEUGD;;;;1002", b"\n;;;;;;;;;\n\nemployee;JEUGD;;;;1002")

    plan = parse_org_csv(data)

    assert len(plan.departments) == 5
    assert [e.line for e in plan.employees] == [7, 10, 11, 12]


def test_quoted_values_may_hold_the_delimiter_and_line_numbers_stay_physical() -> None:
    header = ",".join(COLUMNS)
    data = (
        f"{header}\n"
        'department,GEM,"Gemeente, de",,organisation,,,,\n'
        'employee,GEM,,,,1,"Ada\nLovelace",,\n'
        "employee,GEM,,,,1,Ada,,\n"
    ).encode()

    # The line break inside the name is refused (names are one line), and the line numbers
    # after it are still those of the file.
    assert problems_of(data) == [
        (
            3,
            "Column name contains characters that cannot be stored: control characters, "
            "line breaks or invisible marks that change how text reads.",
        ),
        (5, "Employee number 1 also appears on line 3."),
    ]


# --- re-import -------------------------------------------------------------------------------

REORGANISED = [
    dept("GEM", "Gemeente Voorbeeld", level="organisation"),
    dept("SD", "Sociaal Domein en Zorg", "GEM", "domain"),  # renamed
    dept("JEUGD", "Jeugd", "SD"),
    dept("WMO", "Wmo", "SD"),
    dept("J1", "Jeugdteam Noord", "JEUGD", "team"),  # new; BOR is gone
    emp("1001", "Anna de Vries", "anna@example.nl", "WMO", "ja"),  # moved
    emp("1002", "Bram Jansen-Kok", "bram@example.nl", "JEUGD"),  # renamed
    emp("1004", "Dewi Smit", "dewi@example.nl", "WMO"),  # unchanged; 1003 left
    emp("1005", "Eva Visser", "eva@example.nl", "J1"),  # new
]


async def test_reimport_moves_updates_adds_and_marks_leavers() -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)

    summary = await import_bytes(csv_bytes(REORGANISED), DAY_TWO)

    assert summary == ImportSummary(
        departments_added=1,
        departments_updated=1,
        departments_deactivated=1,
        employees_added=1,
        employees_updated=1,
        employees_moved=1,
        employees_left=1,
    )
    depts = await departments()
    assert depts["SD"]["name"] == "Sociaal Domein en Zorg"
    assert depts["J1"] == {
        "code": "J1",
        "name": "Jeugdteam Noord",
        "parent_code": "JEUGD",
        "level": "team",
        "active": True,
    }
    # Never deleted: history (invitations, responses) refers to it.
    assert depts["BOR"]["active"] is False
    people = await employees()
    assert people["1001"]["department_code"] == "WMO"
    assert people["1002"]["name"] == "Bram Jansen-Kok"
    assert people["1003"]["active"] is False
    assert people["1003"]["left_on"] == DAY_TWO
    assert people["1003"]["department_code"] == "BOR"
    assert people["1005"]["department_code"] == "J1"
    assert all(people[number]["active"] for number in ("1001", "1002", "1004", "1005"))


async def test_reimporting_the_same_file_changes_nothing() -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)
    before = await snapshot()

    summary = await import_bytes(csv_bytes(ORG), DAY_TWO)

    assert summary == ImportSummary()
    assert await snapshot() == before


async def test_a_leaver_keeps_the_date_they_left() -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)
    await import_bytes(csv_bytes(REORGANISED), DAY_TWO)

    summary = await import_bytes(csv_bytes(REORGANISED), DAY_THREE)

    assert summary == ImportSummary()
    assert (await employees())["1003"]["left_on"] == DAY_TWO


async def test_a_returning_employee_and_department_are_reactivated() -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)
    await import_bytes(csv_bytes(REORGANISED), DAY_TWO)
    back = [
        *REORGANISED,
        dept("BOR", "Buitenruimte", "GEM"),
        emp("1003", "Chris Bakker", "chris@example.nl", "WMO"),
    ]

    summary = await import_bytes(csv_bytes(back), DAY_THREE)

    assert summary == ImportSummary(
        departments_updated=1, employees_updated=1, employees_moved=1, employees_returned=1
    )
    assert (await departments())["BOR"]["active"] is True
    chris = (await employees())["1003"]
    assert chris["active"] is True
    assert chris["left_on"] is None
    assert chris["department_code"] == "WMO"
    assert chris["email"] == "chris@example.nl"


async def test_reimport_can_move_a_department_and_replace_the_root() -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)
    merged = [
        dept("NEW", "Gemeente Samen", level="organisation"),
        dept("SD", "Sociaal Domein", "NEW", "domain"),
        dept("JEUGD", "Jeugd", "SD"),
        dept("WMO", "Wmo", "NEW"),
        emp("1001", "Anna de Vries", "anna@example.nl", "JEUGD", "ja"),
    ]

    summary = await import_bytes(csv_bytes(merged), DAY_TWO)

    assert summary.departments_added == 1
    assert summary.departments_updated == 2  # SD and WMO have a new parent
    assert summary.departments_deactivated == 2  # GEM and BOR
    assert summary.employees_left == 3
    depts = await departments()
    assert depts["WMO"]["parent_code"] == "NEW"
    assert depts["SD"]["parent_code"] == "NEW"
    assert depts["GEM"]["active"] is False


async def test_reimport_leaves_invitations_with_their_department_snapshot() -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)
    wave = Wave(
        public_id=uuid.uuid4(),
        title="Pulse",
        template_key="pulse",
        template={},
        opens_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2025, 3, 15, tzinfo=datetime.UTC),
    )
    await wave.save()
    anna = await Employee.objects().get(Employee.employee_number == "1001")
    chris = await Employee.objects().get(Employee.employee_number == "1003")
    for person, token in ((anna, "a" * 64), (chris, "c" * 64)):
        await Invitation(
            wave=wave.id, employee=person.id, department=person.department, token_hash=token
        ).save()
    invitations_before = await Invitation.select().order_by(Invitation.id)

    await import_bytes(csv_bytes(REORGANISED), DAY_TWO)

    assert await Invitation.select().order_by(Invitation.id) == invitations_before
    assert (await employees())["1001"]["department_code"] == "WMO"


async def test_import_org_file_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "organisatie.csv"
    path.write_bytes(csv_bytes(ORG, delimiter=";"))

    summary = await import_org_file(path, DAY_ONE)

    assert summary.employees_added == 4


async def test_import_org_file_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OrgImportError) as raised:
        await import_org_file(tmp_path / "missing.csv", DAY_ONE)

    assert raised.value.problems[0].line is None
    assert "missing.csv" in raised.value.text(raised.value.problems[0])


async def import_bytes(data: bytes, today: datetime.date) -> ImportSummary:
    return await apply_org_plan(parse_org_csv(data), today)


# --- rejected files: each problem is reported and nothing is written ---------------------------

HEADER = ",".join(COLUMNS)
MALFORMED: dict[str, tuple[bytes, int | None, str]] = {
    "missing column": (
        csv_bytes(ORG, columns=tuple(c for c in COLUMNS if c not in ("email", "level"))),
        1,
        "The header row lacks these columns: level, email.",
    ),
    "unknown column": (
        csv_bytes(ORG, columns=(*COLUMNS, "notes")),
        1,
        "Unknown column notes; the columns are: record_type, department_code,",
    ),
    "misspelt column": (
        csv_bytes(ORG, columns=tuple("emial" if c == "email" else c for c in COLUMNS)),
        1,
        "Unknown column emial (did you mean email?).",
    ),
    "column twice": (
        csv_bytes(ORG, columns=(*COLUMNS, "name")),
        1,
        "Column name appears more than once in the header row.",
    ),
    "value in a column without a name": (
        csv_bytes(replace_row(ORG, 1, extra="oops"), columns=(*COLUMNS, "extra")).replace(
            b",extra\n", b",\n", 1
        ),
        3,
        "Column 10 has a value but no name in the header row.",
    ),
    "tab separated": (
        csv_bytes(ORG, delimiter="\t"),
        1,
        "separated by tabs; expected columns separated by , or ;.",
    ),
    "single column": (
        b"record_type\ndepartment\n",
        1,
        "The header row has only one column; expected columns separated by , or ;.",
    ),
    "first line empty": (
        b"\n" + csv_bytes(ORG),
        1,
        "The first line is empty; it must be the header row",
    ),
    "not utf-8": (
        csv_bytes(replace_row(ORG, 6, name="José Jansen"), encoding="cp1252"),
        8,
        "not UTF-8, so the file was saved in another encoding. Save the file as CSV UTF-8",
    ),
    "utf-16": (
        "\ufeff".encode("utf-16-le") + csv_bytes(ORG).decode().encode("utf-16-le"),
        None,
        "The file is saved as UTF-16 (Unicode text). Save it as CSV UTF-8",
    ),
    "empty file": (b"", None, "The file is empty."),
    "only a bom and blank lines": (b"\xef\xbb\xbf\r\n\r\n", None, "The file is empty."),
    "header only": (
        (HEADER + "\n\n").encode(),
        None,
        "The file has a header row but no departments or employees below it.",
    ),
    "no departments": (
        csv_bytes([emp("1", "Ada", "", "GEM")]),
        None,
        "The file defines no departments.",
    ),
    "duplicate employee number": (
        csv_bytes(replace_row(ORG, 7, employee_number="1001")),
        9,
        "Employee number 1001 also appears on line 7.",
    ),
    "duplicate department code": (
        csv_bytes([*ORG, dept("WMO", "Wmo 2", "SD")]),
        11,
        "Department code WMO also appears on line 5.",
    ),
    "unknown parent": (
        csv_bytes(replace_row(ORG, 3, parent_code="SOC")),
        5,
        "Parent department SOC is not defined in this file.",
    ),
    "cyclic parents": (
        csv_bytes(
            [
                *ORG,
                dept("A", "Afdeling A", "C", "team"),
                dept("B", "Afdeling B", "A", "team"),
                dept("C", "Afdeling C", "B", "team"),
            ]
        ),
        11,
        "The parent_code links of departments A → C → B → A go round in a circle "
        "(lines 11, 13, 12); every chain of parents must end at the root.",
    ),
    "own parent": (
        csv_bytes(replace_row(ORG, 4, parent_code="BOR")),
        6,
        "Department BOR is its own parent; every chain of parents must end at the root.",
    ),
    "several roots": (
        csv_bytes(replace_row(ORG, 1, parent_code="")),
        3,
        "Department SD has no parent_code, but GEM on line 2 is already the root",
    ),
    "no root": (
        csv_bytes(replace_row(ORG, 0, parent_code="SD")),
        None,
        "No department is the root: exactly one department must have an empty parent_code.",
    ),
    "root below organisation level": (
        csv_bytes(
            [dept("GEM", "Gemeente", level="domain"), emp("1", "Ada", "ada@example.nl", "GEM")]
        ),
        2,
        "Department GEM is the root (it has no parent_code), so its level must be "
        "organisation, not domain.",
    ),
    "bad level order": (
        csv_bytes([*ORG, dept("J1", "Jeugd 1", "JEUGD", "team"), dept("X", "X", "J1", "domain")]),
        12,
        "Department X has level domain, which must be below the level team of its parent J1.",
    ),
    "same level as parent": (
        csv_bytes(replace_row(ORG, 2, level="domain")),
        4,
        "Department JEUGD has level domain, which must be below the level domain of its parent SD.",
    ),
    "unknown level": (
        csv_bytes(replace_row(ORG, 2, level="sector")),
        4,
        "Level sector is not valid; use organisation, domain, department or team",
    ),
    "empty level": (
        csv_bytes(replace_row(ORG, 2, level="")),
        4,
        "Column level must not be empty",
    ),
    "bad department code": (
        csv_bytes(
            [
                *replace_row(ORG, 4, department_code="BUITEN RUIMTE/2")[:5],
                emp("1", "Ada", "", "BUITEN RUIMTE/2"),
            ]
        ),
        6,
        "Department code BUITEN RUIMTE/2 may contain only letters, digits, hyphens (-)",
    ),
    "unknown department of an employee": (
        csv_bytes(replace_row(ORG, 6, department_code="JEUG")),
        8,
        "Department JEUG is not defined in this file.",
    ),
    "bad e-mail": (
        csv_bytes(replace_row(ORG, 6, email="bram@example")),
        8,
        "E-mail address bram@example is not a valid address.",
    ),
    "e-mail with spaces": (
        csv_bytes(replace_row(ORG, 6, email="bram jansen@example.nl")),
        8,
        "E-mail address bram jansen@example.nl is not a valid address.",
    ),
    "duplicate e-mail": (
        csv_bytes(replace_row(ORG, 8, email="Anna@Example.nl")),
        10,
        "E-mail address Anna@Example.nl is also used by employee 1001 on line 7.",
    ),
    "bad boolean": (
        csv_bytes(replace_row(ORG, 5, is_manager="misschien")),
        7,
        "Column is_manager contains misschien; use ja, nee, yes, no, true, false, 1 or 0",
    ),
    "unknown record type": (
        csv_bytes(replace_row(ORG, 6, record_type="persoon")),
        8,
        "Unknown record_type persoon; use department (afdeling) or employee (medewerker).",
    ),
    "empty record type": (
        csv_bytes(replace_row(ORG, 6, record_type="")),
        8,
        "The record_type is empty; use department (afdeling) or employee (medewerker).",
    ),
    "name too long": (
        csv_bytes(replace_row(ORG, 6, name="B" * 201)),
        8,
        "Column name is 201 characters long; the maximum is 200.",
    ),
    "department code too long": (
        csv_bytes(replace_row(ORG, 4, department_code="B" * 65)),
        6,
        "Column department_code is 65 characters long; the maximum is 64.",
    ),
    "e-mail too long": (
        csv_bytes(replace_row(ORG, 6, email="b" * 250 + "@example.nl")),
        8,
        "Column email is 261 characters long; the maximum is 254.",
    ),
    "employee without a name": (
        csv_bytes(replace_row(ORG, 6, name="")),
        8,
        "Column name must not be empty.",
    ),
    "employee without a department": (
        csv_bytes(replace_row(ORG, 6, department_code="")),
        8,
        "Column department_code must not be empty.",
    ),
    "employee column on a department row": (
        csv_bytes(replace_row(ORG, 2, name="Jeugd", is_manager="ja")),
        4,
        "On a department row these columns must be empty: name, is_manager.",
    ),
    "department column on an employee row": (
        csv_bytes(replace_row(ORG, 6, department_name="Jeugd")),
        8,
        "On an employee row these columns must be empty: department_name.",
    ),
    "too few fields": (
        csv_bytes(ORG) + b"employee,JEUGD,,,,1009,Fem\n",
        11,
        "This row has 7 fields, but the header row has 9.",
    ),
    "too many fields": (
        csv_bytes(ORG) + b"employee,JEUGD,,,,1009,Jansen, Fem,,\n",
        11,
        "This row has 10 fields, but the header row has 9.",
    ),
    "unclosed quote": (
        csv_bytes(ORG[:7])
        + b'employee,JEUGD,,,,1009,"Fem,,\n'
        + csv_bytes(ORG[7:])[len(HEADER) + 1 :],
        9,
        'A quoted value on this line runs on to line 11; check for a missing closing quote (").',
    ),
}


@pytest.mark.parametrize(("data", "line", "message"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_file_is_reported_and_changes_nothing(
    data: bytes, line: int | None, message: str, tmp_path: Path
) -> None:
    await import_bytes(csv_bytes(ORG), DAY_ONE)
    before = await snapshot()
    path = tmp_path / "organisatie.csv"
    path.write_bytes(data)

    with pytest.raises(OrgImportError) as raised:
        await import_org_file(path, DAY_TWO)

    found = [(problem.line, raised.value.text(problem)) for problem in raised.value.problems]
    assert any(at == line and message in text for at, text in found), found
    assert await snapshot() == before


def test_every_problem_in_a_file_is_listed_by_line() -> None:
    rows = [
        dept("GEM", "Gemeente", level="organisation"),  # 2
        dept("SD", "Sociaal Domein", "GEM", "domain"),  # 3
        dept("SD", "Sociaal Domein", "GEM", "domain"),  # 4 duplicate code
        dept("X", "X", "NOPE", "team"),  # 5 unknown parent
        emp("1", "Ada", "ada@", "SD"),  # 6 bad e-mail
        emp("1", "Bea", "bea@example.nl", "SD", "soms"),  # 7 duplicate number, bad boolean
        emp("2", "Cas", "", "XX"),  # 8 unknown department
        {**emp("3", "Dirk", "", "SD"), "record_type": "persoon"},  # 9
    ]

    problems = problems_of(csv_bytes(rows))

    assert problems == [
        (4, "Department code SD also appears on line 3."),
        (5, "Parent department NOPE is not defined in this file."),
        (6, "E-mail address ada@ is not a valid address."),
        (
            7,
            "Column is_manager contains soms; use ja, nee, yes, no, true, false, 1 or 0 "
            "(empty means no).",
        ),
        (7, "Employee number 1 also appears on line 6."),
        (8, "Department XX is not defined in this file."),
        (9, "Unknown record_type persoon; use department (afdeling) or employee (medewerker)."),
    ]


def test_the_error_text_names_each_line() -> None:
    with pytest.raises(OrgImportError) as raised:
        parse_org_csv(csv_bytes(replace_row(ORG, 6, email="x")))

    assert str(raised.value) == "Line 8: E-mail address x is not a valid address."


def test_a_cycle_is_reported_once_and_without_level_noise() -> None:
    rows = [
        *ORG,
        dept("A", "Afdeling A", "B", "team"),  # 11
        dept("B", "Afdeling B", "A", "team"),  # 12
    ]

    assert problems_of(csv_bytes(rows)) == [
        (
            11,
            "The parent_code links of departments A → B → A go round in a circle "
            "(lines 11, 12); every chain of parents must end at the root.",
        )
    ]


def test_the_documented_example_is_a_valid_file() -> None:
    documentation = csvformat.__doc__ or ""
    example = [line.strip() for line in documentation.splitlines() if line.startswith("    ")]

    plan = parse_org_csv("\n".join(example).encode())

    assert [d.code for d in plan.departments] == ["GEM", "SD"]
    assert plan.employees[0].is_manager is True


# --- text that cannot be stored, bounds, and the all-or-nothing transaction ---------------


@pytest.mark.parametrize(
    "name",
    [
        "Anna\x00de Vries",  # NUL: PostgreSQL refuses it
        "Anna\x1b[31m de Vries",  # an escape sequence for terminals and logs
        "Anna\u202eseirV ed",  # right-to-left override: displays as another name
        "Anna\u200bde Vries",  # zero-width space: two names that look the same
        "Anna\u2028de Vries",  # a line separator
    ],
)
def test_a_name_with_control_or_invisible_characters_is_refused(name: str) -> None:
    rows = replace_row(ORG, 5, name=name)  # line 7
    assert (
        7,
        "Column name contains characters that cannot be stored: control characters, "
        "line breaks or invisible marks that change how text reads.",
    ) in problems_of(csv_bytes(rows))


def test_a_line_break_inside_a_quoted_name_is_refused() -> None:
    data = csv_bytes(ORG).replace(b"Bram Jansen", b'"Bram\nJansen"')
    assert [line for line, _text in problems_of(data)] == [8]


def test_a_file_above_the_size_bound_is_refused_before_it_is_read(monkeypatch) -> None:
    from survey_app.organisation import csvformat as format_module

    monkeypatch.setattr(format_module, "MAX_FILE_BYTES", 200)
    found = problems_of(csv_bytes(ORG))
    assert len(found) == 1 and found[0][0] is None
    assert "the largest file accepted is 0 MB" in found[0][1]


def test_a_file_with_too_many_rows_is_refused(monkeypatch) -> None:
    from survey_app.organisation import parsing

    monkeypatch.setattr(parsing, "MAX_ROWS", 5)
    found = problems_of(csv_bytes(ORG))  # 9 rows
    assert found == [
        (
            7,
            "The file has more than 5 departments and employees; this is more than any "
            "organisation file should hold. Check that it is the right file.",
        )
    ]


async def test_a_failure_while_applying_changes_nothing(monkeypatch) -> None:
    """The import is one transaction: when the employees fail after the departments were
    written, the departments are rolled back too."""
    from survey_app.organisation import importing

    await apply_org_plan(parse_org_csv(csv_bytes(ORG)), DAY_ONE)
    before = await snapshot()
    renamed = [*replace_row(ORG, 2, department_name="Jeugd en Gezin"), dept("NEW", "Nieuw", "GEM")]

    async def broken(records, today):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importing, "_apply_employees", broken)
    with pytest.raises(RuntimeError):
        await apply_org_plan(parse_org_csv(csv_bytes(renamed)), DAY_TWO)
    assert await snapshot() == before
