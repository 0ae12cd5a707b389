"""The one CSV writer for files people open in a spreadsheet (audit trail, result exports).

Spreadsheets run a cell that starts with ``= + - @`` (or a tab or carriage return) as a
formula. A cell's text is not one cell everywhere: Dutch Excel splits on ``;``, others on
``,`` or tabs, whatever the file's own separator. So every field is quoted, and every
piece that could become a cell of its own — the start of the text and whatever follows a
``,``, ``;``, tab or line break — is neutralised with a leading ``'`` when it starts with a
formula character (after spaces). A cell that is one plain number (``-0.25``, ``+3``) is
a number to every spreadsheet, never a formula, and is written as it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_START = "=+-@\t\r"
# The start of the text, or of anything a spreadsheet may split off as a cell of its own.
_CELL_START = re.compile(r"(^|[,;\t\r\n|])([ ]*)(?=[=+\-@\t\r])")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(text: str) -> str:
    """Text that a spreadsheet shows as text and never runs as a formula, however it splits
    the line (a failed sign-in records whatever user name was typed)."""
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    return _CELL_START.sub(lambda match: f"{match.group(1)}{match.group(2)}'", text)


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read it as UTF-8; every
    field quoted and neutralised with `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
