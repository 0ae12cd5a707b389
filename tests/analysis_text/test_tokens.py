"""Tokens, stop words, Snowball stems and readable surface forms."""

from __future__ import annotations

import pytest

from analysis.text.stopwords import stop_words
from analysis.text.tokens import SurfaceForms, content_tokens, stem, words


def test_words_drop_placeholders_numbers_and_single_letters() -> None:
    assert words("Bel [naam] op [telefoon], 3 x per dag; e-mail ok") == [
        "bel", "op", "per", "dag", "e-mail", "ok"
    ]  # fmt: skip


def test_content_tokens_remove_stop_words_and_stem() -> None:
    tokens = content_tokens("De werkdruk is al maanden te hoog en de collega's vertrekken", "nl")
    assert [t.surface for t in tokens] == ["werkdruk", "hoog", "collega's", "vertrekken"]
    assert [t.stem for t in tokens] == ["werkdruk", "hog", "collega", "vertrek"]


def test_english_stems() -> None:
    assert [t.stem for t in content_tokens("The managers are working overtime", "en")] == [
        "manag", "work", "overtim"
    ]  # fmt: skip


def test_workplace_words_are_not_stop_words() -> None:
    assert {"work", "home", "system", "team", "office"}.isdisjoint(stop_words("en"))
    assert "samen" not in stop_words("nl")
    assert {"de", "het", "echt"} <= stop_words("nl")


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        stop_words("de")


def test_apostrophe_s_plural_stems_like_the_singular() -> None:
    assert stem("collega's", "nl") == stem("collega", "nl")


def test_surface_forms_pick_the_most_frequent_word() -> None:
    surface = SurfaceForms()
    surface.add(content_tokens("flexplekken flexplekken flexplek kantoor", "nl"))
    assert surface.readable(stem("flexplek", "nl")) == "flexplekken"
    assert surface.readable(f"{stem('flexplek', 'nl')} {stem('kantoor', 'nl')}") == (
        "flexplekken kantoor"
    )
    assert surface.readable("onbekend") == "onbekend"


def test_shared_surface_forms_count_comments_not_occurrences() -> None:
    surface = SurfaceForms()
    surface.add(content_tokens("flexplekken flexplekken flexplekken flexplekken", "nl"))
    for _ in range(2):
        surface.add(content_tokens("flexplek kantoor", "nl"))
    term = f"{stem('flexplek', 'nl')} {stem('kantoor', 'nl')}"
    assert surface.readable(term) == "flexplekken kantoor"  # four occurrences, one writer
    assert surface.shared(term, 2) == "flexplek kantoor"
    assert surface.shared(term, 3) is None  # "kantoor": two comments
    assert surface.shared("onbekend", 1) is None
