"""Issue 16's must-show: a category of 4 people in a department of 40 is never shown and
cannot be worked out, on any filter of HR's inclusion page, while the department's own
DIG scores are shown; managers get no breakdown at all.

The wave (`tests.results.dig_wave`): FRONT has 40 respondents, 4 of whom said they have a
disability or chronic illness; BACK and STAF have 12 and 11 such people, so the
organisation's 27 minus theirs would be FRONT's 4 unless the gate hides more.
"""

from __future__ import annotations

import re

import pytest

from analysis.gate import Suppressed
from analysis.inclusion import InclusionReport, Intersection
from analysis.inclusion import IntersectionCell as AnalysisCell
from survey_app.results.inclusion_figures import InclusionView
from survey_app.results.service import ResultsRefused, wave_results
from tests.helpers import app_settings, make_account, sign_in, sign_in_as_hr
from tests.results.dig_wave import CATEGORIES, SMALL, dig_wave
from tests.results.test_results_door import HR, manager

K = 10  # the demographic minimum in force (the default)


async def inclusion_of(public_id: str) -> InclusionView:
    results = await wave_results(
        HR,
        public_id,
        settings=app_settings(),
        language="en",
        view="inclusion",
        with_inclusion=True,
        with_gap_trend=True,
    )
    assert results.inclusion is not None
    return results.inclusion


def attacker_finds_nothing(view: InclusionView) -> None:
    """Everything an attacker can subtract from what is shown: no group of 1 to k-1
    people comes out, and the 4-person category is hidden wherever it appears."""
    unit_code, demographic, category = SMALL
    for key, units in view.breakdowns.items():
        organisation, *departments = units
        assert organisation.path is None
        for unit in units:
            shown = [row.respondents for row in unit.categories if not row.hidden]
            assert all(count >= K for count in shown), (key, unit.path)
            for row in unit.categories:
                if row.hidden:  # a hidden category hides all of its figures
                    assert row.respondents is None
                    assert all(figure.hidden for figure in row.scales.values())
                    assert row.incidence.hidden
            # The unit's stated total minus its shown categories.
            if unit.stated is not None:
                rest = unit.stated - sum(shown)
                assert rest == 0 or rest >= K, (key, unit.path, rest)
            if key == demographic and unit.path == f"GEM/{unit_code}":
                (row,) = [row for row in unit.categories if row.key == category]
                assert row.hidden and row.respondents is None
        # Per category: the organisation's figure minus the departments' shown ones.
        for index, row in enumerate(organisation.categories):
            if row.hidden:
                continue
            shown = [
                unit.categories[index].respondents
                for unit in departments
                if not unit.categories[index].hidden
            ]
            rest = row.respondents - sum(shown)
            assert rest == 0 or rest >= K, (key, row.key, rest)
        # A department's respondents minus its shown categories' (with the stated count
        # hidden, the not-stated people blur the rest; with it shown, see above).
    for table in view.intersections.values():
        if table.reason is None:
            for cells in table.cells:
                assert all(cell.respondents >= K for cell in cells)


async def test_the_4_in_40_are_hidden_on_every_filter_and_cannot_be_worked_out(client) -> None:
    dig = await dig_wave()
    view = await inclusion_of(dig.public_id)
    assert {item.key for item in view.demographics} == set(CATEGORIES)
    attacker_finds_nothing(view)
    # The department's overall DIG scores are shown (the normal results pages).
    front = await wave_results(
        HR,
        dig.public_id,
        settings=app_settings(),
        language="en",
        view="department",
        department_code="FRONT",
        with_trend=True,
    )
    row = front.score_view.row("GEM/FRONT")
    assert row is not None and row.respondents == 40
    for key in ("belonging", "fair_treatment"):
        assert not row.figures[key].hidden and row.figures[key].mean is not None

    # Every department with every demographic on the page, each combined with another one
    # (combinations are the organisation's, whatever the department: every pair is asked).
    # The hidden row says why, and shows no figure.
    await sign_in_as_hr(client)
    for index, demographic in enumerate(CATEGORIES):
        second = CATEGORIES[(index + 1) % len(CATEGORIES)]
        for unit in ("", "FRONT", "BACK", "STAF"):
            page = await client.get(
                f"/hr/waves/{dig.public_id}/inclusion",
                params={"demographic": demographic, "unit": unit, "and": second, "lang": "en"},
            )
            assert page.status_code == 200, (demographic, unit, second)
            if (unit, demographic) == SMALL[:2]:
                assert "too few responses" in page.text
    whole = await client.get(f"/hr/waves/{dig.public_id}/inclusion?lang=en")
    assert "Disability or chronic illness" in whole.text or "disability" in whole.text.lower()
    overview = await client.get(f"/hr/waves/{dig.public_id}?lang=en")
    assert f"/hr/waves/{dig.public_id}/inclusion" in overview.text


async def test_managers_get_no_breakdown_anywhere(client) -> None:
    dig = await dig_wave()
    with pytest.raises(ResultsRefused):
        await wave_results(
            manager("FRONT"),
            dig.public_id,
            settings=app_settings(),
            language="en",
            view="inclusion",
            with_inclusion=True,
        )
    await make_account("front@testdorp.example", employee_number="1001")  # FRONT's manager
    await sign_in(client, "front@testdorp.example")
    refused = await client.get(f"/hr/waves/{dig.public_id}/inclusion")
    assert refused.status_code == 403
    own = await client.get(f"/teams/FRONT/waves/{dig.public_id}?lang=en")
    assert own.status_code == 200
    assert "Belonging" in own.text  # the DIG scales, like any scale
    for word in ("chronic illness", "Part-time", "inclusion"):
        assert word.lower() not in own.text.lower(), word


async def test_a_combination_that_passes_is_a_table_of_counts_and_means(
    client, monkeypatch
) -> None:
    """(The 4-in-40 wave has no combination that passes: the analysis gives one in its
    place, so that what the results make of it, up to the page, is what is checked: a
    cell's count and its mean of the chosen scale, and no mean the analysis hid.)"""
    dig = await dig_wave()

    def passing(report: InclusionReport, a: str, b: str) -> Intersection:
        rows, columns = (report.breakdowns[key].categories for key in (a, b))
        cells = tuple(
            tuple(
                AnalysisCell(
                    respondents=10 + row * 2 + column,
                    scales={"belonging": 3.25, "fair_treatment": Suppressed()},
                )
                for column in range(len(columns))
            )
            for row in range(len(rows))
        )
        return Intersection(a, b, rows, columns, cells)

    monkeypatch.setattr(InclusionReport, "intersections", passing)
    view = await inclusion_of(dig.public_id)
    table = view.intersection("age_band", "working_hours")
    assert table is not None and table.reason is None
    assert table.cells[1][1].respondents == 13
    assert table.cells[1][1].means == {"belonging": 3.25, "fair_treatment": None}
    await sign_in_as_hr(client)
    url = f"/hr/waves/{dig.public_id}/inclusion"
    page = await client.get(
        url, params={"demographic": "age_band", "and": "working_hours", "lang": "en"}
    )
    assert page.status_code == 200
    assert "Respondents and mean of Belonging by Age and Working hours" in page.text
    assert "13 people: 3.25" in page.text
    hidden_mean = await client.get(
        url,
        params={
            "demographic": "age_band",
            "and": "working_hours",
            "scale": "fair_treatment",
            "lang": "en",
        },
    )
    assert "13 people</td>" in hidden_mean.text


async def test_the_gap_has_a_trend_over_waves_of_the_template(client) -> None:
    await dig_wave(seed=1)
    later = await dig_wave(seed=2)
    view = await inclusion_of(later.public_id)
    trend = view.trends["disability_chronic_illness", "belonging"]
    assert len(trend.waves) == 2
    by_key = {key: figures for key, _label, figures in trend.categories}
    assert not by_key["no"][0].hidden and not by_key["no"][1].hidden  # 53 in each wave
    await sign_in_as_hr(client)
    page = await client.get(
        f"/hr/waves/{later.public_id}/inclusion",
        params={"demographic": "disability_chronic_illness", "scale": "belonging", "lang": "en"},
    )
    assert page.status_code == 200
    assert 'id="gap-trend-no"' in page.text
    assert "Difference of No from everyone else on Belonging per wave" in page.text


async def test_a_difference_is_spelled_out_only_where_it_is_clear(client) -> None:
    """A gap that is not significant and large enough reads as one short phrase with its
    number; the words for significance and effect size are kept for the marked ones."""
    dig = await dig_wave()
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{dig.public_id}/inclusion", params={"lang": "en"})
    assert page.status_code == 200
    plain = re.findall(r'<span class="gap">([^<]*)</span>', page.text)
    marked = re.findall(r'<span class="gap gap--flagged">([^<]*)</span>', page.text)
    assert plain, "no difference shown"
    for text in plain:
        assert re.fullmatch(r"no clear difference \((?:[+\u2212]\d\.\d\d|0\.00)\)", text), text
    for text in marked:
        assert re.match(r"[▲▼] \d\.\d\d (?:higher|lower) than the rest,\s+significant, ", text)
    assert "not significant,\nnegligible" not in page.text
