"""The survey definition model: questions, scales and sections as frozen values; the survey
as sent out is `surveys.template.Template`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

LANGUAGES = ("nl", "en")
QUESTION_TYPES = ("likert", "scale", "single_choice", "multiple_choice", "text")
NUMERIC_TYPES = ("likert", "scale")
CHOICE_TYPES = ("single_choice", "multiple_choice")
TEMPLATE_KINDS = ("pulse", "dig", "quickscan")

LIKERT_RANGE = (1, 5)
SCALE_RANGE = (0, 10)
TEXT_DEFAULT_MAX_LENGTH = 1000
TEXT_MAX_LENGTH_CAP = 5000

# Defaults follow common practice: the top two points of a five-point scale are
# favourable, and 0-10 items use the Net Promoter split (9-10 / 0-6).
DEFAULT_FAVOURABLE = {"likert": (4, 5), "scale": (9, 10)}
DEFAULT_UNFAVOURABLE = {"likert": (1, 2), "scale": (0, 6)}

# Bumped when the shape of Template.to_dict() changes, so old snapshots stay readable.
SNAPSHOT_FORMAT = 1

Sentiment = Literal["favourable", "neutral", "unfavourable"]


@dataclass(frozen=True)
class Bilingual:
    """A text in Dutch and English; both are always present and non-empty."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in `lang` ("nl" or "en")."""
        if lang == "nl":
            return self.nl
        if lang == "en":
            return self.en
        raise ValueError(f"unsupported language {lang!r} (expected one of nl, en)")

    def to_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Bilingual:
        return cls(nl=data["nl"], en=data["en"])


def _optional_text(text: Bilingual | None, lang: str) -> str | None:
    return None if text is None else text.get(lang)


def _optional_bilingual(data: Mapping[str, str] | None) -> Bilingual | None:
    return None if data is None else Bilingual.from_dict(data)


@dataclass(frozen=True)
class ValueRange:
    """An inclusive range of answer values, e.g. 4-5 on a five-point scale."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    def mirrored(self, minimum: int, maximum: int) -> ValueRange:
        """The same range seen from the other end of a `minimum`..`maximum` scale."""
        return ValueRange(minimum + maximum - self.high, minimum + maximum - self.low)

    def to_list(self) -> list[int]:
        return [self.low, self.high]

    @classmethod
    def from_list(cls, data: Sequence[int]) -> ValueRange:
        low, high = data
        return cls(low=low, high=high)


@dataclass(frozen=True)
class Option:
    """One answer option: a likert point, a 0-10 point or a choice."""

    key: str
    label_i18n: Bilingual | None = None

    def label(self, lang: str) -> str | None:
        """The option's label; None for the unlabelled middle points of a 0-10 scale."""
        return _optional_text(self.label_i18n, lang)

    def to_dict(self) -> dict[str, Any]:
        label = None if self.label_i18n is None else self.label_i18n.to_dict()
        return {"key": self.key, "label": label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        return cls(key=data["key"], label_i18n=_optional_bilingual(data["label"]))


@dataclass(frozen=True)
class LabelSet:
    """A named set of five likert labels (e.g. agreement, frequency), defined once in the bank."""

    key: str
    labels: tuple[Bilingual, Bilingual, Bilingual, Bilingual, Bilingual]


@dataclass(frozen=True)
class Question:
    """One question from the bank, with everything needed to ask, validate and score it.

    `favourable` and `unfavourable` are expressed in the scored direction (higher is
    better). For a reverse-scored question the ranges that apply to the raw answers are
    mirrored: see `favourable_answers` and `unfavourable_answers`.
    """

    key: str
    type: str
    text_i18n: Bilingual
    help_i18n: Bilingual | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    favourable: ValueRange | None = None
    unfavourable: ValueRange | None = None
    reverse_scored: bool = False
    label_set: str | None = None

    def text(self, lang: str) -> str:
        return self.text_i18n.get(lang)

    def help(self, lang: str) -> str | None:
        return _optional_text(self.help_i18n, lang)

    @property
    def is_numeric(self) -> bool:
        """True for likert and 0-10 questions, whose answers are numbers."""
        return self.type in NUMERIC_TYPES

    def option(self, key: str) -> Option | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    def scored(self, value: int) -> int:
        """The answer as it counts in scores: mirrored for a reverse-scored question."""
        if self.min_value is None or self.max_value is None:
            raise ValueError(f"question {self.key!r} has no numeric answers")
        if self.reverse_scored:
            return self.min_value + self.max_value - value
        return value

    def favourable_answers(self) -> ValueRange | None:
        """The raw answers that count as favourable (mirrored when reverse-scored)."""
        return self._answer_range(self.favourable)

    def unfavourable_answers(self) -> ValueRange | None:
        """The raw answers that count as unfavourable (mirrored when reverse-scored)."""
        return self._answer_range(self.unfavourable)

    def sentiment(self, value: int) -> Sentiment:
        """Classify a raw answer as favourable, neutral or unfavourable."""
        favourable, unfavourable = self.favourable_answers(), self.unfavourable_answers()
        if favourable is None or unfavourable is None:
            raise ValueError(f"question {self.key!r} has no favourable range")
        if value in favourable:
            return "favourable"
        if value in unfavourable:
            return "unfavourable"
        return "neutral"

    def _answer_range(self, scored_range: ValueRange | None) -> ValueRange | None:
        if scored_range is None or not self.reverse_scored:
            return scored_range
        assert self.min_value is not None and self.max_value is not None
        return scored_range.mirrored(self.min_value, self.max_value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "text": self.text_i18n.to_dict(),
            "help": None if self.help_i18n is None else self.help_i18n.to_dict(),
            "required": self.required,
            "options": [option.to_dict() for option in self.options],
            "min_value": self.min_value,
            "max_value": self.max_value,
            "max_length": self.max_length,
            "min_choices": self.min_choices,
            "max_choices": self.max_choices,
            "favourable": None if self.favourable is None else self.favourable.to_list(),
            "unfavourable": None if self.unfavourable is None else self.unfavourable.to_list(),
            "reverse_scored": self.reverse_scored,
            "label_set": self.label_set,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        favourable, unfavourable = data["favourable"], data["unfavourable"]
        return cls(
            key=data["key"],
            type=data["type"],
            text_i18n=Bilingual.from_dict(data["text"]),
            help_i18n=_optional_bilingual(data["help"]),
            required=data["required"],
            options=tuple(Option.from_dict(option) for option in data["options"]),
            min_value=data["min_value"],
            max_value=data["max_value"],
            max_length=data["max_length"],
            min_choices=data["min_choices"],
            max_choices=data["max_choices"],
            favourable=None if favourable is None else ValueRange.from_list(favourable),
            unfavourable=None if unfavourable is None else ValueRange.from_list(unfavourable),
            reverse_scored=data["reverse_scored"],
            label_set=data["label_set"],
        )


@dataclass(frozen=True)
class ScaleItem:
    """A question in a scale; `reverse` marks a reverse-scored (negatively worded) item."""

    question_key: str
    reverse: bool = False


@dataclass(frozen=True)
class Band:
    """A named score band: it covers scores from `min_score` up to the next band's."""

    min_score: float
    label_i18n: Bilingual

    def label(self, lang: str) -> str:
        return self.label_i18n.get(lang)


@dataclass(frozen=True)
class Scale:
    """An instrument: the mean of its items' scored answers, reported as one score."""

    key: str
    name_i18n: Bilingual
    items: tuple[ScaleItem, ...]
    min_answered: int
    min_value: int
    max_value: int
    bands: tuple[Band, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_i18n.get(lang)

    @property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(item.question_key for item in self.items)

    def is_reversed(self, question_key: str) -> bool:
        for item in self.items:
            if item.question_key == question_key:
                return item.reverse
        raise KeyError(f"question {question_key!r} is not an item of scale {self.key!r}")

    def score(self, numbers: Mapping[str, int | None]) -> float | None:
        """The mean scored answer of one respondent, or None below `min_answered`.

        `numbers` maps question keys to raw answers; missing or None means unanswered.
        """
        scored = []
        for item in self.items:
            value = numbers.get(item.question_key)
            if value is None:
                continue
            scored.append(self.min_value + self.max_value - value if item.reverse else value)
        if len(scored) < self.min_answered:
            return None
        return sum(scored) / len(scored)

    def band_for(self, score: float) -> Band | None:
        """The band a score falls in, or None when the scale has no bands."""
        found = None
        for band in self.bands:
            if score >= band.min_score:
                found = band
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name_i18n.to_dict(),
            "items": [("-" if item.reverse else "") + item.question_key for item in self.items],
            "min_answered": self.min_answered,
            "min_value": self.min_value,
            "max_value": self.max_value,
            "bands": [
                {"min_score": band.min_score, "label": band.label_i18n.to_dict()}
                for band in self.bands
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scale:
        return cls(
            key=data["key"],
            name_i18n=Bilingual.from_dict(data["name"]),
            items=tuple(parse_scale_item(item) for item in data["items"]),
            min_answered=data["min_answered"],
            min_value=data["min_value"],
            max_value=data["max_value"],
            bands=tuple(
                Band(min_score=band["min_score"], label_i18n=Bilingual.from_dict(band["label"]))
                for band in data["bands"]
            ),
        )


def parse_scale_item(item: str) -> ScaleItem:
    """Read a scale item as written in the bank: "key", or "-key" when reverse-scored."""
    if item.startswith("-"):
        return ScaleItem(question_key=item[1:], reverse=True)
    return ScaleItem(question_key=item)


@dataclass(frozen=True)
class Bank:
    """The question bank: label sets, questions and scales, each by key."""

    label_sets: Mapping[str, LabelSet] = field(default_factory=dict)
    questions: Mapping[str, Question] = field(default_factory=dict)
    scales: Mapping[str, Scale] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A titled group of questions, shown together on the form."""

    heading_i18n: Bilingual
    questions: tuple[Question, ...]

    def heading(self, lang: str) -> str:
        return self.heading_i18n.get(lang)
