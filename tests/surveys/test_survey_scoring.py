"""Scoring rules: favourable ranges, reverse-scored items, scale scores and bands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from surveys import ValueRange, load_bank

BANK = """
[label_sets.agreement]
1 = { nl = "Helemaal oneens", en = "Strongly disagree" }
2 = { nl = "Oneens", en = "Disagree" }
3 = { nl = "Neutraal", en = "Neutral" }
4 = { nl = "Eens", en = "Agree" }
5 = { nl = "Helemaal eens", en = "Strongly agree" }

[[questions]]
key = "enjoy"
type = "likert"
labels = "agreement"
text = { nl = "Plezier", en = "Enjoy" }

[[questions]]
key = "tired"
type = "likert"
labels = "agreement"
text = { nl = "Moe", en = "Tired" }

[[questions]]
key = "strict"
type = "likert"
labels = "agreement"
favourable = [5, 5]
unfavourable = [1, 3]
text = { nl = "Streng", en = "Strict" }

[[questions]]
key = "recommend"
type = "scale"
text = { nl = "Aanbevelen", en = "Recommend" }
min_label = { nl = "Nee", en = "No" }
max_label = { nl = "Ja", en = "Yes" }

[[questions]]
key = "pain"
type = "scale"
favourable = [8, 10]
unfavourable = [0, 5]
text = { nl = "Pijn", en = "Pain" }
min_label = { nl = "Geen", en = "None" }
max_label = { nl = "Veel", en = "A lot" }

[[scales]]
key = "mood"
name = { nl = "Stemming", en = "Mood" }
items = ["enjoy", "-tired", "strict"]
min_answered = 2

[[scales]]
key = "comfort"
name = { nl = "Comfort", en = "Comfort" }
items = ["-pain"]
min_answered = 1
bands = [
    { min_score = 0, label = { nl = "Slecht", en = "Poor" } },
    { min_score = 6, label = { nl = "Matig", en = "Moderate" } },
    { min_score = 8, label = { nl = "Goed", en = "Good" } },
]
"""


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    path = tmp_path_factory.mktemp("bank") / "bank.toml"
    path.write_text(BANK, encoding="utf-8")
    return load_bank(path)


def sentiments(question) -> list[str]:
    return [
        question.sentiment(value) for value in range(question.min_value, question.max_value + 1)
    ]


def test_likert_default_ranges(bank):
    enjoy = bank.questions["enjoy"]
    assert (enjoy.favourable, enjoy.unfavourable) == (ValueRange(4, 5), ValueRange(1, 2))
    assert sentiments(enjoy) == [
        "unfavourable",
        "unfavourable",
        "neutral",
        "favourable",
        "favourable",
    ]


def test_scale_default_ranges_are_the_promoter_split(bank):
    recommend = bank.questions["recommend"]
    assert sentiments(recommend) == ["unfavourable"] * 7 + ["neutral"] * 2 + ["favourable"] * 2


def test_ranges_overridden_per_question(bank):
    assert sentiments(bank.questions["strict"]) == [
        "unfavourable",
        "unfavourable",
        "unfavourable",
        "neutral",
        "favourable",
    ]


def test_a_reverse_scored_item_is_flagged_in_the_scale_and_on_the_question(bank):
    mood = bank.scales["mood"]
    assert [item.reverse for item in mood.items] == [False, True, False]
    assert mood.is_reversed("tired")
    assert bank.questions["tired"].reverse_scored
    assert not bank.questions["enjoy"].reverse_scored


def test_a_reverse_scored_likert_item_flips_its_favourable_range(bank):
    tired = bank.questions["tired"]
    assert tired.favourable == ValueRange(4, 5)  # as written, in the scored direction
    assert tired.favourable_answers() == ValueRange(1, 2)
    assert tired.unfavourable_answers() == ValueRange(4, 5)
    assert sentiments(tired) == [
        "favourable",
        "favourable",
        "neutral",
        "unfavourable",
        "unfavourable",
    ]
    assert [tired.scored(value) for value in range(1, 6)] == [5, 4, 3, 2, 1]


def test_a_reverse_scored_0_to_10_item_flips_an_overridden_range(bank):
    pain = bank.questions["pain"]
    assert pain.favourable_answers() == ValueRange(0, 2)
    assert pain.unfavourable_answers() == ValueRange(5, 10)
    assert [pain.sentiment(v) for v in (0, 2, 3, 4, 5, 10)] == [
        "favourable",
        "favourable",
        "neutral",
        "neutral",
        "unfavourable",
        "unfavourable",
    ]
    assert pain.scored(0) == 10


def test_value_range_mirrored():
    assert ValueRange(4, 5).mirrored(1, 5) == ValueRange(1, 2)
    assert ValueRange(9, 10).mirrored(0, 10) == ValueRange(0, 1)
    assert ValueRange(3, 3).mirrored(1, 5) == ValueRange(3, 3)


def test_scale_score_is_the_mean_of_scored_items(bank):
    mood = bank.scales["mood"]
    assert mood.score({"enjoy": 5, "tired": 1, "strict": 2}) == pytest.approx(4.0)
    assert mood.score({"enjoy": 4, "tired": 4}) == pytest.approx(3.0)


def test_scale_score_follows_the_minimum_answered_rule(bank):
    mood = bank.scales["mood"]
    assert mood.score({"enjoy": 5}) is None
    assert mood.score({"enjoy": 5, "tired": None, "other": 3}) is None


def test_bands_cover_scores_from_their_minimum_to_the_next(bank):
    comfort = bank.scales["comfort"]
    assert comfort.min_value == 0 and comfort.max_value == 10
    labels = {score: comfort.band_for(score).label("en") for score in (0, 5.9, 6, 7.99, 8, 10)}
    assert labels == {
        0: "Poor",
        5.9: "Poor",
        6: "Moderate",
        7.99: "Moderate",
        8: "Good",
        10: "Good",
    }
    assert comfort.band_for(comfort.score({"pain": 1})).label("nl") == "Goed"
    assert bank.scales["mood"].band_for(3.0) is None


def test_shipped_work_ability_bands_match_the_published_cut_offs():
    work_ability = load_bank().scales["work_ability"]
    names = [work_ability.band_for(score).label("en") for score in range(11)]
    assert names == ["Poor"] * 6 + ["Moderate"] * 2 + ["Good"] * 2 + ["Excellent"]


def test_the_surveys_package_imports_nothing_from_the_web_or_database():
    code = (
        "import sys, surveys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'survey_app', 'analysis', 'litestar', 'piccolo', 'msgspec', 'jinja2'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"
