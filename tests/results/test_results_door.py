"""The one door for results: the viewer's scope, the gate, closed waves only, the audit."""

from __future__ import annotations

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
from tests.helpers import PROJECT_ROOT, TIMEZONE, full_answers, load_small_org, open_wave

# The small organisation: JEUGD 6 and WMO 3 under SD, ICT 7 under BV.
SIZES = {"JEUGD": 6, "WMO": 3, "ICT": 7}


def manager(*codes: str) -> Principal:
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
        scope_roots=codes,
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
        await submit_response(hash_token(token), answers, now=utc_now(), timezone=TIMEZONE)
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
        ("manager@testdorp.example", f"wave {wave} department SD", "team_results")
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
    from survey_app.results import thresholds

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
    assert results.rates[0].responded == sum(SIZES.values())


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
    assert actor.startswith("command line") and target == f"wave {wave}" and page == "score_report"
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
