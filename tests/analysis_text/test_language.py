"""Language per comment: Dutch or English, mixed collections."""

from __future__ import annotations

import pytest

from analysis.text.language import detect_language, detect_languages, majority_language


@pytest.mark.parametrize(
    "text",
    [
        "De werkdruk is al maanden te hoog.",
        "Thuiswerken bevalt goed",
        "Fijne collega's!",
        "Het zaaksysteem valt vaak uit.",
        "Niet goedkoop!",
    ],
)
def test_dutch(text: str) -> None:
    assert detect_language(text) == "nl"


@pytest.mark.parametrize(
    "text",
    [
        "The workload is far too high.",
        "My laptop is slow and the VPN keeps failing",
        "Too many meetings",
        "I don't feel welcome in this team.",
        "Great manager",
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


def test_nothing_to_go_on_gives_the_default() -> None:
    assert detect_language("", default="nl") == "nl"
    assert detect_language("123 !!", default="en") == "en"


def test_mixed_collection_and_majority() -> None:
    languages = detect_languages(["De koffie is op.", "The coffee is gone.", "Het is druk."])
    assert languages == ["nl", "en", "nl"]
    assert majority_language(languages) == "nl"
    assert majority_language(["en", "nl"], default="en") == "en"


def test_comments_without_function_words_follow_the_collection() -> None:
    texts = ["Werkdruk!", "De werkdruk is hoog.", "Great manager", "Het is druk."]
    assert detect_languages(texts) == ["nl", "nl", "nl", "nl"]
    assert detect_languages(["Werkdruk!", "The workload is high."]) == ["en", "en"]
