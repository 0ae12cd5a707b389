"""``survey-app analyze themes``: themes in the free-text column of an exported CSV file.

Writes JSON: ``themes`` (id, label, terms, size, redacted quotes, source; with
``--sentiment`` also ``sentiment``: the shares positive/neutral/negative, or
``{"suppressed": true}`` below the comment minimum), ``groups``
(theme shares of the organisation and, with ``--group-column``, per group through the
anonymity gate with the comment minimum), ``known_themes`` (the discovered themes so far,
for ``--previous`` of the next wave's run) and ``language``; with ``--wave-column`` also
``waves``. Per-row lists (``assignments``: one theme id or null per data row, in file
order, and with ``--sentiment`` ``sentiment``: positive, neutral, negative or null per
row) only with ``--assignments``: a list in row order can be joined to other exports in
the same order, so it is asked for explicitly. Bad input ends with a message and exit
code 2.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Literal

import click

from analysis.errors import AnalysisError
from analysis.gate import DEFAULT_K_COMMENTS, MINIMUM_K
from analysis.text.continuity import KnownThemes
from analysis.text.redact import Directory
from analysis.text.shares import theme_shares_by_group, theme_shares_by_wave
from analysis.text.taxonomy import Taxonomy, load_taxonomy
from analysis.text.themes import analyze_themes
from survey_app.analyze.messages import analysis_error_message
from survey_app.core.cli import Command, option
from survey_app.core.errors import N_
from survey_app.core.i18n import _, ngettext

DELIMITERS = ",;\t"


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.UsageError(
            _("{path}: not UTF-8 text (save it as CSV UTF-8)").format(path=path)
        ) from error
    except OSError as error:
        raise click.UsageError(
            _("{path}: cannot be read: {reason}").format(path=path, reason=error.strerror)
        ) from error
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise click.UsageError(
            _("{path}: the file is empty or has no header row").format(path=path)
        )
    delimiter = max(DELIMITERS, key=header.count)
    # strict: a quote that is never closed is an error at the end of the file, instead of
    # every later row silently becoming part of one comment.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[dict[str, str]] = []
    columns: list[str] = []
    start = 1
    try:
        for record in reader:
            if not columns:
                columns = [name.strip() for name in record]
            elif any(cell.strip() for cell in record):
                if len(record) != len(columns):
                    raise click.UsageError(
                        _(
                            "{path}: line {line}: {fields} fields, but the header has "
                            '{expected}; check for a missing closing quote (")'
                        ).format(path=path, line=start, fields=len(record), expected=len(columns))
                    )
                rows.append(dict(zip(columns, record, strict=True)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise click.UsageError(
            _(
                "{path}: from line {line} on the file cannot be read as CSV ({detail}); "
                'check for a missing closing quote (")'
            ).format(path=path, line=start, detail=error)
        ) from error
    return columns, rows


def _column(columns: list[str], wanted: str, option: str) -> str:
    if wanted in columns:
        return wanted
    folded = {name.casefold(): name for name in columns}
    if wanted.casefold() in folded:
        return folded[wanted.casefold()]
    raise click.UsageError(
        _("{option}: there is no column '{column}'; the columns are: {columns}").format(
            option=option, column=wanted, columns=", ".join(columns)
        )
    )


def _themes_option(value: str) -> int | Literal["taxonomy"] | None:
    if value in ("auto", "taxonomy"):
        return None if value == "auto" else "taxonomy"
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise click.BadParameter(
        _("use auto, taxonomy or a whole number of at least 1"), param_hint="--themes"
    )


def _previous(path: Path | None) -> KnownThemes | None:
    """The discovered themes of an earlier run's JSON output (its ``known_themes``)."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        return KnownThemes.from_json(data["known_themes"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise click.BadParameter(
            _("{path} is not the JSON output of an earlier analyze themes run").format(path=path),
            param_hint="--previous",
        ) from error


def _taxonomy_option(value: str) -> Taxonomy | None:
    if value == "none":
        return None
    try:
        return load_taxonomy(None if value == "default" else Path(value))
    except AnalysisError as error:
        raise click.BadParameter(analysis_error_message(error), param_hint="--taxonomy") from error


def _names(path: Path | None) -> Directory | None:
    """Names from the organisation CSV (column ``name``) or a text file, one name a line."""
    if path is None:
        return None
    if path.suffix.lower() == ".csv":
        columns, rows = _read_csv(path)
        column = _column(columns, "name", "--names")
        return Directory(row.get(column) or "" for row in rows)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(
            _("--names: {path} cannot be read as UTF-8 text").format(path=path)
        ) from error
    return Directory(line.strip() for line in lines if line.strip())


@click.command(
    "themes",
    cls=Command,
    help=N_("Themes in the free-text comments of FILE.csv, redacted, per group and per wave."),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@option("--text-column", required=True, help=N_("Column with the comments."))
@option(
    "--group-column",
    help=N_("Column with the department (paths like A/B roll up)."),
)
@option("--wave-column", help=N_("Column with the wave, for theme shares per wave."))
@option(
    "--language",
    type=click.Choice(["auto", "nl", "en"]),
    default="auto",
    show_default=True,
    help=N_("Language of the comments: auto (per comment), nl or en."),
)
@option(
    "--themes",
    "themes_value",
    default="auto",
    show_default=True,
    help=N_(
        "Themes: auto (the taxonomy plus themes discovered in the data, their number chosen "
        "from the data), taxonomy (the taxonomy's themes only) or N discovered themes."
    ),
)
@option(
    "--taxonomy",
    "taxonomy_value",
    default="default",
    show_default=True,
    help=N_("The shipped taxonomy (default), a TOML file, or none (discovery only)."),
)
@option(
    "--names",
    "names_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=N_(
        "The organisation's names to redact: the organisation "
        "CSV (column name) or a text file with one name a line."
    ),
)
@option(
    "--comment-minimum",
    type=click.IntRange(min=MINIMUM_K),
    default=DEFAULT_K_COMMENTS,
    show_default=True,
    help=N_("The gate's minimum number of comments per group."),
)
@option(
    "--previous",
    "previous_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=N_(
        "The JSON output of the previous wave's run: discovered themes with the same words "
        "keep their id and label."
    ),
)
@option(
    "--sentiment",
    is_flag=True,
    help=N_(
        "Also the sentiment: per theme the shares positive, neutral and negative (only for "
        "themes with at least the comment minimum of comments) and, with --assignments, "
        "per row."
    ),
)
@option(
    "--assignments",
    is_flag=True,
    help=N_(
        "Also write the theme of every row (in file order); such a list can be joined to "
        "other files in the same row order."
    ),
)
@option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Write the JSON to this file instead of to standard output."),
)
def themes(
    file: Path,
    text_column: str,
    group_column: str | None,
    wave_column: str | None,
    language: str,
    themes_value: str,
    taxonomy_value: str,
    names_path: Path | None,
    comment_minimum: int,
    previous_path: Path | None,
    sentiment: bool,
    assignments: bool,
    output: Path | None,
) -> None:
    n_themes = _themes_option(themes_value)
    taxonomy = _taxonomy_option(taxonomy_value)
    if n_themes == "taxonomy" and taxonomy is None:
        raise click.BadParameter(
            _("--themes taxonomy needs a taxonomy, not --taxonomy none"), param_hint="--themes"
        )
    previous = _previous(previous_path)
    directory = _names(names_path)
    columns, rows = _read_csv(file)
    text_key = _column(columns, text_column, "--text-column")
    group_key = _column(columns, group_column, "--group-column") if group_column else None
    wave_key = _column(columns, wave_column, "--wave-column") if wave_column else None
    texts = [(row.get(text_key) or "").strip() for row in rows]
    analysis = analyze_themes(
        texts,
        language=language,
        n_themes=None if n_themes == "taxonomy" else n_themes,
        taxonomy=taxonomy,
        directory=directory,
        comment_minimum=comment_minimum,
        previous=previous,
        discover=n_themes != "taxonomy",
        sentiment=sentiment,
    )
    theme_ids = [theme.id for theme in analysis.themes]
    groups = [(row.get(group_key) or "").strip() or None for row in rows] if group_key else []
    result = analysis.to_json(assignments=assignments)
    try:
        result["groups"] = theme_shares_by_group(
            analysis.assignments, groups or [None] * len(rows), theme_ids, comment_minimum
        )
    except AnalysisError as error:  # e.g. a group path with an empty part
        raise click.UsageError(f"--group-column: {analysis_error_message(error)}") from error
    if wave_key:
        waves = [(row.get(wave_key) or "").strip() or None for row in rows]
        result["waves"] = theme_shares_by_wave(
            analysis.assignments, waves, theme_ids, comment_minimum
        )
    document = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document, encoding="utf-8")
        counts = _("{themes}, {rows}: written to {output}").format(
            themes=ngettext("{count} theme", "{count} themes", len(analysis.themes)).format(
                count=len(analysis.themes)
            ),
            rows=ngettext("{count} row", "{count} rows", len(rows)).format(count=len(rows)),
            output=output,
        )
        click.echo(counts, err=True)
