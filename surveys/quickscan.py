"""The Quick Scan's definition: the self-assessment's questions, the signals they can show,
and the conversation guide (`surveys/data/quickscan.toml`). Pure Python.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveys.errors import DefinitionError
from surveys.loader import build_question, load_bank
from surveys.model import Bank, Bilingual, LabelSet, Question, Section

DEFAULT_PATH = Path(__file__).parent / "data" / "quickscan.toml"
PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Condition:
    """One test on one answer."""

    question: str
    at_most: int | None = None
    at_least: int | None = None

    def holds(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if self.at_most is not None and value > self.at_most:
            return False
        return self.at_least is None or value >= self.at_least


@dataclass(frozen=True)
class Signal:
    key: str
    title: Bilingual
    explanation: Bilingual
    conditions: tuple[Condition, ...]
    questions: tuple[Bilingual, ...]
    company_doctor: bool

    def inputs(self) -> frozenset[str]:
        return frozenset(condition.question for condition in self.conditions)

    def fires(self, answers: Mapping[str, object]) -> bool:
        """All conditions hold; False when an input is missing or not a number."""
        return all(
            condition.question in answers and condition.holds(answers[condition.question])
            for condition in self.conditions
        )


@dataclass(frozen=True)
class GuideStep:
    heading: Bilingual
    questions: tuple[Bilingual, ...]


@dataclass(frozen=True)
class QuickScanForm:
    key: str
    version: int
    title: Bilingual
    intro: Bilingual
    privacy_notice: Bilingual
    company_doctor: Bilingual
    sections: tuple[Section, ...]
    topics: tuple[str, ...]
    signals: tuple[Signal, ...]
    guide: tuple[GuideStep, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(question for section in self.sections for question in section.questions)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    def signals_for(self, answers: Mapping[str, object]) -> tuple[Signal, ...]:
        return tuple(signal for signal in self.signals if signal.fires(answers))

    def visible_signals(
        self, answers: Mapping[str, object], shared: Iterable[str]
    ) -> tuple[Signal, ...]:
        """Firing signals whose inputs are all shared: a signal never reveals an answer the
        employee did not share."""
        shown = frozenset(shared)
        return tuple(signal for signal in self.signals_for(answers) if signal.inputs() <= shown)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def bilingual(self, value: Any, place: str) -> Bilingual:
        if not (isinstance(value, dict) and isinstance(value.get("nl"), str)):
            self.problems.append(f"{self.file}: {place}: expected {{ nl = ..., en = ... }}")
            return Bilingual("", "")
        if not isinstance(value.get("en"), str) or not value["nl"] or not value["en"]:
            self.problems.append(f"{self.file}: {place}: needs Dutch and English text")
            return Bilingual("", "")
        return Bilingual(nl=value["nl"], en=value["en"])

    def texts(self, value: Any, place: str) -> tuple[Bilingual, ...]:
        if not isinstance(value, list):
            self.problems.append(f"{self.file}: {place}: expected a list")
            return ()
        return tuple(self.bilingual(item, f"{place}[{index}]") for index, item in enumerate(value))


def _label_sets(reader: _Reader, data: Any, bank: Bank) -> Bank:
    sets = dict(bank.label_sets)
    for key, labels in (data or {}).items():
        texts = [reader.bilingual(labels.get(str(n)), f"label_sets.{key}.{n}") for n in range(1, 6)]
        sets[key] = LabelSet(key=key, labels=tuple(texts))  # type: ignore[arg-type]
    return dataclasses.replace(bank, label_sets=sets)


def _questions(reader: _Reader, data: list, bank: Bank) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for index, table in enumerate(data):
        try:
            question = build_question(table, bank=bank)
        except DefinitionError as error:
            reader.problems.extend(
                f"{reader.file}: questions[{index}]: {p}" for p in error.problems
            )
            continue
        found[question.key] = question
    return found


def _signal(reader: _Reader, table: dict, questions: Mapping[str, Question]) -> Signal:
    key = str(table.get("key", ""))
    place = f"signal {key!r}"
    conditions = []
    for item in table.get("conditions") or []:
        condition = Condition(
            question=str(item.get("question", "")),
            at_most=item.get("at_most"),
            at_least=item.get("at_least"),
        )
        question = questions.get(condition.question)
        if question is None or not question.is_numeric:
            reader.problems.append(
                f"{reader.file}: {place}: no scored question {condition.question!r}"
            )
        conditions.append(condition)
    if not conditions:
        reader.problems.append(f"{reader.file}: {place}: needs at least one condition")
    return Signal(
        key=key,
        title=reader.bilingual(table.get("title"), f"{place}: title"),
        explanation=reader.bilingual(table.get("explanation"), f"{place}: explanation"),
        conditions=tuple(conditions),
        questions=reader.texts(table.get("questions", []), f"{place}: questions"),
        company_doctor=bool(table.get("company_doctor", False)),
    )


def _load(path: Path, bank: Bank | None) -> QuickScanForm:
    reader = _Reader(path.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DefinitionError([f"{path.name}: {error}"]) from None
    base = bank if bank is not None else load_bank()
    inline = _questions(
        reader, data.get("questions", []), _label_sets(reader, data.get("label_sets"), base)
    )
    questions = {**base.questions, **inline}
    sections = []
    for index, table in enumerate(data.get("sections", [])):
        chosen = []
        for key in table.get("questions", []):
            if key in questions:
                # Every question of the Quick Scan may be left out (the bank's included).
                chosen.append(dataclasses.replace(questions[key], required=False))
            else:
                reader.problems.append(f"{path.name}: sections[{index}]: unknown question {key!r}")
        heading = reader.bilingual(table.get("heading"), f"sections[{index}]: heading")
        sections.append(Section(heading_i18n=heading, questions=tuple(chosen)))
    asked = {question.key for section in sections for question in section.questions}
    topics = tuple(data.get("topics", []))
    for key in topics:
        if key not in asked or not questions[key].is_numeric:
            reader.problems.append(
                f"{path.name}: topics: {key!r} is no scored question of the form"
            )
    signals = tuple(_signal(reader, table, questions) for table in data.get("signals", []))
    for signal in signals:
        for key in signal.inputs() - asked:
            reader.problems.append(f"{path.name}: signal {signal.key!r}: {key!r} is not asked")
    guide = tuple(
        GuideStep(
            heading=reader.bilingual(table.get("heading"), f"guide[{index}]: heading"),
            questions=reader.texts(table.get("questions", []), f"guide[{index}]: questions"),
        )
        for index, table in enumerate(data.get("guide", []))
    )
    form = QuickScanForm(
        key=str(data.get("key", "quickscan")),
        version=int(data.get("version", 1)),
        title=reader.bilingual(data.get("title"), "title"),
        intro=reader.bilingual(data.get("intro"), "intro"),
        privacy_notice=reader.bilingual(data.get("privacy_notice"), "privacy_notice"),
        company_doctor=reader.bilingual(data.get("company_doctor"), "company_doctor"),
        sections=tuple(sections),
        topics=topics,
        signals=signals,
        guide=guide,
    )
    if reader.problems:
        raise DefinitionError(reader.problems)
    return form


@functools.lru_cache(maxsize=1)
def _default() -> QuickScanForm:
    return _load(DEFAULT_PATH, None)


def load_quickscan(path: PathLike | None = None, *, bank: Bank | None = None) -> QuickScanForm:
    """The Quick Scan (default: surveys/data/quickscan.toml, read once); a bad file raises
    `DefinitionError` with every problem."""
    if path is None and bank is None:
        return _default()
    return _load(Path(path) if path is not None else DEFAULT_PATH, bank)
