"""The demo's pulse waves over the year show a trend, and its DIG wave an inclusion gap,
read through the results door as HR would see them (on the test database: SQLite or
PostgreSQL). One build of the demo for both: it takes a while."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from analysis.gate import Suppressed
from survey_app.core.clock import local_today
from survey_app.demo.builder import DEPARTMENTS, build_demo
from survey_app.results.service import WaveResults, operator, wave_results
from survey_app.waves.service import WaveInfo, WaveState, list_waves

ROOT = "GEM"
EMPLOYEES = sum(count for *_rest, count in DEPARTMENTS)


def scale_mean(results: WaveResults, group: str, scale: str) -> float:
    assert results.scores is not None
    figure = results.scores.scale(0, group, scale)
    assert not isinstance(figure, Suppressed), (results.wave.title, group, scale)
    return figure.mean


async def test_the_demo_tells_its_story(tmp_path: Path, settings) -> None:
    await build_demo(tmp_path, local_today(settings.timezone))
    waves = sorted(await list_waves(), key=lambda wave: wave.opens_at)
    assert [wave.template_key for wave in waves].count("dig") == 1
    await pulse_trend([wave for wave in waves if wave.template_key == "pulse"], settings)
    await inclusion_gap(next(wave for wave in waves if wave.template_key == "dig"), settings)


async def pulse_trend(waves: list[WaveInfo], settings) -> None:
    """Three closed pulse waves and an open one, with a visible trend."""
    viewer = operator("test")
    results = [
        await wave_results(
            viewer,
            str(wave.public_id),
            settings=settings,
            language="nl",
            view="test",
            with_scores=True,
        )
        for wave in waves
    ]
    closed = [result for result in results if result.state is WaveState.CLOSED]
    assert len(closed) >= 3
    assert results[-1].state is WaveState.OPEN
    assert len({result.wave.title for result in results}) == len(results)

    for result in closed:
        # The whole organisation was invited; departments answer at different rates, and
        # the small ones stay hidden by the gate.
        root = next(row for row in result.rates if row.path == ROOT)
        assert root.invited == EMPLOYEES
        assert root.rate is not None and 0.5 < root.rate < 0.9
        shown = [row.rate for row in result.rates if row.rate is not None]
        assert max(shown) - min(shown) >= 0.15
        assert any(row.hidden for row in result.rates)
        assert result.scores is not None

    # Workload becomes more manageable wave after wave, visibly.
    workload = [scale_mean(result, ROOT, "workload") for result in closed]
    assert all(later > earlier for earlier, later in pairwise(workload))
    assert workload[-1] - workload[0] >= 0.3

    # Psychological safety in Vergunningen, Toezicht en Handhaving dips after its
    # reorganisation (the second wave), then recovers.
    vth = "GEM/FD/FD-VTH"
    safety = [scale_mean(result, vth, "psychological_safety") for result in closed[:3]]
    assert safety[1] < safety[0] and safety[1] < safety[2]


async def inclusion_gap(wave: WaveInfo, settings) -> None:
    """The closed DIG wave asked every category; most consented and many skipped one or
    two; HR's inclusion figures show staff with a disability or chronic illness (visible at
    the organisation level) lower on belonging or fair treatment, flagged, and meeting
    undesirable behaviour more often."""
    from survey_app.tables.anonymous import Response, SelfIdentification

    result = await wave_results(
        operator("test"),
        str(wave.public_id),
        settings=settings,
        language="en",
        view="test",
        with_inclusion=True,
    )
    assert result.state is WaveState.CLOSED and result.inclusion is not None
    assert len(result.inclusion.demographics) == 8
    responses = await Response.count().where(Response.wave == wave.id)
    assert 0.5 < responses / EMPLOYEES < 0.8
    stated: dict[object, int] = {}
    for row in await SelfIdentification.select(SelfIdentification.response).where(
        SelfIdentification.response.wave == wave.id
    ):
        stated[row["response"]] = stated.get(row["response"], 0) + 1
    # Most consent, and of those many skip a question or two.
    assert 0.65 < len(stated) / responses < 0.9
    assert sum(count < 8 for count in stated.values()) > len(stated) / 3

    organisation = result.inclusion.breakdowns["disability_chronic_illness"][0]
    assert organisation.path is None
    yes = next(row for row in organisation.categories if row.key == "yes")
    assert not yes.hidden and yes.respondents is not None and yes.respondents >= 15
    gaps = [yes.scales[scale] for scale in ("belonging", "fair_treatment")]
    assert all(not gap.hidden and gap.gap is not None and gap.gap <= -0.3 for gap in gaps)
    assert any(gap.flagged for gap in gaps), gaps
    assert not yes.incidence.hidden
    assert yes.incidence.rate is not None and yes.incidence.rest_rate is not None
    assert yes.incidence.rate > yes.incidence.rest_rate
