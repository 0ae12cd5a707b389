"""The shipped taxonomy and matching comments against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.text.taxonomy import load_taxonomy, match_taxonomy, parse_taxonomy
from analysis.text.tokens import content_tokens

EXPECTED_IDS = {
    "workload", "manager", "communication", "ict", "hybrid_work", "development", "pay",
    "inclusion", "collaboration", "facilities",
}  # fmt: skip


def test_shipped_taxonomy_has_the_workplace_themes_in_both_languages() -> None:
    taxonomy = load_taxonomy()
    assert {theme.id for theme in taxonomy.themes} == EXPECTED_IDS
    for theme in taxonomy.themes:
        assert theme.stems["nl"] and theme.stems["en"], theme.id
        assert theme.label("nl") and theme.label("en"), theme.id


def _match(texts: list[str], language: str = "nl") -> list[str | None]:
    taxonomy = load_taxonomy()
    matched = match_taxonomy(
        taxonomy, [content_tokens(t, language) for t in texts], [language] * len(texts)
    )
    return [taxonomy.themes[i].id if i is not None else None for i in matched]


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


def test_custom_taxonomy_file(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[[theme]]\nid = "x"\nlabel = { nl = "X" }\nnl = ["parkeren"]\n')
    assert [theme.id for theme in load_taxonomy(path).themes] == ["x"]
    path.write_text("not toml [")
    with pytest.raises(ValueError, match="cannot read taxonomy"):
        load_taxonomy(path)
