"""The one CSV writer: every field quoted, nothing a spreadsheet could run as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from survey_app.core.csvfile import csv_cell, spreadsheet_csv


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("x;=1+1;", "x;'=1+1;"),  # Dutch Excel splits on ; and would run the second cell
        ("a, -2+3", "a, '-2+3"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("line\n+1", "line\n'+1"),
        ("12-03-2026 12:00:00", "12-03-2026 12:00:00"),
        ("before.admin=false after.admin=true", "before.admin=false after.admin=true"),
        # One plain number is a number, never a formula (signed differences in exports).
        ("-0.25", "-0.25"),
        ("+3", "+3"),
        ("-2+3", "'-2+3"),
        ("-1e3", "'-1e3"),
        ("-0.25;=1", "'-0.25;'=1"),
    ],
)
def test_a_formula_start_is_neutralised_after_any_separator(text: str, safe: str) -> None:
    assert csv_cell(text) == safe


def test_every_field_is_quoted_and_read_back_as_written() -> None:
    data = spreadsheet_csv(["a", "b"], [["x;=1+1;", "plain"]])
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ['"a","b"', '"x;\'=1+1;","plain"']
    # Split on ; as Dutch Excel would: no piece starts with a formula character.
    for piece in text.replace(",", ";").split(";"):
        assert not piece.strip('"').startswith(("=", "+", "-", "@"))
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["x;'=1+1;", "plain"]]
