"""Scores as people read them: departments x scales and items, through the gate, with the
difference from the organisation, the change since the previous wave and trends."""

from __future__ import annotations

import math

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.responding.service import submit_response
from survey_app.results.service import wave_results
from survey_app.waves.service import close_wave
from surveys import load_template, validate_answers
from tests.helpers import app_settings, full_answers, load_small_org, open_wave
from tests.results.test_results_door import HR, manager

# JEUGD 6 and WMO 3 under SD (9), ICT 7 under BV.
SIZES = {"JEUGD": 6, "WMO": 3, "ICT": 7}


async def answered(answers_of) -> str:
    """A wave everyone answers with ``answers_of(employee_number)``; closed afterwards."""
    opened = await open_wave()
    template = load_template("pulse")
    for number, token in opened.tokens.items():
        form = {key: [value] for key, value in answers_of(int(number)).items()}
        answers, errors = validate_answers(template, form)
        assert not errors
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(opened.wave, now=utc_now())
    return str(opened.wave.public_id)


def spread(number: int, low: int, high: int) -> str:
    return str(low + number % (high - low + 1))


async def test_small_teams_are_hidden_and_leave_no_figure_behind(settings) -> None:
    await load_small_org(SIZES)
    wave = await answered(lambda n: full_answers(enjoyment_work=spread(n, 2, 5)))
    results = await wave_results(
        HR, wave, settings=settings, language="en", view="heatmap", with_view=True
    )
    view = results.score_view
    assert view is not None and view.previous is None
    shown = {row.path: row for row in view.rows}
    assert set(shown) == {"GEM", "GEM/SD", "GEM/SD/JEUGD", "GEM/SD/WMO", "GEM/BV", "GEM/BV/ICT"}
    # WMO (3) is too small; JEUGD (6) would give it away as SD (9) minus JEUGD.
    for path in ("GEM/SD/JEUGD", "GEM/SD/WMO"):
        row = shown[path]
        assert row.hidden and row.respondents is None
        assert all(
            figure.hidden and figure.n is None and figure.mean is None and figure.distribution == ()
            for figure in row.figures.values()
        )
    assert shown["GEM/SD"].respondents == 9 and shown["GEM/BV/ICT"].respondents == 7
    assert view.organisation.respondents == 16
    enjoyment = shown["GEM/SD"].figures["work_enjoyment"]
    assert not enjoyment.hidden and enjoyment.favourable is not None
    assert sum(enjoyment.distribution) == enjoyment.n == 9
    item = shown["GEM/SD"].figures["enjoyment_work"]
    assert sum(item.distribution) == 9 and len(item.distribution) == 5
    assert math.isclose(item.favourable + item.neutral + item.unfavourable, 100.0)
    enps = view.organisation.figures["enps"]
    assert enps.enps == enps.favourable - enps.unfavourable
    assert [column.kind for column in view.columns][-1] == "enps"


async def test_a_manager_sees_their_subtree_and_the_organisation(settings) -> None:
    await load_small_org(SIZES)
    wave = await answered(lambda n: full_answers())
    results = await wave_results(
        manager("BV", "ICT"),
        wave,
        settings=settings,
        language="nl",
        view="team_results",
        department_code="BV",
        with_trend=True,
    )
    view = results.score_view
    assert {row.path for row in view.rows} == {"GEM/BV", "GEM/BV/ICT"}
    assert view.organisation.respondents == 16
    # Identical answers everywhere: no difference from the organisation is flagged.
    figures = view.row("GEM/BV").figures.values()
    assert all(figure.organisation_flag == 0 for figure in figures)
    assert view.trend("GEM/BV", "work_enjoyment")[-1].mean is not None


async def test_the_change_since_the_previous_wave_and_the_trend(settings) -> None:
    await load_small_org(SIZES)
    await answered(lambda n: full_answers(workload_pace=spread(n, 1, 2)))
    await answered(lambda n: full_answers(workload_pace=spread(n, 3, 4)))
    last = await answered(lambda n: full_answers(workload_pace=spread(n, 4, 5)))
    results = await wave_results(
        HR, last, settings=settings, language="en", view="department", with_trend=True
    )
    view = results.score_view
    assert len(view.waves) == 3 and view.previous is not None
    pace = view.organisation.figures["workload_pace"]
    assert pace.vs_previous is not None and pace.vs_previous > 0.5
    assert pace.previous_flag == 1
    # A negatively worded item that went up got worse; here it stayed the same: no flag.
    assert view.organisation.figures["workload_too_much"].previous_flag == 0
    means = [point.mean for point in view.trend(None, "workload_pace")]
    assert means == sorted(means) and means[0] < 2 and means[-1] > 4
    # The heatmap compares departments with the organisation: it reads this wave only.
    heatmap = await wave_results(
        HR, last, settings=settings, language="en", view="heatmap", with_view=True
    )
    assert len(heatmap.score_view.waves) == 1 and heatmap.score_view.previous is None


async def test_a_wave_of_some_departments_has_no_figures_for_everyone(settings) -> None:
    """The page for everyone shows the organisation's figures: a wave that asked only Wmo
    has none (they would be Wmo's, shown to people who may not see Wmo)."""
    import pytest

    from survey_app.results.selection import organisation_waves
    from survey_app.results.service import ResultsRefused
    from survey_app.waves.service import WaveNotFound

    await load_small_org({"JEUGD": 6, "WMO": 6, "ICT": 7})
    wmo_only = await open_wave(departments=("WMO",))
    template = load_template("pulse")
    for token in wmo_only.tokens.values():
        answers, _ = validate_answers(template, {k: [v] for k, v in full_answers().items()})
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(wmo_only.wave, now=utc_now())
    whole = await answered(lambda n: full_answers())
    ict_manager = manager("BV", "ICT", roots=("BV",))
    with pytest.raises(ResultsRefused):
        await wave_results(
            ict_manager,
            str(wmo_only.wave.public_id),
            settings=settings,
            language="nl",
            view="department",
            department_code="WMO",
        )
    with pytest.raises(WaveNotFound):
        await wave_results(
            ict_manager,
            str(wmo_only.wave.public_id),
            settings=settings,
            language="nl",
            view="organisation",
            with_trend=True,
            organisation_only=True,
        )
    assert [str(wave.public_id) for wave in await organisation_waves()] == [whole]
    # Nor is it a point of the organisation's trend.
    seen = await wave_results(
        ict_manager,
        whole,
        settings=settings,
        language="nl",
        view="organisation",
        with_trend=True,
        organisation_only=True,
    )
    assert [str(wave.public_id) for wave in seen.score_view.waves] == [whole]


async def test_a_team_out_of_scope_stored_with_its_parent_cannot_be_subtracted(settings) -> None:
    """Jeugd (3) is stored with Sociaal Domein's own 2 (a response group of 5), Wmo (6) has
    its own. A manager of SD and Wmo without Jeugd must not see both SD and Wmo: SD minus
    Wmo would be Jeugd blended with only 2 others (review finding)."""
    await load_small_org({"SD": 2, "JEUGD": 3, "WMO": 6, "ICT": 7})
    wave = await answered(lambda n: full_answers(enps=str(n % 11)))
    viewer = manager("SD", "WMO", roots=("SD",))
    results = await wave_results(
        viewer,
        wave,
        settings=settings,
        language="nl",
        view="department",
        department_code="SD",
        with_trend=True,
    )
    rows = {row.path: row for row in results.score_view.rows}
    assert "GEM/SD/JEUGD" not in rows
    assert rows["GEM/SD"].hidden or rows["GEM/SD/WMO"].hidden
    # HR, with nothing out of scope, sees both (Jeugd hidden as too small).
    seen = await wave_results(HR, wave, settings=settings, language="nl", view="x", with_view=True)
    shown = {row.path: row for row in seen.score_view.rows}
    assert not shown["GEM/SD"].hidden and not shown["GEM/SD/WMO"].hidden
