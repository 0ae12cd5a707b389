"""Results of a wave as HR reads them: comment themes per department, through the gate.

Rows become plain lists here and go to ``analysis`` (redaction, themes, the anonymity
gate); nothing leaves this module that the gate has not passed. The text analysis (numpy,
scipy, scikit-learn, nltk) is imported where the themes are computed, in a thread: the
application does not load it until results are computed (see `results.service`).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from survey_app.core.i18n import _
from survey_app.organisation.tree import DepartmentTree, in_subtree
from survey_app.results.scores import protect_merged
from survey_app.tables.anonymous import Answer
from survey_app.tables.identity import Employee
from survey_app.waves.service import WaveInfo

if TYPE_CHECKING:
    from analysis.text.themes import ThemeAnalysis


@dataclass(frozen=True)
class ThemeRow:
    id: str
    label: str
    terms: list[str]
    source: str
    share: float | None  # of all comments; None when the organisation total is hidden
    count: int | None = None  # comments about it; None when the total is hidden
    quotes: tuple[str, ...] = ()  # redacted, representative; only above the comment minimum


@dataclass(frozen=True)
class CommentThemes:
    comments: int
    comment_minimum: int
    themes: list[ThemeRow]
    # Per group path: {"n", "shares", "difference"} or {"suppressed": True}, from the gate.
    by_group: dict[str, dict[str, Any]]
    # For the department asked for (``quotes_for``): per theme id the representative quotes
    # written within its subtree, only where its comments on that theme reach the minimum.
    group_quotes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Analysis:
    """What does not depend on the viewer: the comments' themes and departments."""

    themes: ThemeAnalysis
    paths: list[str]
    redacted: list[str]  # each comment as the analysis redacted it, whitespace collapsed


_CACHE: dict[tuple[uuid.UUID, int, int], _Analysis] = {}
_CACHE_KEPT = 16


async def comment_themes(
    wave: WaveInfo,
    comment_minimum: int,
    language: str,
    protected: frozenset[str] = frozenset(),
    departments: frozenset[str] = frozenset(),
    quotes_for: str | None = None,
    protected_responded: dict[str, int] | None = None,
) -> CommentThemes:
    """Themes of the wave's comments and their shares per department (gated), with the
    ``protected`` departments (out of the viewer's scope) never shown or derivable, and every
    one of ``departments`` (the wave's) listed, hidden where it has too few comments.

    The analysis is deterministic, so it is kept per wave, comment count and minimum; a new
    comment in an open wave gives a new one. The gate runs for each viewer.
    """
    rows = await (
        Answer.select(Answer.text, Answer.response.department_path)
        .where((Answer.response.wave == wave.id) & Answer.text.is_not_null())
        .order_by(Answer.id)  # random ids: no submission order
    )
    key = (wave.public_id, len(rows), comment_minimum)
    found = _CACHE.get(key)
    if found is None:
        names = [row["name"] for row in await Employee.select(Employee.name)]
        texts = [row["text"] for row in rows]
        analysis, redacted = await asyncio.to_thread(_analyze, texts, names, comment_minimum)
        found = _Analysis(analysis, [row["response.department_path"] for row in rows], redacted)
        if len(_CACHE) >= _CACHE_KEPT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = found
    return _gated(
        found, comment_minimum, language, protected, departments, quotes_for, protected_responded
    )


def _analyze(
    texts: list[str], names: list[str], comment_minimum: int
) -> tuple[ThemeAnalysis, list[str]]:
    from analysis.text.redact import Directory, redact_all
    from analysis.text.themes import analyze_themes

    directory = Directory(names)
    analysis = analyze_themes(texts, directory=directory, comment_minimum=comment_minimum)
    return analysis, [" ".join(text.split()) for text in redact_all(texts, directory)]


def _gated(
    found: _Analysis,
    comment_minimum: int,
    language: str,
    protected: frozenset[str],
    departments: frozenset[str],
    quotes_for: str | None = None,
    protected_responded: dict[str, int] | None = None,
) -> CommentThemes:
    from analysis.text.shares import theme_shares_by_group
    from analysis.text.taxonomy import load_taxonomy

    analysis = found.themes
    theme_ids = [theme.id for theme in analysis.themes]
    # A protected team whose comments are stored with a larger group is counted back in
    # its place for the gate (as for scores), and that group's own comments are not quoted:
    # which of them the team wrote cannot be told.
    paths = (
        protect_merged(found.paths, [0] * len(found.paths), (protected_responded,))
        if protected_responded
        else found.paths
    )
    withheld = frozenset(
        stored for stored, counted in zip(found.paths, paths, strict=True) if stored != counted
    )
    shares = theme_shares_by_group(
        analysis.assignments,
        paths,
        theme_ids,
        comment_minimum,
        protected=protected,
        all_groups=departments,
    )
    organisation = shares["organisation"]
    taxonomy = {theme.id: theme for theme in load_taxonomy().themes}
    rows = [
        ThemeRow(
            id=theme.id,
            # Taxonomy themes have a label per language; discovered ones use the words that
            # enough commenters wrote, or a number when no word qualifies.
            label=taxonomy[theme.id].label(language)
            if theme.id in taxonomy
            else theme.label or _("Theme {number}").format(number=theme.id.rsplit("-", 1)[-1]),
            terms=list(theme.terms),
            source=theme.source,
            share=None if organisation.get("suppressed") else organisation["shares"][theme.id],
            count=None if organisation.get("suppressed") else theme.size,
            quotes=tuple(theme.quotes) if theme.size >= comment_minimum else (),
        )
        for theme in analysis.themes
        if theme.size > 0
    ]
    return CommentThemes(
        comments=len(found.paths),
        comment_minimum=comment_minimum,
        themes=rows,
        by_group=shares["by_group"],
        group_quotes=_group_quotes(
            found, shares["by_group"], comment_minimum, quotes_for, protected, withheld
        ),
    )


def _group_quotes(
    found: _Analysis,
    by_group: dict[str, Any],
    comment_minimum: int,
    root: str | None,
    protected: frozenset[str] = frozenset(),
    withheld: frozenset[str] = frozenset(),
) -> dict[str, tuple[str, ...]]:
    """The organisation's representative quotes of each theme that were written within
    ``root``'s subtree, for the themes with at least the comment minimum of comments there
    (and only when the gate shows the department's comments at all). Nothing written in a
    ``protected`` department (out of the viewer's scope) is quoted, nor anything stored with
    a ``withheld`` group (one a protected team's comments are stored with)."""
    shown = by_group.get(root) if root is not None else None
    if shown is None or shown.get("suppressed"):
        return {}
    inside = [
        (text, theme_id)
        for text, theme_id, path in zip(
            found.redacted, found.themes.assignments, found.paths, strict=True
        )
        if in_subtree(path, root)
        and path not in withheld
        and not any(in_subtree(path, other) for other in protected)
    ]
    quotes = {}
    for theme in found.themes.themes:
        written = [text for text, theme_id in inside if theme_id == theme.id]
        if len(written) >= comment_minimum:
            chosen = tuple(quote for quote in theme.quotes if quote in set(written))
            if chosen:
                quotes[theme.id] = chosen
    return quotes


@dataclass(frozen=True)
class ThemeGroup:
    """A department's comment themes: the gated figures and its three largest themes, each
    with its share and its difference from the whole organisation."""

    path: str
    name: str
    depth: int
    figures: dict[str, Any]  # {"n", "shares", "difference"} or {"suppressed": True}
    largest: list[tuple[str, float, float]]
    # Every theme with comments here, largest first (empty when suppressed).
    ranked: tuple[RankedTheme, ...] = ()

    @property
    def suppressed(self) -> bool:
        return bool(self.figures.get("suppressed"))


@dataclass(frozen=True)
class RankedTheme:
    """A theme in one department: its share and count of the department's comments, the
    difference from the organisation's share, and quotes written there (redacted; only
    where enough comments on the theme were written there)."""

    id: str
    label: str
    share: float
    count: int
    difference: float
    quotes: tuple[str, ...] = ()


def theme_groups(
    themes: CommentThemes, tree: DepartmentTree, within: str | None = None
) -> list[ThemeGroup]:
    """Per department (only the subtree ``within``, when given): the gated figures and the
    three largest themes with their difference from the whole."""
    labels = {theme.id: theme.label for theme in themes.themes}
    groups = []
    for path, data in sorted(themes.by_group.items(), key=lambda item: item[0].split("/")):
        if within is not None and not in_subtree(path, within):
            continue
        largest = (
            []
            if data.get("suppressed")
            else sorted(
                (
                    (labels[theme_id], share, data["difference"][theme_id])
                    for theme_id, share in data["shares"].items()
                    if share > 0
                ),
                key=lambda item: -item[1],
            )[:3]
        )
        ranked = (
            ()
            if data.get("suppressed")
            else tuple(
                sorted(
                    (
                        RankedTheme(
                            id=theme_id,
                            label=labels[theme_id],
                            share=share,
                            count=round(share * data["n"]),
                            difference=data["difference"][theme_id],
                            quotes=themes.group_quotes.get(theme_id, ()) if path == within else (),
                        )
                        for theme_id, share in data["shares"].items()
                        if share > 0
                    ),
                    key=lambda theme: -theme.share,
                )
            )
        )
        groups.append(
            ThemeGroup(path, tree.name_for_path(path), path.count("/"), data, largest, ranked)
        )
    return groups
