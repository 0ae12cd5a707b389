"""Response rates per group, rolled up over a ``/``-separated group tree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

SEPARATOR = "/"


@dataclass(frozen=True)
class ParticipationRow:
    path: str
    depth: int
    invited: int
    responded: int

    @property
    def rate(self) -> float:
        return self.responded / self.invited if self.invited else 0.0


def ancestors_and_self(path: str) -> list[str]:
    """``a/b/c`` → ``["a", "a/b", "a/b/c"]``."""
    parts = path.split(SEPARATOR)
    return [SEPARATOR.join(parts[: depth + 1]) for depth in range(len(parts))]


def roll_up_participation(
    invited: Mapping[str, int], responded: Mapping[str, int]
) -> list[ParticipationRow]:
    """Counts per group including everything below it, in tree (depth-first) order."""
    total_invited: Counter[str] = Counter()
    total_responded: Counter[str] = Counter()
    for path in set(invited) | set(responded):
        if responded.get(path, 0) > invited.get(path, 0):
            raise ValueError(f"{path}: more responses than invitations")
        for group in ancestors_and_self(path):
            total_invited[group] += invited.get(path, 0)
            total_responded[group] += responded.get(path, 0)
    return [
        ParticipationRow(
            path=path,
            depth=path.count(SEPARATOR),
            invited=total_invited[path],
            responded=total_responded[path],
        )
        for path in sorted(total_invited, key=lambda p: p.split(SEPARATOR))
    ]
