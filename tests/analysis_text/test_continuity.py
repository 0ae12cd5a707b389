"""Discovered themes keep their id (and label) from one wave to the next."""

from __future__ import annotations

import random

import pytest

from analysis.text.continuity import KnownTheme, KnownThemes, continue_themes, theme_number
from analysis.text.themes import ThemeAnalysis, analyze_themes

# Three topics outside any workplace taxonomy, each with its own words.
KITCHEN = ["koffieapparaat", "vaatwasser", "koelkast", "magnetron", "waterkoker", "theedoeken"]
OUTING = ["bedrijfsuitje", "kerstborrel", "barbecue", "personeelsfeest", "bowlen", "sinterklaas"]
GARDEN = ["bloembakken", "moestuin", "vijver", "tuinbank", "plantenbak", "binnentuin"]


def wave(seed: int, **topics: int) -> list[str]:
    """``count`` comments per topic, each with three of its words."""
    rng = random.Random(seed)
    pools = {"kitchen": KITCHEN, "outing": OUTING, "garden": GARDEN}
    comments = []
    for topic, count in topics.items():
        for _ in range(count):
            a, b, c = rng.sample(pools[topic], 3)
            comments.append(f"De {a} en de {b}, en ook de {c}.")
    rng.shuffle(comments)
    return comments


def theme_of(analysis: ThemeAnalysis, words: list[str]) -> str:
    """The id of the discovered theme whose terms are these words."""
    (found,) = [t for t in analysis.themes if set(t.terms) & set(words)]
    return found.id


def analyze(texts: list[str], previous: KnownThemes | None = None) -> ThemeAnalysis:
    return analyze_themes(texts, taxonomy=None, n_themes=2, previous=previous)


@pytest.fixture(scope="module")
def waves() -> tuple[ThemeAnalysis, ThemeAnalysis, ThemeAnalysis]:
    # Two themes per wave (the number is not what this is about: see test_discover.py).
    first = analyze(wave(1, kitchen=40, outing=25))
    second = analyze(wave(2, outing=40, garden=25), first.known)
    third = analyze(wave(3, kitchen=30, garden=30), second.known)
    return first, second, third


def test_a_discovered_theme_reappears_next_wave_under_the_same_id_and_label(waves) -> None:  # type: ignore[no-untyped-def]
    first, second, _ = waves
    outing = theme_of(first, OUTING)
    assert theme_of(second, OUTING) == outing
    label = {t.id: t.label for t in first.themes}[outing]
    assert {t.id: t.label for t in second.themes}[outing] == label


def test_without_the_history_the_same_theme_would_get_another_id() -> None:
    # The largest theme is numbered 1: the outing theme is 2 in the first wave, 1 here.
    alone = analyze(wave(2, outing=40, garden=25))
    assert theme_of(alone, OUTING) == "discovered-1"


def test_a_new_theme_gets_a_number_never_used_before(waves) -> None:  # type: ignore[no-untyped-def]
    first, second, _ = waves
    garden = theme_of(second, GARDEN)
    assert garden not in {t.id for t in first.themes}
    assert theme_number(garden) == 3


def test_a_theme_that_skipped_a_wave_gets_its_id_back(waves) -> None:  # type: ignore[no-untyped-def]
    first, second, third = waves
    assert theme_of(third, KITCHEN) == theme_of(first, KITCHEN)
    assert theme_of(third, GARDEN) == theme_of(second, GARDEN)
    assert {t.id for t in third.known.themes} == {"discovered-1", "discovered-2", "discovered-3"}


def test_known_themes_survive_a_round_trip_through_json(waves) -> None:  # type: ignore[no-untyped-def]
    known = waves[2].known
    assert KnownThemes.from_json(known.to_json()) == known


@pytest.mark.parametrize(
    "data",
    [
        {"themes": "x"},
        {"themes": [{"id": "workload", "label": "", "terms": []}]},
        {"themes": [{"id": "discovered-1", "terms": [1]}]},
        {"language": "de", "themes": []},
    ],
)
def test_malformed_known_themes_are_refused(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        KnownThemes.from_json(data)


def test_different_words_are_a_new_theme_and_a_changed_label_is_not_kept() -> None:
    known = KnownThemes(
        (KnownTheme("discovered-4", "Vijver, moestuin", ("vijver", "moestuin", "tuinbank")),),
        "nl",
    )
    result = continue_themes(
        [["kerstborrel", "bowlen"], ["moestuin", "tuinbank", "bloembakken"]],
        ["Kerstborrel, bowlen", "Moestuin, tuinbank"],
        "nl",
        known,
    )
    assert result.ids == ["discovered-5", "discovered-4"]
    # "vijver" is no longer among the theme's words, so the old label does not apply.
    assert result.labels == [None, None]
    assert [t.label for t in result.known.themes] == ["Moestuin, tuinbank", "Kerstborrel, bowlen"]
