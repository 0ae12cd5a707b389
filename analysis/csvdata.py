"""Reading answers from a CSV export (ours or another survey tool's), with line-numbered errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.errors import MESSAGES, AnalysisError
from analysis.participation import SEPARATOR

DELIMITERS = ",;\t"


class CsvDataError(AnalysisError):
    """A problem in the file, with the line (header = line 1) and column it is on.

    ``code`` and ``params`` say what is wrong (see `analysis.errors.MESSAGES`); ``message``
    is that in English, ``str()`` the same with the line and column in front.
    """

    def __init__(
        self, code: str, line: int | None = None, column: str | None = None, **params: Any
    ) -> None:
        self.code, self.params, self.line, self.column = code, params, line, column
        self.message = MESSAGES[code].format(**params)
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        ValueError.__init__(self, f"{', '.join(where)}: {self.message}" if where else self.message)


@dataclass(frozen=True, eq=False)
class SurveyTable:
    """Answers per respondent: the group path (if any) and a float column per item (NaN = empty)."""

    groups: tuple[str, ...] | None
    columns: dict[str, np.ndarray]
    lines: np.ndarray  # the file line of each respondent, for later messages

    def answers(self, items: Sequence[str]) -> np.ndarray:
        """The answers of `items` as a respondents x items array."""
        return np.column_stack([self.columns[item] for item in items])


def parse_value_range(text: str) -> tuple[int, int]:
    """``"1-5"`` → ``(1, 5)``; AnalysisError when it is not MIN-MAX with MIN < MAX."""
    low, sep, high = text.strip().partition("-")
    try:
        if not sep:
            raise ValueError
        minimum, maximum = int(low), int(high)
    except ValueError:
        raise AnalysisError("range_format", text=text) from None
    if minimum >= maximum:
        raise AnalysisError("range_order", text=text)
    return minimum, maximum


def read_survey_csv(
    source: Path | str,
    items: Sequence[str] | None,
    value_range: tuple[int, int],
    group_column: str | None = None,
) -> SurveyTable:
    """Read and check a CSV file of answers: one row per respondent, one column per item.

    Parameters
    ----------
    source : Path or str
        A file path, or the CSV text itself when a str containing a newline.
    items : sequence of str, optional
        The item columns to read; all columns except `group_column` when None.
    value_range : (int, int)
        Answers must be whole numbers in MIN..MAX. An empty cell is a missing answer.
    group_column : str, optional
        The column holding each respondent's group path (``a/b/c``).

    Returns
    -------
    SurveyTable

    Raises
    ------
    CsvDataError
        Empty file, missing column, unknown item, bad group path, non-numeric or
        out-of-range answer — naming the line and column.
    """
    text = (
        source
        if isinstance(source, str) and "\n" in source
        else Path(source).read_text(encoding="utf-8-sig")
    )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CsvDataError("file_empty", line=1)
    first_line = text.splitlines()[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [name.strip() for name in next(reader)]
    for position, name in enumerate(header):
        if not name:
            raise CsvDataError("header_unnamed_column", line=1, position=position + 1)
        if header.index(name) != position:
            raise CsvDataError("header_duplicate_column", line=1, column=name)
    if group_column is not None and group_column not in header:
        raise CsvDataError("no_such_column", 1, group_column, columns=", ".join(header))
    wanted = [name for name in header if name != group_column] if items is None else list(items)
    for item in wanted:
        if item not in header:
            raise CsvDataError("unknown_item", 1, item, columns=", ".join(header))
    if not wanted:
        raise CsvDataError("no_item_columns", line=1)
    positions = {name: header.index(name) for name in wanted}
    group_at = None if group_column is None else header.index(group_column)
    low, high = value_range
    rows: list[list[float]] = []
    groups: list[str] = []
    lines: list[int] = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if len(record) != len(header):
            raise CsvDataError("field_count", line, fields=len(record), expected=len(header))
        if group_at is not None:
            group = record[group_at].strip()
            if not group or any(not part.strip() for part in group.split(SEPARATOR)):
                raise CsvDataError("not_a_group_path", line, group_column, value=group)
            groups.append(SEPARATOR.join(part.strip() for part in group.split(SEPARATOR)))
        rows.append([_answer(record[positions[name]], low, high, line, name) for name in wanted])
        lines.append(line)
    if not rows:
        raise CsvDataError("no_answers", line=2)
    matrix = np.array(rows, dtype=float)
    return SurveyTable(
        groups=None if group_column is None else tuple(groups),
        columns={name: matrix[:, j] for j, name in enumerate(wanted)},
        lines=np.array(lines),
    )


def _answer(cell: str, low: int, high: int, line: int, column: str) -> float:
    cell = cell.strip()
    if not cell:
        return float("nan")
    try:
        value = float(cell.replace(",", ".")) if cell.count(",") <= 1 else float("x")
    except ValueError:
        raise CsvDataError("not_a_number", line, column, value=cell) from None
    if not np.isfinite(value) or value != int(value):
        raise CsvDataError("not_a_whole_number", line, column, value=cell)
    if not low <= value <= high:
        raise CsvDataError("outside_range", line, column, value=cell, min=low, max=high)
    return value
