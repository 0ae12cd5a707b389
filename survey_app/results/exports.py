"""Exports of a wave's results as files: CSV, XLSX and a PDF report, each a rendering of
one `WaveResults` from the door (`results.service`), never a query of its own.

What the screen hides, a file hides: a figure the gate hides is written as the translated
word for "hidden" (`hidden_marker`), with the reason in a note (CSV), on the legend sheet
(XLSX) or once in the report (PDF); never as an empty cell or a zero. A cell is empty only
where its column does not apply to the record: the response-rate columns of a score, a
comparison with nothing to compare with (the organisation with itself, a first wave).

The CSV is one long table for programs (decimal points, one header): a record per
department and scale, item or eNPS ("Scores"), then a record per department's response
rate ("Response rate"); the first column says which. Percentages are 0–100 there. The
XLSX is for people: a sheet of % favourable and mean per department, the same records
as the CSV with typed numbers, the response rates, and a legend. The PDF report is
`results.report`. For a wave that is still open only the response rates are exported:
scores exist once it has closed.

openpyxl and WeasyPrint are imported by the functions that write their format, so that a
web worker or a command that exports nothing does not load them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from survey_app.core.clock import local_date
from survey_app.core.csvfile import spreadsheet_csv
from survey_app.core.errors import N_
from survey_app.core.i18n import _, using_language
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.results import inclusion_exports as dig
from survey_app.results.dashboard import Column, Figure, ScoreRow
from survey_app.results.markers import (
    HIDDEN,
    flag_text,
    hidden_figure_note,
    hidden_marker,
    hidden_rate_note,
    organisation_rate,
)
from survey_app.results.service import RateRow, WaveResults, wave_results


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    media_type: str


FORMATS = {
    "csv": ExportFormat("csv", "text/csv"),
    "xlsx": ExportFormat(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "pdf": ExportFormat("pdf", "application/pdf"),
}


async def export(
    viewer: Principal,
    wave_id: str,
    export_format: str,
    department_code: str | None,
    *,
    settings: Settings,
    language: str,
) -> tuple[WaveResults, bytes]:
    """What ``viewer`` may see of a wave (or one department's subtree) as a file: one ask
    of the door, recorded in the audit trail as ``export_<format>`` (one record per file),
    with the earlier waves for the change since the previous one and, for the report only,
    the comment themes; rendered in a thread. HR's files of the whole organisation hold
    the inclusion figures of a DIG wave too (`results.inclusion_exports`)."""
    results = await wave_results(
        viewer,
        wave_id,
        settings=settings,
        language=language,
        view=f"export_{export_format}",
        department_code=department_code,
        with_trend=True,
        with_themes=export_format == "pdf",
        with_inclusion=viewer.is_hr and department_code is None,
    )
    content = await asyncio.to_thread(render, export_format, results, language, settings=settings)
    return results, content


def file_name(results: WaveResults, export_format: str, day: dt.date) -> str:
    """``<wave title>-<department code>-<day>.<extension>``: ASCII letters, digits and
    hyphens only, safe in a Content-Disposition header and on any file system."""
    parts = [results.wave.title]
    if results.department is not None:
        parts.append(results.department.code)
    parts.append(day.isoformat())
    stem = "-".join(slug for part in parts if (slug := _slug(part)))
    return f"{stem or 'export'}.{FORMATS[export_format].extension}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


# The columns of the CSV and of the XLSX records sheet: (key, header, how a number is
# written). Kinds: count, mean, percent (a fraction, written 0–100 in the CSV), points
# (mean answer points, signed), change (percentage points, signed), enps, text.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("record", N_("Record"), "text"),
    ("code", N_("Department code"), "text"),
    ("department", N_("Department"), "text"),
    ("path", N_("Department path"), "text"),
    ("kind", N_("Measure type"), "text"),
    ("key", N_("Measure key"), "text"),
    ("measure", N_("Measure"), "text"),
    ("respondents", N_("Respondents"), "count"),
    ("n", N_("Answers (n)"), "count"),
    ("mean", N_("Mean"), "mean"),
    ("favourable", N_("% favourable"), "percent"),
    ("neutral", N_("% neutral"), "percent"),
    ("unfavourable", N_("% unfavourable"), "percent"),
    ("enps", N_("eNPS"), "enps"),
    ("vs_organisation", N_("Difference from the organisation (mean)"), "points"),
    ("organisation_flag", N_("Compared with the organisation"), "text"),
    ("vs_previous", N_("Change since the previous wave (mean)"), "points"),
    ("favourable_change", N_("Change in % favourable since the previous wave"), "change"),
    ("previous_flag", N_("Compared with the previous wave"), "text"),
    ("invited", N_("Invited"), "count"),
    ("responded", N_("Responded"), "count"),
    ("rate", N_("Response rate (%)"), "percent"),
    ("note", N_("Note"), "text"),
)
# The figures of a score record that the gate hides together.
FIGURE_FIELDS = (
    "n",
    "mean",
    "favourable",
    "neutral",
    "unfavourable",
    "enps",
    "vs_organisation",
    "organisation_flag",
    "vs_previous",
    "favourable_change",
    "previous_flag",
)


def kind_label(kind: str) -> str:
    return {"scale": _("scale"), "item": _("item"), "enps": _("eNPS")}[kind]


def department_name(row: ScoreRow) -> str:
    return row.name if row.path is not None else _("Whole organisation")


def department_code(path: str | None) -> str:
    return "" if path is None else path.rsplit("/", 1)[-1]


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100.0


def score_rows(results: WaveResults) -> tuple[ScoreRow, ...]:
    """The organisation, then the viewer's departments in tree order."""
    view = results.score_view
    return () if view is None else (view.organisation, *view.rows)


def score_record(
    results: WaveResults, row: ScoreRow, column: Column, figure: Figure
) -> dict[str, Any]:
    """One department's figure for one scale, item or eNPS, as the files write it."""
    view = results.score_view
    has_previous = view is not None and view.previous is not None
    record: dict[str, Any] = {
        "record": _("Scores"),
        "code": department_code(row.path),
        "department": department_name(row),
        "path": row.path or "",
        "kind": kind_label(column.kind),
        "key": column.key,
        "measure": column.label,
        "respondents": HIDDEN if row.hidden else row.respondents,
    }
    if figure.hidden:
        record |= dict.fromkeys(FIGURE_FIELDS, HIDDEN)
        if column.kind != "enps":
            record["enps"] = None
        if row.path is None:
            record["vs_organisation"] = record["organisation_flag"] = None
        if not has_previous:
            record |= dict.fromkeys(("vs_previous", "favourable_change", "previous_flag"))
        record["note"] = hidden_figure_note(figure.reason, results.thresholds.min_group_size)
        return record
    return record | {
        "n": figure.n,
        "mean": figure.mean,
        "favourable": _fraction(figure.favourable),
        "neutral": _fraction(figure.neutral),
        "unfavourable": _fraction(figure.unfavourable),
        "enps": figure.enps if column.kind == "enps" else None,
        "vs_organisation": figure.vs_organisation,
        "organisation_flag": flag_text(figure.vs_organisation, figure.organisation_flag),
        "vs_previous": figure.vs_previous,
        "favourable_change": figure.favourable_change,
        "previous_flag": flag_text(figure.vs_previous, figure.previous_flag),
    }


def rate_record(results: WaveResults, row: RateRow) -> dict[str, Any]:
    record = {
        "record": _("Response rate"),
        "code": department_code(row.path),
        "department": row.name,
        "path": row.path,
    }
    if row.hidden:
        note = hidden_rate_note(results.thresholds.min_group_size)
        return record | dict.fromkeys(("invited", "responded", "rate"), HIDDEN) | {"note": note}
    return record | {"invited": row.invited, "responded": row.responded, "rate": row.rate}


def records(results: WaveResults) -> Iterator[dict[str, Any]]:
    """Every score record (department × measure), then every response-rate record."""
    view = results.score_view
    for row in score_rows(results):
        for column in view.columns if view is not None else ():
            yield score_record(results, row, column, row.figures[column.key])
    whole = organisation_rate(results)
    for rate in ([whole] if whole is not None else []) + results.rates:
        yield rate_record(results, rate)


def _csv_text(value: Any, kind: str) -> str:
    if value is HIDDEN:
        return hidden_marker()
    if value is None:
        return ""
    formats: dict[str, Callable[[Any], str]] = {
        "count": lambda v: str(int(v)),
        "mean": lambda v: f"{v:.2f}",
        "percent": lambda v: f"{100.0 * v:.1f}",
        "points": lambda v: f"{v:+.2f}",
        "change": lambda v: f"{v:+.1f}",
        "enps": lambda v: f"{v:+.0f}",
        **dig.CSV_FORMATS,
    }
    return formats.get(kind, str)(value)


def to_csv(results: WaveResults, language: str) -> bytes:
    """The long table (see the module's docstring), through the one CSV writer."""
    fields = FIELDS + (dig.INCLUSION_FIELDS if results.inclusion is not None else ())
    with using_language(language):
        header = [_(title) for _key, title, _kind in fields]
        lines = [
            [_csv_text(record.get(key), kind) for key, _title, kind in fields]
            for record in (*records(results), *dig.inclusion_records(results))
        ]
        return spreadsheet_csv(header, lines)


# How the XLSX shows each kind of number.
NUMBER_FORMATS = {
    "count": "0",
    "mean": "0.00",
    "percent": "0.0%",
    "points": "+0.00;-0.00;0.00",
    "change": "+0.0;-0.0;0.0",
    "enps": "+0;-0;0",
    **dig.XLSX_FORMATS,
}


def legend_lines(results: WaveResults, settings: Settings) -> list[tuple[str, str]]:
    """What a reader needs to read the figures: the wave, the scope, the minimum group
    size and what the marker for a hidden figure means."""
    wave, k = results.wave, results.thresholds.min_group_size
    period = (
        f"{local_date(wave.opens_at, settings.timezone)} – "
        f"{local_date(wave.closes_at, settings.timezone, end=True)}"
    )
    scope = results.department.name if results.department else _("Whole organisation")
    lines = [
        (_("Wave"), wave.title),
        (_("Answering period"), period),
        (_("Department"), scope),
        (_("Minimum group size"), str(k)),
        (
            hidden_marker(),
            _(
                "A figure of fewer than {k} respondents is not shown, and neither is one "
                "that would let a smaller group be worked out by subtraction (from its "
                "parent department, say); its people count in the department above."
            ).format(k=k),
        ),
        (
            _("% favourable"),
            _(
                "Share of answers in the favourable band (agree or strongly agree, or the "
                "better end where a statement is worded negatively); eNPS: promoters "
                "(9–10), passives (7–8), detractors (0–6)."
            ),
        ),
        (
            _("Compared with the organisation"),
            _(
                "The department against everyone else, flagged where the difference is "
                "significant (Welch's t-test, Holm-corrected) and at least 0.2 points."
            ),
        ),
    ]
    if results.score_view is None:
        lines.append((_("Scores"), _("Scores are exported once the wave has closed.")))
    elif results.score_view.previous is not None:
        lines.append((_("Previous wave"), results.score_view.previous.title))
    lines += dig.inclusion_legend(results)
    if results.counted_through is not None:
        lines.append(
            (
                _("Responses up to and including"),
                results.counted_through.strftime("%d-%m-%Y"),
            )
        )
    return lines


def to_xlsx(results: WaveResults, language: str, *, settings: Settings) -> bytes:
    """A workbook: scores per department, the records, response rates, a legend."""
    from openpyxl import Workbook

    with using_language(language):
        book = Workbook()
        _scores_sheet(book.active, results)
        _records_sheet(book.create_sheet(_sheet_title(_("Details"))), results)
        _rates_sheet(book.create_sheet(_sheet_title(_("Response rates"))), results)
        if results.inclusion is not None:
            inclusion = book.create_sheet(_sheet_title(_("Inclusion")))
            _records_sheet(inclusion, results, dig.SHEET_FIELDS, dig.inclusion_records)
        _legend_sheet(book.create_sheet(_sheet_title(_("Legend"))), results, settings)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def _write(sheet: Any, row: int, column: int, value: Any, kind: str = "text") -> None:
    from openpyxl.styles import Font

    cell = sheet.cell(row=row, column=column)
    if value is HIDDEN:
        cell.value = hidden_marker()
        cell.font = Font(italic=True, color="595959")
        return
    cell.value = value
    if value is not None and kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]


def _header(sheet: Any, titles: list[str], row: int = 1) -> None:
    from openpyxl.styles import Alignment, Font

    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _scores_sheet(sheet: Any, results: WaveResults) -> None:
    """Departments as rows; per scale, item and eNPS two columns: % favourable (eNPS: the
    score) and the mean. Two header rows, frozen with the department columns."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.title = _sheet_title(_("Scores"))
    view = results.score_view
    _header(sheet, [_("Department"), _("Department code"), _("Respondents")])
    if view is None:
        sheet.cell(row=3, column=1, value=_("Scores are exported once the wave has closed."))
        return
    for index, column in enumerate(view.columns):
        first = 4 + 2 * index
        first_title = _("eNPS") if column.kind == "enps" else _("% favourable")
        sheet.cell(row=1, column=first, value=column.label)
        sheet.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 1)
        for offset, title in enumerate((first_title, _("Mean"))):
            sheet.cell(row=2, column=first + offset, value=title)
    for cell in (*sheet[1], *sheet[2]):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=True)
    for number, row in enumerate(score_rows(results), start=3):
        name = sheet.cell(row=number, column=1, value=department_name(row))
        name.alignment = Alignment(indent=max(row.depth, 0))
        _write(sheet, number, 2, department_code(row.path))
        _write(sheet, number, 3, HIDDEN if row.hidden else row.respondents, "count")
        for index, column in enumerate(view.columns):
            figure = row.figures[column.key]
            first = 4 + 2 * index
            if figure.hidden:
                _write(sheet, number, first, HIDDEN)
                _write(sheet, number, first + 1, HIDDEN)
                continue
            if column.kind == "enps":
                _write(sheet, number, first, figure.enps, "enps")
            else:
                _write(sheet, number, first, _fraction(figure.favourable), "percent")
            _write(sheet, number, first + 1, figure.mean, "mean")
    sheet.freeze_panes = "D3"
    sheet.row_dimensions[1].height = 60
    sheet.column_dimensions["A"].width = 32
    for index in range(2, 4 + 2 * len(view.columns)):
        sheet.column_dimensions[get_column_letter(index)].width = 13


def _records_sheet(
    sheet: Any,
    results: WaveResults,
    fields: tuple[tuple[str, str, str], ...] = FIELDS,
    rows: Callable[[WaveResults], Iterator[dict[str, Any]]] = records,
) -> None:
    from openpyxl.utils import get_column_letter

    _header(sheet, [_(title) for _key, title, _kind in fields])
    for number, record in enumerate(rows(results), start=2):
        for column, (key, _title, kind) in enumerate(fields, start=1):
            _write(sheet, number, column, record.get(key), kind)
    sheet.freeze_panes = "D2"
    for index in range(1, len(fields) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16


def _rates_sheet(sheet: Any, results: WaveResults) -> None:
    from openpyxl.styles import Alignment

    _header(
        sheet,
        [
            _("Department"),
            _("Department code"),
            _("Invited"),
            _("Responded"),
            _("Response rate"),
            _("Note"),
        ],
    )
    whole = organisation_rate(results)
    for number, rate in enumerate(([whole] if whole else []) + results.rates, start=2):
        record = rate_record(results, rate)
        name = sheet.cell(row=number, column=1, value=rate.name)
        name.alignment = Alignment(indent=max(rate.depth, 0))
        _write(sheet, number, 2, record["code"])
        _write(sheet, number, 3, record["invited"], "count")
        _write(sheet, number, 4, record["responded"], "count")
        _write(sheet, number, 5, record["rate"], "percent")
        _write(sheet, number, 6, record.get("note"))
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["F"].width = 60


def _legend_sheet(sheet: Any, results: WaveResults, settings: Settings) -> None:
    from openpyxl.styles import Alignment, Font

    for number, (term, text) in enumerate(legend_lines(results, settings), start=1):
        sheet.cell(row=number, column=1, value=term).font = Font(bold=True)
        cell = sheet.cell(row=number, column=2, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90


def to_pdf(results: WaveResults, language: str, *, settings: Settings) -> bytes:
    """The printable report per department (`results.report`)."""
    from survey_app.results.report import report_pdf

    with using_language(language):
        return report_pdf(results, language, settings=settings)


def render(export_format: str, results: WaveResults, language: str, *, settings: Settings) -> bytes:
    """The file of ``results`` in ``export_format`` (a key of `FORMATS`)."""
    if export_format == "csv":
        return to_csv(results, language)
    if export_format == "xlsx":
        return to_xlsx(results, language, settings=settings)
    return to_pdf(results, language, settings=settings)
