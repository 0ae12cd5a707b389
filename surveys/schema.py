"""Checks for the fields of definition files, collecting every problem with its place."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from surveys.model import LANGUAGES, Bilingual, Option, ValueRange

KEY_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
OPTION_KEY_PATTERN = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


class Problems:
    """Collects problems as "<place>: <message>" lines so that all of them can be reported."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, place: str, message: str) -> None:
        self.messages.append(f"{place}: {message}")

    def __bool__(self) -> bool:
        return bool(self.messages)


def read_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a TOML file; on a syntax or read error, record it and return None."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        problems.add(path.name, f"invalid TOML: {error}")
    except OSError as error:
        problems.add(path.name, f"cannot read file: {error.strerror or error}")
    return None


def describe(value: object) -> str:
    """A short description of a value of the wrong kind, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_fields(
    table: Mapping[str, Any],
    place: str,
    problems: Problems,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
) -> bool:
    """Report unknown fields (with a suggestion for typos) and missing ones.

    Returns True when all required fields are present.
    """
    allowed = [*required, *optional]
    for name in table:
        if name not in allowed:
            problems.add(place, f"unknown field '{name}'{_suggestion(name, allowed)}")
    complete = True
    for name in required:
        if name not in table:
            problems.add(place, f"missing field '{name}'")
            complete = False
    return complete


def _suggestion(name: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (expected one of {', '.join(allowed)})"


def expect_table(value: Any, place: str, problems: Problems) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    problems.add(place, f"expected a table, got {describe(value)}")
    return None


def read_key(value: Any, place: str, problems: Problems) -> str | None:
    """A definition key: snake_case ASCII, starting with a letter."""
    if not isinstance(value, str):
        problems.add(place, f"key: expected a string, got {describe(value)}")
        return None
    if not KEY_PATTERN.fullmatch(value):
        problems.add(
            place,
            f"key {value!r} is not snake_case (lowercase letters, digits and single "
            "underscores, starting with a letter)",
        )
        return None
    return value


def read_bilingual(value: Any, place: str, name: str, problems: Problems) -> Bilingual | None:
    """A `{nl = "...", en = "..."}` table with both languages present and non-empty."""
    if not isinstance(value, dict):
        problems.add(
            place,
            f'{name}: expected a table like {{nl = "...", en = "..."}}, got {describe(value)}',
        )
        return None
    texts: dict[str, str] = {}
    for lang in value:
        if lang not in LANGUAGES:
            problems.add(place, f"{name}: unknown language '{lang}' (expected nl and en)")
    for lang in LANGUAGES:
        text = value.get(lang)
        if text is None:
            problems.add(place, f"{name}: missing '{lang}' translation")
        elif not isinstance(text, str):
            problems.add(place, f"{name}: '{lang}' must be a string, got {describe(text)}")
        elif not text.strip():
            problems.add(place, f"{name}: '{lang}' translation is empty")
        else:
            texts[lang] = text.strip()
    if len(texts) != len(LANGUAGES):
        return None
    return Bilingual(nl=texts["nl"], en=texts["en"])


def read_bool(value: Any, place: str, name: str, problems: Problems) -> bool | None:
    if isinstance(value, bool):
        return value
    problems.add(place, f"{name}: expected true or false, got {describe(value)}")
    return None


def read_int(
    value: Any,
    place: str,
    name: str,
    problems: Problems,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """An integer, optionally within bounds (TOML booleans are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(place, f"{name}: expected a whole number, got {describe(value)}")
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        problems.add(place, f"{name}: {value} is out of range ({_bounds(minimum, maximum)})")
        return None
    return value


def _bounds(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"expected {minimum} to {maximum}"
    if minimum is not None:
        return f"expected at least {minimum}"
    return f"expected at most {maximum}"


def read_range(
    value: Any, place: str, name: str, problems: Problems, *, minimum: int, maximum: int
) -> ValueRange | None:
    """An inclusive `[low, high]` pair of answer values within `minimum`..`maximum`."""
    if (
        not isinstance(value, list)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        problems.add(
            place, f"{name}: expected [low, high] (two whole numbers), got {describe(value)}"
        )
        return None
    low, high = value
    if low > high:
        problems.add(place, f"{name}: low {low} is greater than high {high}")
        return None
    if low < minimum or high > maximum:
        problems.add(
            place, f"{name}: [{low}, {high}] is outside the answer range {minimum} to {maximum}"
        )
        return None
    return ValueRange(low, high)


def read_string_list(value: Any, place: str, name: str, problems: Problems) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.add(place, f"{name}: expected a list of strings, got {describe(value)}")
        return None
    return value


def did_you_mean(name: str, known: Collection[str]) -> str:
    """A " (did you mean 'x'?)" hint for an unknown reference, or an empty string."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def read_options(value: Any, place: str, problems: Problems) -> tuple[Option, ...] | None:
    """A list of two or more `{key, label}` options with unique lowercase keys."""
    if not isinstance(value, list) or len(value) < 2:
        problems.add(place, f"options: expected a list of 2 or more options, got {describe(value)}")
        return None
    options: list[Option] = []
    seen: set[str] = set()
    valid = True
    for number, item in enumerate(value, start=1):
        option_place = f"{place}: option #{number}"
        table = expect_table(item, option_place, problems)
        if table is None or not check_fields(
            table, option_place, problems, required=("key", "label")
        ):
            valid = False
            continue
        key = table["key"]
        if not isinstance(key, str) or not OPTION_KEY_PATTERN.fullmatch(key):
            problems.add(
                option_place,
                f"key {describe(key)} must be lowercase letters, digits and underscores",
            )
            valid = False
            continue
        option_place = f"{place}: option '{key}'"
        if key in seen:
            problems.add(option_place, "duplicate option key")
            valid = False
        seen.add(key)
        label = read_bilingual(table["label"], option_place, "label", problems)
        if label is None:
            valid = False
            continue
        options.append(Option(key, label))
    return tuple(options) if valid else None
