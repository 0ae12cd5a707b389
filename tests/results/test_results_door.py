"""The one door for results: the viewer's scope, the gate, closed waves only, the audit."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.principal import Principal
from survey_app.responding.service import submit_response
from survey_app.results.service import (
    DepartmentNotFound,
    ResultsRefused,
    operator,
    wave_results,
)
from survey_app.waves.service import WaveNotFound, close_wave
from surveys import load_template, validate_answers
from tests.helpers import (
    PROJECT_ROOT,
    TIMEZONE,
    app_settings,
    full_answers,
    load_small_org,
    open_wave,
)

# The small organisation: JEUGD 6 and WMO 3 under SD, ICT 7 under BV.
SIZES = {"JEUGD": 6, "WMO": 3, "ICT": 7}


def manager(*codes: str, roots: tuple[str, ...] | None = None) -> Principal:
    return Principal(
        account_id=7,
        username="manager@testdorp.example",
        display_name="Manager",
        employee_id=None,
        is_hr=False,
        is_admin=False,
        session_id=1,
        method="password",
        scope_codes=frozenset(codes),
        scope_roots=codes if roots is None else roots,
    )


HR = Principal(
    account_id=8,
    username="hr@testdorp.example",
    display_name="HR",
    employee_id=None,
    is_hr=True,
    is_admin=False,
    session_id=2,
    method="password",
)


async def answered_wave(close: bool = True) -> str:
    """Everyone of the small organisation answers; the wave is closed (unless asked not)."""
    await load_small_org(SIZES)
    opened = await open_wave()
    template = load_template("pulse")
    for number, token in opened.tokens.items():
        form = {key: [value] for key, value in full_answers(enps=str(int(number) % 11)).items()}
        answers, errors = validate_answers(template, form)
        assert not errors
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    if close:
        await close_wave(opened.wave, now=utc_now())
    return str(opened.wave.public_id)


async def views() -> list[tuple[str, str, str]]:
    records, _total = await audit.search(action="results.viewed")
    return [(record.actor, record.target, record.details["page"]) for record in records]


async def test_a_manager_sees_their_subtree_only_and_the_view_is_recorded(settings) -> None:
    wave = await answered_wave()
    results = await wave_results(
        manager("SD", "JEUGD", "WMO"),
        wave,
        settings=settings,
        language="nl",
        view="team_results",
        department_code="SD",
        with_themes=True,
        with_scores=True,
    )
    assert {row.path for row in results.rates} == {"GEM/SD", "GEM/SD/JEUGD", "GEM/SD/WMO"}
    assert {group.path for group in results.theme_groups} <= {row.path for row in results.rates}
    assert {record["group"] for record in results.score_records()} == {
        "GEM/SD",
        "GEM/SD/JEUGD",
        "GEM/SD/WMO",
    }
    assert await views() == [
        ("manager@testdorp.example", "Pulsmeting test – Sociaal Domein (SD)", "team_results")
    ]


async def test_a_department_outside_the_scope_is_refused_and_nothing_is_recorded(
    settings,
) -> None:
    wave = await answered_wave()
    with pytest.raises(ResultsRefused):
        await wave_results(
            manager("JEUGD"),
            wave,
            settings=settings,
            language="nl",
            view="x",
            department_code="ICT",
        )
    with pytest.raises(ResultsRefused):  # the whole organisation is for HR only
        await wave_results(manager("JEUGD"), wave, settings=settings, language="nl", view="x")
    assert await views() == []


async def test_unknown_waves_and_departments_are_not_found(settings) -> None:
    wave = await answered_wave()
    with pytest.raises(WaveNotFound):
        await wave_results(HR, "not-a-wave", settings=settings, language="nl", view="x")
    with pytest.raises(DepartmentNotFound):
        await wave_results(
            HR, wave, settings=settings, language="nl", view="x", department_code="NOPE"
        )
    assert await views() == []


async def test_a_small_group_cannot_be_seen_or_worked_out_by_subtraction(settings) -> None:
    """WMO has 3 respondents (below k = 5): hidden, and so is a sibling or the parent, or
    WMO's figures would be SD's minus JEUGD's."""
    wave = await answered_wave()
    results = await wave_results(
        HR, wave, settings=settings, language="nl", view="scores", with_scores=True
    )
    records = {record["group"]: record for record in results.score_records()}
    assert records["GEM/SD/WMO"]["suppressed"] is True
    assert records["GEM/SD/WMO"]["items"] == {}
    assert records["GEM/SD/JEUGD"]["suppressed"] or records["GEM/SD"]["suppressed"]
    assert records["GEM/BV/ICT"]["suppressed"] is False
    ict = records["GEM/BV/ICT"]["items"]["enjoyment_work"]
    assert ict["n"] == 7 and ict["mean"] == 4.0
    assert records["GEM/BV/ICT"]["scales"]  # the template's scales, scored


async def test_the_thresholds_in_force_apply(settings) -> None:
    """An administrator's higher minimum (8) hides ICT's 7 respondents too."""
    from survey_app.waves import thresholds

    wave = await answered_wave()
    await thresholds.change(settings, "min_group_size", 8, actor="test")
    results = await wave_results(
        HR, wave, settings=settings, language="nl", view="scores", with_scores=True
    )
    records = {record["group"]: record for record in results.score_records()}
    assert results.thresholds.min_group_size == 8
    assert records["GEM/BV/ICT"]["suppressed"] is True


async def test_open_waves_show_rates_but_no_themes_or_scores(settings) -> None:
    wave = await answered_wave(close=False)
    results = await wave_results(
        HR,
        wave,
        settings=settings,
        language="nl",
        view="themes",
        with_themes=True,
        with_scores=True,
    )
    assert not results.closed
    assert results.themes is None and results.theme_groups == [] and results.scores is None
    # Everyone answered today: counted from tomorrow (rates refresh once a day).
    assert (results.rates[0].invited, results.rates[0].responded) == (sum(SIZES.values()), 0)


async def test_the_command_line_renders_the_same_gated_report(settings) -> None:
    wave = await answered_wave()
    done = subprocess.run(
        [sys.executable, "-m", "survey_app", "--lang", "en", "wave", "report", wave],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    groups = {group["group"]: group for group in report["groups"]}
    assert groups["GEM/SD/WMO"]["suppressed"] is True and groups["GEM/SD/WMO"]["items"] == {}
    assert groups["GEM/BV/ICT"]["items"]["enjoyment_work"]["n"] == 7
    actor, target, page = (await views())[0]
    assert actor.startswith("command line") and target == "Pulsmeting test"
    assert page == "score_report"
    assert operator("x").is_hr


async def test_a_wave_that_invited_nobody_in_the_department_is_not_found(settings) -> None:
    """A manager cannot open another department's wave under their own code (and see its
    organisation-wide themes): to them it does not exist."""
    await load_small_org(SIZES)
    other = await open_wave(departments=("BV",))
    await close_wave(other.wave, now=utc_now())
    with pytest.raises(WaveNotFound):
        await wave_results(
            manager("JEUGD"),
            str(other.wave.public_id),
            settings=settings,
            language="nl",
            view="team_results",
            department_code="JEUGD",
            with_themes=True,
        )
    assert await views() == []


# --- response rates: a minimum of invited, refreshed once a day while open -----------------


async def rates_of(results) -> dict[str, tuple]:
    return {row.path: (row.invited, row.responded) for row in results.rates}


async def test_rates_need_k_invited_and_cannot_be_worked_out_by_subtraction(settings) -> None:
    """Wmo (3 invited) is hidden, and so is Jeugd (6), or Sociaal Domein minus Jeugd would
    give Wmo's rate away; their people count in Sociaal Domein."""
    wave = await answered_wave()
    results = await wave_results(HR, wave, settings=settings, language="nl", view="rates")
    rates = await rates_of(results)
    assert rates["GEM/SD/WMO"] == (None, None)
    assert rates["GEM/SD/JEUGD"] == (None, None)
    assert rates["GEM/SD"] == (9, 9)
    assert rates["GEM/BV/ICT"] == (7, 7)


@pytest.mark.parametrize(("size", "shown"), [(4, False), (5, True)])
async def test_the_rate_minimum_edge(settings, size: int, shown: bool) -> None:
    await load_small_org({"JEUGD": size, "WMO": 10, "ICT": 7})
    opened = await open_wave()
    results = await wave_results(
        HR, str(opened.wave.public_id), settings=settings, language="nl", view="rates"
    )
    assert (not next(r for r in results.rates if r.path == "GEM/SD/JEUGD").hidden) is shown


async def test_while_open_the_rates_count_responses_up_to_yesterday(settings) -> None:
    await load_small_org({"JEUGD": 6, "WMO": 6, "ICT": 7})
    opened = await open_wave()  # opened yesterday
    template = load_template("pulse")
    answers, _errors = validate_answers(
        template, {key: [value] for key, value in full_answers().items()}
    )
    yesterday = utc_now() - dt.timedelta(days=1)
    for number in ("1001", "1002"):
        await submit_response(
            hash_token(opened.tokens[number]), answers, now=yesterday, settings=app_settings()
        )
    for number in ("1003", "1004", "1005"):  # today: not counted until tomorrow
        await submit_response(
            hash_token(opened.tokens[number]), answers, now=utc_now(), settings=app_settings()
        )
    wave = str(opened.wave.public_id)
    results = await wave_results(HR, wave, settings=settings, language="nl", view="rates")
    assert (await rates_of(results))["GEM/SD/JEUGD"] == (6, 2)
    assert results.responded_before == utc_now().astimezone(TIMEZONE).date()
    await close_wave(opened.wave, now=utc_now())
    final = await wave_results(HR, wave, settings=settings, language="nl", view="rates")
    assert (await rates_of(final))["GEM/SD/JEUGD"] == (6, 5)
    assert final.responded_before is None


# --- a department taken out of a manager's scope --------------------------------------------


async def test_a_team_out_of_scope_is_not_shown_and_cannot_be_subtracted(settings) -> None:
    """The manager of Sociaal Domein without Jeugd: Jeugd's row is gone, and Wmo is hidden
    too, or Sociaal Domein minus Wmo would be Jeugd's figures. HR still sees all three."""
    await load_small_org({"JEUGD": 6, "WMO": 6, "ICT": 7})
    opened = await open_wave()
    template = load_template("pulse")
    for number, token in opened.tokens.items():
        text = f"Over de werkdruk, opmerking {number}"
        form = {key: [value] for key, value in full_answers(open_comment=text).items()}
        answers, _errors = validate_answers(template, form)
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(opened.wave, now=utc_now())
    wave = str(opened.wave.public_id)
    viewer = manager("SD", "WMO", roots=("SD",))
    results = await wave_results(
        viewer,
        wave,
        settings=settings,
        language="nl",
        view="team_results",
        department_code="SD",
        with_themes=True,
        with_scores=True,
    )
    rates = await rates_of(results)
    assert "GEM/SD/JEUGD" not in rates
    assert rates["GEM/SD/WMO"] == (None, None)
    assert rates["GEM/SD"] == (12, 12)
    assert "GEM/SD/JEUGD" not in {group.path for group in results.theme_groups}
    assert {group.path: group.suppressed for group in results.theme_groups} == {
        "GEM/SD": False,
        "GEM/SD/WMO": True,
    }
    scores = {record["group"]: record for record in results.score_records()}
    assert set(scores) == {"GEM/SD", "GEM/SD/WMO"}
    assert scores["GEM/SD/WMO"]["suppressed"] is True
    assert scores["GEM/SD"]["suppressed"] is False
    everything = await wave_results(
        HR, wave, settings=settings, language="nl", view="rates", with_scores=True
    )
    assert (await rates_of(everything))["GEM/SD/WMO"] == (6, 6)


@pytest.mark.parametrize(("size", "shown"), [(4, False), (5, True)])
async def test_the_group_minimum_edge_for_scores(settings, size: int, shown: bool) -> None:
    """A department of 4 respondents (k = 5) has no scores; one of 5 has them."""
    await load_small_org({"JEUGD": size, "WMO": 10, "ICT": 7})
    opened = await open_wave()
    template = load_template("pulse")
    answers, _errors = validate_answers(
        template, {key: [value] for key, value in full_answers().items()}
    )
    for token in opened.tokens.values():
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(opened.wave, now=utc_now())
    results = await wave_results(
        HR,
        str(opened.wave.public_id),
        settings=settings,
        language="nl",
        view="scores",
        with_scores=True,
    )
    jeugd = next(r for r in results.score_records() if r["group"] == "GEM/SD/JEUGD")
    assert (not jeugd["suppressed"]) is shown
    assert bool(jeugd["items"]) is shown
