"""The sentiment lexicons: reading, checking and caching ``data/sentiment_LANG.toml``.

One file per language, ``analysis/text/data/sentiment_nl.toml`` and ``sentiment_en.toml``,
written for workplace comments; `analysis.text.sentiment` scores comments with them (see
the README's "Sentiment" section for how to edit them). Every key is optional. Words are
lower-cased with their spaces collapsed; several words separated by spaces form a phrase
that the tokenizer takes as one token ("kan beter", "lip service").

- ``[words]``: lists of words per weight, the weight a quoted number (``"+2"`` strong,
  ``"+1"`` a plain positive word such as "goed", ``"-0.5"`` mildly negative); a word
  matches as written and in its inflected forms ("vriendelijke", "slower");
- ``[exact]``: the same, matched only as written, for words whose inflected-looking forms
  mean something else ("hel", but "hele"); weight ``"0"`` blocks a word ("slechts" is
  not "slecht"). A word listed twice, in one table or in both, is an error;
- ``[intensifiers]``: word = factor minus one (``erg = 0.3``: "erg goed" is 1.3 x
  "goed"; a downtoner below 0: ``beetje = -0.4``);
- word lists for the rules: ``negators``, ``disjunctions`` (carry a negation on: "or"),
  ``post_negators`` (flip the polar word before them: "is weg", "is gone"), ``contrast``
  ("maar", "but"), ``clause_contrast`` (a contrast only when it opens a clause:
  "alleen"), ``concessive`` ("hoewel"), ``excess`` ("te", "too") with ``excess_words``
  (degree words that are negative after it), ``wish_markers`` with ``change_words`` (a
  wish: "er moet meer ..."), ``wish_phrases`` (a wish on their own: "i wish"),
  ``recommendations`` (count inside a wish too), ``neutral`` (expressions that block
  the rules: "maar ook");
- ``negating_prefixes`` ("on", "un") and ``intensifying_prefixes`` ("super");
- ``compounds`` (Dutch: a closed compound by its tail) and ``post_negation`` (Dutch:
  "ik waardeer dat niet"), true or false.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from analysis.text.language import LANGUAGES


@dataclass(frozen=True)
class Lexicon:
    """One language's words with a polarity weight and the word lists the rules use."""

    language: str
    words: Mapping[str, float]  # base word -> weight, also found in inflected forms
    exact: Mapping[str, float]  # found only as written (0.0: never a base form: "slechts")
    phrases: Mapping[tuple[str, ...], float]  # multi-word expressions with a weight
    negators: frozenset[str]
    disjunctions: frozenset[str]  # carry a negation on: "not valued or recognised"
    post_negators: frozenset[str]  # flip the polar word before them ("motivatie is weg")
    intensifiers: Mapping[str, float]  # factor - 1: "erg" 0.3, "beetje" -0.4
    contrast: frozenset[str]  # what follows counts more ("maar", "but")
    clause_contrast: frozenset[str]  # contrast only at the start of a clause ("alleen")
    concessive: frozenset[str]  # the clause they open counts less ("hoewel")
    excess: frozenset[str]  # "te", "too"
    excess_words: frozenset[str]  # degree words that are negative after ``excess``
    wish_markers: frozenset[str]  # a wish with a change word ("er moet meer ...")
    change_words: frozenset[str]
    wish_phrases: frozenset[str]  # a wish on their own ("zou fijn", "i wish")
    recommendations: frozenset[str]  # count in a wish too ("ik zou het aanraden")
    neutral: frozenset[str]  # multi-word expressions that block the rules ("maar ook")
    negating_prefixes: tuple[str, ...]
    intensifying_prefixes: tuple[str, ...]
    compounds: bool  # Dutch: look up a closed compound by its tail
    post_negation: bool  # Dutch: "ik waardeer dat niet"
    multiword: Mapping[str, tuple[tuple[str, ...], ...]]  # first word -> expressions

    def is_negator(self, token: str) -> bool:
        return token in self.negators or (self.language == "en" and token.endswith("n't"))


def _float_key(key: str, source: str) -> float:
    try:
        return float(key)
    except ValueError:
        raise ValueError(f"{source}: weight {key!r} is not a number") from None


def _weighted(table: Mapping[str, Any], source: str) -> dict[str, float]:
    """``{"+1": [words]}`` → ``{word: 1.0}``; a word listed twice is an error."""
    weights: dict[str, float] = {}
    for key, entries in table.items():
        weight = _float_key(key, source)
        for entry in entries:
            word = " ".join(str(entry).lower().replace("’", "'").split())
            if word in weights:
                raise ValueError(f"{source}: {word!r} is listed twice")
            weights[word] = weight
    return weights


def _word_list(data: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(" ".join(str(word).lower().split()) for word in data.get(key, ()))


def parse_lexicon(data: Mapping[str, Any], language: str, source: str = "lexicon") -> Lexicon:
    """A `Lexicon` from the TOML structure of ``sentiment_LANG.toml``.

    Parameters
    ----------
    data : mapping
        The parsed TOML (`tomllib.loads`), in the format this module describes.
    language : str
        ``"nl"`` or ``"en"``.
    source : str
        The file's name, for error messages.

    Raises
    ------
    ValueError
        When the language is not supported, a weight is not a number, or a word is
        listed twice (in one table, or in both ``[words]`` and ``[exact]``).
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    listed = _weighted(data.get("words", {}), source)
    exact = _weighted(data.get("exact", {}), source)
    for word in exact.keys() & listed.keys():
        raise ValueError(f"{source}: {word!r} is in both [words] and [exact]")
    phrases = {tuple(w.split()): v for w, v in (listed | exact).items() if " " in w}
    intensifiers = {
        " ".join(str(w).lower().split()): _float_key(str(v), source)
        for w, v in data.get("intensifiers", {}).items()
    }
    lists = {
        key: _word_list(data, key)
        for key in (
            "negators", "disjunctions", "post_negators", "contrast", "clause_contrast",
            "concessive", "excess", "excess_words", "wish_markers", "change_words",
            "wish_phrases", "recommendations", "neutral",
        )
    }  # fmt: skip
    expressions = (
        set(phrases)
        | {tuple(w.split()) for w in intensifiers if " " in w}
        | {tuple(w.split()) for key in lists for w in lists[key] if " " in w}
    )
    multiword: dict[str, list[tuple[str, ...]]] = {}
    for expression in expressions:
        multiword.setdefault(expression[0], []).append(expression)
    return Lexicon(
        language=language,
        words={w: v for w, v in listed.items() if " " not in w},
        exact={w: v for w, v in exact.items() if " " not in w},
        phrases=phrases,
        intensifiers=intensifiers,
        negating_prefixes=tuple(data.get("negating_prefixes", ())),
        intensifying_prefixes=tuple(data.get("intensifying_prefixes", ())),
        compounds=bool(data.get("compounds", False)),
        post_negation=bool(data.get("post_negation", False)),
        multiword={
            first: tuple(sorted(found, key=len, reverse=True)) for first, found in multiword.items()
        },
        **lists,
    )


@cache
def load_lexicon(language: str) -> Lexicon:
    """The shipped lexicon for ``"nl"`` or ``"en"`` (``analysis/text/data/sentiment_LANG.toml``).

    Read once per language and cached; raises ValueError for another language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    name = f"sentiment_{language}.toml"
    text = resources.files("analysis.text").joinpath("data", name).read_text(encoding="utf-8")
    return parse_lexicon(tomllib.loads(text), language, name)
