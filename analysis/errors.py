"""Errors a user can fix (a bad file, option or taxonomy), as a code with parameters.

``analysis`` knows no languages: an `AnalysisError` carries a stable ``code`` and its
``params`` for the application to translate, and an English ``str()`` for library users.
Every code and its English text is in `MESSAGES`; `survey_app.analyze.messages` has a
translated message for each (a test checks that none is missing).
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # Reading a CSV file of answers (csvdata.py); CsvDataError adds the line and column.
    "file_empty": "the file is empty (expected a header row)",
    "header_unnamed_column": "column {position} has no name in the header",
    "header_duplicate_column": "the header has this column twice",
    "no_such_column": "no such column in the header (columns: {columns})",
    "unknown_item": "unknown item: no such column (columns: {columns})",
    "no_item_columns": "the file has no item columns",
    "field_count": "{fields} fields, but the header has {expected}",
    "not_a_group_path": "{value!r} is not a group path like a/b/c",
    "not_a_number": "{value!r} is not a number",
    "not_a_whole_number": "{value!r} is not a whole number",
    "outside_range": "{value} is outside the range {min}-{max}",
    "no_answers": "the file has a header but no answers",
    "range_format": "range {text!r}: write it as MIN-MAX, e.g. 1-5",
    "range_order": "range {text!r}: MIN must be below MAX",
    # Scales (scales.py).
    "scale_format": "scale {text!r}: write it as NAME=item,item,-item",
    "scale_empty_item": "scale {text!r}: an item name is empty",
    "scale_item_twice": "scale {name!r}: an item is listed twice",
    # The anonymity gate (gate.py).
    "k_not_whole": "minimum group size must be a whole number, not {k!r}",
    "k_too_small": "minimum group size must be at least {minimum}, not {k}",
    # Reliability (reliability.py).
    "alpha_too_few_items": "alpha needs at least two items",
    "alpha_too_few_respondents": "too few respondents for alpha with the {rule} rule",
    # Group paths (tree.py).
    "invalid_group_path": "invalid group path {path!r}",
    # The theme taxonomy (text/taxonomy.py).
    "taxonomy_unreadable": "{source}: cannot read taxonomy: {detail}",
    "taxonomy_no_themes": "{source}: no [[theme]] tables",
    "taxonomy_theme_without_id": "{source}: a theme without an id",
    "taxonomy_theme_without_label": "{source}: theme {theme!r} has no label",
    "taxonomy_duplicate_id": "{source}: theme id {theme!r} is used twice",
    "taxonomy_stop_word_term": "{source}: {theme}: term {term!r} is only stop words",
    "taxonomy_shared_term": (
        "{source}: term {term!r} ({language}) is in both {other!r} and {theme!r}"
    ),
    "taxonomy_theme_without_terms": "{source}: theme {theme!r} has no terms",
}

ERROR_CODES = tuple(MESSAGES)


class AnalysisError(ValueError):
    """A problem in the input: ``code`` (a key of `MESSAGES`) and ``params`` for its text."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(MESSAGES[code].format(**params))
