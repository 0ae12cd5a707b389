"""Exports (CSV, XLSX, PDF) of the small organisation, read back from the files: the small
team and its sibling have no figure but the marker, every shown figure is the door's, and
each file is one record in the audit trail.

JEUGD 6 and WMO 3 under SD (9), ICT 7 under BV: WMO is too small, and JEUGD would give it
away by subtraction, so neither may show anything but the marker in any file.

The report's comment themes over two waves: the change since the previous wave and the
tone, the same gated values as the themes pages.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from survey_app import audit
from survey_app.accounts.service import adjust_scope
from survey_app.core.cli import command_line_actor
from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.i18n import format_number, format_signed
from survey_app.responding.service import submit_response
from survey_app.results.charts import rounded_percentages
from survey_app.results.exports import FIELDS
from survey_app.results.service import WaveResults, operator, wave_results
from survey_app.waves.service import close_wave
from surveys import load_template, validate_answers
from tests.helpers import (
    app_settings,
    full_answers,
    load_small_org,
    make_account,
    open_wave,
    sign_in,
    sign_in_as_hr,
    survey_app,
)
from tests.results.test_results_door import HR
from tests.results.test_score_view import SIZES, answered, spread
from tests.results.test_theme_waves import OUTING, comments

HIDDEN_PATHS = ("GEM/SD/JEUGD", "GEM/SD/WMO")
SHOWN_PATHS = ("GEM", "GEM/SD", "GEM/BV", "GEM/BV/ICT")
HEADER = {key: title for key, title, _kind in FIELDS}


async def closed_wave() -> str:
    await load_small_org(SIZES)
    return await answered(
        lambda n: full_answers(enjoyment_work=spread(n, 2, 5), workload_pace=spread(n, 1, 4))
    )


async def door(settings, wave: str, department: str | None = None) -> WaveResults:
    """What the door gives HR, to compare the files with (recorded as ``check``)."""
    return await wave_results(
        HR,
        wave,
        settings=settings,
        language="en",
        view="check",
        department_code=department,
        with_view=True,
    )


async def export_views() -> list[tuple[str, str, str]]:
    records, _total = await audit.search(action="results.viewed")
    return [
        (record.actor, record.target, record.details["page"])
        for record in records
        if record.details["page"] != "check"
    ]


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def close(text: str, value: float | None, places: int) -> bool:
    return value is not None and math.isclose(float(text), value, abs_tol=0.5 * 10**-places)


async def test_the_csv_through_the_command_line(settings, tmp_path: Path) -> None:
    wave = await closed_wave()
    output = tmp_path / "results.csv"
    done = await survey_app(
        "results", "export", wave, "--format", "csv", "--lang", "en", "--output", str(output)
    )
    assert done.returncode == 0, done.stderr
    rows = read_csv(output.read_bytes())
    results = await door(settings, wave)
    view = results.score_view
    scores = [row for row in rows if row[HEADER["record"]] == "Scores"]
    rates = [row for row in rows if row[HEADER["record"]] == "Response rate"]
    assert len(scores) == (1 + len(view.rows)) * len(view.columns)
    by_path = {}
    for row in scores:
        by_path.setdefault(row[HEADER["path"]], []).append(row)
    assert set(by_path) == {"", *SHOWN_PATHS, *HIDDEN_PATHS}

    figures = ("respondents", "n", "mean", "favourable", "neutral", "unfavourable")
    for path in HIDDEN_PATHS:
        for row in by_path[path]:
            assert all(row[HEADER[key]] == "hidden" for key in figures), row
            assert row[HEADER["note"]].startswith("Hidden: fewer than 5 respondents")
            # Nothing but the marker, text and empty cells: no number anywhere.
            numbers = [
                value
                for key, value in ((key, row[title]) for key, title in HEADER.items())
                if key not in {"code", "department", "path", "kind", "key", "measure", "note"}
                and re.search(r"[0-9]", value)
            ]
            assert numbers == [], row
    for path in (*SHOWN_PATHS, ""):
        shown = view.row(path or None)
        for row in by_path[path]:
            figure = shown.figures[row[HEADER["key"]]]
            assert not figure.hidden
            assert row[HEADER["respondents"]] == str(shown.respondents)
            assert row[HEADER["n"]] == str(figure.n)
            assert close(row[HEADER["mean"]], figure.mean, 2)
            if figure.favourable is not None:
                assert close(row[HEADER["favourable"]], figure.favourable, 1)
            if path and figure.vs_organisation is not None:
                assert close(row[HEADER["vs_organisation"]], figure.vs_organisation, 2)
    assert by_path["GEM/SD"][0][HEADER["respondents"]] == "9"
    assert by_path[""][0][HEADER["department"]] == "Whole organisation"

    rate_paths = {row[HEADER["path"]]: row for row in rates}
    for path in HIDDEN_PATHS:
        row = rate_paths[path]
        assert [row[HEADER[key]] for key in ("invited", "responded", "rate")] == ["hidden"] * 3
    assert rate_paths["GEM/SD"][HEADER["invited"]] == "9"
    whole = rate_paths[""]
    assert whole[HEADER["department"]] == "Whole organisation" and whole[HEADER["invited"]] == "16"
    assert rate_paths["GEM/BV/ICT"][HEADER["rate"]] == "100.0"
    assert await export_views() == [(command_line_actor(), "Pulsmeting test", "export_csv")]


async def test_the_xlsx_for_hr(client, settings) -> None:
    wave = await closed_wave()
    await sign_in_as_hr(client)
    response = await client.get(f"/hr/waves/{wave}/export.xlsx?lang=en")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["cache-control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="pulsmeting-test-\d{4}-\d{2}-\d{2}\.xlsx"',
        response.headers["content-disposition"],
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Scores", "Details", "Response rates", "Legend"]
    view = (await door(settings, wave)).score_view

    scores = book["Scores"]
    assert scores.freeze_panes == "D3"
    rows = {(sheet_row[1].value or ""): sheet_row for sheet_row in scores.iter_rows(min_row=3)}
    assert set(rows) == {"", "GEM", "SD", "JEUGD", "WMO", "BV", "ICT"}
    for code in ("JEUGD", "WMO"):
        assert all(cell.value == "hidden" for cell in rows[code][2:]), code
    for code, path in {"": None, "SD": "GEM/SD", "ICT": "GEM/BV/ICT", "BV": "GEM/BV"}.items():
        shown = view.row(path)
        assert rows[code][2].value == shown.respondents
        for index, column in enumerate(view.columns):
            figure = shown.figures[column.key]
            first, mean = rows[code][3 + 2 * index], rows[code][4 + 2 * index]
            assert math.isclose(mean.value, figure.mean)
            assert mean.number_format == "0.00"
            if column.kind == "enps":
                assert math.isclose(first.value, figure.enps)
            else:
                assert math.isclose(first.value, figure.favourable / 100)
                assert first.number_format == "0.0%"

    details = book["Details"]
    header = [cell.value for cell in details[1]]
    path_column, n_column = header.index(HEADER["path"]), header.index(HEADER["n"])
    for sheet_row in details.iter_rows(min_row=2, values_only=True):
        if sheet_row[path_column] in HIDDEN_PATHS:
            assert not any(isinstance(value, int | float) for value in sheet_row), sheet_row
            if sheet_row[0] == "Scores":
                assert sheet_row[n_column] == "hidden"

    rates = {row[1].value: row for row in book["Response rates"].iter_rows(min_row=2)}
    for code in ("JEUGD", "WMO"):
        assert [cell.value for cell in rates[code][2:5]] == ["hidden"] * 3
    assert rates["SD"][2].value == 9 and rates["SD"][4].number_format == "0.0%"
    legend = {row[0]: row[1] for row in book["Legend"].iter_rows(values_only=True)}
    assert legend["Minimum group size"] == "5"
    assert "fewer than 5 respondents" in legend["hidden"]
    assert await export_views() == [("hr@testdorp.example", "Pulsmeting test", "export_xlsx")]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_pdf_report_for_a_manager_of_bv(client, settings) -> None:
    wave = await closed_wave()
    account = await make_account("bv@testdorp.example")
    await adjust_scope(account, "BV", granted=True, actor="test")
    await sign_in(client, "bv@testdorp.example")
    response = await client.get(f"/teams/BV/waves/{wave}/export.pdf?lang=en")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="pulsmeting-test-bv-' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert "Bedrijfsvoering" in text and "ICT" in text
    # Only BV's subtree: no other department, not even by name.
    for name in ("Sociaal Domein", "Jeugd", "Wmo"):
        assert name not in text
    view = (await door(settings, wave, "BV")).score_view
    ict = view.row("GEM/BV/ICT")
    assert "Respondents: 7" in text
    enjoyment = ict.figures["work_enjoyment"]
    favourable, mean = (
        format_number(enjoyment.favourable, 0, "en"),
        format_number(enjoyment.mean, 2, "en"),
    )
    assert f"{favourable}%" in text and mean in text
    assert "How to read this report" in text
    # One wave: BV's themes with their tone (7 comments, all alike), and no change.
    flat_text = flat(text)
    assert "Themes in comments" in flat_text and "Tone: negative" in flat_text
    for absent in ("points since", "Not in the previous wave", "is not compared"):
        assert absent not in flat_text
    assert "The change since the previous wave" not in flat_text
    assert await export_views() == [
        ("bv@testdorp.example", "Pulsmeting test – Bedrijfsvoering (BV)", "export_pdf")
    ]


async def test_the_pdf_report_of_the_social_domain_hides_its_small_teams(client, settings):
    wave = await closed_wave()
    await sign_in_as_hr(client)
    response = await client.get(f"/hr/waves/{wave}/export.pdf?department=SD&lang=nl")
    assert response.status_code == 200, response.text[:300]
    pdf_text(response.content)
    pages = PdfReader(io.BytesIO(response.content)).pages
    # The first page with the rates and the legend, then Sociaal Domein, then Jeugd and Wmo
    # together: a hidden department has a line, not a page of its own.
    assert len(pages) == 3
    view = (await door(settings, wave, "SD")).score_view
    page_text = pages[2].extract_text()
    assert page_text.count("Respondenten: verborgen") == 2
    for name in ("Jeugd", "Wmo"):
        assert name in page_text
    # Page numbers and the date aside, no figure of the teams: not their respondents, n,
    # means (two decimals) or percentages.
    assert not re.search(r"\d+[.,]\d\d|\d+\s?%", page_text), page_text
    sd = view.row("GEM/SD").figures["work_enjoyment"]
    # In Dutch notation, as on the pages: "3,45", not "3.45".
    assert format_number(sd.mean, 2, "nl") in pages[1].extract_text()
    assert f"{sd.mean:.2f}" not in pages[1].extract_text()


async def test_refused_and_unknown(client, settings) -> None:
    wave = await closed_wave()
    account = await make_account("bv@testdorp.example")
    await adjust_scope(account, "BV", granted=True, actor="test")
    await sign_in(client, "bv@testdorp.example")
    other = await client.get(f"/teams/SD/waves/{wave}/export.csv")
    assert other.status_code == 403
    unknown = "00000000-0000-4000-8000-000000000000"
    assert (await client.get(f"/teams/BV/waves/{unknown}/export.csv")).status_code == 404
    assert (await client.get(f"/hr/waves/{wave}/export.csv")).status_code == 403
    assert await export_views() == []


async def test_unknown_wave_and_department_at_the_command_line(tmp_path: Path) -> None:
    await closed_wave()
    output = tmp_path / "x.pdf"
    unknown = "00000000-0000-4000-8000-000000000000"
    done = await survey_app(
        "results", "export", unknown, "--format", "pdf", "--lang", "en", "--output", str(output)
    )
    assert done.returncode == 1 and not output.exists()
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


async def test_an_open_wave_exports_response_rates_only(client, settings) -> None:
    await load_small_org(SIZES)
    opened = await open_wave()
    await sign_in_as_hr(client)
    response = await client.get(f"/hr/waves/{opened.wave.public_id}/export.csv?lang=en")
    assert response.status_code == 200
    rows = read_csv(response.content)
    assert {row[HEADER["record"]] for row in rows} == {"Response rate"}
    # Its report: the rates, and no explanation of figures it does not hold.
    report = await client.get(f"/hr/waves/{opened.wave.public_id}/export.pdf?lang=en")
    text = flat(pdf_text(report.content))
    assert "Scores are exported once the wave has closed" in text
    for absent in ("▲", "Welch", "favourable band"):
        assert absent not in text


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_an_xlsx_in_both_languages_through_the_door_as_operator(settings, language) -> None:
    from survey_app.results.exports import to_xlsx

    wave = await closed_wave()
    results = await wave_results(
        operator("test"), wave, settings=settings, language=language, view="x", with_view=True
    )
    book = load_workbook(io.BytesIO(to_xlsx(results, language, settings=settings)))
    marker = "verborgen" if language == "nl" else "hidden"
    jeugd = next(row for row in book.worksheets[0].iter_rows(min_row=3) if row[1].value == "JEUGD")
    assert {cell.value for cell in jeugd[2:]} == {marker}


# Wmo (3) is below the group and comment minimum (5): it shows nothing in any wave.
THEME_SIZES = {"JEUGD": 12, "WMO": 3, "ICT": 12}


async def answered_with_comments(written: list[str], title: str) -> str:
    """A closed pulse wave everyone answers, with ``written``'s comments in the order of
    the invitations (Jeugd, Wmo, ICT); who has none writes none."""
    opened = await open_wave(title=title)
    template = load_template("pulse")
    for index, token in enumerate(opened.tokens.values()):
        form = {key: [value] for key, value in full_answers().items() if key != "open_comment"}
        if index < len(written):
            form["open_comment"] = [written[index]]
        answers, errors = validate_answers(template, form)
        assert not errors
        await submit_response(hash_token(token), answers, now=utc_now(), settings=app_settings())
    await close_wave(opened.wave, now=utc_now())
    return str(opened.wave.public_id)


async def two_theme_waves() -> str:
    """Spring: Jeugd 12 kitchen, Wmo 3 and ICT 7 outing, ICT 5 workload (27); autumn: Jeugd
    10 kitchen and 2 outing, Wmo 3 and ICT 7 outing, ICT 4 workload (26). Workload has 4
    comments in the autumn: below the comment minimum, so no tone."""
    await load_small_org(THEME_SIZES)
    await answered_with_comments(comments(1, kitchen=12, outing=10, workload=5), "Voorjaar")
    return await answered_with_comments(comments(2, kitchen=10, outing=12, workload=4), "Najaar")


def flat(text: str) -> str:
    """Text with every line break and run of spaces as one space."""
    return " ".join(text.split())


def section_page(data: bytes, heading: str) -> str:
    """The text of the page of a section of the report: each starts on a page of its own
    (and fits on it here), but hidden departments share one; the first page is the rates."""
    for page in PdfReader(io.BytesIO(data)).pages[1:]:
        text = page.extract_text()
        if heading in (line.strip() for line in text.splitlines()):
            return flat(text)
    raise AssertionError(f"no section {heading}")


def changed(theme, title: str) -> str:  # type: ignore[no-untyped-def]
    """A theme's change as the themes pages count it: points of the rounded percentages."""
    now, then = round(theme.share * 100), round(theme.previous_share * 100)
    unit = "point" if abs(now - then) == 1 else "points"
    return f"{format_signed(now - then, 0, 'en')} {unit} since {title} ({then}% then)"


def tone(sentiment: dict[str, float]) -> str:
    negative, neutral, positive = rounded_percentages(
        [sentiment["negative"], sentiment["neutral"], sentiment["positive"]]
    )
    return f"Tone: negative {negative}% · neutral {neutral}% · positive {positive}%"


async def themes_door(settings, wave: str, department: str | None = None) -> WaveResults:
    """The themes the pages show HR: the organisation's, or one department's own page."""
    return await wave_results(
        HR,
        wave,
        settings=settings,
        language="en",
        view="check",
        department_code=department,
        with_themes=True,
    )


async def test_the_pdf_report_shows_the_themes_change_and_tone_as_the_pages_do(client, settings):
    wave = await two_theme_waves()
    await sign_in_as_hr(client)
    response = await client.get(f"/hr/waves/{wave}/export.pdf?lang=en")
    assert response.status_code == 200, response.text[:300]
    text = flat(pdf_text(response.content))
    themes = (await themes_door(settings, wave)).themes
    assert themes.previous is not None and themes.previous.title == "Voorjaar"
    outing = next(theme for theme in themes.themes if set(theme.terms) & set(OUTING))
    workload = next(theme for theme in themes.themes if theme.id == "workload")
    assert outing.compared and outing.previous_share and outing.sentiment
    assert workload.compared and workload.previous_share and workload.sentiment is None

    # The whole organisation: each theme's change since the spring and its tone; workload
    # (4 comments, below the comment minimum) its change, as on the themes page, no tone.
    whole = section_page(response.content, "Whole organisation")
    share = round(outing.share * 100)
    assert f"{outing.label}: {share}% · {changed(outing, 'Voorjaar')} {tone(outing.sentiment)}" in (
        whole
    )
    share = round(workload.share * 100)
    assert (
        f"Workload: {share}% · {changed(workload, 'Voorjaar')} Tone: too few comments to show"
        in whole
    )
    assert whole.count("Tone: negative") == 2
    # Gemeente Testdorp holds everyone: its page would repeat the whole organisation's.
    with pytest.raises(AssertionError, match="no section"):
        section_page(response.content, "Gemeente Testdorp")
    assert "The change since the previous wave, Voorjaar, in percentage points" in text
    assert "for the whole organisation, not per department" in text

    # ICT: its own change (12 comments in both waves), no tone: the door gives a
    # department's tone only for its own page (or report).
    (ict,) = (await themes_door(settings, wave, "ICT")).theme_groups
    ict_workload = next(theme for theme in ict.ranked if theme.id == "workload")
    assert ict_workload.compared and ict_workload.sentiment is None
    ict_page = section_page(response.content, "ICT")
    assert f"Workload: {round(ict_workload.share * 100)}% " in ict_page
    assert changed(ict_workload, "Voorjaar") in ict_page
    assert "Tone" not in ict_page

    # Wmo (3 people) and Jeugd (which would give Wmo away): the marker only, no theme, no
    # change and no tone.
    for name in ("Wmo", "Jeugd"):
        page = section_page(response.content, name)
        assert "Themes in comments hidden" in page
        assert "since" not in page and "Tone" not in page and "%" not in page

    # Bedrijfsvoering's own report: its tone (the outing theme: 7 comments there; workload
    # 4), as on its page; ICT below it without.
    response = await client.get(f"/hr/waves/{wave}/export.pdf?department=BV&lang=en")
    (bv,) = [
        group
        for group in (await themes_door(settings, wave, "BV")).theme_groups
        if group.path == "GEM/BV"
    ]
    bv_outing, bv_workload = bv.ranked
    assert bv_outing.sentiment is not None and bv_workload.sentiment is None
    page = section_page(response.content, "Bedrijfsvoering")
    assert f"{changed(bv_outing, 'Voorjaar')} {tone(bv_outing.sentiment)}" in page
    assert f"{changed(bv_workload, 'Voorjaar')} Tone: too few comments to show" in page
    assert "Tone" not in section_page(response.content, "ICT")
    assert "for Bedrijfsvoering as a whole, not for the departments below it" in flat(
        pdf_text(response.content)
    )
