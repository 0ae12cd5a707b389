"""Bulk work at the size of a real organisation, through the command line.

Every bulk write — the organisation import, invitations and their response groups,
reissued links, a release of sealed answers — is one transaction whose statements do not
grow with the number of rows, so no driver limit on parameters is ever met (asyncpg takes
at most 32,767 in a statement: one INSERT of 5,000 invitations held 35,000). A database that
refuses in the middle of one gives one translated line and leaves nothing half done.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

from survey_app.core.clock import utc_now
from survey_app.core.db import current_engine, insert_rows, write_transaction
from survey_app.core.hashing import group_tag, hash_token
from survey_app.organisation.importing import apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.responding.release import seal_response
from survey_app.responding.service import submit_response
from survey_app.tables.anonymous import Answer, Response, SealedResponse
from survey_app.tables.identity import Department, Employee, Invitation
from survey_app.waves.service import invite
from surveys import AnswerValue
from tests.conftest import free_port
from tests.helpers import (
    app_settings,
    large_org_csv,
    load_small_org,
    new_wave,
    small_org_csv,
    survey_app,
)

EMPLOYEES = 5_000
# As many answers as the pulse survey: 900 responses of 14 answers are 75,600 parameters in
# one INSERT of their answers.
ANSWERS = [AnswerValue(f"question_{index}", 3, None, None) for index in range(14)]


def links_in(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def test_5000_employees_are_imported_invited_reissued_and_released(tmp_path: Path) -> None:
    organisation = tmp_path / "organisation.csv"
    organisation.write_bytes(large_org_csv(EMPLOYEES))
    imported = await survey_app("org", "import", str(organisation))
    assert imported.returncode == 0, imported.stderr
    assert await Employee.count() == EMPLOYEES
    assert await Department.count() == 45

    wave = await new_wave()
    links = tmp_path / "links.csv"
    invited = await survey_app("wave", "invite", str(wave.public_id), "--output", str(links))
    assert invited.returncode == 0, invited.stderr
    assert len(links_in(links)) == EMPLOYEES
    rows = await Invitation.select(Invitation.token_hash, Invitation.response_group)
    assert len({row["token_hash"] for row in rows}) == EMPLOYEES
    groups = Counter(row["response_group"] for row in rows)
    assert min(groups.values()) >= app_settings().min_group_size
    assert groups["GEM/D1/BIG"] == EMPLOYEES // 5 + 2  # its team of two counts in it

    # A reorganisation: every address changes, a tenth leave, a department is renamed.
    following = large_org_csv(EMPLOYEES).replace(b"@testdorp.", b"@groot.")
    lines = following.splitlines()
    employee_lines = [line for line in lines if line.startswith(b"employee")]
    leavers = set(employee_lines[1::10])
    following = b"\n".join(line for line in lines if line not in leavers) + b"\n"
    following = following.replace(b"Afdeling D2A3", b"Afdeling Publiekszaken")
    summary = await apply_org_plan(parse_org_csv(following), dt.date(2026, 12, 1))
    assert summary.employees_updated == EMPLOYEES - len(leavers)
    assert summary.employees_left == len(leavers)
    assert summary.departments_updated == 1
    assert await Employee.count().where(Employee.email.like("%@groot.example")) == (
        EMPLOYEES - len(leavers)
    )

    before = {row["token_hash"] for row in rows}
    reissued = await invite(wave, now=utc_now(), settings=app_settings(), reissue=True)
    assert len(reissued) == EMPLOYEES - len(leavers)
    after = {row["token_hash"] for row in await Invitation.select(Invitation.token_hash)}
    assert {hash_token(item.token) for item in reissued} <= after
    assert len(after - before) == len(reissued)

    # The big department's answers wait sealed (as when earlier releases failed); the next
    # submission of its group releases all of them in one transaction.
    big = [item for item in reissued if item.department_code == "BIG"]
    secret = app_settings().secret_key
    tag = group_tag(secret, wave.id, "GEM/D1/BIG")
    sealed = [
        (uuid.uuid4(), wave.id, tag, seal_response(secret, wave, "GEM/D1/BIG", ANSWERS))
        for _item in big[1:]
    ]
    columns = (SealedResponse.id, SealedResponse.wave, SealedResponse.group_tag)
    async with write_transaction():
        await insert_rows(SealedResponse, (*columns, SealedResponse.sealed), sealed)
    await submit_response(hash_token(big[0].token), ANSWERS, now=utc_now(), settings=app_settings())
    assert await SealedResponse.count() == 0
    released = await Response.select(Response.department_path)
    assert len(released) == len(big) >= EMPLOYEES // 5 - len(leavers)
    assert {row["department_path"] for row in released} == {"GEM/D1/BIG"}
    assert await Answer.count() == len(big) * len(ANSWERS)


@contextlib.asynccontextmanager
async def refusing(table: str, column: str, condition: str) -> AsyncIterator[None]:
    """The database refuses a second row of ``table`` with the same ``column`` among the
    rows that meet ``condition``: a unique index standing for any refusal in the middle of
    a bulk write (a constraint, a full disk, a lock that cannot be had)."""
    engine = current_engine()
    await engine.run_ddl(
        f"CREATE UNIQUE INDEX refuse_in_bulk ON {table} ({column}) WHERE {condition}"
    )
    try:
        yield
    finally:
        await engine.run_ddl("DROP INDEX refuse_in_bulk")


async def everything() -> tuple[list[dict], list[dict], list[dict]]:
    return (
        await Department.select().order_by(Department.id),
        await Employee.select().order_by(Employee.id),
        await Invitation.select().order_by(Invitation.id),
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


async def test_a_refused_import_is_one_translated_line_and_changes_nothing(
    tmp_path: Path,
) -> None:
    await load_small_org()
    before = await everything()
    # Renamed departments and new employees of Jeugd (whose first employee, 1001, exists):
    # the database refuses the last newcomer, after the others were sent.
    changed = small_org_csv().replace(b"Sociaal Domein", b"Sociaal en Zorg").rstrip(b"\n")
    changed += b"".join(
        f"\nemployee,JEUGD,,,,{number},Nieuw {number},,nee".encode() for number in range(2001, 2301)
    )
    organisation = tmp_path / "organisation.csv"
    organisation.write_bytes(changed + b"\n")

    async with refusing("employee", "department", "employee_number IN ('1001', '2300')"):
        done = await survey_app("org", "import", str(organisation))
    assert done.returncode == 1
    assert one_line(done.stderr).startswith(
        "Fout: De database heeft het commando afgebroken; de wijziging die bezig was, is "
        "teruggedraaid: "
    )
    assert await everything() == before


async def test_a_refused_invitation_run_is_one_line_and_invites_nobody(tmp_path: Path) -> None:
    await load_small_org()
    wave = await new_wave()
    first, *_others, last = [
        row["id"] for row in await Employee.select(Employee.id).order_by(Employee.id)
    ]
    links = tmp_path / "links.csv"
    async with refusing("invitation", "wave", f"employee IN ({first}, {last})"):
        done = await survey_app(
            "--lang", "en", "wave", "invite", str(wave.public_id), "--output", str(links)
        )
    assert done.returncode == 1
    assert one_line(done.stderr).startswith(
        "Error: The database stopped the command; the change in progress was rolled back: "
    )
    assert await Invitation.count() == 0
    assert not links.exists()  # no file of links that were never stored


async def test_an_unreachable_database_is_one_translated_line() -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/klankbord"
    done = await survey_app("wave", "list", DATABASE_URL=nowhere)
    assert done.returncode == 1
    assert one_line(done.stderr).startswith("Fout: De database is niet bereikbaar: ")
