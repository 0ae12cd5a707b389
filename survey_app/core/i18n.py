"""Translations (gettext catalogues in Dutch and English), the language of a request, and
numbers written the way that language writes them."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from survey_app.core.settings import SUPPORTED_LANGUAGES

LOCALE_DIR = Path(__file__).parent.parent / "locale"
LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
MINUS = "\u2212"

current_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_language", default="nl"
)


@functools.cache
def translations(language: str) -> Translations:
    """The catalogue for ``language``, compiled in memory from its .po file."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


@contextlib.contextmanager
def using_language(language: str) -> Iterator[None]:
    """``language`` as the current one for a while: a file rendered outside a request (an
    export at the command line) speaks the language asked for, not the run's."""
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


_ = gettext


def translate(message: str, params: Mapping[str, Any] | None = None) -> str:
    """``message`` (an English msgid marked with `N_`) in the current language, filled in.

    A translation whose placeholders no longer match its parameters still says something:
    the English text, filled in, or as it is when even that cannot be filled in.
    """
    params = params or {}
    for text in (gettext(message), message):
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            continue
    return message


def choose_language(requested: str | None, cookie: str | None, default: str) -> str:
    """An explicit choice (query parameter), then the remembered one, then the default."""
    for candidate in (requested, cookie):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    return default


def round_half_away(value: float, decimals: int) -> Decimal:
    """``value`` with ``decimals`` decimals, half away from zero (not to even), never -0."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def _notation(rounded: Decimal, language: str) -> str:
    text = f"{abs(rounded):f}"
    if language == "nl":
        text = text.replace(".", ",")
    return MINUS + text if rounded < 0 else text


def format_number(value: float, decimals: int = 0, language: str | None = None) -> str:
    """ "72,5" in Dutch, "72.5" in English (default: the current language), rounded half away
    from zero, with a minus sign (U+2212) rather than a hyphen before a negative number."""
    return _notation(round_half_away(value, decimals), language or current_language.get())


def format_signed(value: float, decimals: int = 0, language: str | None = None) -> str:
    """A difference or change as shown: "+0,3", "−2", and "0" where it rounds to zero."""
    rounded = round_half_away(value, decimals)
    sign = "+" if rounded > 0 else ""
    return sign + _notation(rounded, language or current_language.get())
