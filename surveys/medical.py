"""Words that look medical in a free text: the Quick Scan warns before such text is saved.

The terms are in `surveys/data/medical_terms.toml`, Dutch and English; a term ending in "*"
matches every word starting with it. Matching ignores case and respects word boundaries, so
"ziekteverzuim" (a work term) and "bedrijfsarts" (the allowed route) are not medical.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

TERMS_PATH = Path(__file__).parent / "data" / "medical_terms.toml"


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    terms = tomllib.loads(TERMS_PATH.read_text(encoding="utf-8"))["terms"]
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        stem = term.endswith("*")
        text = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(text + (r"[\w-]*" if stem else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def medical_terms(text: str) -> tuple[str, ...]:
    """The words of ``text`` that look medical, as typed, deduplicated, in order."""
    found: dict[str, str] = {}
    for match in _pattern().finditer(text):
        found.setdefault(match.group(0).casefold(), match.group(0))
    return tuple(found.values())
