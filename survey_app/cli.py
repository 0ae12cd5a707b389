"""The ``survey-app`` command line: collects the command groups of every capability."""

from __future__ import annotations

import click

from survey_app.accounts.cli import user
from survey_app.analyze.cli import analyze
from survey_app.core.cli import Root, language_option
from survey_app.core.commands import COMMANDS
from survey_app.core.errors import N_
from survey_app.demo.cli import demo
from survey_app.mail.cli import WAVE_COMMANDS as MAIL_COMMANDS
from survey_app.organisation.cli import org
from survey_app.quickscan.cli import daily, quickscan
from survey_app.results.cli import WAVE_COMMANDS, results
from survey_app.waves.cli import wave


@click.group(cls=Root, name="survey-app", help=N_("Klankbord: anonymous employee surveys."))
@language_option()
def main() -> None:
    pass


for each in [*COMMANDS, org, wave, results, quickscan, daily, user, demo, analyze]:
    main.add_command(each)
for each in [*WAVE_COMMANDS, *MAIL_COMMANDS]:
    wave.add_command(each)
