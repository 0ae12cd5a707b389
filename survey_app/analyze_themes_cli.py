"""``survey-app analyze themes``: themes in the free-text column of an exported CSV file.

Writes JSON: ``themes`` (id, label, terms, size, redacted quotes, source), ``assignments``
(one theme id or null per data row, in file order) and ``groups`` (theme shares of the
organisation and, with ``--group-column``, per group through the anonymity gate with the
comment minimum); with ``--wave-column`` also ``waves``. Bad input ends with a message
and exit code 2.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from analysis.gate import DEFAULT_K_COMMENTS, MINIMUM_K
from analysis.text.redact import Directory
from analysis.text.shares import theme_shares_by_group, theme_shares_by_wave
from analysis.text.taxonomy import Taxonomy, load_taxonomy
from analysis.text.themes import analyze_themes

DELIMITERS = ",;\t"


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.UsageError(f"{path}: not UTF-8 text (save it as CSV UTF-8)") from error
    except OSError as error:
        raise click.UsageError(f"{path}: cannot be read: {error.strerror}") from error
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise click.UsageError(f"{path}: the file is empty or has no header row")
    delimiter = max(DELIMITERS, key=header.count)
    try:
        reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
        rows = list(reader)
    except csv.Error as error:
        raise click.UsageError(f"{path}: not a valid CSV file: {error}") from error
    columns = [name.strip() for name in reader.fieldnames or []]
    return columns, rows


def _column(columns: list[str], wanted: str, option: str) -> str:
    if wanted in columns:
        return wanted
    folded = {name.casefold(): name for name in columns}
    if wanted.casefold() in folded:
        return folded[wanted.casefold()]
    raise click.UsageError(
        f"{option}: there is no column {wanted!r}; the columns are: {', '.join(columns)}"
    )


def _themes_option(value: str) -> int | None:
    if value == "auto":
        return None
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise click.BadParameter("use auto or a whole number of at least 1", param_hint="--themes")


def _taxonomy_option(value: str) -> Taxonomy | None:
    if value == "none":
        return None
    try:
        return load_taxonomy(None if value == "default" else Path(value))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--taxonomy") from error


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
        raise click.UsageError(f"--names: {path} cannot be read as UTF-8 text") from error
    return Directory(line.strip() for line in lines if line.strip())


@click.command("themes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text-column", required=True, help="Column with the comments.")
@click.option("--group-column", help="Column with the department (paths like A/B roll up).")
@click.option("--wave-column", help="Column with the wave, for theme shares per wave.")
@click.option("--language", type=click.Choice(["auto", "nl", "en"]), default="auto")
@click.option(
    "--themes",
    "themes_value",
    default="auto",
    show_default=True,
    help="Number of discovered themes: auto (chosen from the data) or N.",
)
@click.option(
    "--taxonomy",
    "taxonomy_value",
    default="default",
    show_default=True,
    help="The shipped taxonomy (default), a TOML file, or none (discovery only).",
)
@click.option(
    "--names",
    "names_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The organisation's names to redact: the organisation "
    "CSV (column name) or a text file with one name a line.",
)
@click.option(
    "--comment-minimum",
    type=click.IntRange(min=MINIMUM_K),
    default=DEFAULT_K_COMMENTS,
    show_default=True,
    help="The gate's minimum number of comments per group.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON here instead of standard output.",
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
    output: Path | None,
) -> None:
    """Themes in the free-text comments of FILE.csv, redacted, per group and per wave."""
    n_themes = _themes_option(themes_value)
    taxonomy = _taxonomy_option(taxonomy_value)
    directory = _names(names_path)
    columns, rows = _read_csv(file)
    text_key = _column(columns, text_column, "--text-column")
    group_key = _column(columns, group_column, "--group-column") if group_column else None
    wave_key = _column(columns, wave_column, "--wave-column") if wave_column else None
    texts = [(row.get(text_key) or "").strip() for row in rows]
    analysis = analyze_themes(
        texts,
        language=language,
        n_themes=n_themes,
        taxonomy=taxonomy,
        directory=directory,
        comment_minimum=comment_minimum,
    )
    theme_ids = [theme.id for theme in analysis.themes]
    groups = [(row.get(group_key) or "").strip() or None for row in rows] if group_key else []
    result: dict[str, Any] = analysis.to_json()
    try:
        result["groups"] = theme_shares_by_group(
            analysis.assignments, groups or [None] * len(rows), theme_ids, comment_minimum
        )
    except ValueError as error:  # e.g. a group path with an empty part
        raise click.UsageError(f"--group-column: {error}") from error
    if wave_key:
        waves = [(row.get(wave_key) or "").strip() or None for row in rows]
        result["waves"] = theme_shares_by_wave(
            analysis.assignments, waves, theme_ids, comment_minimum
        )
    result["language"] = analysis.language
    document = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document, encoding="utf-8")
        click.echo(
            f"{len(analysis.themes)} themes, {len(rows)} rows: written to {output}", err=True
        )
