"""Theme analysis of a comment collection: redact, language, tokens, taxonomy, discovery, quotes.

Pipeline, in this order: every comment is redacted first and only the
redacted text is used from then on, so no result can hold a name or number that
redaction catches. Each comment gets a language (``nl``/``en``), its content stems, and
then one theme: the best-matching taxonomy theme (stable ids, comparable across waves)
or, for comments the taxonomy does not cover, a discovered theme (NMF, number of themes
chosen from the data; see `analysis.text.discover`). Comments without usable words get
no theme (None).

What a theme shows in words (its terms, and a discovered theme's label) uses only terms
that at least the comment minimum of the theme's own comments contain, each in a spelling
that as many comments share (`common_terms`). One comment is one respondent, so a word
that fewer people wrote — a name outside the directory, an illness, a divorce, a team's
jargon — appears in no label and no term, however strongly it marks the theme. Quotes
are a separate path: whole redacted comments, shown only for themes and collections of at
least the comment minimum.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from analysis.gate import DEFAULT_K_COMMENTS, Suppressed, check_k
from analysis.text.continuity import KnownThemes, continue_themes
from analysis.text.discover import discover_themes, tfidf, with_bigrams
from analysis.text.language import LANGUAGES, detect_languages, majority_language
from analysis.text.redact import Directory, redact
from analysis.text.sentiment import LABELS as SENTIMENT_LABELS
from analysis.text.sentiment import comment_sentiment, sentiment_shares
from analysis.text.taxonomy import Hit, Taxonomy, load_taxonomy, match_taxonomy, taxonomy_hits
from analysis.text.tokens import SurfaceForms, Token, content_tokens

MAX_QUOTES = 3
LABEL_TERMS = 3
SHOWN_TERMS = 8
_SPACE = re.compile(r"\s+")

Source = Literal["taxonomy", "discovered"]


@dataclass(frozen=True)
class Theme:
    """One theme as reported: ``terms`` and ``quotes`` are readable, redacted text.

    A taxonomy theme's ``label`` is its fixed name. A discovered theme's ``label`` is made
    of its best terms, and like ``terms`` only of words that at least the comment minimum
    of its comments contain; when no term qualifies the label is the empty string, which
    reveals nothing. The application then shows a neutral, translated label instead, such
    as "Theme 3" from the number in the id (``discovered-3``): ``analysis`` speaks no
    language.
    """

    id: str
    label: str
    terms: list[str]
    size: int
    quotes: list[str]
    source: Source
    # Shares of its comments that are positive, neutral and negative; None when sentiment
    # was not asked for or the theme has fewer comments than the comment minimum.
    sentiment: dict[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "terms": self.terms,
            "size": self.size,
            "quotes": self.quotes,
            "source": self.source,
        }


@dataclass(frozen=True)
class ThemeAnalysis:
    """Themes and one theme id (or None) per input comment, in input order."""

    themes: list[Theme]
    assignments: list[str | None]
    languages: list[str]
    language: str
    stability: dict[int, float] = field(default_factory=dict)
    # Every discovered theme so far (earlier runs' and this one's): pass it to the next
    # wave's run as ``previous`` to keep the ids (see `analysis.text.continuity`).
    known: KnownThemes = field(default_factory=KnownThemes)
    # With sentiment: per comment "positive", "neutral" or "negative" (None: no text).
    sentiments: list[str | None] | None = None

    def to_json(self, assignments: bool = True) -> dict[str, Any]:
        """Themes, the known themes for the next wave, the language and, unless
        ``assignments`` is False, the per-comment lists in input order: theme ids and,
        with sentiment, each comment's sentiment. A theme's sentiment shares are
        ``{"suppressed": true}`` below the comment minimum."""
        themes = [theme.to_json() for theme in self.themes]
        if self.sentiments is not None:
            for data, theme in zip(themes, self.themes, strict=True):
                data["sentiment"] = theme.sentiment or Suppressed().to_json()
        data: dict[str, Any] = {"themes": themes}
        if assignments:
            data["assignments"] = self.assignments
            if self.sentiments is not None:
                data["sentiment"] = self.sentiments
        data["known_themes"] = self.known.to_json()
        data["language"] = self.language
        return data


def representative_quotes(
    texts: Sequence[str], members: np.ndarray, matrix: Any, limit: int = MAX_QUOTES
) -> list[str]:
    """Up to ``limit`` distinct texts closest (cosine) to the members' TF-IDF centroid.

    Ties go to the shorter text, then alphabetical order: deterministic, and short quotes
    are easier to read and less likely to identify their writer.
    """
    if len(members) == 0:
        return []
    rows = matrix[members]
    centroid = np.asarray(rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    similarity = rows @ (centroid / norm) if norm else np.zeros(len(members))
    similarity = np.asarray(similarity).ravel()
    order = sorted(
        range(len(members)),
        key=lambda i: (-round(float(similarity[i]), 6), len(texts[members[i]]), texts[members[i]]),
    )
    quotes: list[str] = []
    seen: set[str] = set()
    for i in order:
        text = _SPACE.sub(" ", texts[members[i]]).strip()
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            quotes.append(text)
            if len(quotes) == limit:
                break
    return quotes


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label_terms(terms: Mapping[str, str], limit: int) -> list[str]:
    """Readable terms, best first; a word is shown once, inside its pair if the pair ranks.

    ``terms`` maps stems and stem pairs, best first, to their readable form (`common_terms`).
    """
    chosen: list[str] = []  # stems and stem pairs
    for term in terms:
        parts = set(term.split(" "))
        overlapping = [c for c in chosen if parts & set(c.split(" "))]
        if not overlapping:
            if len(chosen) < limit:
                chosen.append(term)
            continue
        # A pair that extends one chosen single word replaces it ("welkom" → "voelt welkom").
        if len(parts) == 2 and len(overlapping) == 1 and " " not in overlapping[0]:
            chosen[chosen.index(overlapping[0])] = term
    return list(dict.fromkeys(terms[term] for term in chosen))


def _taxonomy_counts(theme_index: int, hits: Iterable[list[Hit]]) -> Counter[str]:
    """How many comments use each of the theme's terms (stems joined by spaces).

    ``hits`` are the theme's comments' `taxonomy_hits`: a term inside a longer matched term
    is not counted, as in matching.
    """
    counts: Counter[str] = Counter()
    for comment in hits:
        counts.update({" ".join(terms) for index, terms, _ in comment if index == theme_index})
    return counts


def comment_counts(documents: Iterable[Sequence[Token]]) -> Counter[str]:
    """In how many of the comments each stem and each pair of neighbouring stems occurs.

    Once per comment, however often it is written there: one comment is one respondent,
    so this is the number of people who wrote the term. The pairs are the ones discovery
    uses (`analysis.text.discover.with_bigrams`).
    """
    counts: Counter[str] = Counter()
    for tokens in documents:
        counts.update(set(with_bigrams([token.stem for token in tokens])))
    return counts


def common_terms(
    terms: Sequence[str], counts: Mapping[str, int], surface: SurfaceForms, minimum: int
) -> dict[str, str]:
    """The terms (stems, stem pairs) that at least ``minimum`` comments contain, readable.

    In the order given, each with a readable form that as many comments share. A word
    written by fewer people than the comment minimum can point at them (a name outside
    the directory, an illness, a team's own jargon, a place), so it is shown nowhere:
    neither as a theme's term nor in its label, however strongly it marks the theme.
    ``counts`` come from `comment_counts` (or the taxonomy's matches) over the theme's own
    comments; the spelling shown must be shared as well (`SurfaceForms.shared`).
    """
    shown: dict[str, str] = {}
    for term in terms:
        if counts.get(term, 0) >= minimum:
            readable = surface.shared(term, minimum)
            if readable is not None:
                shown[term] = readable
    return shown


def analyze_themes(
    texts: Sequence[str],
    *,
    language: str = "auto",
    n_themes: int | None = None,
    taxonomy: Taxonomy | Literal["default"] | None = "default",
    directory: Directory | None = None,
    comment_minimum: int = DEFAULT_K_COMMENTS,
    random_state: int = 0,
    previous: KnownThemes | None = None,
    discover: bool = True,
    sentiment: bool = False,
) -> ThemeAnalysis:
    """Themes of a comment collection.

    Parameters
    ----------
    texts : sequence of str
        The comments, one per respondent answer; empty strings are allowed (no theme).
    language : {"auto", "nl", "en"}
        Detect per comment, or treat every comment as this language.
    n_themes : int, optional
        Number of discovered themes; by default chosen from the data.
    taxonomy : Taxonomy, None or "default"
        The workplace taxonomy (the shipped one by default); None for discovery only.
    directory : Directory, optional
        The organisation's names to redact.
    comment_minimum : int
        The gate's comment minimum: a collection smaller than this gets no quotes, a
        theme smaller than this no quotes either (and a discovered one is not formed),
        and a term that fewer of a theme's comments contain is in no label and no terms.
    random_state : int
        Seed for everything random; the same input gives the same output.
    previous : KnownThemes, optional
        The discovered themes of earlier waves (``ThemeAnalysis.known`` of the previous
        run): a discovered theme with the words of a known one keeps its id (and label),
        new ones get numbers never used before. Without it, ids are numbered from 1.
    discover : bool
        False: taxonomy themes only; comments the taxonomy does not cover get no theme.
    sentiment : bool
        Also the sentiment of every comment (`analysis.text.sentiment`, on the redacted
        text) and per theme the shares positive/neutral/negative, the latter only for
        themes with at least the comment minimum of comments.

    Returns
    -------
    ThemeAnalysis
        A discovered theme whose comments share no term often enough has the label ``""``
        (and no terms): the application shows a neutral, translated label for it ("Theme
        3" for ``discovered-3``), never words of its own. See `Theme`.
    """
    if language not in ("auto", *LANGUAGES):
        raise ValueError(f"language must be auto, nl or en, not {language!r}")
    check_k(comment_minimum)
    if taxonomy == "default":
        taxonomy = load_taxonomy()
    redacted = [redact(text or "", directory) for text in texts]
    languages = detect_languages(redacted) if language == "auto" else [language] * len(redacted)
    documents = [content_tokens(text, lang) for text, lang in zip(redacted, languages, strict=True)]
    surface = SurfaceForms()
    for tokens in documents:
        surface.add(tokens)
    dominant = majority_language([lang for lang, t in zip(languages, redacted, strict=True) if t])
    n = len(texts)
    theme_of = np.full(n, -1, dtype=np.int64)  # index into `themes` below, or -1
    themes_meta: list[tuple[str, str, list[str], Source]] = []

    if taxonomy is not None and len(taxonomy):
        hits = taxonomy_hits(taxonomy, documents, languages)
        matched = match_taxonomy(taxonomy, documents, languages, hits)
        for i, index in enumerate(matched):
            if index is not None:
                theme_of[i] = index
        for index, theme in enumerate(taxonomy.themes):
            members = np.flatnonzero(theme_of == index)
            counts = _taxonomy_counts(index, (hits[i] for i in members))
            ranked = sorted(counts, key=lambda term: (-counts[term], term))
            shown = common_terms(ranked, counts, surface, comment_minimum)
            terms = list(dict.fromkeys(shown.values()))[:SHOWN_TERMS]
            themes_meta.append((theme.id, theme.label(dominant), terms, "taxonomy"))

    known = previous or KnownThemes(language=dominant)
    rest = np.flatnonzero((theme_of == -1) & np.array([bool(d) for d in documents], dtype=bool))
    discovery = discover_themes(
        [[token.stem for token in documents[i]] for i in (rest if discover else [])],
        n_themes,
        random_state,
    )
    if discovery.k:
        sizes = np.bincount(
            discovery.assignments[discovery.assignments >= 0], minlength=discovery.k
        )
        # Only words enough of a theme's own comments contain may describe it.
        shown = [
            common_terms(
                terms,
                comment_counts(documents[i] for i in rest[discovery.assignments == t]),
                surface,
                comment_minimum,
            )
            for t, terms in enumerate(discovery.top_terms)
        ]
        labels = [_label_terms(terms, LABEL_TERMS) for terms in shown]
        # Largest first, then by label: stable ids within one run.
        order = sorted(
            (t for t in range(discovery.k) if sizes[t]), key=lambda t: (-sizes[t], labels[t])
        )
        # A discovered theme speaks in its members' own words: one smaller than the comment
        # minimum would show what a small group wrote, so its comments stay unassigned.
        order = [t for t in order if sizes[t] >= comment_minimum]
        new_labels = [_capitalised(", ".join(labels[t])) for t in order]
        new_terms = [_label_terms(shown[t], SHOWN_TERMS) for t in order]
        continued = continue_themes(new_terms, new_labels, dominant, previous)
        known = continued.known
        for t, theme_id, kept, label, terms in zip(
            order, continued.ids, continued.labels, new_labels, new_terms, strict=True
        ):
            theme_of[rest[discovery.assignments == t]] = len(themes_meta)
            themes_meta.append((theme_id, label if kept is None else kept, terms, "discovered"))

    quote_matrix, _ = tfidf([[token.stem for token in tokens] for tokens in documents], min_df=1)
    show_quotes = sum(1 for text in redacted if text.strip()) >= comment_minimum
    themes: list[Theme] = []
    for index, (theme_id, label, terms, source) in enumerate(themes_meta):
        members = np.flatnonzero(theme_of == index)
        large_enough = show_quotes and len(members) >= comment_minimum
        quotes = representative_quotes(redacted, members, quote_matrix) if large_enough else []
        themes.append(Theme(theme_id, label, terms, len(members), quotes, source))
    assignments = [themes[t].id if t >= 0 else None for t in theme_of.tolist()]
    labels = None
    if sentiment:
        themes, labels = _with_sentiment(themes, assignments, redacted, languages, comment_minimum)
    return ThemeAnalysis(
        themes, assignments, languages, dominant, discovery.stability, known, labels
    )


def _with_sentiment(
    themes: list[Theme],
    assignments: list[str | None],
    redacted: Sequence[str],
    languages: Sequence[str],
    comment_minimum: int,
) -> tuple[list[Theme], list[str | None]]:
    """The themes with their sentiment shares (only at the comment minimum or above) and
    each comment's sentiment label (None for a comment without text)."""
    scored = comment_sentiment(redacted, languages)
    labels = [s.label if text.strip() else None for s, text in zip(scored, redacted, strict=True)]
    shares = sentiment_shares(
        assignments, [label or "neutral" for label in labels], [theme.id for theme in themes]
    )
    with_shares = [
        replace(
            theme,
            sentiment={key: float(shares[theme.id][key]) for key in SENTIMENT_LABELS}
            if theme.size >= comment_minimum
            else None,
        )
        for theme in themes
    ]
    return with_shares, labels
