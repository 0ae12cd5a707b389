"""HR's exports of a DIG wave (CSV, XLSX, PDF) hold the inclusion figures, read back from
the files: four people with a disability in a department of forty (`tests.results.dig_wave`,
FRONT) have no figure but the marker anywhere, and cannot be worked out by subtraction
from what the files do show; a manager's files hold no inclusion figure at all.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from survey_app.results.exports import FIELDS, export
from survey_app.results.inclusion_exports import INCLUSION_FIELDS
from tests.results.dig_wave import dig_wave
from tests.results.test_results_door import HR, manager

DISABILITY = "disability_chronic_illness"
HEADER = {key: title for key, title, _kind in (*FIELDS, *INCLUSION_FIELDS)}
FIGURES = ("respondents", "mean", "rest_mean", "gap", "p_value", "effect_size", "share")


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def shown(value: str) -> bool:
    return value not in ("hidden", "")


def assert_not_derivable(records: list[dict[str, str]], demographic: str) -> None:
    """The attacker's subtractions over what the file shows: the organisation's count of a
    category less the other units' counts, and a unit's stated count less its other
    categories; whenever a category's count is hidden, one term of each is hidden too."""
    h = HEADER
    stated = {
        row[h["path"]]: row
        for row in records
        if row[h["demographic"]] == demographic and not row[h["category"]]
    }
    counts: dict[tuple[str, str], str] = {}
    for row in records:
        if row[h["demographic"]] == demographic and row[h["category"]]:
            counts[row[h["path"]], row[h["category"]]] = row[h["respondents"]]
    units = [path for path in stated if path]
    categories = {category for _path, category in counts}
    for path in units:
        for category in categories:
            if shown(counts[path, category]):
                continue
            from_organisation = [counts["", category]] + [
                counts[other, category] for other in units if other != path
            ]
            assert not all(shown(value) for value in from_organisation), (path, category)
            from_unit = [stated[path][h["stated"]]] + [
                counts[path, other] for other in categories if other != category
            ]
            assert not all(shown(value) for value in from_unit), (path, category)


async def test_hr_csv_of_a_dig_wave_hides_four_in_forty(settings) -> None:
    wave = (await dig_wave()).public_id
    _results, content = await export(HR, wave, "csv", None, settings=settings, language="en")
    records = read_csv(content)
    h = HEADER
    inclusion = [row for row in records if row[h["record"]] == "Inclusion"]
    assert inclusion, "no inclusion records"
    labels = {row[h["demographic"]] for row in inclusion}
    disability = next(label for label in labels if "disab" in label.lower())
    a_yes = [
        row
        for row in inclusion
        if row[h["path"]] == "GEM/FRONT"
        and row[h["demographic"]] == disability
        and row[h["category"]] == "Yes"
    ]
    assert a_yes
    for row in a_yes:
        assert row[h["respondents"]] == "hidden"
        for key in FIGURES[1:]:
            assert row[h[key]] in ("hidden", ""), (key, row)
        assert any(row[h[key]] == "hidden" for key in FIGURES[1:]), row
        assert row[h["note"]].startswith("Hidden")
    assert_not_derivable(inclusion, disability)
    # Figures do appear where groups are large enough: the organisation's 53 who said
    # they have none against the rest, written as the legend says (p to four decimals, a
    # signed effect size).
    (no,) = [
        row
        for row in inclusion
        if row[h["path"]] == ""
        and row[h["demographic"]] == disability
        and row[h["category"]] == "No"
        and row[h["key"]] == "belonging"
    ]
    assert no[h["respondents"]] == "53"
    assert re.fullmatch(r"\d\.\d\d", no[h["mean"]]) and re.fullmatch(
        r"\d\.\d\d", no[h["rest_mean"]]
    )
    assert re.fullmatch(r"[+-]\d\.\d\d", no[h["gap"]]), no[h["gap"]]
    assert re.fullmatch(r"[01]\.\d{4}", no[h["p_value"]]), no[h["p_value"]]
    assert re.fullmatch(r"[+-]\d\.\d\d", no[h["effect_size"]]), no[h["effect_size"]]


async def test_hr_xlsx_and_pdf_of_a_dig_wave(settings) -> None:
    wave = (await dig_wave()).public_id
    _results, content = await export(HR, wave, "xlsx", None, settings=settings, language="en")
    book = load_workbook(io.BytesIO(content))
    assert "Inclusion" in book.sheetnames
    sheet = book["Inclusion"]
    header = [cell.value for cell in sheet[1]]
    column = {title: index for index, title in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    a_yes = [
        row
        for row in rows
        if row[column[HEADER["code"]]] == "FRONT"
        and "disab" in str(row[column[HEADER["demographic"]]]).lower()
        and row[column[HEADER["category"]]] == "Yes"
    ]
    assert a_yes
    for row in a_yes:
        assert not any(isinstance(value, int | float) for value in row), row
        assert row[column[HEADER["respondents"]]] == "hidden"
    numbers = [
        row[column[HEADER["mean"]]]
        for row in rows
        if isinstance(row[column[HEADER["mean"]]], float)
    ]
    assert numbers, "no inclusion figure shown at all"
    legend = {row[0]: row[1] for row in book["Legend"].iter_rows(values_only=True)}
    assert legend["Minimum group size for demographics"] == "10"

    _results, content = await export(HR, wave, "pdf", None, settings=settings, language="en")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    start = next(index for index, text in enumerate(pages) if "Inclusion" in text.split("\n")[:3])
    text = "\n".join(pages[start:])
    assert "Publiekszaken" in text and "hidden" in text
    # FRONT's block of the disability table: its "Yes" line is the marker, no figure.
    table = re.search(r"Disability or chronic illness\n.*?(?=Working hours\n)", text, re.S)
    assert table is not None, text[:3000]
    block = re.search(r"Publiekszaken ·.*?(?=Staf ·)", table.group(0), re.S)
    assert block is not None, table.group(0)
    yes_line = next(line for line in block.group(0).split("\n") if line.startswith("Yes"))
    assert not re.search(r"\d", yes_line), yes_line


async def test_a_managers_files_hold_no_inclusion_figures(settings) -> None:
    wave = (await dig_wave()).public_id
    viewer = manager("FRONT")
    _results, content = await export(viewer, wave, "csv", "FRONT", settings=settings, language="en")
    records = read_csv(content)
    assert HEADER["demographic"] not in records[0]
    assert not [row for row in records if row[HEADER["record"]] == "Inclusion"]
    _results, content = await export(
        viewer, wave, "xlsx", "FRONT", settings=settings, language="en"
    )
    assert "Inclusion" not in load_workbook(io.BytesIO(content)).sheetnames
