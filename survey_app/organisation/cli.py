"""``survey-app org``: load or update the organisation from its CSV file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from survey_app.core.cli import group, run_async
from survey_app.core.clock import local_today
from survey_app.core.errors import N_
from survey_app.core.i18n import _
from survey_app.core.settings import Settings


@group(name="org", help=N_("The organisation: departments and employees."))
def org() -> None:
    pass


@org.command("import", help=N_("Load or update the organisation from a CSV file (see README)."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@run_async
async def org_import(settings: Settings, file: Path) -> None:
    from survey_app.organisation.csvformat import OrgImportError
    from survey_app.organisation.importing import SUMMARY_LABELS, import_org_file

    try:
        summary = await import_org_file(file, local_today(settings.timezone))
    except OrgImportError as error:
        click.echo(_("The file was not imported; nothing has changed. Problems:"), err=True)
        for problem in error.problems:
            prefix = _("line {line}").format(line=problem.line) + ": " if problem.line else ""
            click.echo(f"  {prefix}{error.text(problem)}", err=True)
        sys.exit(2)
    click.echo(_("The organisation has been imported."))
    for name, count in vars(summary).items():
        click.echo(f"  {_(SUMMARY_LABELS.get(name, name))}: {count}")
