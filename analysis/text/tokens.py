"""Tokens, stems and their readable surface forms, with nltk parts that need no nltk_data."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
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
    return [
        Token(word, stem(word, language))
        for word in words(text)
        if word not in stops and word.replace("’", "'") not in stops
    ]


@dataclass
class SurfaceForms:
    """Counts which surface word each stem came from, to label themes with real words."""

    counts: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, tokens: Iterable[Token]) -> None:
        for token in tokens:
            self.counts[token.stem][token.surface] += 1

    def readable(self, stem_or_phrase: str) -> str:
        """The most frequent surface form (shortest, then alphabetical, on a tie)."""
        return " ".join(self._word(part) for part in stem_or_phrase.split(" "))

    def _word(self, stem_: str) -> str:
        forms = self.counts.get(stem_)
        if not forms:
            return stem_
        return min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
