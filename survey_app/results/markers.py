"""What every export writes alike: the marker where the gate hides a figure, the verdict
of a comparison, the organisation's response rate; the same in CSV, XLSX and the report."""

from __future__ import annotations

from survey_app.core.i18n import _
from survey_app.results.dashboard import OUT_OF_SCOPE
from survey_app.results.service import RateRow, WaveResults


class Hidden:
    """A figure the gate hides: written as `hidden_marker`, never as a number."""

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = Hidden()


def hidden_marker() -> str:
    return _("hidden")


def hidden_figure_note(reason: str | None, k: int) -> str:
    if reason == OUT_OF_SCOPE:
        return _("Hidden: outside the part of the organisation you may see.")
    return _(
        "Hidden: fewer than {k} respondents, or showing it would let a smaller group be "
        "worked out by subtraction."
    ).format(k=k)


def hidden_rate_note(k: int) -> str:
    return _(
        "Hidden: fewer than {k} invited, or showing it would let a smaller department be "
        "worked out by subtraction; counted in the department above."
    ).format(k=k)


def flag_text(difference: float | None, flag: int) -> str | None:
    """A comparison's verdict (the engine's test, in the item's scored direction)."""
    if difference is None:
        return None
    return {
        1: _("significantly better"),
        -1: _("significantly worse"),
    }.get(flag, _("no significant difference"))


def organisation_rate(results: WaveResults) -> RateRow | None:
    """The whole organisation's response rate as a row (hidden when the door gives none),
    for exports of the whole organisation only."""
    if results.department is not None:
        return None
    name = _("Whole organisation")
    if results.organisation_rate is None:
        return RateRow("", name, -1, None, None, None)
    responded, invited = results.organisation_rate
    return RateRow("", name, -1, invited, responded, responded / invited)
