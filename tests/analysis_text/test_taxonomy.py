"""The shipped taxonomy and matching comments against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.text.taxonomy import load_taxonomy, match_taxonomy, parse_taxonomy
from analysis.text.tokens import content_tokens

# The codebook's 18 themes; the first ten are the ids of the first taxonomy (trends over
# waves follow the id, so none of them may go).
EXPECTED_IDS = [
    "workload", "staffing", "manager", "recognition", "senior_leadership", "communication",
    "strategy", "culture", "collaboration", "ict", "facilities", "hybrid_work", "development",
    "career", "pay", "job_security", "inclusion", "safety",
]  # fmt: skip
FIRST_IDS = {
    "workload", "manager", "communication", "ict", "hybrid_work", "development", "pay",
    "inclusion", "collaboration", "facilities",
}  # fmt: skip

# One plain comment per theme and language, as employees write them.
TYPICAL = {
    "workload": ("De werkdruk is niet vol te houden, ik maak veel overuren.",
                 "The workload is unmanageable and I am always doing overtime."),
    "staffing": ("Vacatures blijven maanden openstaan en we zijn onderbezet.",
                 "We are short-staffed because vacancies are never filled."),
    "manager": ("Mijn leidinggevende is nooit aanspreekbaar.",
                "My line manager micromanages everything."),
    "recognition": ("Ik krijg nooit een compliment, er is geen waardering.",
                    "I never feel appreciated or recognised for the extra effort."),
    "senior_leadership": ("De directie staat ver van de werkvloer.",
                          "Senior leadership is invisible and out of touch."),
    "communication": ("Besluiten worden slecht uitgelegd, alles gaat via de wandelgangen.",
                      "Decisions are not explained and communication is poor."),
    "strategy": ("Het is onduidelijk welke koers de organisatie vaart, er is geen visie.",
                 "There is no clear vision or strategy for the organisation."),
    "culture": ("De cultuur is hiërarchisch en de sfeer is slecht.",
                "The culture here is toxic and morale is low."),
    "collaboration": ("De samenwerking met andere afdelingen verloopt stroef.",
                      "Collaboration between departments is hampered by silos."),
    "ict": ("Het zaaksysteem loopt steeds vast.",
            "The laptop crashes and the VPN keeps dropping."),
    "facilities": ("De ventilatie in het gebouw is slecht en het is er te warm.",
                   "The building is noisy and the chairs are uncomfortable."),
    "hybrid_work": ("Ik wil graag twee dagen thuiswerken.",
                    "I prefer working from home three days a week."),
    "development": ("Er is geen budget voor opleidingen en cursussen.",
                    "There is no budget for training courses."),
    "career": ("Er zijn geen doorgroeimogelijkheden, ik zit vast in mijn loopbaan.",
               "There is no career progression and promotions are rare."),
    "pay": ("Het salaris is te laag voor de verantwoordelijkheid.",
            "The pay is too low and the pension contributions went up."),
    "job_security": ("Door de reorganisatie weet ik niet of ik mijn baan houd.",
                     "The restructuring makes me worried about redundancy."),
    "inclusion": ("Ik ben gepest door collega's en durf niets te zeggen.",
                  "I have experienced bullying and discrimination in my team."),
    "safety": ("Aan de balie hebben we te maken met agressie en bedreigingen.",
               "Staff at the front desk face aggression and threats from the public."),
}  # fmt: skip


def test_shipped_taxonomy_has_the_codebook_themes_in_both_languages() -> None:
    taxonomy = load_taxonomy()
    assert [theme.id for theme in taxonomy.themes] == EXPECTED_IDS
    assert set(EXPECTED_IDS) >= FIRST_IDS
    for theme in taxonomy.themes:
        assert theme.stems["nl"] and theme.stems["en"], theme.id
        assert theme.label("nl") and theme.label("en"), theme.id


def _match(texts: list[str], language: str = "nl") -> list[str | None]:
    taxonomy = load_taxonomy()
    matched = match_taxonomy(
        taxonomy, [content_tokens(t, language) for t in texts], [language] * len(texts)
    )
    return [taxonomy.themes[i].id if i is not None else None for i in matched]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_typical_comment_of_each_theme_finds_it(language: str) -> None:
    texts = [pair[0 if language == "nl" else 1] for pair in TYPICAL.values()]
    assert _match(texts, language) == list(TYPICAL)


def test_terms_moved_to_the_new_themes() -> None:
    assert _match(["Weinig waardering", "De directie", "Geen visie", "Weer een reorganisatie",
                   "Veel vacatures", "Agressie van klanten"]) == [
        "recognition", "senior_leadership", "strategy", "job_security", "staffing", "safety"
    ]  # fmt: skip
    assert _match(["No recognition", "Senior management", "No vision", "Another reorganisation",
                   "Understaffed", "Aggression from customers"], "en") == [
        "recognition", "senior_leadership", "strategy", "job_security", "staffing", "safety"
    ]  # fmt: skip


def test_a_word_inside_a_longer_matched_term_does_not_count_on_its_own() -> None:
    # Theme "a" has "management", theme "b" "senior management" (terms match in any word
    # order). Counted inside the longer term as well, "management" would tie with it at the
    # same position, and the tie would go to "a" (listed first).
    taxonomy = parse_taxonomy(
        {
            "theme": [
                {
                    "id": "a",
                    "label": {"nl": "A", "en": "A"},
                    "nl": ["vergaderen"],
                    "en": ["management"],
                },
                {
                    "id": "b",
                    "label": {"nl": "B", "en": "B"},
                    "nl": ["salaris"],
                    "en": ["senior management"],
                },
            ]
        }
    )
    for text, expected in [("Management, senior, never visits", "b"), ("Management", "a")]:
        (matched,) = match_taxonomy(taxonomy, [content_tokens(text, "en")], ["en"])
        assert taxonomy.themes[matched].id == expected


def test_english_management_and_manager_are_different_words() -> None:
    # Snowball stems both to "manag"; the manager is one person, management the body.
    assert _match(["My manager never visits"], "en") == ["manager"]
    assert _match(["The management never visits"], "en") == ["senior_leadership"]


def test_english_it_in_capitals_is_information_technology() -> None:
    assert _match(["IT support takes weeks to answer"], "en") == ["ict"]
    assert _match(["It takes weeks to get an answer"], "en") == [None]


def test_inflected_forms_match_through_stems() -> None:
    assert _match(["De laptops zijn traag", "Te weinig flexplekken", "Het salaris"]) == [
        "ict", "hybrid_work", "pay"
    ]  # fmt: skip


def test_english_comments_match_english_terms() -> None:
    assert _match(["My laptop keeps crashing", "No training budget"], "en") == [
        "ict", "development"
    ]  # fmt: skip


def test_no_match_is_none() -> None:
    assert _match(["De planten zijn mooi"]) == [None]


def test_rarer_term_wins_when_a_comment_touches_two_themes() -> None:
    # "druk" is in every comment here, "collega's" in one: collaboration wins that one.
    texts = ["Het is druk", "Het is weer druk", "Druk druk", "Fijne collega's als het druk is"]
    assert _match(texts)[-1] == "collaboration"


def test_the_theme_named_first_outweighs_one_mentioned_later() -> None:
    # "werkdruk" and "salaris" are equally rare here: the one the comment opens with wins,
    # whichever theme is listed first in the taxonomy.
    texts = [
        "De werkdruk is hoog en het salaris is laag",
        "Het salaris is laag en de werkdruk hoog",
    ]
    assert _match(texts) == ["workload", "pay"]


def test_multiword_terms_match_in_either_order() -> None:
    assert _match(["We helpen elkaar altijd"]) == ["collaboration"]


def test_shared_term_between_themes_is_rejected() -> None:
    data = {
        "theme": [
            {"id": "a", "label": {"nl": "A"}, "nl": ["kantoor"], "en": []},
            {"id": "b", "label": {"nl": "B"}, "nl": ["kantoren"], "en": []},
        ]
    }
    with pytest.raises(ValueError, match="in both 'a' and 'b'"):
        parse_taxonomy(data)


def test_a_term_in_other_word_order_is_the_same_term() -> None:
    # Terms match their words in any order: in two themes it would be a coin toss, and
    # twice in one theme it would count twice.
    data = {
        "theme": [
            {"id": "a", "label": {"en": "A"}, "en": ["home working"]},
            {"id": "b", "label": {"en": "B"}, "en": ["working from home"]},
        ]
    }
    with pytest.raises(ValueError, match="in both 'a' and 'b'"):
        parse_taxonomy(data)
    data["theme"][0]["en"] = ["home working", "working from home"]
    assert parse_taxonomy({"theme": data["theme"][:1]}).themes[0].stems["en"] == (("home", "work"),)


def test_custom_taxonomy_file(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[[theme]]\nid = "x"\nlabel = { nl = "X" }\nnl = ["parkeren"]\n')
    assert [theme.id for theme in load_taxonomy(path).themes] == ["x"]
    path.write_text("not toml [")
    with pytest.raises(ValueError, match="cannot read taxonomy"):
        load_taxonomy(path)
