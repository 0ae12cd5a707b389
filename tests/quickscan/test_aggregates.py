"""HR's Quick Scan figures: every figure through the gate, on the right people and days.

Conversations are made through the cycle's services, on a fixed clock: the organisation is
`tests.helpers.small_org_csv` with Jeugd 1001 (manager) to 1006, Wmo 1007 (manager) to 1013
and ICT 1014 (manager) to 1020, unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.gate import Suppressed
from survey_app.quickscan import service
from survey_app.quickscan.aggregates import (
    QuickScanOverview,
    last_quarters,
    quarter_bounds,
    quickscan_figures,
)
from survey_app.tables.identity import AuditEvent
from tests.helpers import load_small_org
from tests.quickscan.cycle_support import TODAY, employee_id, move, viewer

SIZES = {"JEUGD": 6, "WMO": 7, "ICT": 7}
JEUGD = [str(number) for number in range(1002, 1007)]
WMO = [str(number) for number in range(1008, 1014)]
ICT = [str(number) for number in range(1015, 1021)]
MANAGER = {"JEUGD": "1001", "WMO": "1007", "ICT": "1014"}


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


async def conversation(
    employee: str,
    team: str,
    *,
    answers: dict[str, int | str] | None = None,
    shared: tuple[str, ...] = (),
    held_on: dt.date | None = None,
    follow_up_on: dt.date | None = None,
    on: dt.date = TODAY,
) -> str:
    """A conversation planned ``on`` a day, with a self-assessment that day when ``answers``
    are given and the talk recorded on ``held_on`` when given."""
    manager = await viewer(MANAGER[team])
    public_id = await service.plan(
        manager, await employee_id(employee), talk_on=None, now=moment(on)
    )
    if answers is not None:
        await service.save_self_assessment(
            await viewer(employee), public_id, answers, shared, now=moment(on)
        )
    if held_on is not None:
        await service.record_talk(
            manager,
            public_id,
            held_on=held_on,
            summary="",
            agreements=[],
            follow_up_on=follow_up_on,
            now=moment(held_on),
        )
    return public_id


def row(overview: QuickScanOverview, code: str):
    return next(item for item in overview.rows if item.code == code)


async def figures(settings) -> QuickScanOverview:
    return await quickscan_figures(today=TODAY, settings=settings)


async def test_four_self_assessments_show_no_averages_five_do(settings) -> None:
    await load_small_org(SIZES)
    for number in JEUGD[:4]:
        await conversation(number, "JEUGD", answers={"qs_energy": 2, "qs_workload": 5})
    for number in WMO[:3]:
        await conversation(number, "WMO", answers={"qs_energy": 3})
    for number in ICT[:5]:
        await conversation(number, "ICT", answers={"qs_energy": 4, "qs_enjoyment": 3})
    overview = await figures(settings)
    jeugd, ict = row(overview, "JEUGD"), row(overview, "ICT")
    assert all(isinstance(value, Suppressed) for value in jeugd.averages.values())
    assert isinstance(jeugd.signal_share, Suppressed)
    assert ict.averages["qs_energy"] == 4.0
    assert ict.averages["qs_enjoyment"] == 3.0
    assert ict.signal_share == 0.0
    # Nobody in ICT answered the workload question: no average of nobody.
    assert isinstance(ict.averages["qs_workload"], Suppressed)
    # Sociaal Domein holds Jeugd's four and Wmo's three: shown, neither team is.
    assert row(overview, "SD").averages["qs_energy"] == pytest.approx((4 * 2 + 3 * 3) / 7)
    assert isinstance(row(overview, "WMO").averages["qs_energy"], Suppressed)
    assert row(overview, "GEM").averages["qs_energy"] == pytest.approx((8 + 9 + 20) / 12)


async def test_a_small_department_cannot_be_worked_out_from_its_parent_and_sibling(
    settings,
) -> None:
    await load_small_org(SIZES)
    for number in JEUGD[:4]:
        await conversation(number, "JEUGD", answers={"qs_energy": 1, "qs_balance": 1})
    for number in WMO[:5]:
        await conversation(number, "WMO", answers={"qs_energy": 5, "qs_balance": 4})
    overview = await figures(settings)
    sd, jeugd, wmo = row(overview, "SD"), row(overview, "JEUGD"), row(overview, "WMO")
    # Sociaal Domein (9) is shown; Wmo's five on their own would give Jeugd's four away as
    # Sociaal Domein minus Wmo, so Wmo is hidden as well.
    assert sd.averages["qs_energy"] == pytest.approx((4 * 1 + 5 * 5) / 9)
    assert isinstance(jeugd.averages["qs_energy"], Suppressed)
    assert wmo.averages["qs_energy"] == Suppressed("differencing")
    assert isinstance(wmo.signal_share, Suppressed)
    # The subtraction an attacker would do has nothing to subtract.
    for topic in ("qs_energy", "qs_balance"):
        shown = [item for item in (jeugd, wmo) if not isinstance(item.averages[topic], Suppressed)]
        assert len(shown) != 1, topic
    # The signal share over everyone shown: Jeugd's four all have poor balance.
    assert sd.signal_share == pytest.approx(4 / 9)
    assert overview.rows[0].code == "GEM"


async def test_coverage_counts_talks_of_the_last_twelve_months_once_per_person(
    settings,
) -> None:
    await load_small_org(SIZES)
    long_ago = TODAY - dt.timedelta(days=400)
    recent = TODAY - dt.timedelta(days=30)
    # Two in ICT talked only 13 months ago; four recently, one of them twice this year.
    for number in ICT[:2]:
        await conversation(number, "ICT", held_on=long_ago, on=long_ago)
    for number in ICT[2:6]:
        await conversation(
            number,
            "ICT",
            answers={"qs_energy": 2},
            held_on=recent - dt.timedelta(days=60),
            on=recent - dt.timedelta(days=60),
        )
    # ICT[2] again, later, with other answers: only this latest self-assessment counts.
    await conversation(ICT[2], "ICT", answers={"qs_energy": 5}, held_on=recent, on=recent)
    # ICT[0] filled in a self-assessment recently that is not talked about yet: it counts
    # in the averages (its answers are in), not in the coverage.
    await conversation(ICT[0], "ICT", answers={"qs_energy": 3}, on=recent)
    overview = await figures(settings)
    ict = row(overview, "ICT")
    assert ict.employees == 7
    assert ict.coverage == pytest.approx(4 / 7)
    # Four people talked in the window: fewer than five, hidden.
    assert isinstance(ict.conversations, Suppressed)
    # Five self-assessments: ICT[2]'s latest (5), three 2s and ICT[0]'s 3.
    assert ict.averages["qs_energy"] == pytest.approx((5 + 2 + 2 + 2 + 3) / 5)
    assert row(overview, "JEUGD").employees == 6
    assert row(overview, "JEUGD").coverage == 0.0
    assert row(overview, "GEM").employees == 20


async def test_unshared_answers_count_and_people_count_where_they_were(settings) -> None:
    await load_small_org(SIZES)
    for number in ICT[:5]:
        await conversation(number, "ICT", answers={"qs_manager_support": 1}, shared=())
    # One of them has moved to Wmo since: their talk stays counted in ICT.
    await move(ICT[0], "WMO")
    overview = await figures(settings)
    ict = row(overview, "ICT")
    assert ict.averages["qs_manager_support"] == 1.0
    assert ict.signal_share == 1.0  # little_support fires on an unshared answer too
    assert ict.employees == 6
    assert row(overview, "WMO").employees == 8


async def test_overdue_follow_ups(settings) -> None:
    await load_small_org(SIZES)
    held = TODAY - dt.timedelta(days=60)
    overdue = [
        await conversation(
            number, "ICT", held_on=held, follow_up_on=TODAY - dt.timedelta(days=1), on=held
        )
        for number in ICT[:2]
    ]
    done = await conversation(
        ICT[2], "ICT", held_on=held, follow_up_on=TODAY - dt.timedelta(days=10), on=held
    )
    await service.mark_followed_up(await viewer(MANAGER["ICT"]), done, now=moment(TODAY))
    # Due today is not overdue yet; no follow-up date is never overdue.
    await conversation(ICT[3], "ICT", held_on=held, follow_up_on=TODAY, on=held)
    await conversation(ICT[4], "ICT", held_on=held, on=held)
    overview = await figures(settings)
    assert len(overdue) == 2
    assert row(overview, "ICT").overdue == 2
    assert row(overview, "ICT").conversations == 5
    assert row(overview, "GEM").overdue == 2
    # Wmo had no talks: its overdue count (0 of 0 people) is hidden, not a zero.
    assert isinstance(row(overview, "WMO").overdue, Suppressed)


async def test_trend_per_quarter_and_audit(settings) -> None:
    await load_small_org(SIZES)
    quarters = last_quarters(TODAY)
    assert len(quarters) == 8 and quarters[-1] == (2026, 4) and quarters[0] == (2025, 1)
    assert quarter_bounds(2026, 4) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    earlier = dt.date(2026, 8, 10)
    for number in ICT[:5]:
        await conversation(number, "ICT", answers={"qs_energy": 4}, held_on=earlier, on=earlier)
    overview = await quickscan_figures(today=TODAY, settings=settings, actor="hr@x.example")
    (organisation,) = overview.trends  # one top-level department: the organisation only
    third, fourth = organisation.points[-2], organisation.points[-1]
    assert (third.year, third.quarter) == (2026, 3)
    assert third.averages["qs_energy"] == 4.0
    assert isinstance(fourth.averages["qs_energy"], Suppressed)  # nobody this quarter
    assert third.coverage == pytest.approx(5 / 20)
    assert fourth.coverage == pytest.approx(5 / 20)  # a rolling 12 months
    assert organisation.points[0].coverage == 0.0
    records = await AuditEvent.select(AuditEvent.actor, AuditEvent.details).where(
        AuditEvent.action == "quickscan.figures_viewed"
    )
    assert [record["actor"] for record in records] == ["hr@x.example"]
