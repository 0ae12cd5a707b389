"""The one CSV writer for files people open in a spreadsheet (audit trail, result exports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula (a failed sign-in
    records whatever user name was typed)."""
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read it as UTF-8; every
    cell neutralised with `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
