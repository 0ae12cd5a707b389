"""HR uploads the organisation file in the browser: the command line's checks, all or nothing."""

from __future__ import annotations

from survey_app import audit
from survey_app.tables.identity import Department, Employee
from survey_app.waves.upload_controllers import UPLOAD_MAX_BYTES
from tests.helpers import csrf_from, load_small_org, sign_in_as_hr, small_org_csv


async def upload(client, data: bytes, lang: str = "nl"):
    form = await client.get(f"/hr/organisation?lang={lang}")
    assert form.status_code == 200 and 'type="file"' in form.text
    return await client.post(
        "/hr/organisation",
        data={"_csrf": csrf_from(form.text)},
        files={"file": ("organisatie.csv", data, "text/csv")},
    )


async def test_a_malformed_file_lists_its_problems_by_line_and_changes_nothing(client) -> None:
    await load_small_org()
    await sign_in_as_hr(client)
    before = (await Department.count(), await Employee.count())
    broken = small_org_csv().replace(b"1002,", b"1001,").replace(b",ICT,BV,", b",ICT,XX,")
    rejected = await upload(client, broken)
    assert rejected.status_code == 422
    assert "er is niets veranderd" in rejected.text
    assert "Personeelsnummer 1001 staat ook al op regel" in rejected.text
    assert "Bovenliggende afdeling XX staat niet in dit bestand." in rejected.text
    assert "Regel 7" in rejected.text  # the line of the unknown parent
    english = await upload(client, broken, "en")
    assert english.status_code == 422
    assert "Employee number 1001 also appears on line" in english.text
    assert (await Department.count(), await Employee.count()) == before

    too_large = await upload(client, b"x" * (UPLOAD_MAX_BYTES + 1), "en")
    assert too_large.status_code == 422
    assert "the largest file accepted is 5 MB" in too_large.text
    records, _total = await audit.search(action="organisation.imported")
    assert records == []


async def test_a_good_file_is_imported_and_recorded_in_the_audit_trail(client) -> None:
    await load_small_org()
    await sign_in_as_hr(client)
    grown = (
        small_org_csv().replace(
            b"department,ICT,ICT,BV,team,,,,",
            b"department,ICT,ICT,BV,team,,,,\ndepartment,HR,Personeelszaken,BV,team,,,,",
        )
        + b"employee,HR,,,,2001,Nieuwe Collega,n.collega@testdorp.example,nee\n"
    )
    imported = await upload(client, grown, "en")
    assert imported.status_code == 200, imported.text[:500]
    assert "The organisation has been imported." in imported.text
    assert "Departments added: 1" in imported.text and "Employees added: 1" in imported.text
    assert await Employee.exists().where(Employee.employee_number == "2001")
    records, _total = await audit.search(action="organisation.imported")
    assert [(r.target, r.details["employees_added"]) for r in records] == [("organisatie.csv", 1)]


async def test_without_the_forms_token_nothing_is_imported(raw_client) -> None:
    await load_small_org()
    await sign_in_as_hr(raw_client)
    refused = await raw_client.post(
        "/hr/organisation", files={"file": ("org.csv", small_org_csv(), "text/csv")}
    )
    assert refused.status_code == 403
