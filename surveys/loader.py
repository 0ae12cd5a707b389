"""Loading and validating the question bank and templates from TOML files (see FORMAT.md)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from surveys.errors import DefinitionError
from surveys.model import (
    DEFAULT_FAVOURABLE,
    DEFAULT_UNFAVOURABLE,
    LIKERT_RANGE,
    QUESTION_TYPES,
    SCALE_RANGE,
    TEMPLATE_KINDS,
    TEXT_DEFAULT_MAX_LENGTH,
    TEXT_MAX_LENGTH_CAP,
    Band,
    Bank,
    LabelSet,
    Option,
    Question,
    Scale,
    ScaleItem,
    Section,
    ValueRange,
    parse_scale_item,
)
from surveys.schema import (
    KEY_PATTERN,
    Problems,
    check_fields,
    describe,
    did_you_mean,
    expect_table,
    read_bilingual,
    read_bool,
    read_int,
    read_key,
    read_options,
    read_range,
    read_string_list,
    read_toml,
)
from surveys.self_identification import SelfIdCategory, load_self_identification
from surveys.template import Template

DATA_DIR = Path(__file__).parent / "data"
BANK_PATH = DATA_DIR / "bank.toml"
# The shipped bank: bank.toml and its companions (bank_dig.toml: the DIG questions).
BANK_GLOB = "bank*.toml"
TEMPLATES_DIR = DATA_DIR / "templates"

_COMMON_REQUIRED = ("key", "type", "text")
_COMMON_OPTIONAL = ("help", "required")
# Per question type: (required fields, optional fields) beyond the common ones.
_TYPE_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "likert": (("labels",), ("favourable", "unfavourable")),
    "scale": (("min_label", "max_label"), ("favourable", "unfavourable")),
    "single_choice": (("options",), ()),
    "multiple_choice": (("options",), ("min_choices", "max_choices")),
    "text": ((), ("max_length",)),
}

PathLike = str | os.PathLike[str]

_BANK_SECTIONS = ("label_sets", "questions", "scales")


def load_bank(*paths: PathLike) -> Bank:
    """Load the question bank: the shipped bank*.toml files, or the given files and
    directories.

    A directory contributes all its `*.toml` files. Keys must be unique across all files.
    Raises DefinitionError listing every problem found.
    """
    files = _bank_files([Path(p) for p in paths] if paths else sorted(DATA_DIR.glob(BANK_GLOB)))
    problems = Problems()
    documents = []
    for path in files:
        document = read_toml(path, problems)
        if document is not None:
            check_fields(document, path.name, problems, required=(), optional=_BANK_SECTIONS)
            documents.append((path.name, document))
    builder = _BankBuilder(problems)
    # Label sets first, then questions, then scales: each may refer to the previous kind
    # in any file.
    for name, document in documents:
        builder.add_label_sets(name, document.get("label_sets", {}))
    for name, document in documents:
        builder.add_questions(name, document.get("questions", []))
    for name, document in documents:
        builder.add_scales(name, document.get("scales", []))
    bank = builder.finish()
    if problems:
        raise DefinitionError(problems.messages)
    return bank


def _bank_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                raise DefinitionError([f"{path}: no .toml files in this directory"])
            files.extend(found)
        else:
            files.append(path)
    return files


def template_keys(directory: PathLike | None = None) -> list[str]:
    """The keys of the templates in `directory` (default: the shipped templates), sorted."""
    folder = Path(directory) if directory is not None else TEMPLATES_DIR
    return sorted(path.stem for path in folder.glob("*.toml"))


def load_template(
    key: str, *, bank: Bank | None = None, directory: PathLike | None = None
) -> Template:
    """Load the template `<directory>/<key>.toml` against `bank` (default: the shipped ones)."""
    if not KEY_PATTERN.fullmatch(key):
        raise DefinitionError([f"template key {key!r} is not snake_case"])
    folder = Path(directory) if directory is not None else TEMPLATES_DIR
    bank = bank if bank is not None else load_bank()
    problems = Problems()
    template = _load_template_file(folder / f"{key}.toml", bank, problems)
    if problems or template is None:
        raise DefinitionError(problems.messages)
    return template


def load_templates(
    *, bank: Bank | None = None, directory: PathLike | None = None
) -> dict[str, Template]:
    """Load every template in `directory`, reporting the problems of all files at once."""
    folder = Path(directory) if directory is not None else TEMPLATES_DIR
    bank = bank if bank is not None else load_bank()
    problems = Problems()
    templates = {}
    for key in template_keys(folder):
        template = _load_template_file(folder / f"{key}.toml", bank, problems)
        if template is not None:
            templates[key] = template
    if problems:
        raise DefinitionError(problems.messages)
    return templates


def build_question(table: Mapping[str, Any], *, bank: Bank | None = None) -> Question:
    """One question defined outside the bank files (an organisation's own question in a
    wave), in the bank's format and checked by the same rules, with the bank's label sets.

    Raises DefinitionError listing every problem.
    """
    bank = bank if bank is not None else load_bank()
    problems = Problems()
    builder = _BankBuilder(problems)
    builder.label_sets = dict(bank.label_sets)
    question = builder._question("question", 1, dict(table))
    if problems or question is None:
        raise DefinitionError(problems.messages or ["question: invalid"])
    return question


class _BankBuilder:
    """Turns parsed bank documents into model objects, recording problems as it goes."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.label_sets: dict[str, LabelSet] = {}
        self.questions: dict[str, Question] = {}
        self.scales: dict[str, Scale] = {}
        self.defined_in: dict[tuple[str, str], str] = {}

    def _claim(self, kind: str, key: str, file: str, place: str) -> bool:
        """Record where `key` is defined; report a duplicate and return False if it is."""
        first = self.defined_in.get((kind, key))
        if first is not None:
            where = "earlier in this file" if first == file else f"in {first}"
            self.problems.add(place, f"duplicate key (already defined {where})")
            return False
        self.defined_in[(kind, key)] = file
        return True

    def _is_broken(self, kind: str, key: str) -> bool:
        """True if `key` is defined but invalid: its problem is reported already, and
        reporting it again as unknown where it is used would mislead."""
        return (kind, key) in self.defined_in and (
            key not in (self.label_sets if kind == "label set" else self.questions)
        )

    # Label sets

    def add_label_sets(self, file: str, value: Any) -> None:
        table = expect_table(value, f"{file}: label_sets", self.problems)
        for key, labels in (table or {}).items():
            place = f"{file}: label set '{key}'"
            if read_key(key, place, self.problems) is None:
                continue
            unique = self._claim("label set", key, file, place)
            label_set = self._label_set(key, labels, place)
            if label_set is not None and unique:
                self.label_sets[key] = label_set

    def _label_set(self, key: str, value: Any, place: str) -> LabelSet | None:
        table = expect_table(value, place, self.problems)
        if table is None:
            return None
        points = [str(point) for point in range(LIKERT_RANGE[0], LIKERT_RANGE[1] + 1)]
        if not check_fields(table, place, self.problems, required=points):
            return None
        labels = [read_bilingual(table[p], place, p, self.problems) for p in points]
        if any(label is None for label in labels):
            return None
        return LabelSet(key, tuple(labels))  # type: ignore[arg-type]

    # Questions

    def add_questions(self, file: str, value: Any) -> None:
        if not isinstance(value, list):
            self.problems.add(
                f"{file}: questions", f"expected [[questions]] tables, got {describe(value)}"
            )
            return
        for number, item in enumerate(value, start=1):
            question = self._question(file, number, item)
            if question is not None:
                self.questions[question.key] = question

    def _question(self, file: str, number: int, value: Any) -> Question | None:
        place = f"{file}: question #{number}"
        table = expect_table(value, place, self.problems)
        if table is None:
            return None
        if "key" not in table:
            self.problems.add(place, "missing field 'key'")
            return None
        key = read_key(table["key"], place, self.problems)
        if key is None:
            return None
        place = f"{file}: question '{key}'"
        unique = self._claim("question", key, file, place)

        kind = table.get("type")
        if kind not in QUESTION_TYPES:
            if kind is None:
                self.problems.add(place, "missing field 'type'")
            else:
                self.problems.add(
                    place,
                    f"unknown type {describe(kind)} (expected one of {', '.join(QUESTION_TYPES)})",
                )
            return None
        required_fields, optional_fields = _TYPE_FIELDS[kind]
        complete = check_fields(
            table,
            place,
            self.problems,
            required=(*_COMMON_REQUIRED, *required_fields),
            optional=(*_COMMON_OPTIONAL, *optional_fields),
        )
        text = None
        if "text" in table:
            text = read_bilingual(table["text"], place, "text", self.problems)
        help_text = None
        if "help" in table:
            help_text = read_bilingual(table["help"], place, "help", self.problems)
        required = kind != "text"
        if "required" in table:
            required = read_bool(table["required"], place, "required", self.problems)
        if not complete:
            return None
        details = getattr(self, f"_{kind}_fields")(table, place)
        if details is None or text is None or required is None or not unique:
            return None
        return Question(
            key=key, type=kind, text_i18n=text, help_i18n=help_text, required=required, **details
        )

    def _likert_fields(self, table: dict[str, Any], place: str) -> dict[str, Any] | None:
        name = table["labels"]
        if not isinstance(name, str):
            self.problems.add(place, f"labels: expected a label set name, got {describe(name)}")
            return None
        label_set = self.label_sets.get(name)
        if label_set is None and self._is_broken("label set", name):
            return None
        if label_set is None:
            self.problems.add(
                place, f"unknown label set '{name}'{did_you_mean(name, self.label_sets)}"
            )
            return None
        ranges = self._ranges(table, place, "likert", *LIKERT_RANGE)
        if ranges is None:
            return None
        options = tuple(
            Option(str(point), label)
            for point, label in enumerate(label_set.labels, start=LIKERT_RANGE[0])
        )
        return {
            "options": options,
            "min_value": LIKERT_RANGE[0],
            "max_value": LIKERT_RANGE[1],
            "label_set": name,
            **ranges,
        }

    def _scale_fields(self, table: dict[str, Any], place: str) -> dict[str, Any] | None:
        low, high = SCALE_RANGE
        min_label = read_bilingual(table["min_label"], place, "min_label", self.problems)
        max_label = read_bilingual(table["max_label"], place, "max_label", self.problems)
        ranges = self._ranges(table, place, "scale", low, high)
        if min_label is None or max_label is None or ranges is None:
            return None
        labels = {low: min_label, high: max_label}
        options = tuple(Option(str(point), labels.get(point)) for point in range(low, high + 1))
        return {"options": options, "min_value": low, "max_value": high, **ranges}

    def _ranges(
        self, table: dict[str, Any], place: str, kind: str, minimum: int, maximum: int
    ) -> dict[str, Any] | None:
        resolved = {}
        for name, defaults in (
            ("favourable", DEFAULT_FAVOURABLE),
            ("unfavourable", DEFAULT_UNFAVOURABLE),
        ):
            if name in table:
                resolved[name] = read_range(
                    table[name], place, name, self.problems, minimum=minimum, maximum=maximum
                )
            else:
                resolved[name] = ValueRange(*defaults[kind])
        favourable, unfavourable = resolved["favourable"], resolved["unfavourable"]
        if favourable is None or unfavourable is None:
            return None
        if favourable.low <= unfavourable.high:
            self.problems.add(
                place,
                f"favourable [{favourable.low}, {favourable.high}] must lie above "
                f"unfavourable [{unfavourable.low}, {unfavourable.high}] (for a negatively "
                "worded question, list it as a reverse-scored '-' item in a scale)",
            )
            return None
        return resolved

    def _single_choice_fields(self, table: dict[str, Any], place: str) -> dict[str, Any] | None:
        options = read_options(table["options"], place, self.problems)
        return None if options is None else {"options": options}

    def _multiple_choice_fields(self, table: dict[str, Any], place: str) -> dict[str, Any] | None:
        options = read_options(table["options"], place, self.problems)
        if options is None:
            return None
        count = len(options)
        min_choices: int | None = 1
        max_choices: int | None = count
        if "min_choices" in table:
            min_choices = read_int(
                table["min_choices"], place, "min_choices", self.problems, minimum=1, maximum=count
            )
        if "max_choices" in table:
            max_choices = read_int(
                table["max_choices"], place, "max_choices", self.problems, minimum=1, maximum=count
            )
        if min_choices is None or max_choices is None:
            return None
        if min_choices > max_choices:
            self.problems.add(
                place, f"min_choices {min_choices} is greater than max_choices {max_choices}"
            )
            return None
        return {"options": options, "min_choices": min_choices, "max_choices": max_choices}

    def _text_fields(self, table: dict[str, Any], place: str) -> dict[str, Any] | None:
        max_length: int | None = TEXT_DEFAULT_MAX_LENGTH
        if "max_length" in table:
            max_length = read_int(
                table["max_length"],
                place,
                "max_length",
                self.problems,
                minimum=1,
                maximum=TEXT_MAX_LENGTH_CAP,
            )
        return None if max_length is None else {"max_length": max_length}

    # Scales

    def add_scales(self, file: str, value: Any) -> None:
        if not isinstance(value, list):
            self.problems.add(
                f"{file}: scales", f"expected [[scales]] tables, got {describe(value)}"
            )
            return
        for number, item in enumerate(value, start=1):
            scale = self._scale(file, number, item)
            if scale is not None:
                self.scales[scale.key] = scale

    def _scale(self, file: str, number: int, value: Any) -> Scale | None:
        place = f"{file}: scale #{number}"
        table = expect_table(value, place, self.problems)
        if table is None:
            return None
        key = read_key(table["key"], place, self.problems) if "key" in table else None
        if key is not None:
            place = f"{file}: scale '{key}'"
        complete = check_fields(
            table,
            place,
            self.problems,
            required=("key", "name", "items", "min_answered"),
            optional=("bands",),
        )
        if key is None or not complete:
            return None
        unique = self._claim("scale", key, file, place)
        name = read_bilingual(table["name"], place, "name", self.problems)
        items = self._scale_items(table["items"], place)
        if name is None or items is None:
            return None
        first = self.questions[items[0].question_key]
        assert first.min_value is not None and first.max_value is not None
        min_answered = read_int(
            table["min_answered"],
            place,
            "min_answered",
            self.problems,
            minimum=1,
            maximum=len(items),
        )
        bands = self._bands(table.get("bands", []), place, first.min_value, first.max_value)
        if min_answered is None or bands is None or not unique:
            return None
        return Scale(
            key=key,
            name_i18n=name,
            items=items,
            min_answered=min_answered,
            min_value=first.min_value,
            max_value=first.max_value,
            bands=bands,
        )

    def _scale_items(self, value: Any, place: str) -> tuple[ScaleItem, ...] | None:
        names = read_string_list(value, place, "items", self.problems)
        if names is None:
            return None
        if not names:
            self.problems.add(place, "items: a scale needs at least one item")
            return None
        items: list[ScaleItem] = []
        valid = True
        for name in names:
            item = parse_scale_item(name)
            question = self.questions.get(item.question_key)
            if question is None and self._is_broken("question", item.question_key):
                valid = False
            elif question is None:
                hint = did_you_mean(item.question_key, self.questions)
                self.problems.add(place, f"unknown question '{item.question_key}'{hint}")
                valid = False
            elif not question.is_numeric:
                self.problems.add(
                    place,
                    f"item '{item.question_key}' is a {question.type} question "
                    "(scale items must be likert or scale questions)",
                )
                valid = False
            elif any(existing.question_key == item.question_key for existing in items):
                self.problems.add(place, f"item '{item.question_key}' is listed twice")
                valid = False
            else:
                items.append(item)
        if not valid:
            return None
        ranges = {
            (self.questions[i.question_key].min_value, self.questions[i.question_key].max_value)
            for i in items
        }
        if len(ranges) > 1:
            self.problems.add(
                place, "items mix answer ranges (all items must be likert, or all 0-10)"
            )
            return None
        return tuple(items)

    def _bands(self, value: Any, place: str, minimum: int, maximum: int) -> tuple[Band, ...] | None:
        if not isinstance(value, list):
            self.problems.add(place, f"bands: expected a list of tables, got {describe(value)}")
            return None
        bands: list[Band] = []
        valid = True
        for number, item in enumerate(value, start=1):
            band_place = f"{place}: band #{number}"
            table = expect_table(item, band_place, self.problems)
            if table is None or not check_fields(
                table, band_place, self.problems, required=("min_score", "label")
            ):
                valid = False
                continue
            score = table["min_score"]
            label = read_bilingual(table["label"], band_place, "label", self.problems)
            if isinstance(score, bool) or not isinstance(score, int | float):
                self.problems.add(
                    band_place, f"min_score: expected a number, got {describe(score)}"
                )
                valid = False
            elif number == 1 and score != minimum:
                self.problems.add(
                    band_place, f"min_score: the first band must start at {minimum}, not {score}"
                )
                valid = False
            elif bands and score <= bands[-1].min_score:
                self.problems.add(
                    band_place,
                    f"min_score: {score} must be greater than the previous band's "
                    f"{bands[-1].min_score}",
                )
                valid = False
            elif score > maximum:
                self.problems.add(
                    band_place, f"min_score: {score} is above the highest score {maximum}"
                )
                valid = False
            elif label is not None:
                bands.append(Band(min_score=score, label_i18n=label))
            if label is None:
                valid = False
        return tuple(bands) if valid else None

    # Finishing

    def finish(self) -> Bank:
        """Mark reverse-scored questions (from the scales' '-' items) and build the bank."""
        reversed_in: dict[str, dict[bool, str]] = {}
        for scale in self.scales.values():
            for item in scale.items:
                reversed_in.setdefault(item.question_key, {}).setdefault(item.reverse, scale.key)
        questions = dict(self.questions)
        for key, flags in reversed_in.items():
            if len(flags) > 1:
                file = self.defined_in[("question", key)]
                self.problems.add(
                    f"{file}: question '{key}'",
                    f"reverse-scored in scale '{flags[True]}' but not in scale "
                    f"'{flags[False]}' (a question is reverse-scored everywhere or nowhere)",
                )
            elif True in flags:
                questions[key] = dataclasses.replace(questions[key], reverse_scored=True)
        return Bank(label_sets=dict(self.label_sets), questions=questions, scales=dict(self.scales))


def _load_template_file(path: Path, bank: Bank, problems: Problems) -> Template | None:
    document = read_toml(path, problems)
    if document is None:
        return None
    file = path.name
    complete = check_fields(
        document,
        file,
        problems,
        required=("key", "version", "kind", "title", "intro", "sections"),
        optional=("scales", "self_identification"),
    )
    if not complete:
        return None
    key = read_key(document["key"], file, problems)
    if key is not None and key != path.stem:
        problems.add(file, f"key '{key}' does not match the file name (expected '{path.stem}')")
    version = read_int(document["version"], file, "version", problems, minimum=1)
    kind = document["kind"]
    if kind not in TEMPLATE_KINDS:
        problems.add(
            file, f"unknown kind {describe(kind)} (expected one of {', '.join(TEMPLATE_KINDS)})"
        )
    title = read_bilingual(document["title"], file, "title", problems)
    intro = read_bilingual(document["intro"], file, "intro", problems)
    sections = _sections(document["sections"], file, bank, problems)
    scales = _template_scales(document.get("scales", []), file, bank, sections, problems)
    self_identification = _template_self_identification(
        document.get("self_identification", []), file, problems
    )
    if (
        key is None
        or version is None
        or title is None
        or intro is None
        or sections is None
        or scales is None
        or self_identification is None
        or problems
    ):
        return None
    return Template(
        key=key,
        version=version,
        kind=kind,
        title_i18n=title,
        intro_i18n=intro,
        sections=sections,
        scales=scales,
        self_identification=self_identification,
    )


def _template_self_identification(
    value: Any, file: str, problems: Problems
) -> tuple[SelfIdCategory, ...] | None:
    """The categories a template offers, in the order of self_identification.toml."""
    keys = read_string_list(value, file, "self_identification", problems)
    if keys is None:
        return None
    if not keys:
        return ()
    try:
        categories = load_self_identification()
    except DefinitionError as error:
        for problem in error.problems:
            problems.add(file, f"self_identification: {problem}")
        return None
    valid = True
    for number, key in enumerate(keys):
        if key not in categories:
            problems.add(
                file,
                f"self_identification: unknown category '{key}'{did_you_mean(key, categories)}",
            )
            valid = False
        elif key in keys[:number]:
            problems.add(file, f"self_identification: category '{key}' is listed twice")
            valid = False
    if not valid:
        return None
    return tuple(category for name, category in categories.items() if name in keys)


def _sections(value: Any, file: str, bank: Bank, problems: Problems) -> tuple[Section, ...] | None:
    if not isinstance(value, list) or not value:
        problems.add(file, f"sections: expected one or more [[sections]], got {describe(value)}")
        return None
    sections: list[Section] = []
    asked_in: dict[str, int] = {}
    valid = True
    for number, item in enumerate(value, start=1):
        place = f"{file}: section {number}"
        table = expect_table(item, place, problems)
        if table is None or not check_fields(
            table, place, problems, required=("heading", "questions")
        ):
            valid = False
            continue
        heading = read_bilingual(table["heading"], place, "heading", problems)
        keys = read_string_list(table["questions"], place, "questions", problems)
        if keys is not None and not keys:
            problems.add(place, "questions: a section needs at least one question")
            keys = None
        questions = _section_questions(keys or [], place, number, bank, asked_in, problems)
        if heading is None or keys is None or questions is None:
            valid = False
            continue
        sections.append(Section(heading_i18n=heading, questions=questions))
    return tuple(sections) if valid else None


def _section_questions(
    keys: Iterable[str],
    place: str,
    number: int,
    bank: Bank,
    asked_in: dict[str, int],
    problems: Problems,
) -> tuple[Question, ...] | None:
    questions = []
    valid = True
    for key in keys:
        question = bank.questions.get(key)
        if question is None:
            hint = did_you_mean(key, bank.questions)
            problems.add(place, f"unknown question '{key}' (not in the question bank){hint}")
            valid = False
        elif key in asked_in:
            problems.add(place, f"question '{key}' is already asked in section {asked_in[key]}")
            valid = False
        else:
            asked_in[key] = number
            questions.append(question)
    return tuple(questions) if valid else None


def _template_scales(
    value: Any,
    file: str,
    bank: Bank,
    sections: tuple[Section, ...] | None,
    problems: Problems,
) -> tuple[Scale, ...] | None:
    keys = read_string_list(value, file, "scales", problems)
    if keys is None:
        return None
    asked = {q.key for section in sections or () for q in section.questions}
    scales: list[Scale] = []
    valid = True
    for key in keys:
        scale = bank.scales.get(key)
        if scale is None:
            problems.add(file, f"scales: unknown scale '{key}'{did_you_mean(key, bank.scales)}")
            valid = False
        elif any(existing.key == key for existing in scales):
            problems.add(file, f"scales: scale '{key}' is listed twice")
            valid = False
        else:
            if sections is not None:
                for item in scale.items:
                    if item.question_key not in asked:
                        problems.add(
                            file,
                            f"scale '{key}': item '{item.question_key}' is not asked "
                            "in this template",
                        )
                        valid = False
            scales.append(scale)
    return tuple(scales) if valid else None
