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


@pytest.mark.parametrize(
    ("data", "language", "message"),
    [
        ({"words": {"veel": ["goed"]}}, "nl", "lexicon: weight 'veel' is not a number"),
        ({"intensifiers": {"erg": "heel"}}, "nl", "lexicon: weight 'heel' is not a number"),
        (
            {"words": {"+1": ["goed"]}, "exact": {"+2": ["Goed"]}},
            "nl",
            "lexicon: 'goed' is in both \\[words\\] and \\[exact\\]",
        ),
        ({"words": {"+1": ["bien"]}}, "fr", "unsupported language 'fr'"),
    ],
)
def test_a_malformed_lexicon_names_what_is_wrong(data, language, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_lexicon(data, language)
