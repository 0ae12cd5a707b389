"""Errors of ``survey-app analyze`` in the run's language: one message, exit code 2."""

from __future__ import annotations

import click

from analysis.errors import AnalysisError
from survey_app.core.i18n import _


class AnalysisInputError(click.ClickException):
    """A bad file or option: one message, exit code 2 (as for other usage errors)."""

    exit_code = 2


def analysis_error_message(error: AnalysisError) -> str:
    """The translated message for an error from ``analysis``, with line and column if known."""
    messages = {
        "file_empty": _("the file is empty (a header row is needed)"),
        "header_unnamed_column": _("column {position} has no name in the header"),
        "header_duplicate_column": _("the header has this column twice"),
        "no_such_column": _("this column is not in the header (columns: {columns})"),
        "unknown_item": _("unknown item: this column is not in the file (columns: {columns})"),
        "no_item_columns": _("the file has no item columns"),
        "field_count": _("{fields} fields, but the header has {expected}"),
        "not_a_group_path": _("'{value}' is not a group path like a/b/c"),
        "not_a_number": _("'{value}' is not a number"),
        "not_a_whole_number": _("'{value}' is not a whole number"),
        "outside_range": _("{value} is outside the range {min}-{max}"),
        "no_answers": _("the file has a header but no answers"),
        "range_format": _("range '{text}': write it as MIN-MAX, for example 1-5"),
        "range_order": _("range '{text}': MIN must be lower than MAX"),
        "scale_format": _("scale '{text}': write it as NAME=item,item,-item"),
        "scale_empty_item": _("scale '{text}': an item name is empty"),
        "scale_item_twice": _("scale '{name}': an item is listed twice"),
        "k_not_whole": _("the minimum group size must be a whole number, not {k}"),
        "k_too_small": _("the minimum group size must be at least {minimum}, not {k}"),
        "alpha_too_few_items": _("alpha needs at least two items"),
        "alpha_too_few_respondents": _(
            "too few respondents to calculate alpha with the {rule} rule"
        ),
        "invalid_group_path": _("'{path}' is not a valid group path"),
        "taxonomy_unreadable": _("{source}: cannot read the taxonomy ({detail})"),
        "taxonomy_no_themes": _("{source}: the taxonomy has no [[theme]] tables"),
        "taxonomy_theme_without_id": _("{source}: a theme has no id"),
        "taxonomy_theme_without_label": _("{source}: theme '{theme}' has no label"),
        "taxonomy_duplicate_id": _("{source}: theme id '{theme}' is used twice"),
        "taxonomy_stop_word_term": _(
            "{source}: theme '{theme}': term '{term}' has only stop words"
        ),
        "taxonomy_shared_term": _(
            "{source}: term '{term}' ({language}) is in both theme '{other}' and theme '{theme}'"
        ),
        "taxonomy_theme_without_terms": _("{source}: theme '{theme}' has no terms"),
    }
    template = messages.get(error.code)
    try:
        text = template.format(**error.params) if template else None
    except (KeyError, IndexError):  # a code whose parameters changed
        text = None
    if text is None:
        return _("the input is not valid: {detail}").format(detail=error)
    line = getattr(error, "line", None)
    column = getattr(error, "column", None)
    if line is not None and column is not None:
        return _("line {line}, column '{column}': {problem}").format(
            line=line, column=column, problem=text
        )
    if line is not None:
        return _("line {line}: {problem}").format(line=line, problem=text)
    if column is not None:
        return _("column '{column}': {problem}").format(column=column, problem=text)
    return text
