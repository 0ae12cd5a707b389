"""Discovered themes that keep their id from one wave to the next.

Taxonomy themes have fixed ids. A discovered theme gets its id in the run that finds it;
to follow it over waves, the next run is given the themes known so far (`KnownThemes`,
from the previous run's `ThemeAnalysis.known`, or from the ``known_themes`` of the CLI's
JSON). A new theme whose words are the words of a known one takes over its id, and its
label as long as the label's words are still among the theme's words; a theme without a
match gets the next unused number, so an id is never given to two different themes, even
when a theme skips a wave.

The match is on terms only (what the theme shows: words that at least the comment minimum
of its comments contain, see `analysis.text.themes`): the words are stemmed and two themes
agree when the Jaccard similarity of their stem sets is at least `MATCH_THRESHOLD`; themes
are paired for the best total similarity (Hungarian method), each known theme at most
once. Nothing but shown words is kept from one run to the next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from analysis.text.language import LANGUAGES
from analysis.text.tokens import content_tokens

DISCOVERED_PREFIX = "discovered-"
# A theme shows up to eight terms (about ten stems): the same theme in the next wave
# keeping a third of them stays above this, two different themes sharing one or two
# stems stay below. A choice, not yet measured on real waves.
MATCH_THRESHOLD = 0.25


@dataclass(frozen=True)
class KnownTheme:
    """A discovered theme as it was last shown: its id, label and terms (readable words)."""

    id: str
    label: str
    terms: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "terms": list(self.terms)}


@dataclass(frozen=True)
class KnownThemes:
    """Every discovered theme of earlier runs, each with its latest words, and their language."""

    themes: tuple[KnownTheme, ...] = ()
    language: str = "nl"

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "themes": [theme.to_json() for theme in self.themes]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KnownThemes:
        """From `to_json`'s structure; raises ValueError when it is not that structure."""
        language = data.get("language", "nl")
        raw = data.get("themes", [])
        if language not in LANGUAGES or not isinstance(raw, list):
            raise ValueError("not a list of known themes")
        themes = []
        for item in raw:
            if not isinstance(item, Mapping):
                raise ValueError("not a list of known themes")
            theme_id, label, terms = item.get("id"), item.get("label", ""), item.get("terms", [])
            if (
                not isinstance(theme_id, str)
                or not theme_id.startswith(DISCOVERED_PREFIX)
                or not isinstance(label, str)
                or not isinstance(terms, list)
                or not all(isinstance(term, str) for term in terms)
            ):
                raise ValueError("not a list of known themes")
            themes.append(KnownTheme(theme_id, label, tuple(terms)))
        return cls(tuple(themes), language)


def theme_number(theme_id: str) -> int:
    """The number of ``discovered-N``; 0 for any other id."""
    suffix = theme_id.removeprefix(DISCOVERED_PREFIX)
    return int(suffix) if theme_id.startswith(DISCOVERED_PREFIX) and suffix.isdigit() else 0


def term_stems(terms: Sequence[str], language: str) -> frozenset[str]:
    """The stems of readable terms ("flexplekken kantoor" → {"flexplek", "kantor"})."""
    return frozenset(token.stem for term in terms for token in content_tokens(term, language))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


@dataclass(frozen=True)
class Continued:
    """Per new theme (in the order given): its id and whether the known label applies."""

    ids: list[str]
    labels: list[str | None]  # the known label to keep, or None for the new one
    known: KnownThemes  # the history after this run, for the next one


def continue_themes(
    new_terms: Sequence[Sequence[str]],
    new_labels: Sequence[str],
    language: str,
    known: KnownThemes | None,
) -> Continued:
    """Ids for newly discovered themes (given largest first) that continue the known ones.

    ``new_terms[i]`` are theme ``i``'s readable terms and ``new_labels[i]`` its label; the
    history returned holds every known theme (updated with its new words when matched) and
    the new ones.
    """
    known = known or KnownThemes(language=language)
    stems_new = [term_stems(terms, language) for terms in new_terms]
    stems_old = [term_stems(theme.terms, known.language) for theme in known.themes]
    match: dict[int, int] = {}
    if stems_new and stems_old:
        similarity = np.array([[jaccard(a, b) for b in stems_old] for a in stems_new])
        rows, columns = linear_sum_assignment(-similarity)
        match = {
            int(r): int(c)
            for r, c in zip(rows, columns, strict=True)
            if similarity[r, c] >= MATCH_THRESHOLD
        }
    next_number = max((theme_number(theme.id) for theme in known.themes), default=0) + 1
    ids: list[str] = []
    labels: list[str | None] = []
    updated = dict(enumerate(known.themes))
    added: list[KnownTheme] = []
    for i, terms in enumerate(new_terms):
        if i in match:
            old = known.themes[match[i]]
            kept = old.label if term_stems([old.label], known.language) <= stems_new[i] else None
            label = kept if kept is not None else new_labels[i]
            ids.append(old.id)
            labels.append(kept)
            updated[match[i]] = KnownTheme(old.id, label, tuple(terms))
        else:
            theme_id = f"{DISCOVERED_PREFIX}{next_number}"
            next_number += 1
            ids.append(theme_id)
            labels.append(None)
            added.append(KnownTheme(theme_id, new_labels[i], tuple(terms)))
    history = KnownThemes((*updated.values(), *added), language)
    return Continued(ids, labels, history)
