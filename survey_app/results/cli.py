"""Results on the command line (``survey-app wave status``, ``survey-app wave report``,
``survey-app results export``), rendered from the same `WaveResults` as the pages, by the
operator as viewer."""

from __future__ import annotations

import json
from pathlib import Path

import click

from survey_app.core.cli import (
    command,
    command_line_actor,
    fail,
    group,
    language_option,
    option,
    require_secret_key,
    run_async,
)
from survey_app.core.errors import N_, AppError
from survey_app.core.i18n import _, current_language
from survey_app.core.settings import Settings
from survey_app.results.exports import FORMATS, export
from survey_app.results.service import operator, wave_results
from survey_app.waves.service import state_label


@command(name="status", help=N_("Invited and responded counts per department."))
@click.argument("wave_id")
@run_async
async def wave_status(settings: Settings, wave_id: str) -> None:
    await require_secret_key(settings)
    try:
        results = await wave_results(
            operator(command_line_actor()),
            wave_id,
            settings=settings,
            language=current_language.get(),
            view="wave_status",
        )
    except AppError as error:
        raise fail(error) from error
    click.echo(f"{results.wave.title} ({state_label(results.state)})")
    header = (_("Department"), _("Invited"), _("Responded"), _("Response rate"))
    click.echo(f"{header[0]:50} {header[1]:>9} {header[2]:>10} {header[3]:>14}")
    for row in results.rates:
        name = "  " * row.depth + row.name
        if row.hidden:
            click.echo(f"{name[:50]:50} {'-':>9} {'-':>10} {'-':>14}")
        else:
            click.echo(f"{name[:50]:50} {row.invited:>9} {row.responded:>10} {row.rate:>13.0%}")
    if any(row.hidden for row in results.rates):
        click.echo(
            _(
                "- : fewer than {k} invited, or it would give a smaller department away; "
                "counted in the department above."
            ).format(k=results.thresholds.min_group_size)
        )
    if results.counted_through is not None:
        click.echo(
            _("Responses up to and including {day}; updated once a day while open.").format(
                day=results.counted_through.strftime("%d-%m-%Y")
            )
        )


@command(
    name="report",
    help=N_("Scores of a closed wave per department and level, through the anonymity gate (JSON)."),
)
@click.argument("wave_id")
@option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=N_("Write the JSON to this file instead of to standard output."),
)
def wave_report(wave_id: str, output: Path | None) -> None:
    text = _report_json(wave_id)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


@run_async
async def _report_json(settings: Settings, wave_id: str) -> str:
    await require_secret_key(settings)
    try:
        results = await wave_results(
            operator(command_line_actor()),
            wave_id,
            settings=settings,
            language=current_language.get(),
            view="score_report",
            with_scores=True,
        )
    except AppError as error:
        raise fail(error) from error
    if not results.closed:
        raise click.ClickException(
            _("Scores are shown once the wave has closed; it is {state} now.").format(
                state=state_label(results.state)
            )
        )
    return json.dumps(
        {
            "wave": str(results.wave.public_id),
            "title": results.wave.title,
            "min_group_size": results.thresholds.min_group_size,
            "groups": results.score_records(),
        },
        indent=2,
        ensure_ascii=False,
        allow_nan=False,
    )


# Added to `survey-app wave` by the root command line.
WAVE_COMMANDS = [wave_status, wave_report]


@group(name="results", help=N_("Results of a wave as files."))
def results() -> None:
    pass


@results.command(
    name="export",
    help=N_(
        "Write a wave's results through the anonymity gate to a CSV, XLSX or PDF file (of an "
        "open wave: the response rates only)."
    ),
)
@click.argument("wave_id")
@option(
    "--format",
    "export_format",
    type=click.Choice(sorted(FORMATS)),
    required=True,
    help=N_("csv, xlsx or pdf (the report per department)."),
)
@option("--department", help=N_("Only this department and everything below it (its code)."))
@language_option()
@option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help=N_("The file to write."),
)
def results_export(wave_id: str, export_format: str, department: str | None, output: Path) -> None:
    content, closed = _export(wave_id, export_format, department)
    try:
        output.write_bytes(content)
    except OSError as error:
        raise click.ClickException(
            _("{path} cannot be written: {reason}").format(path=output, reason=error.strerror)
        ) from error
    if not closed:
        click.echo(_("The wave is still open: the file holds the response rates only."), err=True)


@run_async
async def _export(
    settings: Settings, wave_id: str, export_format: str, department: str | None
) -> tuple[bytes, bool]:
    await require_secret_key(settings)
    try:
        results, content = await export(
            operator(command_line_actor()),
            wave_id,
            export_format,
            department,
            settings=settings,
            language=current_language.get(),
        )
    except AppError as error:
        raise fail(error) from error
    return content, results.closed
