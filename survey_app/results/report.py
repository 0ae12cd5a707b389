"""The printable report of a wave (PDF, A4) that a manager can take to a team meeting.

Rendered from one `WaveResults` only: the response rates, then a section per department
of the viewer's subtree (for HR's whole-organisation report, the organisation first, and no
page for a top department that holds everyone, which would repeat it) with
every scale and item (% favourable, mean, n and a bar of unfavourable, neutral and
favourable), the comparison with the organisation and with the previous wave, eNPS, and
the largest comment themes with their change since the previous wave and their tone, as
the themes pages show them (the same gated values of `results.themes`); HR's report of a
DIG wave ends with the inclusion figures (`results.inclusion_exports`). A hidden figure is
marked with the same word as in the other exports and explained once, on the first page.

The template (``templates/results/report.html``) is rendered with the application's own
Jinja environment (`web.templates.jinja_environment`, the same gettext and filters as the
pages) outside a request, so that the command line renders the same report; WeasyPrint
turns it into PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey_app.core.clock import local_today
from survey_app.core.i18n import _
from survey_app.core.settings import Settings
from survey_app.results.charts import rounded_percentages
from survey_app.results.dashboard import ScoreRow
from survey_app.results.inclusion_exports import hidden_inclusion_note
from survey_app.results.markers import (
    flag_text,
    hidden_figure_note,
    hidden_marker,
    hidden_rate_note,
    organisation_rate,
)
from survey_app.results.service import RateRow, WaveResults
from survey_app.results.themes import RankedTheme, ThemeRow
from survey_app.waves.service import state_label
from survey_app.web.templates import jinja_environment

REPORT_TEMPLATE = "results/report.html"
# Themes per department in the report: the largest few, as on the pages.
LARGEST_THEMES = 3


@dataclass(frozen=True)
class Theme:
    """A theme as the themes pages show it (`results.themes`: nothing computed here)."""

    label: str
    share: float
    difference: float | None  # from the whole organisation (None for the organisation)
    # Whether both waves' figures are shown; then the share in the previous wave (None: the
    # theme was not found then).
    compared: bool = False
    previous_share: float | None = None
    # Whole percentages of its comments (negative, neutral, positive), rounded as shown;
    # None below the comment minimum, or where the report has no tone (`Section.with_tone`).
    tone: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class Section:
    """One department's page (``row.path`` None: the whole organisation)."""

    row: ScoreRow
    rate: RateRow | None
    # None: no themes for this department (no comments, or not asked); hidden: too few.
    themes: tuple[Theme, ...] | None
    themes_hidden: bool = False
    # Whether its themes' tone is known: for the organisation and the department the report
    # is for, as on its page (the door gives no other department's); then a theme without
    # one has too few comments.
    with_tone: bool = False
    # Whether its themes are compared with the previous wave (both waves' figures shown).
    compared: bool = False


def sections(results: WaveResults) -> list[Section]:
    view = results.score_view
    if view is None:
        return []
    rates = {rate.path: rate for rate in results.rates}
    groups = {group.path: group for group in results.theme_groups}
    found = []
    whole = None
    if results.department is None:
        whole = organisation_rate(results)
        themes = _organisation_themes(results)
        found.append(
            Section(
                view.organisation,
                whole,
                themes,
                with_tone=True,
                compared=any(theme.compared for theme in themes or ()),
            )
        )
    for row in view.rows:
        if _repeats_the_organisation(row, view.organisation, rates.get(row.path), whole):
            continue
        group = groups.get(row.path) if row.path is not None else None
        if group is None:
            found.append(Section(row, rates.get(row.path), None))
        elif group.suppressed:
            found.append(Section(row, rates.get(row.path), None, themes_hidden=True))
        else:
            # `ranked` is `largest` in the same order, with the comparison and the tone.
            largest = group.ranked[:LARGEST_THEMES]
            found.append(
                Section(
                    row,
                    rates.get(row.path),
                    tuple(_theme(theme, theme.difference) for theme in largest),
                    with_tone=row.path == results.department_path,
                    compared=any(theme.compared for theme in group.ranked),
                )
            )
    return found


def _repeats_the_organisation(
    row: ScoreRow, organisation: ScoreRow, rate: RateRow | None, whole: RateRow | None
) -> bool:
    """A top department that everyone invited and every respondent is in (the usual single
    root, the municipality itself): its page would repeat the whole organisation's."""
    return (
        row.depth == 0
        and whole is not None
        and rate is not None
        and row.respondents is not None
        and row.respondents == organisation.respondents
        and (rate.invited, rate.responded) == (whole.invited, whole.responded)
    )


def _organisation_themes(results: WaveResults) -> tuple[Theme, ...] | None:
    if results.themes is None or not results.themes.comments:
        return None
    shown = sorted(
        (theme for theme in results.themes.themes if theme.share),
        key=lambda theme: -(theme.share or 0.0),
    )
    return tuple(_theme(theme, None) for theme in shown[:LARGEST_THEMES])


def _theme(theme: ThemeRow | RankedTheme, difference: float | None) -> Theme:
    """The report's theme; its tone rounded as the pages round it."""
    tone = None
    if theme.sentiment is not None:
        negative, neutral, positive = rounded_percentages(
            [theme.sentiment[label] for label in ("negative", "neutral", "positive")]
        )
        tone = (negative, neutral, positive)
    return Theme(
        theme.label,
        theme.share or 0.0,
        difference,
        compared=theme.compared,
        previous_share=theme.previous_share,
        tone=tone,
    )


def report_context(results: WaveResults, language: str, settings: Settings) -> dict[str, Any]:
    k = results.thresholds.min_group_size
    return {
        "lang": language,
        "results": results,
        "view": results.score_view,
        "sections": sections(results),
        "state_label": state_label,
        "flag_text": flag_text,
        "marker": hidden_marker(),
        # Not in the template: Jinja's gettext would read "% f" as a placeholder.
        "favourable_label": _("% favourable"),
        "figure_note": hidden_figure_note(None, k),
        "rate_note": hidden_rate_note(k),
        "printed_on": local_today(settings.timezone).strftime("%d-%m-%Y"),
        # HR's report of a DIG wave: the inclusion figures per demographic, last.
        "inclusion": results.inclusion,
        "inclusion_intro": inclusion_intro(),
        "inclusion_note": hidden_inclusion_note(results.thresholds.min_demographic_group_size),
    }


def inclusion_intro() -> str:
    return _(
        "Per demographic, for the whole organisation and each top-level department: the "
        "people who stated a category, their mean per scale (1–5) and, in brackets, the "
        "difference from everyone else in the same unit; ▲ or ▼ where that difference is "
        "significant and large enough to matter. Undesirable behaviour: the share who "
        "experienced it in the last 12 months (the rest of the unit in brackets). "
        "Self-identification is voluntary: people who did not consent or would rather not "
        "say count in no category."
    )


def report_html(results: WaveResults, language: str, *, settings: Settings) -> str:
    """The report as HTML, in the current language (`core.i18n.using_language`)."""
    template = jinja_environment(settings).get_template(REPORT_TEMPLATE)
    return template.render(**report_context(results, language, settings))


def report_pdf(results: WaveResults, language: str, *, settings: Settings) -> bytes:
    from weasyprint import HTML

    html = report_html(results, language, settings=settings)
    return HTML(string=html, base_url=None).write_pdf()
