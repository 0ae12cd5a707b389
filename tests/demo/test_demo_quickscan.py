"""The demo's Quick Scans (issue 17): the demo manager has a conversation in every stage,
the demo employee a planned one, and HR's rounds leave enough across the organisation for
figures in most departments (on the test database: SQLite or PostgreSQL). The demo's
organisation only, without its waves: the Quick Scans do not depend on them."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from analysis.gate import Suppressed
from survey_app.core.clock import local_today
from survey_app.demo.builder import SEED, build_people, demo_person, organisation_csv
from survey_app.demo.quickscan import build_quickscans
from survey_app.organisation.importing import import_org_file
from survey_app.quickscan.aggregates import quickscan_figures
from survey_app.quickscan.service import Viewer, for_employee, for_manager, get
from survey_app.tables.conversations import CONFIRMED, HELD, PLANNED, PREPARED, QuickScan
from survey_app.tables.identity import Employee


async def test_the_demo_has_quick_scans_for_every_role(tmp_path: Path, settings) -> None:
    today = local_today(settings.timezone)
    people = build_people(random.Random(SEED))
    csv_path = tmp_path / "organisation.csv"
    csv_path.write_bytes(organisation_csv(people))
    await import_org_file(csv_path, today)
    manager = demo_person(people, "SD-JO", manager=True)
    employee = demo_person(people, "SD-JO-N", manager=False)
    await build_quickscans(
        today,
        settings,
        manager_number=manager.employee_number,
        employee_number=employee.employee_number,
    )

    # The demo manager: planned (next week), prepared, completed (follow-up to come) and
    # overdue, each with another report.
    boss = await viewer_of(manager.employee_number, manager.email)
    overview = await for_manager(boss, today=today)
    current = [
        summary
        for report in overview.reports
        for summary in report.conversations
        if summary.created_on > today - dt.timedelta(days=90)
    ]
    by_status = {summary.status: summary for summary in current if not summary.overdue}
    planned = by_status[PLANNED]
    assert planned.talk_on is not None and 0 < (planned.talk_on - today).days <= 8
    assert PREPARED in by_status
    completed = by_status[CONFIRMED]
    assert completed.follow_up_on is not None and completed.follow_up_on > today
    overdue = [summary for summary in current if summary.overdue]
    assert len(overdue) == 1 and overdue[0].status in {HELD, CONFIRMED}
    assert overdue[0].follow_up_on == today - dt.timedelta(days=14)
    assert [summary.public_id for summary in overview.due_follow_ups] == [overdue[0].public_id]
    assert len({summary.employee_name for summary in current}) == 4

    # The prepared one: an answer kept back, and a signal the manager sees; the signal of
    # the kept-back answer only the employee sees.
    prepared = await get(boss, by_status[PREPARED].public_id, today=today)
    assert "qs_balance" not in prepared.answers
    assert "low_energy_high_workload" in {signal.key for signal in prepared.signals}
    assert "poor_balance" not in {signal.key for signal in prepared.signals}
    reporter = await viewer_of(prepared.employee.employee_number, prepared.employee.email)
    own_view = await get(reporter, prepared.public_id, today=today)
    assert "poor_balance" in {signal.key for signal in own_view.signals}

    # The demo employee: a planned talk with their team manager, and earlier ones.
    own = await for_employee(await viewer_of(employee.employee_number, employee.email), today=today)
    assert own[0].status == PLANNED and own[0].talk_on is not None and own[0].talk_on > today

    # Across the organisation: most conversations held and confirmed, answered, spread
    # over the last two years.
    rows = await QuickScan.select(
        QuickScan.status, QuickScan.self_assessment, QuickScan.held_on
    ).where(QuickScan.status.is_in([HELD, CONFIRMED]))
    assert len(rows) >= 250
    assert sum(1 for row in rows if row["self_assessment"] not in ("{}", {})) >= 0.7 * len(rows)
    held = sorted(row["held_on"] for row in rows)
    assert (today - held[0]).days > 540 and (today - held[-1]).days < 90

    # HR's figures: averages for most departments, a few hidden by the gate, and a trend.
    figures = await quickscan_figures(today=today, settings=settings)
    energy = {row.code: row.averages["qs_energy"] for row in figures.rows}
    hidden = [code for code, mean in energy.items() if isinstance(mean, Suppressed)]
    assert hidden and len(hidden) < len(energy) / 2, hidden
    assert not isinstance(energy["SD-JO-N"], Suppressed)
    assert len(figures.trends[0].points) >= 4


async def viewer_of(employee_number: str, email: str) -> Viewer:
    row = (
        await Employee.select(Employee.id)
        .where(Employee.employee_number == employee_number)
        .first()
    )
    return Viewer(username=email, employee_id=row["id"])
