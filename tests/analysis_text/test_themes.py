"""The whole theme pipeline: redaction first, taxonomy and discovery, quotes, determinism."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from analysis.gate import DEFAULT_K_COMMENTS
from analysis.text.discover import tfidf
from analysis.text.redact import Directory
from analysis.text.themes import (
    analyze_themes,
    comment_counts,
    common_terms,
    representative_quotes,
)
from analysis.text.tokens import SurfaceForms, content_tokens, stem

TAXONOMY_COMMENTS = [
    "De werkdruk is te hoog, Jan de Vries belt me op 06-12345678.",
    "Mijn leidinggevende geeft weinig waardering.",
    "Het zaaksysteem is traag.",
    "The VPN does not work from home.",
    "Te weinig flexplekken op kantoor.",
]
# Comments the workplace taxonomy does not cover: two clear topics for discovery.
PARKING = ["parkeergarage", "fietsenrek", "laadpaal", "slagboom", "parkeervergunning"]
CITIZENS = ["inwoners", "balie", "loket", "wachtrij", "afspraken"]


def other_comments(seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    comments = []
    for words in (PARKING, CITIZENS) * 20:
        chosen = rng.sample(words, 3)
        comments.append(f"De {chosen[0]} en de {chosen[1]} bij de {chosen[2]}.")
    return comments


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    texts = [*TAXONOMY_COMMENTS, "", *other_comments()]
    return analyze_themes(texts, directory=Directory(["Jan de Vries"]))


def test_one_assignment_per_comment_in_order(analysis) -> None:  # type: ignore[no-untyped-def]
    assert len(analysis.assignments) == len(TAXONOMY_COMMENTS) + 1 + 40
    assert analysis.assignments[:6] == [
        "workload", "manager", "ict", "ict", "hybrid_work", None
    ]  # fmt: skip


def test_uncovered_comments_form_discovered_themes(analysis) -> None:  # type: ignore[no-untyped-def]
    discovered = [t for t in analysis.themes if t.source == "discovered"]
    assert [t.id for t in discovered] == ["discovered-1", "discovered-2"]
    assert sorted(t.size for t in discovered) == [20, 20]
    words = {word for t in discovered for word in t.terms}
    assert words & set(PARKING) and words & set(CITIZENS)
    # Labels are surface words, not stems ("parkeergarag" is the stem).
    assert all(" " not in word or word in t.terms for t in discovered for word in t.terms)
    assert any(
        "inwoners" in t.label or "loket" in t.label or "balie" in t.label for t in discovered
    )


def test_taxonomy_themes_have_stable_ids_and_dutch_labels(analysis) -> None:  # type: ignore[no-untyped-def]
    by_id = {t.id: t for t in analysis.themes}
    assert by_id["workload"].label == "Werkdruk"
    # One comment on workload, fewer than the comment minimum: its words are not shown.
    assert by_id["workload"].size == 1 and by_id["workload"].terms == []
    assert by_id["pay"].size == 0 and by_id["pay"].quotes == []
    assert analysis.language == "nl"
    assert analysis.languages[3] == "en"


def test_quotes_are_redacted(analysis) -> None:  # type: ignore[no-untyped-def]
    assert {t.id: t.quotes for t in analysis.themes}["workload"] == []  # one comment only
    workload = [
        "De werkdruk is te hoog, Jan de Vries belt me op 06-12345678.",
        "Werkdruk is hoog, mail jan.devries@gemeente.nl maar.",
        "De werkdruk is enorm, er is te veel werk.",
        "Werkdruk, werkdruk en nog eens werkdruk.",
        "Door de werkdruk kom ik niet aan mijn taken toe.",
    ]
    result = analyze_themes(workload, directory=Directory(["Jan de Vries"]))
    theme = {t.id: t for t in result.themes}["workload"]
    assert theme.size == 5 and theme.terms == ["werkdruk"]
    assert 1 <= len(theme.quotes) <= 3
    everything = str(result.to_json()) + str(analysis.to_json())
    assert "Vries" not in everything and "12345678" not in everything
    assert "gemeente.nl" not in everything


def test_a_taxonomy_theme_shows_a_word_inside_a_longer_term_only_as_that_term() -> None:
    # "senior" and "management" are terms of their own as well; inside "senior management"
    # they are not matched, so not shown either.
    texts = [
        "Senior management never visits us",
        "senior management should visit the depot",
        "I never see senior management here",
        "Senior management is far away",
        "senior management does not listen",
    ]
    result = analyze_themes(texts, language="en", discover=False)
    theme = {t.id: t for t in result.themes}["senior_leadership"]
    assert theme.size == 5 and theme.terms == ["senior management"]


def test_a_small_group_s_own_words_do_not_become_a_theme() -> None:
    """Three comments about a cemetery among many others: no theme speaks their words."""
    others = other_comments()
    small = [
        "De graafmachine op de begraafplaats is weer kapot.",
        "Graafmachine kapot, begraafplaats onbereikbaar.",
        "Die graafmachine bij de begraafplaats moet vervangen.",
    ]
    # Five themes asked for: without the rule, one of them is the cemetery team's own.
    result = analyze_themes([*others, *small], n_themes=5)
    shown = " ".join(t.label + " " + " ".join(t.terms) for t in result.themes).lower()
    assert "graafmachine" not in shown and "begraafplaats" not in shown
    assert all(t.size >= 5 for t in result.themes if t.source == "discovered")


def test_same_input_same_output(analysis) -> None:  # type: ignore[no-untyped-def]
    again = analyze_themes(
        [*TAXONOMY_COMMENTS, "", *other_comments()], directory=Directory(["Jan de Vries"])
    )
    assert again.to_json() == analysis.to_json()


def test_taxonomy_off_discovers_only() -> None:
    result = analyze_themes(other_comments(), taxonomy=None)
    assert {t.source for t in result.themes} == {"discovered"}


def test_small_collection_gets_no_quotes() -> None:
    result = analyze_themes(["De werkdruk is hoog.", "Werkdruk!"], comment_minimum=5)
    assert result.assignments == ["workload", "workload"]
    assert all(t.quotes == [] for t in result.themes)


def test_bad_language_is_refused() -> None:
    with pytest.raises(ValueError, match="auto, nl or en"):
        analyze_themes(["x"], language="de")


def test_quotes_closest_to_centroid_deduplicated_shortest_first() -> None:
    texts = ["koffie op", "Koffie  op", "koffie koffie op", "koffie thee", "iets anders"]
    matrix, _ = tfidf([t.lower().split() for t in texts], min_df=1)
    import numpy as np

    quotes = representative_quotes(texts, np.array([0, 1, 2, 3]), matrix)
    assert quotes[0] == "koffie op"
    assert len(quotes) == 3
    assert len({q.casefold() for q in quotes}) == 3


# --- Words below the comment minimum: neither a label nor a term -------------------------

MINIMUM = DEFAULT_K_COMMENTS


def with_divorce(count: int, places: Sequence[str]) -> list[str]:
    """`other_comments` with ``count`` of them about a divorce ("scheiding") at ``places``.

    Short comments that tie the rare word to a theme's own words (the pair "scheiding
    balie"), which put it into the label of a large theme before the rule.
    """
    texts = other_comments()
    for i in range(count):
        place = places[i % len(places)]
        # Even comments are about parking, odd ones about citizens: keep each in its topic.
        index = 2 * i if place in PARKING else 2 * i + 1
        texts[index] = f"De scheiding bij de {place}."
    return texts


def shown_words(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(t.label + " " + " ".join(t.terms) for t in result.themes).lower()


@pytest.mark.parametrize(("minimum", "places"), [(MINIMUM, ["balie"]), (8, ["balie", "slagboom"])])
def test_a_word_of_fewer_commenters_than_the_minimum_is_in_no_label_or_term(
    minimum: int, places: list[str]
) -> None:
    # minimum - 1 comments; without the rule "scheiding" labels a theme in both cases.
    result = analyze_themes(with_divorce(minimum - 1, places), comment_minimum=minimum)
    assert "scheiding" not in shown_words(result)
    # The themes themselves are still there, labelled with the words many people wrote,
    # and quotes (whole redacted comments, a separate path) are still chosen.
    discovered = [t for t in result.themes if t.source == "discovered"]
    assert sorted(t.size for t in discovered) == [20, 20]
    assert all(t.label and t.terms and t.quotes for t in discovered)


def test_a_word_of_exactly_the_minimum_of_commenters_may_label_a_theme() -> None:
    result = analyze_themes(with_divorce(MINIMUM, ["balie"]), comment_minimum=MINIMUM)
    labels = [t.label.lower() for t in result.themes if t.source == "discovered"]
    assert any("scheiding" in label for label in labels)


def test_a_higher_comment_minimum_hides_more() -> None:
    texts = with_divorce(MINIMUM, ["balie"])
    assert "scheiding" in shown_words(analyze_themes(texts, comment_minimum=MINIMUM))
    assert "scheiding" not in shown_words(analyze_themes(texts, comment_minimum=MINIMUM + 1))


def test_a_name_without_title_below_the_minimum_is_not_shown() -> None:
    texts = other_comments()
    for i in range(MINIMUM - 1):  # not in the directory and without a title: not redacted
        texts[2 * i + 1] = "Bolkestein-Vermeulen bij de balie."
    assert "bolkestein" not in shown_words(analyze_themes(texts, comment_minimum=MINIMUM))


FRUIT = ["appels", "peren", "bananen", "kiwi's", "mango's", "pruimen", "druiven", "citroenen"]


def test_a_discovered_theme_without_a_shared_word_gets_an_empty_label() -> None:
    """Eight comments in a theme of their own, each fruit written by four of them."""
    fruit = [", ".join(FRUIT[(j + i) % 8] for i in range(4)).capitalize() + "." for j in range(8)]
    result = analyze_themes([*other_comments(), *fruit], n_themes=3, taxonomy=None)
    (theme,) = set(result.assignments[-8:])
    fruit_theme = {t.id: t for t in result.themes}[theme]
    assert fruit_theme.size == 8
    assert fruit_theme.label == "" and fruit_theme.terms == []
    assert not set(FRUIT) & set(shown_words(result).replace(",", " ").split())
    # The theme still counts its comments; the other themes keep their words.
    assert all(t.label for t in result.themes if t is not fruit_theme)


def test_common_terms_count_comments_not_occurrences() -> None:
    comments = [
        *["Scheiding scheiding scheiding, de balie."] * 2,  # often, but by two people
        *["De balie en het loket."] * 3,
    ]
    documents = [content_tokens(text, "nl") for text in comments]
    surface = SurfaceForms()
    for tokens in documents:
        surface.add(tokens)
    counts = comment_counts(documents)
    terms = [stem("scheiding", "nl"), stem("balie", "nl"), stem("loket", "nl")]
    assert counts[terms[0]] == 2 and counts[terms[1]] == 5
    assert common_terms(terms, counts, surface, 5) == {terms[1]: "balie"}
    assert common_terms(terms, counts, surface, 3) == {terms[1]: "balie", terms[2]: "loket"}
    assert list(common_terms(terms, counts, surface, 2)) == terms


def test_a_spelling_of_fewer_commenters_than_the_minimum_is_not_shown() -> None:
    """Five people wrote "flexplek", one of them "flexplekken" often: "flexplek" is shown.

    One stem can join different words, so the word shown must itself be shared.
    """
    comments = ["Flexplekken, " * 6 + "en een flexplek."]
    comments += ["Geen flexplek vrij."] * 4
    documents = [content_tokens(text, "nl") for text in comments]
    surface = SurfaceForms()
    for tokens in documents:
        surface.add(tokens)
    term = stem("flexplekken", "nl")
    assert surface.readable(term) == "flexplekken"  # the most frequent word
    assert common_terms([term], comment_counts(documents), surface, 5) == {term: "flexplek"}
    assert common_terms([term], comment_counts(documents), surface, 6) == {}


def test_an_alderman_named_by_many_reaches_no_theme() -> None:
    """The demo attack, with more commenters than the minimum: the name is redacted first."""
    texts = other_comments()
    for i in range(MINIMUM + 1):
        texts[2 * i + 1] = "Wethouder Bolkestein-Vermeulen bij de balie, mevrouw de Groot ook."
    result = analyze_themes(texts, comment_minimum=MINIMUM)
    everything = str(result.to_json()).lower()
    assert "bolkestein" not in everything and "vermeulen" not in everything
    assert "groot" not in everything
    quotes = [quote for theme in result.themes for quote in theme.quotes]
    assert any("Wethouder [naam]" in quote for quote in quotes)


@pytest.mark.parametrize(("members", "quoted"), [(4, False), (5, True)])
def test_quotes_appear_at_the_comment_minimum_and_not_one_below(members: int, quoted: bool) -> None:
    """The edge of the comment minimum (5): a theme of 4 comments shows no quote, one of 5
    does."""
    workload = [f"De werkdruk is te hoog in week {n}, veel te veel werk." for n in range(members)]
    other = [f"Het salaris is te laag, de beloning moet omhoog ({n})." for n in range(10)]
    analysis = analyze_themes(workload + other, comment_minimum=5)
    theme = next(t for t in analysis.themes if t.id == "workload")
    assert theme.size == members
    assert bool(theme.quotes) is quoted
