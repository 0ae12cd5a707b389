"""The Quick Scan's definition: the self-assessment's questions, the signals they can show,
and the conversation guide (`surveys/data/quickscan.toml`; FORMAT.md, "Quick Scan").

Pure Python. The file is checked like the bank and the templates: every problem is reported
with its file and place, unknown fields are errors, and the questions are built by the
bank's own rules (surveys/loader.py).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveys.answers import AnswerError, _form_values, _validate
from surveys.errors import DefinitionError
from surveys.loader import _BankBuilder, load_bank
from surveys.model import Bank, Bilingual, Question, Section
from surveys.schema import (
    Problems,
    check_fields,
    describe,
    did_you_mean,
    expect_table,
    read_bilingual,
    read_bool,
    read_int,
    read_key,
    read_string_list,
    read_toml,
)

DEFAULT_PATH = Path(__file__).parent / "data" / "quickscan.toml"
PathLike = str | os.PathLike[str]

_TEXTS = ("title", "intro", "privacy_notice", "company_doctor")
_REQUIRED = ("key", "version", *_TEXTS, "sections", "topics", "signals", "guide")
_OPTIONAL = ("label_sets", "questions")


@dataclass(frozen=True)
class Condition:
    """One test on one answer: at most and/or at least a number (both inclusive)."""

    question: str
    at_most: int | None = None
    at_least: int | None = None

    def holds(self, value: object) -> bool:
        """True when `value` is a number within the bounds; False for anything else."""
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if self.at_most is not None and value > self.at_most:
            return False
        return self.at_least is None or value >= self.at_least


@dataclass(frozen=True)
class Signal:
    """Something in the answers worth talking about: it fires when all conditions hold."""

    key: str
    title: Bilingual
    explanation: Bilingual
    conditions: tuple[Condition, ...]
    questions: tuple[Bilingual, ...]
    company_doctor: bool

    def inputs(self) -> frozenset[str]:
        """The question keys the conditions read."""
        return frozenset(condition.question for condition in self.conditions)

    def fires(self, answers: Mapping[str, object]) -> bool:
        """All conditions hold; False when an input is missing or not a number."""
        return all(
            condition.question in answers and condition.holds(answers[condition.question])
            for condition in self.conditions
        )


@dataclass(frozen=True)
class GuideStep:
    """One step of the conversation guide: a heading and questions to ask."""

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
        """Every question, in section order."""
        return tuple(question for section in self.sections for question in section.questions)

    def question(self, key: str) -> Question:
        """The question `key`; KeyError when the form does not ask it."""
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    def signal(self, key: str) -> Signal:
        """The signal `key`; KeyError when there is none."""
        for signal in self.signals:
            if signal.key == key:
                return signal
        raise KeyError(key)

    def signals_for(self, answers: Mapping[str, object]) -> tuple[Signal, ...]:
        """Every firing signal, in the file's order."""
        return tuple(signal for signal in self.signals if signal.fires(answers))

    def visible_signals(
        self, answers: Mapping[str, object], shared: Iterable[str]
    ) -> tuple[Signal, ...]:
        """Firing signals whose inputs are all shared: a signal never reveals an answer the
        employee did not share."""
        shown = frozenset(shared)
        return tuple(signal for signal in self.signals_for(answers) if signal.inputs() <= shown)

    def validate(
        self, form_values: Mapping[str, str] | Mapping[str, Sequence[str]]
    ) -> tuple[dict[str, int | str], dict[str, AnswerError]]:
        """Check submitted values (field name = question key; other fields are ignored).

        Every question is optional: a blank value is no answer. Returns the answers given,
        numbers as int and texts normalised, and the errors by question key with the codes
        of surveys.answers (not_a_number, out_of_range, too_long, invalid_text, ...).
        """
        answers: dict[str, int | str] = {}
        errors: dict[str, AnswerError] = {}
        for question in self.questions:
            values, error = _validate(question, _form_values(form_values, question.key))
            if error is not None:
                errors[question.key] = error
            for value in values:
                answers[question.key] = value.number if value.number is not None else value.text  # type: ignore[assignment]
        return answers, errors


@functools.lru_cache(maxsize=1)
def _default() -> QuickScanForm:
    return _load(DEFAULT_PATH, None)


def load_quickscan(path: PathLike | None = None, *, bank: Bank | None = None) -> QuickScanForm:
    """The Quick Scan (default: surveys/data/quickscan.toml, read once), its questions
    checked against `bank` (default: the shipped bank). A bad file raises
    `DefinitionError` listing every problem."""
    if path is None and bank is None:
        return _default()
    return _load(Path(path) if path is not None else DEFAULT_PATH, bank)


def _load(path: Path, bank: Bank | None) -> QuickScanForm:
    problems = Problems()
    document = read_toml(path, problems)
    if document is None:
        raise DefinitionError(problems.messages)
    form = _Reader(path.name, bank if bank is not None else load_bank(), problems).read(document)
    if problems or form is None:
        raise DefinitionError(problems.messages or [f"{path.name}: invalid"])
    return form


class _Reader:
    """Reads one Quick Scan document, recording every problem with its place."""

    def __init__(self, file: str, bank: Bank, problems: Problems) -> None:
        self.file = file
        self.bank = bank
        self.problems = problems
        self.questions: dict[str, Question] = dict(bank.questions)
        self.broken: set[str] = set()
        self.asked: dict[str, Question] = {}
        self.own: set[str] = set()

    def read(self, document: dict[str, Any]) -> QuickScanForm | None:
        file = self.file
        complete = check_fields(
            document, file, self.problems, required=_REQUIRED, optional=_OPTIONAL
        )
        self._own_questions(document)
        key = read_key(document["key"], file, self.problems) if "key" in document else None
        version = None
        if "version" in document:
            version = read_int(document["version"], file, "version", self.problems, minimum=1)
        texts = {name: self._bilingual(document, file, name) for name in _TEXTS}
        sections = self._sections(document.get("sections", []))
        topics = self._topics(document.get("topics", []))
        signals = self._signals(document.get("signals", []))
        guide = self._guide(document.get("guide", []))
        if not complete or self.problems or key is None or version is None:
            return None
        return QuickScanForm(
            key=key,
            version=version,
            sections=sections,
            topics=topics,
            signals=signals,
            guide=guide,
            **texts,  # type: ignore[arg-type]
        )

    # The form's own label sets and questions, in the bank's format

    def _own_questions(self, document: dict[str, Any]) -> None:
        builder = _BankBuilder(self.problems)
        label_sets = expect_table(
            document.get("label_sets", {}), f"{self.file}: label_sets", self.problems
        )
        for name in label_sets or {}:
            if name in self.bank.label_sets:
                self.problems.add(
                    f"{self.file}: label set '{name}'", "already defined in the question bank"
                )
        builder.label_sets = dict(self.bank.label_sets)
        builder.add_label_sets(self.file, label_sets or {})
        if "questions" in document:
            builder.add_questions(self.file, document["questions"])
        for name in builder.questions:
            if name in self.bank.questions:
                self.problems.add(
                    f"{self.file}: question '{name}'",
                    "already defined in the question bank (ask it by its key instead)",
                )
        self.broken = {
            name
            for kind, name in builder.defined_in
            if kind == "question" and name not in builder.questions
        }
        self.questions.update(builder.questions)
        self.own = set(builder.questions)

    # Sections, topics

    def _tables(self, value: Any, name: str) -> list[tuple[str, dict[str, Any]]]:
        """The `[[name]]` tables of the document with their places."""
        if not isinstance(value, list) or not value:
            self.problems.add(
                f"{self.file}: {name}",
                f"expected one or more [[{name}]] tables, got {describe(value)}",
            )
            return []
        found = []
        for number, item in enumerate(value, start=1):
            place = f"{self.file}: {name} #{number}"
            table = expect_table(item, place, self.problems)
            if table is not None:
                found.append((place, table))
        return found

    def _sections(self, value: Any) -> tuple[Section, ...]:
        sections = []
        for place, table in self._tables(value, "sections"):
            check_fields(table, place, self.problems, required=("heading", "questions"))
            heading = self._bilingual(table, place, "heading")
            keys = read_string_list(table.get("questions", []), place, "questions", self.problems)
            if keys is not None and not keys:
                self.problems.add(place, "questions: a section needs at least one question")
            chosen = [question for key in keys or () if (question := self._ask(key, place))]
            if heading is not None:
                sections.append(Section(heading_i18n=heading, questions=tuple(chosen)))
        for name in sorted(self.own - set(self.asked)):
            self.problems.add(f"{self.file}: question '{name}'", "defined but asked in no section")
        return tuple(sections)

    def _ask(self, key: str, place: str) -> Question | None:
        question = self.questions.get(key)
        if question is None:
            if key not in self.broken:
                hint = did_you_mean(key, self.questions)
                self.problems.add(
                    place, f"unknown question '{key}' (not in the bank or this file){hint}"
                )
            return None
        if key in self.asked:
            self.problems.add(place, f"question '{key}' is asked twice")
            return None
        # Every question of the Quick Scan may be left out, the bank's included.
        question = dataclasses.replace(question, required=False)
        self.asked[key] = question
        return question

    def _topics(self, value: Any) -> tuple[str, ...]:
        place = f"{self.file}: topics"
        keys = read_string_list(value, self.file, "topics", self.problems)
        for key in keys or ():
            question = self.asked.get(key)
            if question is None:
                if key not in self.broken:
                    self.problems.add(place, f"'{key}' is not asked in any section")
            elif not question.is_numeric:
                self.problems.add(place, f"'{key}' is a {question.type} question, not a number")
        if keys is not None and len(set(keys)) != len(keys):
            self.problems.add(place, "a topic is listed twice")
        return tuple(keys or ())

    # Signals and the guide

    def _signals(self, value: Any) -> tuple[Signal, ...]:
        signals: list[Signal] = []
        seen: set[str] = set()
        for place, table in self._tables(value, "signals"):
            key = read_key(table["key"], place, self.problems) if "key" in table else None
            if key is not None:
                place = f"{self.file}: signal '{key}'"
                if key in seen:
                    self.problems.add(place, "duplicate key")
                seen.add(key)
            check_fields(
                table,
                place,
                self.problems,
                required=("key", "title", "explanation", "conditions", "questions"),
                optional=("company_doctor",),
            )
            title = self._bilingual(table, place, "title")
            explanation = self._bilingual(table, place, "explanation")
            conditions = self._conditions(table.get("conditions", []), place)
            questions = self._texts(table.get("questions", []), place, "questions")
            company_doctor = False
            if "company_doctor" in table:
                company_doctor = read_bool(
                    table["company_doctor"], place, "company_doctor", self.problems
                )
            if key is None or title is None or explanation is None or conditions is None:
                continue
            signals.append(
                Signal(key, title, explanation, conditions, questions, bool(company_doctor))
            )
        return tuple(signals)

    def _conditions(self, value: Any, place: str) -> tuple[Condition, ...] | None:
        if not isinstance(value, list) or not value:
            self.problems.add(
                place,
                f"conditions: expected a list of one or more conditions, got {describe(value)}",
            )
            return None
        conditions = []
        for number, item in enumerate(value, start=1):
            where = f"{place}: condition #{number}"
            table = expect_table(item, where, self.problems)
            if table is None:
                continue
            check_fields(
                table,
                where,
                self.problems,
                required=("question",),
                optional=("at_most", "at_least"),
            )
            condition = self._condition(table, where)
            if condition is not None:
                conditions.append(condition)
        return tuple(conditions) if len(conditions) == len(value) else None

    def _condition(self, table: dict[str, Any], place: str) -> Condition | None:
        key = table.get("question")
        if not isinstance(key, str):
            if "question" in table:
                self.problems.add(place, f"question: expected a question key, got {describe(key)}")
            return None
        question = self.asked.get(key)
        if question is None:
            if key not in self.broken:
                known = did_you_mean(key, self.asked)
                self.problems.add(place, f"question '{key}' is not asked in any section{known}")
            return None
        if not question.is_numeric:
            self.problems.add(
                place, f"question '{key}' is a {question.type} question: a condition needs a number"
            )
            return None
        bounds = {}
        for name in ("at_most", "at_least"):
            if name in table:
                bounds[name] = read_int(
                    table[name],
                    place,
                    name,
                    self.problems,
                    minimum=question.min_value,
                    maximum=question.max_value,
                )
        if not bounds:
            self.problems.add(place, "needs at_most, at_least or both")
            return None
        if any(bound is None for bound in bounds.values()):
            return None
        at_most, at_least = bounds.get("at_most"), bounds.get("at_least")
        if at_most is not None and at_least is not None and at_least > at_most:
            self.problems.add(
                place, f"at_least {at_least} is greater than at_most {at_most}: it never holds"
            )
            return None
        return Condition(question=key, at_most=at_most, at_least=at_least)

    def _bilingual(self, table: dict[str, Any], place: str, name: str) -> Bilingual | None:
        """The bilingual field `name` of `table`; None when it is missing (check_fields
        reports that) or invalid."""
        if name not in table:
            return None
        return read_bilingual(table[name], place, name, self.problems)

    def _texts(self, value: Any, place: str, name: str) -> tuple[Bilingual, ...]:
        if not isinstance(value, list) or not value:
            self.problems.add(
                place, f"{name}: expected a list of one or more texts, got {describe(value)}"
            )
            return ()
        texts = [
            read_bilingual(item, place, f"{name} #{number}", self.problems)
            for number, item in enumerate(value, start=1)
        ]
        return tuple(text for text in texts if text is not None)

    def _guide(self, value: Any) -> tuple[GuideStep, ...]:
        steps = []
        for place, table in self._tables(value, "guide"):
            check_fields(table, place, self.problems, required=("heading", "questions"))
            heading = self._bilingual(table, place, "heading")
            questions = self._texts(table.get("questions", []), place, "questions")
            if heading is not None:
                steps.append(GuideStep(heading=heading, questions=questions))
        return tuple(steps)
