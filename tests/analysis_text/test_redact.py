"""Redaction: every placeholder type, directory names, and what must stay untouched."""

from __future__ import annotations

import pytest

from analysis.text.redact import Directory, is_valid_iban, passes_elfproef, redact

NAMES = ["Jan de Vries", "Fatima El Amrani", "Pieter Bakker", "Willem van der Meer", "Kees Jansen"]


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory(NAMES)


@pytest.mark.parametrize(
    "address", ["j.devries@beekhoven.nl", "Fatima.El-Amrani+hr@mail.example.org"]
)
def test_email(address: str) -> None:
    assert redact(f"Mail {address} even.") == "Mail [e-mail] even."


@pytest.mark.parametrize(
    "number",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "06 12345678",
        "+31 6 12345678",
        "+31612345678",
        "+31 (0)6 12345678",
        "0031 6 12345678",
        "020-1234567",
        "020 123 4567",
        "(020) 123 45 67",
        "0513-123456",
        "+31 20 1234567",
    ],
)
def test_dutch_phone_numbers(number: str) -> None:
    assert redact(f"Bel {number} vandaag") == "Bel [telefoon] vandaag"


def test_elfproef() -> None:
    assert passes_elfproef("111222333")
    assert passes_elfproef("123456782")
    assert not passes_elfproef("123456789")
    assert not passes_elfproef("000000000")


@pytest.mark.parametrize("bsn", ["123456782", "1234.56.782", "123 456 782", "12345672"])
def test_bsn_passing_elfproef(bsn: str) -> None:
    # 12345672 is 012345672 without its leading zero.
    assert redact(f"Mijn BSN is {bsn}.") == "Mijn BSN is [bsn]."


def test_number_failing_elfproef_stays() -> None:
    assert redact("Zaaknummer 123456789 is dicht.") == "Zaaknummer 123456789 is dicht."


@pytest.mark.parametrize(
    "iban", ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300"]
)
def test_iban_with_and_without_spaces(iban: str) -> None:
    assert redact(f"Stort op {iban} graag.") == "Stort op [iban] graag."


def test_iban_failing_mod_97_stays() -> None:
    assert not is_valid_iban("NL12ABNA0417164300")
    assert redact("Code NL12ABNA0417164300.") == "Code NL12ABNA0417164300."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik woon in 1234 AB 12.", "Ik woon in [adres]."),
        ("Postcode 2345CD, 7a graag", "Postcode [adres] graag"),
        ("Dorpsstraat 12a, 1234 AB Beekhoven", "[adres] Beekhoven"),
        ("Kom naar de Stationsweg 3.", "Kom naar de [adres]."),
    ],
)
def test_postcode_and_house_number(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_years_amounts_and_dates_stay() -> None:
    text = "In 2024 en 2025 kreeg ik € 1500 minder, sinds 12-03-2026 en om 14.30 uur."
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan de Vries helpt altijd.", "[naam] helpt altijd."),
        ("jan de vries helpt altijd.", "[naam] helpt altijd."),
        ("Vraag het aan jansen.", "Vraag het aan [naam]."),
        ("Fatima el Amrani en Willem van der Meer", "[naam] en [naam]"),
        ("Overleg met Van der Meer.", "Overleg met [naam]."),
        # One typo in a name of five letters or more, adjacent swaps included.
        ("Fatma el Amrani, Wilem en Jnasen.", "[naam], [naam] en [naam]."),
    ],
)
def test_directory_names(directory: Directory, text: str, expected: str) -> None:
    assert redact(text, directory) == expected


def test_tussenvoegsel_alone_is_never_redacted(directory: Directory) -> None:
    assert redact("De vergadering van de afdeling", directory) == "De vergadering van de afdeling"


def test_names_that_are_ordinary_words(directory: Directory) -> None:
    # "Bakker" (baker) and "Meer" (more/lake): only as a name when context says so.
    assert redact("De bakker in de kantine is dicht.", directory) == (
        "De bakker in de kantine is dicht."
    )
    assert redact("Meer werk, minder mensen.", directory) == "Meer werk, minder mensen."
    assert redact("Ik sprak Bakker gisteren.", directory) == "Ik sprak [naam] gisteren."
    assert redact("pieter bakker zei het.", directory) == "[naam] zei het."


def test_ordinary_word_is_no_typo_of_a_name(directory: Directory) -> None:
    # "willen" is one letter from "Willem", but a Dutch word.
    assert redact("Wij willen meer overleg.", directory) == "Wij willen meer overleg."


def test_all_placeholders_in_one_comment(directory: Directory) -> None:
    text = (
        "Kees Jansen (k.jansen@beekhoven.nl, 06-12345678, BSN 123456782, "
        "NL91ABNA0417164300, 1234 AB 5) vindt de werkdruk te hoog."
    )
    assert redact(text, directory) == (
        "[naam] ([e-mail], [telefoon], BSN [bsn], [iban], [adres]) vindt de werkdruk te hoog."
    )


def test_directory_keeps_only_name_parts() -> None:
    directory = Directory(["Anne-Marie Jansen-van Dijk"])
    assert {"anne", "marie", "jansen", "dijk"} <= directory.parts
    assert "van" not in directory.parts
    assert redact("Anne-Marie van Dijk belde.", directory) == "[naam] belde."


# --- Names outside the directory: after a title, and initialled names --------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("De wethouder Bolkestein-Vermeulen kwam langs.", "De wethouder [naam] kwam langs."),
        ("Wethouder Bolkestein-Vermeulen kwam langs.", "Wethouder [naam] kwam langs."),
        ("Ik sprak mevrouw de Groot.", "Ik sprak mevrouw [naam]."),
        ("meneer J.P. van den Berg belde", "meneer [naam] belde"),
        ("collega Pieter helpt altijd", "collega [naam] helpt altijd"),
        ("burgemeester Van Dijk en raadslid El Amrani", "burgemeester [naam] en raadslid [naam]"),
        ("Met dhr. Jansen en mw. Pietersen.", "Met dhr. [naam] en mw. [naam]."),
        ("Mevr. A.B.C. de Wit en mijnheer O'Brien", "Mevr. [naam] en mijnheer [naam]"),
        ("de heer Van der Meer-de Vries", "de heer [naam]"),
        ("mr. drs. J. Jansen, ir. Smit, prof. Yılmaz", "mr. drs. [naam], ir. [naam], prof. [naam]"),
        ("mijn buurvrouw Fatma en mijn zoon Daan", "mijn buurvrouw [naam] en mijn zoon [naam]"),
        ("oud-wethouder Van 't Hart", "oud-wethouder [naam]"),
        ("wethouder Jansen en Pietersen kwamen", "wethouder [naam] en [naam] kwamen"),
        ("dhr. J. kwam niet", "dhr. [naam] kwam niet"),
        ("Dr. A. Jones and my wife Sarah", "Dr. [naam] and my wife [naam]"),
        ("collega Wil zei het", "collega [naam] zei het"),  # a stop word that is a name
    ],
)
def test_names_after_a_title_are_redacted_without_a_directory(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("J. de Vries belde.", "[naam] belde."),
        ("Volgens A.B. Jansen klopt het.", "Volgens [naam] klopt het."),
        ("Ik mailde J.P.M. van den Berg", "Ik mailde [naam]"),
        ("Vraag het K. Öztürk.", "Vraag het [naam]."),
    ],
)
def test_initials_before_a_surname_are_a_name(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "De Wethouder heeft gesproken.",
        "Mevrouw, ik wil iets zeggen.",
        "Collega's zijn fijn.",
        "De collega's van Burgerzaken helpen.",  # a plural is a group, not a person
        "Mijn collega. Pieter vond dat ook.",  # a full stop ends a written-out title
        "Mijn collega is ziek.",
        "Mijn moeder in Amsterdam is ziek.",
        "Mijn collega Ik weet het niet.",
        "De manager ICT is weg.",  # all capitals: an abbreviation, not a name
        "N.B. Neem contact op. P.S. Bedankt!",
        "Plan B. Daarna ging het mis.",
        "the man I met",
        "Vries en Groot zijn geen namen hier.",  # capitalised, but after no title
        "Jan v.d. Berg",  # a tussenvoegsel is not an initial; no directory here
    ],
)
def test_ordinary_text_with_titles_and_capitals_stays(text: str) -> None:
    assert redact(text) == text


def test_after_a_title_the_safe_side_wins() -> None:
    """A capitalised word after a title is taken for a name, even a department's."""
    assert redact("Ik heb de collega van Burgerzaken gebeld.") == (
        "Ik heb de collega [naam] gebeld."
    )
    assert redact("type A. Mensen") == "type [naam]"  # one initial before a capital


def test_titled_name_and_directory_together(directory: Directory) -> None:
    assert redact("collega Pieter Bakker en wethouder Bolkestein", directory) == (
        "collega [naam] en wethouder [naam]"
    )
    assert redact("Jan de Vries en mevrouw Bolkestein-Vermeulen", directory) == (
        "[naam] en mevrouw [naam]"
    )
