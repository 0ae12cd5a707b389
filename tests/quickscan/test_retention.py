"""Quick Scan conversations are deleted after the retention period, counted from the last
change; the audit record of a purge holds counts only."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.core.settings import Settings
from survey_app.quickscan import service
from survey_app.quickscan.retention import PurgeResult, parse_period, purge
from survey_app.quickscan.service import AgreementInput
from survey_app.tables.conversations import (
    QuickScan,
    QuickScanAgreement,
    QuickScanGrant,
    QuickScanRound,
)
from survey_app.tables.identity import AuditEvent, Employee
from tests.quickscan.cycle_support import employee_id, org, viewer

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
TWO_YEARS = dt.timedelta(days=730)


async def talked(employee: str, at: dt.datetime, agreements: int) -> str:
    manager = await viewer("1001")
    public_id = await service.plan(manager, await employee_id(employee), talk_on=None, now=at)
    await service.record_talk(
        manager,
        public_id,
        held_on=at.date(),
        summary="Samenvatting",
        agreements=[AgreementInput(f"Afspraak {n}", "both", None) for n in range(agreements)],
        follow_up_on=None,
        now=at,
    )
    return public_id


async def test_purge_deletes_what_is_just_older_and_keeps_what_is_a_second_younger() -> None:
    await org()
    # A second manager in Jeugd, so that 1002 can grant their conversation to them.
    await Employee.update({Employee.is_manager: True}).where(Employee.employee_number == "1003")
    round_result = await service.start_round("hr", "ICT", due_on=T0.date(), now=T0)
    assert round_result.planned == 6
    old = await talked("1002", T0, agreements=2)
    await service.grant(await viewer("1002"), old, await employee_id("1003"), now=T0)
    kept = await talked("1004", T0 + dt.timedelta(seconds=1), agreements=1)

    now = T0 + TWO_YEARS + dt.timedelta(seconds=1)
    result = await purge(TWO_YEARS, now=now, actor="command line (test)")
    assert result == PurgeResult(conversations=7, agreements=2, grants=1, rounds=1)
    rows = await QuickScan.select(QuickScan.public_id)
    assert [str(row["public_id"]) for row in rows] == [kept]
    assert await QuickScanAgreement.count() == 1
    assert await QuickScanGrant.count() == 0
    assert await QuickScanRound.count() == 0

    records = await AuditEvent.select().where(AuditEvent.action == "quickscan.purged")
    assert len(records) == 1
    text = str(records[0])
    for secret in (old, kept, round_result.public_id, "Medewerker", "Afspraak"):
        assert secret not in text
    assert records[0]["target"] == ""

    # Nothing more to do a moment later; the kept one goes a second after that.
    assert await purge(TWO_YEARS, now=now, actor="test") == PurgeResult(0, 0, 0, 0)
    later = now + dt.timedelta(seconds=1)
    assert await purge(TWO_YEARS, now=later, actor="test") == PurgeResult(1, 1, 0, 0)


async def test_a_round_with_a_conversation_left_stays() -> None:
    await org()
    await service.start_round("hr", "ICT", due_on=T0.date(), now=T0)
    # One of the round's conversations changes later (the employee prepared it).
    row = await QuickScan.objects().first()
    employee = await Employee.select(Employee.employee_number).where(Employee.id == row.employee)
    await service.save_self_assessment(
        await viewer(employee[0]["employee_number"]),
        str(row.public_id),
        {"qs_energy": 3},
        [],
        now=T0 + dt.timedelta(days=400),
    )
    result = await purge(TWO_YEARS, now=T0 + TWO_YEARS + dt.timedelta(days=1), actor="test")
    assert (result.conversations, result.rounds) == (5, 0)
    assert await QuickScanRound.count() == 1


def test_parse_period() -> None:
    assert parse_period("2y") == dt.timedelta(days=730)
    assert parse_period(" 18M ") == dt.timedelta(days=540)
    assert parse_period("90d") == dt.timedelta(days=90)
    for bad in ("", "2", "0y", "2w", "-1d", "1.5y", "y", "2 y", "999999d"):
        with pytest.raises(ValueError, match="2y, 18m or 90d"):
            parse_period(bad)


def test_the_setting_is_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().quickscan_retention == dt.timedelta(days=730)
    monkeypatch.setenv("KLANKBORD_QUICKSCAN_RETENTION", "30d")
    assert Settings.from_env().quickscan_retention == dt.timedelta(days=30)
    monkeypatch.setenv("KLANKBORD_QUICKSCAN_RETENTION", "two years")
    with pytest.raises(ValueError, match="KLANKBORD_QUICKSCAN_RETENTION"):
        Settings.from_env()
