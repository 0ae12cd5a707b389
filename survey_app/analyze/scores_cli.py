"""``survey-app analyze scores`` and ``reliability``: scores and reliability of exported
answers, through the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from analysis.csvdata import CsvDataError, SurveyTable, parse_value_range, read_survey_csv
from analysis.errors import AnalysisError
from analysis.gate import check_k
from analysis.reliability import MISSING_RULES, cronbach_alpha
from analysis.report import gated_report
from analysis.scales import ScaleSpec, parse_scale_spec, scored_answers
from analysis.scores import item_spec
from analysis.tree import GroupTree
from survey_app.analyze.messages import AnalysisInputError, analysis_error_message
from survey_app.core.cli import command, option
from survey_app.core.errors import N_
from survey_app.core.i18n import _


def _value_range(text: str) -> tuple[int, int]:
    try:
        return parse_value_range(text)
    except AnalysisError as error:
        raise AnalysisInputError(f"--range: {analysis_error_message(error)}") from error


def _scales(specs: tuple[str, ...], value_range: tuple[int, int]) -> list[ScaleSpec]:
    scales = []
    for text in specs:
        try:
            scales.append(parse_scale_spec(text, *value_range))
        except AnalysisError as error:
            raise AnalysisInputError(f"--scale: {analysis_error_message(error)}") from error
    names = [scale.name for scale in scales]
    for name in names:
        if names.count(name) > 1:
            raise AnalysisInputError(
                _("--scale: the name '{name}' is used twice").format(name=name)
            )
    return scales


def _read(
    path: Path, items: list[str] | None, value_range: tuple[int, int], group: str | None
) -> SurveyTable:
    try:
        return read_survey_csv(path, items, value_range, group)
    except CsvDataError as error:
        raise AnalysisInputError(f"{path}: {analysis_error_message(error)}") from error
    except UnicodeDecodeError as error:
        raise AnalysisInputError(
            _("{path}: not UTF-8 text (save it as CSV UTF-8)").format(path=path)
        ) from error
    except OSError as error:
        raise AnalysisInputError(
            _("{path}: cannot be read: {reason}").format(path=path, reason=error.strerror)
        ) from error


def _write(data: Any, output: Path | None) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _reverse_flags(items: list[str], scales: list[ScaleSpec]) -> dict[str, bool]:
    """Per item whether it is reverse-scored; an item marked both ways is an error."""
    flags: dict[str, bool] = {}
    marks = [(item.removeprefix("-"), item.startswith("-")) for item in items]
    marks += [
        (key, rev) for scale in scales for key, rev in zip(scale.items, scale.reverse, strict=True)
    ]
    for key, reverse in marks:
        if flags.setdefault(key, reverse) != reverse:
            raise AnalysisInputError(
                _("item '{item}' is reverse-scored in one place and not in another").format(
                    item=key
                )
            )
    return flags


output_option = option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=N_("Write the JSON to this file instead of to standard output."),
)
range_option = option(
    "--range",
    "value_range",
    default="1-5",
    show_default=True,
    help=N_("Answer range MIN-MAX (a '-' before an item reverse-scores it within it)."),
)
file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@command(help=N_("Item and scale scores per group, at every level of the group tree."))
@file_argument
@option(
    "--group-column",
    required=True,
    help=N_("Column with each respondent's group path a/b/c."),
)
@option("--items", help=N_("Item columns, comma-separated (default: all other columns)."))
@option("--scale", "scale_specs", multiple=True, help=N_("A scale NAME=a,b,-c (repeatable)."))
@range_option
@option(
    "--min-group",
    default=5,
    show_default=True,
    type=int,
    help=N_("Minimum group size k (at least 3)."),
)
@output_option
def scores(
    file: Path,
    group_column: str,
    items: str | None,
    scale_specs: tuple[str, ...],
    value_range: str,
    min_group: int,
    output: Path | None,
) -> None:
    try:
        k = check_k(min_group)
    except AnalysisError as error:
        raise AnalysisInputError(f"--min-group: {analysis_error_message(error)}") from error
    low_high = _value_range(value_range)
    scales = _scales(scale_specs, low_high)
    listed = [item.strip() for item in items.split(",")] if items else []
    if items and any(item in ("", "-") for item in listed):
        raise AnalysisInputError(_("--items: an item name is empty"))
    flags = _reverse_flags(listed, scales)
    reported = [item.removeprefix("-") for item in listed] if items else None
    needed = None
    if reported is not None:
        needed = list(dict.fromkeys([*reported, *(key for s in scales for key in s.items)]))
    else:
        for key in (key for s in scales for key in s.items):
            if key == group_column:
                raise AnalysisInputError(_("item '{item}' is the group column").format(item=key))
    table = _read(file, needed, low_high, group_column)
    for key in (key for s in scales for key in s.items):
        if key not in table.columns:  # all columns were read: a scale names an unknown one
            columns = ", ".join([group_column, *table.columns])
            error = CsvDataError("unknown_item", 1, key, columns=columns)
            raise AnalysisInputError(f"{file}: {analysis_error_message(error)}")
    keys = list(table.columns)
    assert table.groups is not None
    tree = GroupTree.from_paths(table.groups)
    report = gated_report(
        tree,
        tree.indices_of(table.groups),
        table.answers(keys),
        [item_spec(key, *low_high, reverse=flags.get(key, False)) for key in keys],
        scales,
        k=k,
    )
    records = report.records()
    shown = set(keys if reported is None else reported)
    for record in records:
        record["items"] = {key: value for key, value in record["items"].items() if key in shown}
    _write(records, output)


@command(help=N_("Cronbach's alpha per scale, with alpha-if-item-deleted."))
@file_argument
@option(
    "--scale",
    "scale_specs",
    multiple=True,
    required=True,
    help=N_("A scale NAME=a,b,-c (repeatable)."),
)
@range_option
@option(
    "--missing",
    type=click.Choice(MISSING_RULES),
    default="complete",
    show_default=True,
    help=N_(
        "complete: only respondents who answered every item of the scale; "
        "pairwise: covariances from the answers each pair of items has in common."
    ),
)
@output_option
def reliability(
    file: Path, scale_specs: tuple[str, ...], value_range: str, missing: str, output: Path | None
) -> None:
    low_high = _value_range(value_range)
    scales = _scales(scale_specs, low_high)
    needed = list(dict.fromkeys(key for s in scales for key in s.items))
    table = _read(file, needed, low_high, None)
    result = {}
    for scale in scales:
        if len(scale.items) < 2:
            raise AnalysisInputError(
                _("--scale {name}: alpha needs at least two items").format(name=scale.name)
            )
        data = scored_answers(table.answers(list(scale.items)), scale)
        try:
            alpha = cronbach_alpha(data, scale.items, missing)  # type: ignore[arg-type]
        except AnalysisError as error:
            message = _("{path}: scale {name}: {problem}").format(
                path=file, name=scale.name, problem=analysis_error_message(error)
            )
            raise AnalysisInputError(message) from error
        result[scale.name] = alpha.to_json()
    _write(result, output)
