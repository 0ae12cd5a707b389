"""HR's Quick Scan page: only HR opens it; the round form plans and says how many."""

from __future__ import annotations

import datetime as dt

from survey_app.core.clock import utc_now
from survey_app.tables.conversations import QuickScan, QuickScanRound
from survey_app.tables.identity import AuditEvent
from tests.helpers import load_small_org, make_account, sign_in, sign_in_as_hr


async def test_hr_sees_the_page_managers_and_employees_do_not(client, raw_client) -> None:
    await load_small_org()
    await sign_in_as_hr(client)
    response = await client.get("/hr/quickscan")
    assert response.status_code == 200
    assert "Gemeente Testdorp" in response.text and "Jeugd" in response.text
    # Nobody has had a talk: the figures are hidden, never a zero.
    assert "verborgen" in response.text or "hidden" in response.text
    assert 'href="/hr/quickscan"' in response.text  # the menu entry
    records = await AuditEvent.count().where(AuditEvent.action == "quickscan.figures_viewed")
    assert records == 1
    for number in ("1001", "1002"):  # a manager, an employee
        await make_account(f"m{number}@testdorp.example", employee_number=number)
        await sign_in(raw_client, f"m{number}@testdorp.example")
        assert (await raw_client.get("/hr/quickscan")).status_code == 403
        raw_client.cookies.clear()


async def test_the_round_form_plans_for_a_department(client) -> None:
    await load_small_org()
    await sign_in_as_hr(client)
    due = (utc_now() + dt.timedelta(days=30)).date().isoformat()
    response = await client.post(
        "/hr/quickscan/rounds", data={"department": "SD", "due_on": due}, follow_redirects=False
    )
    assert response.status_code == 303, response.text[:800]
    page = await client.get(response.headers["location"] + "&lang=en")
    # Jeugd 1002-1006 and Wmo 1008-1009 are planned; their managers have nobody above them.
    assert "7 conversations planned. Skipped: 2 without a manager, 0 who" in page.text
    assert await QuickScan.count() == 7
    assert await QuickScanRound.count() == 1
    record = (
        await AuditEvent.select(AuditEvent.target, AuditEvent.details)
        .where(AuditEvent.action == "quickscan.round_started")
        .first()
    )
    assert record["target"] == "SD"
    details = record["details"]
    if isinstance(details, str):
        import json

        details = json.loads(details)
    assert details["planned"] == 7 and details["skipped_without_manager"] == 2
    # Started again: everyone already has one open.
    again = await client.post(
        "/hr/quickscan/rounds", data={"department": "SD", "due_on": due}, follow_redirects=True
    )
    assert again.status_code == 200
    assert await QuickScan.count() == 7


async def test_bad_round_input_is_a_translated_error_that_keeps_what_was_typed(client) -> None:
    await load_small_org()
    await sign_in_as_hr(client)
    due = (utc_now() + dt.timedelta(days=30)).date().isoformat()
    unknown = await client.post(
        "/hr/quickscan/rounds?lang=en", data={"department": "NOPE", "due_on": due}
    )
    assert unknown.status_code == 422
    assert "There is no department with code NOPE." in unknown.text
    assert f'value="{due}"' in unknown.text
    past = await client.post(
        "/hr/quickscan/rounds?lang=nl", data={"department": "ICT", "due_on": "2020-01-01"}
    )
    assert past.status_code == 422
    assert "01-01-2020" in past.text and "The date" not in past.text
    assert '<option value="ICT" selected>' in past.text
    missing = await client.post("/hr/quickscan/rounds?lang=en", data={"department": ""})
    assert missing.status_code == 422
    assert "Choose a department." in missing.text
    assert await QuickScan.count() == 0 and await QuickScanRound.count() == 0
