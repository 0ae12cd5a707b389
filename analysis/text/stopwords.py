"""Stop words per language: the stopwords-iso lists, adjusted for workplace comments."""

from __future__ import annotations

from functools import cache

import stopwordsiso

LANGUAGES = ("nl", "en")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: compact word lists in source code."""
    return frozenset(text.split())


# stopwords-iso is built for general web text and drops words that carry the theme in a
# workplace comment ("work", "home", "system" in English; "samen", "missen" in Dutch).
# Those stay in the text; the list below is deliberately short and generic.
KEEP = {
    "nl": frozenset({"samen", "missen", "onzeker"}),
    "en": frozenset(
        {
            "work", "works", "working", "worked", "home", "system", "systems", "information",
            "help", "helps", "helped", "change", "changes", "changed", "problem", "problems",
            "computer", "computers", "research", "course", "courses", "page", "pages",
            "value", "values", "line", "place", "part", "show", "run", "end", "area",
            "areas", "interest", "fire", "bill", "bad", "good", "great", "new", "old",
            "important", "high", "low", "open", "opened", "room", "office", "team", "group",
            "groups", "member", "members", "name", "names", "order", "state", "world",
            "thanks", "needs", "needed", "future", "case", "cases", "number", "numbers", "welcome",
            "rooms", "shed", "appreciate", "proud",
            "point", "points", "result", "results", "turn", "side", "top",
        }
    ),
}  # fmt: skip

# Filler that says nothing about a theme in survey comments, in either language.
EXTRA = {
    "nl": frozenset(
        {"echt", "gewoon", "soms", "heel", "best", "wel", "erg", "nogal", "zeer", "graag",
         "vind", "vinden", "denk", "denken", "hé", "hè", "oké", "ok", "ofzo", "zeg", "mee",
         "jaar", "keer", "dag", "dagen", "week", "weken", "maand", "maanden"}
    ),
    "en": frozenset({"really", "just", "lot", "lots", "think", "feel", "ok", "okay", "yeah"}),
}  # fmt: skip


@cache
def stop_words(language: str) -> frozenset[str]:
    """Lower-case stop words for ``"nl"`` or ``"en"``."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    words = set(stopwordsiso.stopwords(language))
    return frozenset((words - KEEP[language]) | EXTRA[language])
