"""Sentiment per comment from the shipped lexicons and rules, and sentiment shares per theme."""

from __future__ import annotations

import pytest

from analysis.text.sentiment import (
    LABELS,
    Sentiment,
    comment_sentiment,
    explain,
    score_text,
    sentiment_shares,
)


def label(text: str, language: str = "nl") -> str:
    return comment_sentiment([text], [language])[0].label


def test_plain_words_in_both_languages() -> None:
    assert label("De sfeer is goed") == "positive"
    assert label("Het rooster is slecht") == "negative"
    assert label("My manager is very supportive", "en") == "positive"
    assert label("The culture here is toxic", "en") == "negative"


def test_inflected_forms_are_found_without_listing_them() -> None:
    assert score_text("vriendelijke collega's", "nl") == score_text("vriendelijk", "nl")
    assert label("de traagste afdeling") == "negative"
    assert label("I felt bullied", "en") == "negative"


def test_words_that_share_a_snowball_stem_keep_their_own_meaning() -> None:
    assert label("Geweldig team") == "positive"
    assert label("Geweld op straat") == "negative"  # Snowball: both "geweld"
    assert label("de hele dag overleg") == "neutral"  # not "hel"
    assert label("Drie collega's vertrokken") == "neutral"  # no "ok" inside a compound
    for word in ("regelmatig", "ontvangst", "verwachten", "maatschappelijk", "ondanks", "gemeente"):
        assert score_text(word, "nl") == 0.0, word  # not "matig", "angst", "wachten", ...


def test_negation_flips_a_word() -> None:
    assert label("goed") == "positive"
    assert label("niet goed") == "negative"
    assert label("geen waardering voor ons werk") == "negative"
    assert label("This is not good", "en") == "negative"
    assert label("I don't feel valued", "en") == "negative"


def test_dutch_negation_after_the_verb() -> None:
    assert label("Ik waardeer dat.") == "positive"
    assert label("Ik waardeer dat niet.") == "negative"


def test_negation_after_the_word() -> None:
    assert label("De motivatie is weg.") == "negative"
    assert label("Motivation is gone", "en") == "negative"
    assert label("Morale is low and people have stopped caring.", "en") == "negative"
    assert label("De planning klopt niet met de praktijk") == "negative"


def test_negated_negative_word_is_not_negative() -> None:
    assert label("not bad", "en") != "negative"
    assert label("niet slecht") != "negative"
    assert score_text("geen probleem", "nl") > 0


def test_negation_stops_at_the_end_of_a_clause() -> None:
    assert label("Niet alles lukt. Maar het team is goed") == "positive"
    assert score_text("nooit. goed", "nl") > 0


def test_negator_that_flips_nothing_leans_negative() -> None:
    assert label("Er is nooit overleg") == "negative"
    assert label("There is no communication at all", "en") == "negative"


def test_nothing_to_add_is_neutral() -> None:
    for text, language in [("Nee.", "nl"), ("Niets", "nl"), ("Geen opmerkingen", "nl"),
                           ("None", "en"), ("No comment.", "en")]:  # fmt: skip
        assert label(text, language) == "neutral", text


def test_negation_carries_over_or() -> None:
    assert label("I don't feel valued or recognised", "en") == "negative"
    assert score_text("niet snel of vriendelijk", "nl") < score_text("niet snel", "nl")


def test_intensifier_raises_and_downtoner_lowers_the_score() -> None:
    assert score_text("erg goed", "nl") > score_text("goed", "nl") > score_text("beetje goed", "nl")
    assert score_text("very slow", "en") < score_text("slow", "en") < score_text("a bit slow", "en")


def test_intensifier_word_alone_is_not_an_intensifier() -> None:
    # "super" before a polar word intensifies it, on its own it is the polar word.
    assert label("Het was super!") == "positive"
    assert score_text("super vriendelijk", "nl") > score_text("vriendelijk", "nl")


def test_contrast_clause_after_maar_weighs_more() -> None:
    assert label("de opleiding is goed maar er is nooit tijd") == "negative"
    assert label("Het werk is zwaar, maar de collega's zijn fantastisch") == "positive"
    assert label("The pay is great but the hours are bad", "en") == "negative"
    assert label("Although the pay is terrible, my team is good", "en") == "positive"


def test_contrast_reaches_its_own_sentence_and_the_one_before_only() -> None:
    text = "Geweldig team. Fijne plek. Het werk is zwaar, maar leuk."
    assert dict(explain(text, "nl"))["geweldig"] == 2.0
    text = "Fijne plek. Maar de werkdruk is hoog."
    assert dict(explain(text, "nl"))["fijne"] == 0.5


def test_though_concedes_inside_a_sentence_and_contrasts_at_its_end() -> None:
    assert label("I feel supported, though the hours are bad.", "en") == "positive"
    assert label("Great colleagues. Terrible pay, though.", "en") == "negative"


def test_alleen_maar_is_no_contrast() -> None:
    assert label("Ik kan dit alleen maar aanraden.") == "positive"
    assert label("Het eten was lekker, alleen de bediening was traag.") == "negative"


def test_excess_te_and_too() -> None:
    assert label("te druk") == "negative"
    assert label("Er zijn te weinig mensen") == "negative"
    assert label("We have too many meetings", "en") == "negative"
    assert score_text("te traag", "nl") < score_text("traag", "nl")


def test_suggestions_are_neutral() -> None:
    assert label("Graag een goede training voor iedereen") == "neutral"
    assert label("Standing desks would be nice.", "en") == "neutral"
    assert label("Less paperwork please.", "en") == "neutral"


def test_wishes_are_not_praise() -> None:
    assert label("Meer waardering graag") != "positive"
    assert label("Het zou fijn zijn als er meer overleg was") != "positive"
    assert label("More recognition from management please", "en") != "positive"
    assert label("It would be nice to have better tools", "en") != "positive"
    # A recommendation in the conditional is no wish.
    assert label("Ik zou het iedereen aanraden") == "positive"


def test_exclamation_marks_strengthen() -> None:
    assert score_text("Goed!!", "nl") > score_text("Goed", "nl") > 0
    assert score_text("Slecht!", "nl") < score_text("Slecht", "nl") < 0


def test_dutch_comments_borrow_english_words() -> None:
    assert label("De sfeer is echt toxic") == "negative"
    assert label("Super happy met mijn team") == "positive"
    assert label("Een kind kan de was doen") == "neutral"  # "kind" is Dutch for child


def test_compounds_and_negating_prefixes() -> None:
    assert label("klantvriendelijk") == "positive"
    assert label("onvriendelijk") == "negative"
    assert label("onprettige sfeer") == "negative"
    assert label("unhelpful", "en") == "negative"
    assert label("non-supportive", "en") == "negative"
    assert label("niet-collegiaal") == "negative"


def test_empty_and_placeholder_only_text_is_neutral() -> None:
    results = comment_sentiment(
        ["", "   ", "[naam]", "[naam] [e-mail]", "De vergadering"], ["nl"] * 5
    )
    assert results == [Sentiment("neutral", 0.0)] * 5


def test_scores_stay_between_minus_one_and_one() -> None:
    text = "geweldig fantastisch super top uitstekend perfect " * 20
    assert 0.9 < score_text(text, "nl") <= 1.0
    assert -1.0 <= score_text("terrible awful toxic " * 20, "en") < -0.9


def test_explain_names_the_words_that_decided() -> None:
    tokens = dict(explain("niet goed, maar prima", "nl"))
    assert tokens["goed"] < 0 < tokens["prima"]


def test_one_language_per_comment_is_needed() -> None:
    with pytest.raises(ValueError, match="one language per comment"):
        comment_sentiment(["goed"], [])


def test_shares_per_theme_sum_to_one_and_count_only_assigned_comments() -> None:
    assignments = ["a", "a", "a", "b", None, None]
    labels = ["positive", "negative", "negative", "neutral", "positive", "positive"]
    shares = sentiment_shares(assignments, labels, ["a", "b", "c"])
    assert shares["a"] == {"positive": 0.3333, "neutral": 0.0, "negative": 0.6667, "n": 3}
    assert shares["b"] == {"positive": 0.0, "neutral": 1.0, "negative": 0.0, "n": 1}
    assert shares["c"] == {"positive": 0.0, "neutral": 0.0, "negative": 0.0, "n": 0}
    for theme in ("a", "b"):
        assert sum(shares[theme][name] for name in LABELS) == pytest.approx(1.0, abs=1e-3)


def test_shares_accept_sentiment_objects_and_check_lengths() -> None:
    sentiments = comment_sentiment(["goed", "slecht"], ["nl", "nl"])
    assert sentiment_shares(["a", "a"], sentiments, ["a"])["a"]["positive"] == 0.5
    with pytest.raises(ValueError, match="one sentiment label per comment"):
        sentiment_shares(["a"], [], ["a"])
    with pytest.raises(ValueError, match="not in theme_ids"):
        sentiment_shares(["b"], ["positive"], ["a"])
