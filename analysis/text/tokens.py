"""Tokens, stems and their readable surface forms, with nltk parts that need no nltk_data."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

from analysis.text.stopwords import stop_words

STEMMER_NAMES = {"nl": "dutch", "en": "english"}

# Words with inner hyphens or apostrophes stay whole ("collega's", "e-mail", "don't");
# redaction placeholders such as "[naam]" are not words and are dropped.
_TOKENIZER = RegexpTokenizer(r"\[[^\]\s]+\]|\w+(?:['’-]\w+)*")
_DIGIT = re.compile(r"\d")
_APOSTROPHE_S = re.compile(r"['’]s$")
MIN_LENGTH = 2

# Words Snowball conflates with a word of another theme: English "management" (the
# organisation's leadership, as a body) and "manager" (one person) both stem to "manag".
STEM_EXCEPTIONS = {"en": {"management": "management", "managements": "management"}}
# English "IT" in capitals is information technology, not the pronoun "it" (a stop word);
# it becomes "ict" unless the whole comment is written in capitals.
_CAPITAL_IT = re.compile(r"\bIT\b")


@dataclass(frozen=True)
class Token:
    surface: str
    stem: str


@cache
def _stemmer(language: str) -> SnowballStemmer:
    return SnowballStemmer(STEMMER_NAMES[language])


@cache
def stem(word: str, language: str) -> str:
    """Snowball stem of a lower-case word; a final "'s" goes first ("collega's" → "collega")."""
    if word in STEM_EXCEPTIONS.get(language, {}):
        return STEM_EXCEPTIONS[language][word]
    return _stemmer(language).stem(_APOSTROPHE_S.sub("", word).replace("'", "").replace("’", ""))


def words(text: str) -> list[str]:
    """Lower-case word tokens without placeholders, numbers or one-letter tokens."""
    return [
        token
        for token in _TOKENIZER.tokenize(text.lower())
        if not token.startswith("[") and len(token) >= MIN_LENGTH and not _DIGIT.search(token)
    ]


def content_tokens(text: str, language: str) -> list[Token]:
    """Words that are not stop words, with their stems, in text order."""
    stops = stop_words(language)
    if language == "en" and not text.isupper():
        text = _CAPITAL_IT.sub("ict", text)
    return [
        Token(word, stem(word, language))
        for word in words(text)
        if word not in stops and word.replace("’", "'") not in stops
    ]


@dataclass
class SurfaceForms:
    """Counts which surface word each stem came from, to label themes with real words.

    ``counts`` are occurrences; ``writers`` count each surface word once per `add` call,
    and `add` is called once per comment (one respondent): the number of people who wrote
    the word, which decides whether it may be shown (`shared`).
    """

    counts: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    writers: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, tokens: Iterable[Token]) -> None:
        """Count the tokens of one comment."""
        tokens = list(tokens)
        for token in tokens:
            self.counts[token.stem][token.surface] += 1
        for stem_, surface in {(token.stem, token.surface) for token in tokens}:
            self.writers[stem_][surface] += 1

    def readable(self, stem_or_phrase: str) -> str:
        """The most frequent surface form (shortest, then alphabetical, on a tie)."""
        parts = stem_or_phrase.split(" ")
        return " ".join(_most_frequent(self.counts.get(part, {})) or part for part in parts)

    def shared(self, stem_or_phrase: str, minimum: int) -> str | None:
        """`readable`, but only from surface words that at least ``minimum`` comments contain.

        A stem joins several words ("flexplek", "flexplekken"; sometimes unrelated ones
        that stem alike), so a stem that enough people wrote can still have a form that
        only one of them wrote. None when a stem has no form that enough comments share.
        """
        words: list[str] = []
        for part in stem_or_phrase.split(" "):
            writers = self.writers.get(part, Counter())
            forms = {w: n for w, n in self.counts.get(part, {}).items() if writers[w] >= minimum}
            word = _most_frequent(forms)
            if word is None:
                return None
            words.append(word)
        return " ".join(words)


def _most_frequent(forms: Mapping[str, int]) -> str | None:
    """The most frequent form (shortest, then alphabetical, on a tie); None without forms."""
    if not forms:
        return None
    return min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
