"""The shipped sentiment lexicons load, and a malformed lexicon is refused."""

from __future__ import annotations

import pytest

from analysis.text.sentiment_lexicon import load_lexicon, parse_lexicon


def test_shipped_lexicons_load_with_a_few_hundred_words_each() -> None:
    for language in ("nl", "en"):
        lexicon = load_lexicon(language)
        assert len(lexicon.words) + len(lexicon.phrases) >= 300
        assert lexicon.negators and lexicon.intensifiers and lexicon.contrast


def test_a_word_listed_twice_in_a_lexicon_is_an_error() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        parse_lexicon({"words": {"+1": ["goed"], "-1": ["goed"]}}, "nl")
