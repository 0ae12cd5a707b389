"""Results of a wave as HR reads them: comment themes per department, through the gate.

Rows become plain lists here and go to ``analysis`` (redaction, themes, the anonymity
gate); nothing leaves this module that the gate has not passed. The text analysis (numpy,
scipy, scikit-learn, nltk) is imported where the themes are computed, in a thread: the
application does not load it until results are computed (see `results.service`).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from survey_app.core.clock import utc_now
from survey_app.core.i18n import _
from survey_app.organisation.tree import DepartmentTree, in_subtree
from survey_app.responding.release import release_all
from survey_app.results.participation import participation, responded_in
from survey_app.results.scores import protect_merged
from survey_app.results.selection import earlier_waves
from survey_app.results.theme_history import store_known, stored_known
from survey_app.tables.anonymous import Answer
from survey_app.tables.identity import Employee
from survey_app.waves.service import WaveInfo, WaveState

if TYPE_CHECKING:
    from analysis.text.continuity import KnownThemes
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
    # {"positive", "neutral", "negative"} shares of its comments; None below the comment
    # minimum (or when the organisation total is hidden).
    sentiment: dict[str, float] | None = None
    # Whether both waves' organisation totals are shown; then its share in the previous
    # wave of the survey (None: no such theme then) and the change since (0.04: 4 points).
    compared: bool = False
    previous_share: float | None = None
    change: float | None = None


@dataclass(frozen=True)
class PreviousWave:
    """The previous wave of the same survey as the viewer may see it: the gated theme shares
    of the organisation (None when hidden) and per department."""

    title: str
    organisation: dict[str, float] | None
    by_group: dict[str, dict[str, Any]]


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
    # For that department: per theme id the sentiment shares of its comments written in its
    # subtree, only where they reach the minimum.
    group_sentiment: dict[str, dict[str, float]] = field(default_factory=dict)
    # The organisation's gated shares per theme id (None when its total is hidden).
    organisation: dict[str, float] | None = None
    # The previous closed wave of the same survey, when there is one (`compared`).
    previous: PreviousWave | None = None


@dataclass(frozen=True)
class _Analysis:
    """What does not depend on the viewer: the comments' themes and departments."""

    themes: ThemeAnalysis
    paths: list[str]
    redacted: list[str]  # each comment as the analysis redacted it, whitespace collapsed
    sentiments: list[str]  # each comment's "positive", "neutral" or "negative"


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
    *,
    secret_key: str,
    compare: bool = True,
) -> CommentThemes:
    """Themes of the wave's comments and their shares per department (gated), with the
    ``protected`` departments (out of the viewer's scope) never shown or derivable, and every
    one of ``departments`` (the wave's) listed, hidden where it has too few comments. With
    ``compare``, each theme is compared with the previous closed wave of the same survey,
    gated for the same viewer. The ``secret_key`` releases what earlier waves still have
    waiting sealed and counts their participation.

    The analysis is deterministic, so it is kept per wave, comment count and minimum; a new
    comment in an open wave gives a new one. The gate runs for each viewer.
    """
    found = await _wave_analysis(wave, comment_minimum, secret_key)
    themes = _gated(
        found, comment_minimum, language, protected, departments, quotes_for, protected_responded
    )
    if not compare:
        return themes
    earlier = await earlier_waves(wave)
    if not earlier:
        return themes
    before = earlier[-1]
    rows = await participation(before, secret_key=secret_key)
    previous = await comment_themes(
        before,
        comment_minimum,
        language,
        protected,
        frozenset(row.path for row in rows),
        protected_responded=responded_in(rows, protected) if protected else None,
        secret_key=secret_key,
        compare=False,
    )
    return compared(themes, PreviousWave(before.title, previous.organisation, previous.by_group))


async def _comments(wave: WaveInfo) -> list[dict[str, Any]]:
    return await (
        Answer.select(Answer.text, Answer.response.department_path)
        .where((Answer.response.wave == wave.id) & Answer.text.is_not_null())
        .order_by(Answer.id)  # random ids: no submission order
    )


async def _wave_analysis(wave: WaveInfo, comment_minimum: int, secret_key: str) -> _Analysis:
    rows = await _comments(wave)
    found = _CACHE.get((wave.public_id, len(rows), comment_minimum))
    if found is None:
        previous = await _known_before(wave, comment_minimum, secret_key)
        found = await _analysed(wave, rows, comment_minimum, previous)
    return found


async def _known_before(
    wave: WaveInfo, comment_minimum: int, secret_key: str
) -> KnownThemes | None:
    """The discovered themes known after the previous closed wave of the same survey (None
    for the first): kept in `ThemeHistory`, or computed oldest first from the last wave
    whose are kept. Earlier waves still waiting sealed are released first."""
    missing: list[WaveInfo] = []
    known = None
    for other in reversed(await earlier_waves(wave)):
        known = await stored_known(other, comment_minimum)
        if known is not None:
            break
        missing.append(other)
    for other in reversed(missing):
        await release_all(other, secret_key=secret_key)
        rows = await _comments(other)
        found = _CACHE.get((other.public_id, len(rows), comment_minimum))
        if found is None:
            found = await _analysed(other, rows, comment_minimum, known)
        else:
            await store_known(other, comment_minimum, found.themes.known)
        known = found.themes.known
    return known


async def _analysed(
    wave: WaveInfo,
    rows: list[dict[str, Any]],
    comment_minimum: int,
    previous: KnownThemes | None,
) -> _Analysis:
    """The wave's analysis (kept in memory); the themes known after it are stored once the
    wave has closed (an open wave's comments can still change)."""
    names = [row["name"] for row in await Employee.select(Employee.name)]
    texts = [row["text"] for row in rows]
    analysis, redacted, sentiments = await asyncio.to_thread(
        _analyze, texts, names, comment_minimum, previous
    )
    paths = [row["response.department_path"] for row in rows]
    found = _Analysis(analysis, paths, redacted, sentiments)
    if wave.state(utc_now()) is WaveState.CLOSED:
        await store_known(wave, comment_minimum, analysis.known)
    if len(_CACHE) >= _CACHE_KEPT:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[(wave.public_id, len(rows), comment_minimum)] = found
    return found


def _analyze(
    texts: list[str], names: list[str], comment_minimum: int, previous: KnownThemes | None
) -> tuple[ThemeAnalysis, list[str], list[str]]:
    """The themes, each comment redacted (whitespace collapsed) and its sentiment label (of
    the redacted text, in the language the analysis found for it)."""
    from analysis.text.redact import Directory, redact_all
    from analysis.text.themes import analyze_themes

    directory = Directory(names)
    analysis = analyze_themes(
        texts,
        directory=directory,
        comment_minimum=comment_minimum,
        previous=previous,
        sentiment=True,
    )
    redacted = redact_all(texts, directory)
    labels = [label or "neutral" for label in analysis.sentiments or ()]
    return analysis, [" ".join(text.split()) for text in redacted], labels


def compared(themes: CommentThemes, previous: PreviousWave) -> CommentThemes:
    """``themes`` with each theme's share in the ``previous`` wave and the change since, by
    theme id, where both waves' organisation totals are shown (a theme the previous wave did
    not have, a discovered one, has no previous share)."""
    if themes.organisation is None or previous.organisation is None:
        return replace(themes, previous=previous)
    rows = [
        replace(
            row,
            compared=row.share is not None,
            previous_share=previous.organisation.get(row.id),
            change=row.share - previous.organisation[row.id]
            if row.share is not None and row.id in previous.organisation
            else None,
        )
        for row in themes.themes
    ]
    return replace(themes, themes=rows, previous=previous)


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
            # The analysis gives it only from the comment minimum on.
            sentiment=None if organisation.get("suppressed") else theme.sentiment,
        )
        for theme in analysis.themes
        if theme.size > 0
    ]
    quotes, sentiment = _group_details(
        found, shares["by_group"], comment_minimum, quotes_for, protected, withheld
    )
    return CommentThemes(
        comments=len(found.paths),
        comment_minimum=comment_minimum,
        themes=rows,
        by_group=shares["by_group"],
        group_quotes=quotes,
        group_sentiment=sentiment,
        organisation=None if organisation.get("suppressed") else organisation["shares"],
    )


def _sentiment(shares: dict[str, Any]) -> dict[str, float]:
    """The three shares of a theme's sentiment (``n`` left out)."""
    return {label: float(shares[label]) for label in ("positive", "neutral", "negative")}


def _group_details(
    found: _Analysis,
    by_group: dict[str, Any],
    comment_minimum: int,
    root: str | None,
    protected: frozenset[str] = frozenset(),
    withheld: frozenset[str] = frozenset(),
) -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, float]]]:
    """The organisation's representative quotes of each theme that were written within
    ``root``'s subtree, and the sentiment shares of its comments written there, for the
    themes with at least the comment minimum of comments there (and only when the gate
    shows the department's comments at all). Nothing written in a ``protected`` department
    (out of the viewer's scope) is quoted or counted, nor anything stored with a
    ``withheld`` group (one a protected team's comments are stored with)."""
    from analysis.text.sentiment import sentiment_shares

    shown = by_group.get(root) if root is not None else None
    if shown is None or shown.get("suppressed"):
        return {}, {}
    inside = [
        (text, theme_id, label)
        for text, theme_id, label, path in zip(
            found.redacted, found.themes.assignments, found.sentiments, found.paths, strict=True
        )
        if in_subtree(path, root)
        and path not in withheld
        and not any(in_subtree(path, other) for other in protected)
    ]
    quotes, sentiment = {}, {}
    for theme in found.themes.themes:
        written = [(text, label) for text, theme_id, label in inside if theme_id == theme.id]
        if len(written) < comment_minimum:
            continue
        texts = {text for text, _label in written}
        chosen = tuple(quote for quote in theme.quotes if quote in texts)
        if chosen:
            quotes[theme.id] = chosen
        labels = [label for _text, label in written]
        shares = sentiment_shares([theme.id] * len(labels), labels, [theme.id])
        sentiment[theme.id] = _sentiment(shares[theme.id])
    return quotes, sentiment


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
    # Positive, neutral and negative shares of its comments written there (only where enough
    # comments on the theme were written there, for the department asked for).
    sentiment: dict[str, float] | None = None
    # Whether the department's figures are shown in both waves; then its share of the
    # department's comments in the previous wave (None: no such theme then) and the change.
    compared: bool = False
    previous_share: float | None = None
    change: float | None = None


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
        before = _previous_shares(themes, path)
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
                            sentiment=themes.group_sentiment.get(theme_id)
                            if path == within
                            else None,
                            compared=before is not None,
                            previous_share=before.get(theme_id) if before is not None else None,
                            change=share - before[theme_id]
                            if before is not None and theme_id in before
                            else None,
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


def _previous_shares(themes: CommentThemes, path: str) -> dict[str, float] | None:
    """The department's gated theme shares in the previous wave, when it has figures in both
    waves (its comments reached the minimum and no smaller group could be worked out)."""
    if themes.previous is None or themes.by_group[path].get("suppressed"):
        return None
    before = themes.previous.by_group.get(path)
    return None if before is None or before.get("suppressed") else before["shares"]
