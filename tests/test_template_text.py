"""Templates hold no user-facing text outside gettext.

Every Jinja expression and statement is replaced by a placeholder; what remains is the
template's own HTML. Its text nodes and the attributes people read (``alt``, ``title``,
``aria-label``, ``placeholder``, ``value`` of input buttons) must then contain no words.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

from tests.helpers import PROJECT_ROOT

TEMPLATES = sorted((PROJECT_ROOT / "templates").rglob("*.html"))
# Not translated on purpose: the product's name.
ALLOWED_WORDS = {"Klankbord"}
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-placeholder"}
PLACEHOLDER = "\x00"
WORD = re.compile(r"[^\W\d_]{2,}")


def without_jinja(source: str) -> str:
    """The template's literal text, each Jinja construct replaced by a placeholder."""
    environment = Environment(extensions=["jinja2.ext.i18n"])
    pieces: list[str] = []
    for _line, token_type, value in environment.lex(source):
        if token_type == "data":
            pieces.append(value)
        elif token_type in {"variable_begin", "block_begin"}:
            pieces.append(PLACEHOLDER)
    return "".join(pieces)


class TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        # An input button's value is its caption; a radio button's, a checkbox's or a
        # <button>'s (its caption is its content) is never shown.
        shown_value = tag == "input" and dict(attrs).get("type") in {"submit", "button", "reset"}
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (shown_value and name == "value")):
                self.found.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.found.append(data)


def untranslated_words(source: str) -> list[str]:
    collector = TextCollector()
    collector.feed(without_jinja(source))
    words: list[str] = []
    for text in collector.found:
        words += [
            word
            for word in WORD.findall(text.replace(PLACEHOLDER, " "))
            if word not in ALLOWED_WORDS
        ]
    return words


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT_ROOT))
)
def test_template_text_goes_through_gettext(template: Path) -> None:
    assert untranslated_words(template.read_text(encoding="utf-8")) == []


def test_the_check_finds_literal_text_and_readable_attributes() -> None:
    planted = (
        '<h1>{{ _("Welcome") }}</h1><p>Welkom terug</p>'
        '<img alt="Logo van de gemeente" src="x.png">'
        '<a href="/x" title="{{ _("Go") }}">{{ name }}</a>'
    )
    assert untranslated_words(planted) == ["Welkom", "terug", "Logo", "van", "de", "gemeente"]
    assert untranslated_words('<p>{% if x %}{{ _("Yes") }}{% endif %} – Klankbord</p>') == []
