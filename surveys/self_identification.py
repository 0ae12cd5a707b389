"""The self-identification categories (surveys/data/self_identification.toml): their model
and their loading.

The categories are defined once, apart from the bank: they are not questions of the
survey (they are asked only with consent and stored without a link to the answers' group
beyond the anonymous response), and a template only names the ones it offers.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveys.errors import DefinitionError
from surveys.model import Bilingual, Option
from surveys.schema import (
    Problems,
    check_fields,
    describe,
    expect_table,
    read_bilingual,
    read_key,
    read_options,
    read_toml,
)

SELF_ID_PATH = Path(__file__).parent / "data" / "self_identification.toml"

# Form fields of self-identification answers are named with this prefix and the category key.
SELF_ID_FIELD_PREFIX = "self_id_"


@dataclass(frozen=True)
class SelfIdCategory:
    """A self-identification question (e.g. age band): asked only with the respondent's
    consent, stored apart from any identity and used only for inclusion figures.

    "I'd rather not say" is not one of `options`: the form always adds it and it is
    stored as nothing.
    """

    key: str
    text_i18n: Bilingual
    help_i18n: Bilingual | None
    options: tuple[Option, ...]

    def text(self, lang: str) -> str:
        return self.text_i18n.get(lang)

    def help(self, lang: str) -> str | None:
        return None if self.help_i18n is None else self.help_i18n.get(lang)

    @property
    def field_name(self) -> str:
        """The form field that carries this category's answer."""
        return SELF_ID_FIELD_PREFIX + self.key

    def option(self, key: str) -> Option | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text_i18n.to_dict(),
            "help": None if self.help_i18n is None else self.help_i18n.to_dict(),
            "options": [option.to_dict() for option in self.options],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SelfIdCategory:
        return cls(
            key=data["key"],
            text_i18n=Bilingual.from_dict(data["text"]),
            help_i18n=None if data.get("help") is None else Bilingual.from_dict(data["help"]),
            options=tuple(Option.from_dict(option) for option in data["options"]),
        )


def load_self_identification(
    path: str | os.PathLike[str] | None = None,
) -> dict[str, SelfIdCategory]:
    """The self-identification categories by key, in the file's order.

    Default: the shipped file (read once). Raises DefinitionError listing every problem.
    """
    if path is None:
        return dict(_shipped())
    return _load(Path(path))


@functools.cache
def _shipped() -> dict[str, SelfIdCategory]:
    return _load(SELF_ID_PATH)


def _load(path: Path) -> dict[str, SelfIdCategory]:
    problems = Problems()
    categories: dict[str, SelfIdCategory] = {}
    document = read_toml(path, problems)
    if document is not None and check_fields(
        document, path.name, problems, required=("categories",)
    ):
        value = document["categories"]
        if not isinstance(value, list) or not value:
            problems.add(
                path.name, f"categories: expected one or more [[categories]], got {describe(value)}"
            )
        else:
            for number, item in enumerate(value, start=1):
                category = _category(path.name, number, item, categories, problems)
                if category is not None:
                    categories[category.key] = category
    if problems:
        raise DefinitionError(problems.messages)
    return categories


def _category(
    file: str, number: int, value: Any, seen: dict[str, SelfIdCategory], problems: Problems
) -> SelfIdCategory | None:
    place = f"{file}: category #{number}"
    table = expect_table(value, place, problems)
    if table is None:
        return None
    key = read_key(table["key"], place, problems) if "key" in table else None
    if key is not None:
        place = f"{file}: category '{key}'"
    complete = check_fields(
        table, place, problems, required=("key", "text", "options"), optional=("help",)
    )
    if key is None or not complete:
        return None
    if key in seen:
        problems.add(place, "duplicate key (already defined earlier in this file)")
        return None
    text = read_bilingual(table["text"], place, "text", problems)
    help_text = read_bilingual(table["help"], place, "help", problems) if "help" in table else None
    options = read_options(table["options"], place, problems)
    if text is None or options is None or ("help" in table and help_text is None):
        return None
    return SelfIdCategory(key=key, text_i18n=text, help_i18n=help_text, options=options)
