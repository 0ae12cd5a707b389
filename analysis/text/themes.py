"""Theme analysis of a comment collection: redact, language, tokens, taxonomy, discovery, quotes.

Pipeline, in this order: every comment is redacted first and only the
redacted text is used from then on, so no result can hold a name or number that
redaction catches. Each comment gets a language (``nl``/``en``), its content stems, and
then one theme: the best-matching taxonomy theme (stable ids, comparable across waves)
or, for comments the taxonomy does not cover, a discovered theme (NMF, number of themes
chosen from the data; see `analysis.text.discover`). Comments without usable words get
no theme (None).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from analysis.gate import DEFAULT_K_COMMENTS, check_k
from analysis.text.discover import discover_themes, tfidf
from analysis.text.language import LANGUAGES, detect_languages, majority_language
from analysis.text.redact import Directory, redact
from analysis.text.taxonomy import Taxonomy, contains_term, load_taxonomy, match_taxonomy
from analysis.text.tokens import SurfaceForms, Token, content_tokens

MAX_QUOTES = 3
LABEL_TERMS = 3
SHOWN_TERMS = 8
_SPACE = re.compile(r"\s+")

Source = Literal["taxonomy", "discovered"]


@dataclass(frozen=True)
class Theme:
    """One theme as reported: ``terms`` and ``quotes`` are readable, redacted text."""

    id: str
    label: str
    terms: list[str]
    size: int
    quotes: list[str]
    source: Source

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

    def to_json(self) -> dict[str, Any]:
        return {
            "themes": [theme.to_json() for theme in self.themes],
            "assignments": self.assignments,
        }


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


def _label_terms(terms: Sequence[str], surface: SurfaceForms, limit: int) -> list[str]:
    """Readable terms, best first; a word is shown once, inside its pair if the pair ranks."""
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
    readable = [surface.readable(term) for term in chosen]
    return list(dict.fromkeys(readable))


def _taxonomy_terms(
    theme_index: int,
    taxonomy: Taxonomy,
    members: np.ndarray,
    documents: Sequence[Sequence[Token]],
    languages: Sequence[str],
    surface: SurfaceForms,
) -> list[str]:
    """The theme's terms that its comments actually use, most frequent first."""
    theme = taxonomy.themes[theme_index]
    counts: Counter[tuple[str, ...]] = Counter()
    for i in members:
        stems = [token.stem for token in documents[i]]
        for sequence in theme.stems.get(languages[i], ()):
            if contains_term(stems, sequence):
                counts[sequence] += 1
    ranked = sorted(counts, key=lambda s: (-counts[s], s))
    return [surface.readable(" ".join(sequence)) for sequence in ranked[:SHOWN_TERMS]]


def common_terms(terms: Sequence[str], texts: Sequence[str], minimum: int) -> list[str]:
    """The terms that occur in at least ``minimum`` of the texts.

    A word written by fewer people than the comment minimum can point at them (a team's
    own jargon, a place, a machine), so it is not shown as a theme's term.
    """
    lowered = [text.lower() for text in texts]
    return [term for term in terms if sum(term.lower() in text for text in lowered) >= minimum]


def analyze_themes(
    texts: Sequence[str],
    *,
    language: str = "auto",
    n_themes: int | None = None,
    taxonomy: Taxonomy | Literal["default"] | None = "default",
    directory: Directory | None = None,
    comment_minimum: int = DEFAULT_K_COMMENTS,
    random_state: int = 0,
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
        The gate's comment minimum: a collection smaller than this gets no quotes.
    random_state : int
        Seed for everything random; the same input gives the same output.

    Returns
    -------
    ThemeAnalysis
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
        matched = match_taxonomy(taxonomy, documents, languages)
        for i, index in enumerate(matched):
            if index is not None:
                theme_of[i] = index
        for index, theme in enumerate(taxonomy.themes):
            members = np.flatnonzero(theme_of == index)
            terms = _taxonomy_terms(index, taxonomy, members, documents, languages, surface)
            themes_meta.append((theme.id, theme.label(dominant), terms, "taxonomy"))

    rest = np.flatnonzero((theme_of == -1) & np.array([bool(d) for d in documents], dtype=bool))
    discovery = discover_themes(
        [[token.stem for token in documents[i]] for i in rest], n_themes, random_state
    )
    if discovery.k:
        sizes = np.bincount(
            discovery.assignments[discovery.assignments >= 0], minlength=discovery.k
        )
        labels = [_label_terms(terms, surface, LABEL_TERMS) for terms in discovery.top_terms]
        # Largest first, then by label: stable ids within one run.
        order = sorted(
            (t for t in range(discovery.k) if sizes[t]), key=lambda t: (-sizes[t], labels[t])
        )
        # A discovered theme speaks in its members' own words: one smaller than the comment
        # minimum would show what a small group wrote, so its comments stay unassigned.
        order = [t for t in order if sizes[t] >= comment_minimum]
        for number, t in enumerate(order, start=1):
            label = ", ".join(labels[t])
            terms = _label_terms(discovery.top_terms[t], surface, SHOWN_TERMS)
            theme_of[rest[discovery.assignments == t]] = len(themes_meta)
            themes_meta.append(
                (f"discovered-{number}", label[:1].upper() + label[1:], terms, "discovered")
            )

    quote_matrix, _ = tfidf([[token.stem for token in tokens] for tokens in documents], min_df=1)
    show_quotes = sum(1 for text in redacted if text.strip()) >= comment_minimum
    themes: list[Theme] = []
    for index, (theme_id, label, terms, source) in enumerate(themes_meta):
        members = np.flatnonzero(theme_of == index)
        large_enough = show_quotes and len(members) >= comment_minimum
        quotes = representative_quotes(redacted, members, quote_matrix) if large_enough else []
        shown_terms = common_terms(terms, redacted, comment_minimum)
        themes.append(Theme(theme_id, label, shown_terms, len(members), quotes, source))
    assignments = [themes[t].id if t >= 0 else None for t in theme_of.tolist()]
    return ThemeAnalysis(themes, assignments, languages, dominant, discovery.stability)
