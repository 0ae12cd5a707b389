"""The DIG (inclusion) part of HR's exports: CSV records, an XLSX sheet and the report's
tables, each rendered from `WaveResults.inclusion` only, never a query of its own.

A wave that asked self-identification gives HR (and the operator) its `InclusionView`
(`results.inclusion`, gated by `analysis.inclusion` with the demographic minimum); a
manager's results have none, and neither do their files. Per demographic (gender
identity, age band, …), the organisation and then each top-level department; per category
its respondents, each scale's mean against the rest of the same unit, and undesirable
behaviour. Whatever the gate hid is `HIDDEN` here and the marker in every file, never an
empty cell or a zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from survey_app.core.errors import N_
from survey_app.core.i18n import _
from survey_app.results.inclusion_figures import CategoryRow, GapFigure, Shares
from survey_app.results.markers import HIDDEN, Hidden
from survey_app.results.service import WaveResults

# The columns the CSV and the XLSX details add for inclusion records (after the pulse's).
INCLUSION_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("demographic", N_("Demographic"), "text"),
    ("category", N_("Category"), "text"),
    ("stated", N_("Stated this demographic"), "count"),
    ("rest_mean", N_("Mean of the rest of the unit"), "mean"),
    ("gap", N_("Gap with the rest (mean)"), "points"),
    ("p_value", N_("p (Holm-corrected)"), "p"),
    ("effect_size", N_("Effect size (Cohen's d)"), "effect"),
    ("gap_flag", N_("Compared with the rest"), "text"),
    ("share", N_("Share (%)"), "percent"),
    ("rest_share", N_("Share of the rest (%)"), "percent"),
)
# The columns of the XLSX sheet of inclusion records: the CSV's that apply to them.
SHEET_FIELDS: tuple[tuple[str, str, str], ...] = (
    INCLUSION_FIELDS[0],
    ("code", N_("Department code"), "text"),
    ("department", N_("Department"), "text"),
    INCLUSION_FIELDS[1],
    ("kind", N_("Measure type"), "text"),
    ("key", N_("Measure key"), "text"),
    ("measure", N_("Measure"), "text"),
    ("respondents", N_("Respondents"), "count"),
    INCLUSION_FIELDS[2],
    ("mean", N_("Mean"), "mean"),
    *INCLUSION_FIELDS[3:],
    ("note", N_("Note"), "text"),
)
# Number formats beyond the pulse's (`results.exports._csv_text` and `NUMBER_FORMATS`).
CSV_FORMATS = {"p": lambda v: f"{v:.4f}", "effect": lambda v: f"{v:+.2f}"}
XLSX_FORMATS = {"p": "0.0000", "effect": "+0.00;-0.00;0.00"}
# The multiple and single choices about undesirable behaviour, shares among those who
# experienced it: (what the report calls them, the question whose options label them).
DETAILS = (("kinds", "ub_kinds"), ("sources", "ub_sources"), ("reported", "ub_reported"))
UB_QUESTION = "ub_experienced"


def gap_verdict(cell: GapFigure) -> str | None:
    """The comparison with the rest of the unit in words, as the files write it."""
    if cell.hidden or cell.gap is None:
        return None
    if not cell.flagged:
        return _("no notable difference")
    return _("notably higher") if cell.gap > 0 else _("notably lower")


def hidden_inclusion_note(k: int) -> str:
    return _(
        "Hidden: fewer than {k} respondents in this group, or showing it would let a "
        "smaller group be worked out by subtraction (from the unit, the organisation or "
        "the other categories)."
    ).format(k=k)


def _count(value: int | None) -> int | Hidden:
    """A count of the view: None there is a figure the gate hid."""
    return HIDDEN if value is None else value


def inclusion_records(results: WaveResults) -> Iterator[dict[str, Any]]:
    """Per demographic, unit and category: a record per scale, one for undesirable
    behaviour and one per kind, source and report; per demographic and unit one record of
    how many stated it. Keys are `results.exports.FIELDS`' and `INCLUSION_FIELDS`'."""
    view = results.inclusion
    if view is None:
        return
    note = hidden_inclusion_note(view.k_demographics)
    for demographic in view.demographics:
        for unit in view.breakdowns.get(demographic.key, ()):
            where = {
                "record": _("Inclusion"),
                "code": unit.path.rsplit("/", 1)[-1] if unit.path else "",
                "department": unit.name if unit.path else _("Whole organisation"),
                "path": unit.path or "",
                "demographic": demographic.label,
            }
            stated = where | {
                "kind": _("self-identification"),
                "key": demographic.key,
                "measure": _("Stated this demographic"),
                "respondents": _count(unit.respondents),
                "stated": _count(unit.stated),
            }
            yield stated | ({"note": note} if None in (unit.respondents, unit.stated) else {})
            for row in unit.categories:
                yield from _category_records(where, row, view.scales, note)


def _category_records(
    where: dict[str, Any], row: CategoryRow, scales: Sequence[tuple[str, str]], note: str
) -> Iterator[dict[str, Any]]:
    base = where | {"category": row.label, "respondents": _count(row.respondents)}
    for key, label in scales:
        cell = row.scales.get(key, GapFigure(reason=row.reason or "too_few_respondents"))
        record = base | {"kind": _("scale"), "key": key, "measure": label}
        if cell.hidden:
            fields = ("mean", "rest_mean", "gap", "p_value", "effect_size", "gap_flag")
            yield record | dict.fromkeys(fields, HIDDEN) | {"note": note}
            continue
        yield record | {
            "mean": cell.mean,
            "rest_mean": cell.rest_mean,
            "gap": cell.gap,
            "p_value": cell.p_value,
            "effect_size": cell.effect_size,
            "gap_flag": gap_verdict(cell),
        }
    incidence = row.incidence
    experienced = base | {
        "kind": _("undesirable behaviour"),
        "key": UB_QUESTION,
        "measure": _("Experienced undesirable behaviour (last 12 months)"),
    }
    if row.hidden or incidence.hidden:
        yield (
            experienced | dict.fromkeys(("share", "rest_share", "p_value"), HIDDEN) | {"note": note}
        )
    else:
        yield experienced | {
            "share": incidence.rate,
            "rest_share": incidence.rest_rate,
            "p_value": incidence.p_value,
        }
    for name, question in DETAILS:
        shares: Shares = getattr(incidence, name)
        detail = base | {"kind": _detail_kind(name), "key": question}
        if row.hidden or incidence.hidden or shares.reason is not None:
            yield detail | {
                "measure": _detail_kind(name),
                "share": HIDDEN,
                "note": _("Hidden: too few experienced it to show what, from whom or where."),
            }
            continue
        for _key, label, share in shares.shares:
            yield detail | {"measure": label, "share": share}


def _detail_kind(name: str) -> str:
    return {
        "kinds": _("kind of undesirable behaviour"),
        "sources": _("from whom"),
        "reported": _("reported to"),
    }[name]


def inclusion_legend(results: WaveResults) -> list[tuple[str, str]]:
    """What a reader needs to read the inclusion figures (none without them)."""
    if results.inclusion is None:
        return []
    k = results.inclusion.k_demographics
    return [
        (_("Minimum group size for demographics"), str(k)),
        (
            _("Inclusion"),
            _(
                "Scale means of the people who stated a category against everyone else in "
                "the same unit (the organisation or a top-level department), shown only "
                "for groups of at least {k}, and never where a smaller group could be "
                "worked out by subtraction; flagged where the difference is significant "
                "(Welch's t-test, Holm-corrected within the demographic) and the effect "
                "size (Cohen's d) is at least 0.3. Self-identification is voluntary: people "
                "who did not consent or would rather not say count in no category."
            ).format(k=k),
        ),
        (
            _("Undesirable behaviour"),
            _(
                "The share who experienced it in the last 12 months against the rest of the "
                "unit (Fisher's exact test or chi-square, Holm-corrected); what, from whom "
                "and where it was reported are shares of those who experienced it, shown "
                "when at least {k} did."
            ).format(k=k),
        ),
    ]
