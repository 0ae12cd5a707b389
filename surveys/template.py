"""A survey as it is sent out (`Template`): its sections of bank questions, the scales it
reports and the self-identification categories it asks; a wave keeps it as a snapshot."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from surveys.errors import DefinitionError
from surveys.model import SNAPSHOT_FORMAT, Bilingual, Question, Scale, Section
from surveys.self_identification import SelfIdCategory, load_self_identification


@dataclass(frozen=True)
class Template:
    """A survey as it is sent out: ordered sections of bank questions and the scales it reports."""

    key: str
    version: int
    kind: str
    title_i18n: Bilingual
    intro_i18n: Bilingual
    sections: tuple[Section, ...]
    scales: tuple[Scale, ...] = ()
    # The self-identification categories asked (with consent); in a template file the
    # ones it offers, in a wave's snapshot the ones chosen for that wave.
    self_identification: tuple[SelfIdCategory, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_i18n.get(lang)

    def intro(self, lang: str) -> str:
        return self.intro_i18n.get(lang)

    @property
    def questions(self) -> tuple[Question, ...]:
        """All questions in the order they are asked."""
        return tuple(question for section in self.sections for question in section.questions)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(f"template {self.key!r} has no question {key!r}")

    @property
    def self_identification_keys(self) -> tuple[str, ...]:
        return tuple(category.key for category in self.self_identification)

    def with_self_identification(
        self,
        keys: Sequence[str],
        *,
        categories: Mapping[str, SelfIdCategory] | None = None,
    ) -> Template:
        """This template asking the self-identification categories `keys` (none for an
        empty list), in the order of `categories` (default: the shipped
        self_identification.toml).

        An unknown key raises DefinitionError naming it and the known keys. Whether the
        template offers a category is for the caller to check (a wave's snapshot keeps
        only the chosen ones).
        """
        if categories is None:
            categories = load_self_identification()
        unknown = [key for key in keys if key not in categories]
        if unknown:
            raise DefinitionError(
                [
                    f"self-identification: unknown category {key!r} "
                    f"(expected one of {', '.join(categories)})"
                    for key in unknown
                ]
            )
        chosen = set(keys)
        return dataclasses.replace(
            self,
            self_identification=tuple(
                category for key, category in categories.items() if key in chosen
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot holding everything needed to rebuild this template."""
        return {
            "format": SNAPSHOT_FORMAT,
            "key": self.key,
            "version": self.version,
            "kind": self.kind,
            "title": self.title_i18n.to_dict(),
            "intro": self.intro_i18n.to_dict(),
            "sections": [
                {
                    "heading": section.heading_i18n.to_dict(),
                    "questions": [question.to_dict() for question in section.questions],
                }
                for section in self.sections
            ],
            "scales": [scale.to_dict() for scale in self.scales],
            "self_identification": [category.to_dict() for category in self.self_identification],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Template:
        """Rebuild a template from `to_dict()` output (e.g. a snapshot stored with a wave)."""
        if data.get("format") != SNAPSHOT_FORMAT:
            raise DefinitionError([f"template snapshot: unsupported format {data.get('format')!r}"])
        try:
            return cls(
                key=data["key"],
                version=data["version"],
                kind=data["kind"],
                title_i18n=Bilingual.from_dict(data["title"]),
                intro_i18n=Bilingual.from_dict(data["intro"]),
                sections=tuple(
                    Section(
                        heading_i18n=Bilingual.from_dict(section["heading"]),
                        questions=tuple(Question.from_dict(q) for q in section["questions"]),
                    )
                    for section in data["sections"]
                ),
                scales=tuple(Scale.from_dict(scale) for scale in data["scales"]),
                # Snapshots from before issue 16 have no self-identification.
                self_identification=tuple(
                    SelfIdCategory.from_dict(category)
                    for category in data.get("self_identification", ())
                ),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise DefinitionError([f"template snapshot: malformed ({error!r})"]) from error
