"""The whole Quick Scan cycle through the services, and what each stage refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.quickscan import service
from survey_app.quickscan.people import current_managers, direct_reports
from survey_app.quickscan.service import AgreementInput, QuickScanInvalid
from survey_app.tables.conversations import QuickScan, QuickScanAgreement
from survey_app.tables.identity import AuditEvent
from tests.quickscan.cycle_support import NOW, TODAY, employee_id, org, viewer

ANSWERS = {
    "qs_energy": 2,
    "qs_workload": 5,
    "qs_enjoyment": 4,
    "qs_balance": 2,
    "work_ability": 7,
    "qs_energy_gives": "Mijn cliënten.",
}
# Everything but the workload: the manager must not see it, nor the signal that reads it.
SHARED = ["qs_energy", "qs_enjoyment", "qs_balance", "work_ability", "qs_energy_gives"]


async def planned(employee: str = "1002", manager: str = "1001") -> str:
    return await service.plan(
        await viewer(manager), await employee_id(employee), talk_on=TODAY, now=NOW
    )


async def test_managers_and_reports() -> None:
    await org()
    assert await current_managers(await employee_id("1002")) == {await employee_id("1001")}
    # A manager's own manager is sought higher up; nobody leads Sociaal Domein or Gemeente.
    assert await current_managers(await employee_id("1001")) == frozenset()
    reports = await direct_reports(await employee_id("1001"))
    assert [person.employee_number for person in reports] == [
        "1002",
        "1003",
        "1004",
        "1005",
        "1006",
    ]
    assert reports[0].department_code == "JEUGD"
    assert await direct_reports(await employee_id("1002")) == []


async def test_the_whole_cycle() -> None:
    await org()
    employee, manager = await viewer("1002"), await viewer("1001")
    public_id = await planned()
    assert (await service.get(employee, public_id, today=TODAY)).status == "planned"

    later = NOW + dt.timedelta(hours=1)
    await service.save_self_assessment(employee, public_id, ANSWERS, SHARED, now=later)
    own = await service.get(employee, public_id, today=TODAY)
    assert own.status == "prepared"
    assert own.answers == ANSWERS
    assert {signal.key for signal in own.signals} == {"low_energy_high_workload", "poor_balance"}

    seen = await service.get(manager, public_id, today=TODAY)
    assert seen.role == "manager" and seen.is_current_manager
    assert "qs_workload" not in seen.answers
    assert seen.answers == {key: ANSWERS[key] for key in SHARED}
    assert [signal.key for signal in seen.signals] == ["poor_balance"]

    held = NOW + dt.timedelta(days=1)
    await service.record_talk(
        manager,
        public_id,
        held_on=held.date(),
        summary="We hebben het over de werkdruk gehad.",
        agreements=[
            AgreementInput("Minder dossiers in december", "manager", dt.date(2026, 12, 1)),
            AgreementInput("", "employee", None),  # an empty row of the form
            AgreementInput("Om 17:00 stoppen", "employee", None),
        ],
        follow_up_on=dt.date(2026, 12, 15),
        now=held,
    )
    record = await service.get(employee, public_id, today=TODAY)
    assert record.status == "held" and record.held_on == held.date()
    assert [(item.text, item.owner) for item in record.agreements] == [
        ("Minder dossiers in december", "manager"),
        ("Om 17:00 stoppen", "employee"),
    ]
    await service.mark_agreement(employee, public_id, record.agreements[1].id, True, now=held)

    confirmed = NOW + dt.timedelta(days=2)
    await service.confirm(employee, public_id, reaction="Klopt, dank je.", now=confirmed)
    final = await service.get(employee, public_id, today=TODAY)
    assert final.confirmed and final.reaction == "Klopt, dank je."
    assert [item.done for item in final.agreements] == [False, True]
    row = await QuickScan.objects().where(QuickScan.employee == await employee_id("1002")).first()
    assert row.updated_at == confirmed

    # Overdue once the follow-up day has passed, until the manager marks it done.
    assert (await service.get(manager, public_id, today=dt.date(2026, 12, 16))).overdue
    overview = await service.for_manager(manager, today=dt.date(2026, 12, 15))
    assert [item.public_id for item in overview.due_follow_ups] == [public_id]
    await service.mark_followed_up(manager, public_id, now=confirmed)
    assert not (await service.get(manager, public_id, today=dt.date(2026, 12, 16))).overdue
    assert (await service.for_manager(manager, today=dt.date(2026, 12, 16))).due_follow_ups == []

    mine = await service.for_employee(employee, today=TODAY)
    assert [item.public_id for item in mine] == [public_id]
    data = await service.own_data(employee)
    assert data["conversations"][0]["self_assessment"] == ANSWERS
    assert data["conversations"][0]["shared_with_manager"] == sorted(SHARED)
    assert data["conversations"][0]["signals"] == ["low_energy_high_workload", "poor_balance"]
    assert data["conversations"][0]["reaction"] == "Klopt, dank je."

    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    for action in ("planned", "prepared", "viewed", "held", "confirmed", "downloaded"):
        assert f"quickscan.{action}" in actions
    # The audit trail holds no content.
    details = str(await AuditEvent.select(AuditEvent.target, AuditEvent.details))
    for text in ("werkdruk", "Klopt", "cliënten", "dossiers"):
        assert text not in details


async def test_the_stages_refuse_what_comes_too_early_or_too_late() -> None:
    await org()
    employee, manager = await viewer("1002"), await viewer("1001")
    public_id = await planned()
    with pytest.raises(QuickScanInvalid) as error:
        await service.confirm(employee, public_id, reaction="", now=NOW)
    assert error.value.code == "not_held"
    with pytest.raises(QuickScanInvalid) as error:
        await service.plan(manager, await employee_id("1002"), talk_on=None, now=NOW)
    assert error.value.code == "already_open"

    # A talk without a self-assessment: planned -> held.
    await service.record_talk(
        manager, public_id, held_on=TODAY, summary="", agreements=[], follow_up_on=None, now=NOW
    )
    with pytest.raises(QuickScanInvalid) as error:
        await service.save_self_assessment(employee, public_id, ANSWERS, SHARED, now=NOW)
    assert error.value.code == "already_held"
    with pytest.raises(QuickScanInvalid) as error:
        await service.delete_planned(manager, public_id, now=NOW)
    assert error.value.code == "already_held"
    await service.confirm(employee, public_id, reaction="", now=NOW)
    with pytest.raises(QuickScanInvalid) as error:
        await service.record_talk(
            manager,
            public_id,
            held_on=TODAY,
            summary="x",
            agreements=[],
            follow_up_on=None,
            now=NOW,
        )
    assert error.value.code == "already_confirmed"
    with pytest.raises(QuickScanInvalid) as error:
        await service.confirm(employee, public_id, reaction="", now=NOW)
    assert error.value.code == "already_confirmed"

    # Not one of the manager's people.
    with pytest.raises(QuickScanInvalid) as error:
        await service.plan(manager, await employee_id("1008"), talk_on=None, now=NOW)
    assert error.value.code == "not_a_report"
    # A talk planned in the past or years ahead.
    for day in (TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=1000)):
        with pytest.raises(QuickScanInvalid):
            await service.plan(manager, await employee_id("1003"), talk_on=day, now=NOW)


async def test_bad_answers_store_nothing() -> None:
    await org()
    employee = await viewer("1002")
    public_id = await planned()
    bad = {"qs_energy": 6, "work_ability": "tien", "qs_enjoyment": 3, "nonsense": 1}
    with pytest.raises(service.QuickScanAnswerProblems) as error:
        await service.save_self_assessment(employee, public_id, bad, ["qs_energy"], now=NOW)
    assert set(error.value.by_field()) == {"qs_energy", "work_ability", "nonsense"}
    assert isinstance(error.value, QuickScanInvalid)
    row = await QuickScan.objects().first()
    assert row.status == "planned" and row.self_assessment in ("{}", {})

    with pytest.raises(service.QuickScanAnswerProblems) as error:
        await service.save_self_assessment(
            employee, public_id, {"qs_energy_costs": "x" * 5000}, [], now=NOW
        )
    assert [problem.code for problem in error.value.problems] == ["too_long"]

    # Blank answers are no answers; shared keys without an answer are dropped.
    await service.save_self_assessment(
        employee,
        public_id,
        {"qs_energy": "3", "qs_workload": ""},
        ["qs_energy", "qs_workload"],
        now=NOW,
    )
    own = await service.get(employee, public_id, today=TODAY)
    assert own.answers == {"qs_energy": 3} and own.shared == {"qs_energy"}


async def test_oversized_text_and_too_many_agreements() -> None:
    await org()
    manager = await viewer("1001")
    public_id = await planned()

    async def talk(summary: str = "", agreements=(), follow_up_on=None, held_on=TODAY) -> None:
        await service.record_talk(
            manager,
            public_id,
            held_on=held_on,
            summary=summary,
            agreements=list(agreements),
            follow_up_on=follow_up_on,
            now=NOW,
        )

    cases = {
        "summary_too_long": {"summary": "x" * 5001},
        "invalid_text": {"summary": "a\x00b"},
        "too_many_agreements": {
            "agreements": [AgreementInput(f"Afspraak {n}", "both", None) for n in range(21)]
        },
        "agreement_too_long": {"agreements": [AgreementInput("y" * 501, "both", None)]},
        "bad_owner": {"agreements": [AgreementInput("Afspraak", "hr", None)]},
        "agreement_text_required": {
            "agreements": [AgreementInput(" ", "both", dt.date(2026, 12, 1))]
        },
        "date_in_future": {"held_on": TODAY + dt.timedelta(days=5)},
        "follow_up_before_talk": {"follow_up_on": TODAY - dt.timedelta(days=1)},
    }
    for code, arguments in cases.items():
        with pytest.raises(QuickScanInvalid) as error:
            await talk(**arguments)
        assert error.value.code == code
        assert error.value.message()
    row = await QuickScan.objects().first()
    assert row.status == "planned" and await QuickScanAgreement.count() == 0

    # Twenty is the limit, not over it; the summary may keep its line breaks.
    await talk("Regel een\nRegel twee", [AgreementInput(f"A{n}", "both", None) for n in range(20)])
    assert await QuickScanAgreement.count() == 20
    assert (await service.get(manager, public_id, today=TODAY)).summary == "Regel een\nRegel twee"


async def test_delete_and_round() -> None:
    await org()
    manager = await viewer("1001")
    public_id = await planned()
    await service.delete_planned(manager, public_id, now=NOW)
    assert await QuickScan.count() == 0

    await planned("1003")
    result = await service.start_round("hr@testdorp.example", "SD", due_on=TODAY, now=NOW)
    # Sociaal Domein: Jeugd 1001-1006, Wmo 1007-1009. The two managers have nobody above
    # them; 1003 already has an open conversation.
    assert (result.planned, result.skipped_without_manager, result.skipped_open) == (6, 2, 1)
    rows = await QuickScan.select(QuickScan.employee, QuickScan.manager, QuickScan.round)
    assert len(rows) == 7 and sum(row["round"] is not None for row in rows) == 6
    wmo = await employee_id("1008")
    assert next(row for row in rows if row["employee"] == wmo)["manager"] == await employee_id(
        "1007"
    )
    with pytest.raises(QuickScanInvalid) as error:
        await service.start_round("hr", "NOPE", due_on=TODAY, now=NOW)
    assert error.value.code == "unknown_department"
