"""``survey-app analyze``: the analysis engine on exported files, through the anonymity gate.

The commands are imported when one of them runs (or their help is shown): they bring the
analysis stack (numpy, scipy, scikit-learn, nltk), which ``survey-app serve`` and the other
commands do not need.
"""

from __future__ import annotations

import click

from survey_app.core.cli import LazyGroup
from survey_app.core.errors import N_


@click.group(
    cls=LazyGroup,
    help=N_("Analyse exported answers (CSV, one row per respondent) through the anonymity gate."),
    lazy_commands={
        "scores": "survey_app.analyze.scores_cli:scores",
        "reliability": "survey_app.analyze.scores_cli:reliability",
        "themes": "survey_app.analyze.themes_cli:themes",
    },
)
def analyze() -> None:
    pass
