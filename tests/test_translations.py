"""The Dutch and English catalogues: complete for the code as it is now, placeholders intact."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = PROJECT_ROOT / "survey_app" / "locale"
LANGUAGES = ["nl", "en"]
# The same keywords as `pybabel extract -k _ -k gettext -k ngettext:1,2 -k N_` (./dev i18n);
# N_ marks messages translated later, where they are shown (survey_app.core.errors).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# {name}, {name:>3}, %(name)d, %(name)s, ... as (kind, name).
PLACEHOLDER = re.compile(r"\{([^{}:!]*)[^{}]*\}|%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


@functools.cache
def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@functools.cache
def extracted() -> dict[str, str | tuple[str, str]]:
    """Every message in the code and templates now, keyed by msgid, using babel.cfg's mapping."""
    with (PROJECT_ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    messages: dict[str, str | tuple[str, str]] = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(
        PROJECT_ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        messages[message[0] if isinstance(message, tuple) else message] = message
    return messages


def translations(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def placeholders(text: str) -> set[str]:
    return {brace or percent for brace, percent in PLACEHOLDER.findall(text)}


def test_extraction_finds_messages() -> None:
    messages = extracted()
    assert "Send my answers" in messages  # a template
    assert "The file is empty." in messages  # Python code, marked with N_
    assert "Enter a date as day, month and year." in messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_parses(language: str) -> None:
    assert len(catalog(language)) > 0
    assert str(catalog(language).locale) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated(language: str) -> None:
    missing, untranslated, not_plural = [], [], []
    for msgid, message in sorted(extracted().items()):
        entry = catalog(language).get(msgid)
        if entry is None:
            missing.append(msgid)
        elif not all(translations(entry)):
            untranslated.append(msgid)
        elif isinstance(message, tuple) and not entry.pluralizable:
            not_plural.append(msgid)
    assert not missing, f"not in the {language} catalogue (run pybabel update): {missing}"
    assert not untranslated, f"untranslated in the {language} catalogue: {untranslated}"
    assert not not_plural, f"plural in the code but not in the {language} catalogue: {not_plural}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language: str) -> None:
    wrong = []
    for entry in catalog(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        expected = set().union(*(placeholders(text) for text in ids))
        for text in translations(entry):
            if text and placeholders(text) != expected:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, f"placeholders differ in the {language} catalogue: {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_entries(language: str) -> None:
    assert not catalog(language).fuzzy, f"the {language} catalogue header is fuzzy"
    fuzzy = [entry.id for entry in catalog(language) if entry.id and entry.fuzzy]
    assert not fuzzy, f"fuzzy in the {language} catalogue: {fuzzy}"
