"""The shipped, editable taxonomy of workplace themes and matching comments against it."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.text.language import LANGUAGES
from analysis.text.tokens import Token, content_tokens

DEFAULT_TAXONOMY = "taxonomy.toml"


@dataclass(frozen=True)
class TaxonomyTheme:
    """One theme: a stable id, labels per language and its terms as stem sequences."""

    id: str
    labels: Mapping[str, str]
    terms: Mapping[str, tuple[str, ...]]
    stems: Mapping[str, tuple[tuple[str, ...], ...]]

    def label(self, language: str) -> str:
        return self.labels.get(language) or next(iter(self.labels.values()))


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[TaxonomyTheme, ...]

    def __len__(self) -> int:
        return len(self.themes)

    def by_id(self, theme_id: str) -> TaxonomyTheme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


def _term_stems(term: str, language: str) -> tuple[str, ...]:
    return tuple(token.stem for token in content_tokens(term, language))


def parse_taxonomy(data: Mapping[str, object], source: str = "taxonomy") -> Taxonomy:
    """A `Taxonomy` from the TOML structure (``[[theme]]`` tables with id, label, nl, en).

    Raises ValueError with the theme id when a theme is incomplete, an id repeats, or two
    themes share a term in the same language (the match would be a coin toss).
    """
    raw_themes = data.get("theme")
    if not isinstance(raw_themes, list) or not raw_themes:
        raise AnalysisError("taxonomy_no_themes", source=source)
    themes: list[TaxonomyTheme] = []
    owner: dict[tuple[str, tuple[str, ...]], str] = {}
    for raw in raw_themes:
        theme_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(theme_id, str) or not theme_id:
            raise AnalysisError("taxonomy_theme_without_id", source=source)
        labels = raw.get("label")
        if not isinstance(labels, dict) or not labels:
            raise AnalysisError("taxonomy_theme_without_label", source=source, theme=theme_id)
        if any(t.id == theme_id for t in themes):
            raise AnalysisError("taxonomy_duplicate_id", source=source, theme=theme_id)
        terms: dict[str, tuple[str, ...]] = {}
        stems: dict[str, tuple[tuple[str, ...], ...]] = {}
        for language in LANGUAGES:
            words = tuple(raw.get(language, ()))
            # Keyed by the sorted stems: a term matches its words in any order, so "home
            # working" and "working from home" are one term.
            sequences: dict[tuple[str, ...], tuple[str, ...]] = {}
            for term in words:
                sequence = _term_stems(term, language)
                if not sequence:
                    raise AnalysisError(
                        "taxonomy_stop_word_term", source=source, theme=theme_id, term=term
                    )
                key = tuple(sorted(sequence))
                other = owner.setdefault((language, key), theme_id)
                if other != theme_id:
                    raise AnalysisError(
                        "taxonomy_shared_term",
                        source=source,
                        term=term,
                        language=language,
                        other=other,
                        theme=theme_id,
                    )
                sequences.setdefault(key, sequence)
            terms[language] = words
            stems[language] = tuple(sequences.values())
        if not any(stems.values()):
            raise AnalysisError("taxonomy_theme_without_terms", source=source, theme=theme_id)
        themes.append(TaxonomyTheme(theme_id, dict(labels), terms, stems))
    return Taxonomy(tuple(themes))


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """The taxonomy in ``path``, or the shipped one (``analysis/text/data/taxonomy.toml``)."""
    if path is None:
        text = resources.files("analysis.text").joinpath("data", DEFAULT_TAXONOMY).read_text()
        return parse_taxonomy(tomllib.loads(text), DEFAULT_TAXONOMY)
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        reason = _reason(error)
        raise AnalysisError("taxonomy_unreadable", source=str(path), detail=reason) from error
    return parse_taxonomy(data, str(path))


def _reason(error: Exception) -> str:
    """Why a taxonomy file could not be read, in short (English: for the log and library users)."""
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def term_starts(stems: Sequence[str], sequence: tuple[str, ...]) -> list[int]:
    """Where the term's stems stand next to each other in ``stems``, in any order."""
    if len(sequence) == 1:
        return [i for i, stem in enumerate(stems) if stem == sequence[0]]
    width, wanted, members = len(sequence), sorted(sequence), set(sequence)
    return [
        i
        for i in range(len(stems) - width + 1)
        if stems[i] in members and sorted(stems[i : i + width]) == wanted
    ]


Hit = tuple[int, tuple[str, ...], int]  # theme index, term (stems), first position


def _term_hits(
    stems: Sequence[str], candidates: Sequence[tuple[int, tuple[str, ...], frozenset[str]]]
) -> list[Hit]:
    """The candidate terms found in ``stems``, each with where it first counts.

    An occurrence inside a longer matched term does not count: "senior management" is a
    term of senior leadership, and the "management" inside it is not also a hit for the
    manager theme (nor counted twice for its own theme).
    """
    present = set(stems)
    found = [
        (index, sequence, starts)
        for index, sequence, members in candidates
        if members <= present and (starts := term_starts(stems, sequence))
    ]
    longer = [(s, s + len(seq)) for _, seq, starts in found if len(seq) > 1 for s in starts]
    hits: list[Hit] = []
    for index, sequence, starts in found:
        width = len(sequence)
        counted = [
            s
            for s in starts
            if not any(b - a > width and a <= s and s + width <= b for a, b in longer)
        ]
        if counted:
            hits.append((index, sequence, counted[0]))
    return hits


def taxonomy_hits(
    taxonomy: Taxonomy,
    documents: Sequence[Sequence[Token]],
    languages: Sequence[str],
) -> list[list[Hit]]:
    """Per document, the taxonomy terms it holds: (theme index, term stems, first position).

    A term found only inside a longer matched term is not among them ("senior management"
    is not also "management").
    """
    # The terms by their first stem: a comment is checked only against terms it may hold.
    by_first: dict[tuple[str, str], list[tuple[int, tuple[str, ...], frozenset[str]]]] = {}
    for index, theme in enumerate(taxonomy.themes):
        for language, sequences in theme.stems.items():
            for sequence in sequences:
                entry = (index, sequence, frozenset(sequence))
                by_first.setdefault((language, sequence[0]), []).append(entry)
    found: list[list[Hit]] = []
    for tokens, language in zip(documents, languages, strict=True):
        stems = [token.stem for token in tokens]
        candidates = [
            entry for stem in dict.fromkeys(stems) for entry in by_first.get((language, stem), ())
        ]
        found.append(_term_hits(stems, candidates) if candidates else [])
    return found


def match_taxonomy(
    taxonomy: Taxonomy,
    documents: Sequence[Sequence[Token]],
    languages: Sequence[str],
    hits: Sequence[list[Hit]] | None = None,
) -> list[int | None]:
    """Index of the best-matching taxonomy theme per document, or None when none matches.

    A theme scores the summed weights of its terms found in the comment (`taxonomy_hits`).
    A term's weight is its inverse document frequency in this collection, so a specific
    term ("zaaksysteem") outweighs a common one ("druk") when a comment touches two themes,
    divided by ``1 + position / length``: a term counts fully at the start of the comment
    and half at its end, because people name their main point first and mention others
    in passing (measured in ``bench/taxonomy.py``: about 3 points of accuracy in both
    languages). A term found only inside a longer matched term does not count ("senior
    management" is not also "management"). Ties go to the theme listed first. ``hits``:
    the documents' `taxonomy_hits`, when the caller has them already.
    """
    found = taxonomy_hits(taxonomy, documents, languages) if hits is None else hits
    frequency: dict[tuple[str, tuple[str, ...]], int] = {}
    for hits, language in zip(found, languages, strict=True):
        for _, sequence, _ in hits:
            key = (language, sequence)
            frequency[key] = frequency.get(key, 0) + 1
    total = max(len(documents), 1)
    assignments: list[int | None] = []
    for hits, tokens, language in zip(found, documents, languages, strict=True):
        if not hits:
            assignments.append(None)
            continue
        scores: dict[int, float] = {}
        for index, sequence, position in hits:
            idf = math.log((1 + total) / (1 + frequency[(language, sequence)])) + 1
            weight = idf / (1 + position / len(tokens))
            scores[index] = scores.get(index, 0.0) + weight
        assignments.append(min(scores, key=lambda i: (-round(scores[i], 9), i)))
    return assignments
