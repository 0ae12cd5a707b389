"""The one exception raised for invalid survey definitions."""

from __future__ import annotations

from collections.abc import Iterable


class DefinitionError(Exception):
    """Survey definitions are invalid; `problems` lists every problem found, one per line.

    Each problem names the file and the place, e.g.
    ``pulse.toml: question 'energy': unknown type 'likret' (expected one of ...)``.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in survey definitions"
        super().__init__("\n".join([f"{heading}:", *(f"- {p}" for p in self.problems)]))
