"""Dutch or English per comment, from function words and letter patterns (no model files)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from analysis.text.stopwords import word_set

LANGUAGES = ("nl", "en")

# Frequent function words that occur in one language only (shared forms such as "in", "is",
# "we", "me", "over" are left out so they cannot tip the balance).
FUNCTION_WORDS = {
    "nl": word_set(
        "de het een en van dat die niet ik je zijn op te er maar met voor ook als "
        "dan naar bij nog wel geen veel wordt worden werd heeft hebben heb kan "
        "kunnen moet moeten mijn onze ons zij wij jullie hun deze dit wat waar hoe "
        "omdat want door tot uit zo al om nu meer echt altijd vaak nooit goed "
        "weinig steeds iedereen elkaar zou zouden zelf toch mee even alleen tussen "
        "wanneer waarom"
    ),
    "en": word_set(
        "the a an and of that this these those not i you are was were be been "
        "being on to there but with for also if then than at from by more some any "
        "very really always often never good little much many everyone each other "
        "would could should can't don't doesn't isn't it's i'm we're they're our "
        "my your their they he she it what where how because why when which who "
        "have has had do does did will just only about into too"
    ),
}

# Letter patterns typical of each language, used when function words do not decide.
LETTER_PATTERNS = {
    "nl": re.compile(r"ij|oe|aa|ee|uu|ui|sch|cht|gt\b|en\b|lijk"),
    "en": re.compile(r"th|wh|sh\b|ing\b|tion\b|ly\b|ou|ea|ght|y\b"),
}

_WORD = re.compile(r"[a-zà-ÿ']+")


def function_word_language(text: str) -> str | None:
    """The language whose function words the text uses more, or None on a tie (or none)."""
    words = _WORD.findall(text.lower())
    nl = sum(word in FUNCTION_WORDS["nl"] for word in words)
    en = sum(word in FUNCTION_WORDS["en"] for word in words)
    if nl == en:
        return None
    return "nl" if nl > en else "en"


def detect_language(text: str, default: str = "nl") -> str:
    """``"nl"`` or ``"en"`` for one comment; ``default`` when nothing tips the balance."""
    decided = function_word_language(text)
    if decided:
        return decided
    words = _WORD.findall(text.lower())
    if not words:
        return default
    joined = " ".join(words)
    letters = {
        language: len(pattern.findall(joined)) for language, pattern in LETTER_PATTERNS.items()
    }
    if letters["nl"] != letters["en"]:
        return "nl" if letters["nl"] > letters["en"] else "en"
    return default


def detect_languages(texts: Iterable[str], default: str = "nl") -> list[str]:
    """The language of each text, in order, using the collection for the hard cases.

    A comment without telling function words ("Werkdruk!", "Great manager") gets the
    majority language of the comments that have them: in a Dutch collection a one-word
    comment is most likely Dutch, whatever its letters suggest. Only when no comment
    decides do letter patterns (`detect_language`) apply.
    """
    texts = list(texts)
    decided = [function_word_language(text) for text in texts]
    known = [language for language in decided if language]
    if not known:
        return [detect_language(text, default) for text in texts]
    fallback = majority_language(known, default)
    return [language or fallback for language in decided]


def majority_language(languages: Sequence[str], default: str = "nl") -> str:
    """The most common language of a collection (``default`` on a tie or when empty)."""
    counts = Counter(languages)
    if not counts or counts["nl"] == counts["en"]:
        return default
    return "nl" if counts["nl"] > counts["en"] else "en"
