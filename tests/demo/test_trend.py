"""The demo's pulse waves over the year show a trend, read through the results door as HR
would see it (on the test database: SQLite or PostgreSQL)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from analysis.gate import Suppressed
from survey_app.core.clock import local_today
from survey_app.demo.builder import DEPARTMENTS, build_demo
from survey_app.results.service import WaveResults, operator, wave_results
from survey_app.waves.service import WaveState, list_waves

ROOT = "GEM"
EMPLOYEES = sum(count for *_rest, count in DEPARTMENTS)


def scale_mean(results: WaveResults, group: str, scale: str) -> float:
    assert results.scores is not None
    figure = results.scores.scale(0, group, scale)
    assert not isinstance(figure, Suppressed), (results.wave.title, group, scale)
    return figure.mean


async def test_the_demo_has_three_closed_pulse_waves_with_a_visible_trend(
    tmp_path: Path, settings
) -> None:
    await build_demo(tmp_path, local_today(settings.timezone))
    waves = sorted(await list_waves(), key=lambda wave: wave.opens_at)
    assert all(wave.template_key == "pulse" for wave in waves)
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
