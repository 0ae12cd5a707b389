"""The one rule for text a database can store: no control characters, no lone surrogates.

Forms decode undecodable bytes to lone surrogates (``surrogateescape``) so that a field can
say what is wrong instead of storing U+FFFD; PostgreSQL refuses NUL and SQLite would store
escape sequences that later confuse logs, terminals and spreadsheets.
"""

from __future__ import annotations


def unstorable(char: str) -> bool:
    code = ord(char)
    return code < 32 or 0xD800 <= code <= 0xDFFF


def storable(text: str) -> bool:
    """True when every character may be stored and shown (no line breaks either)."""
    return not any(unstorable(char) for char in text)


def without_unstorable(text: str) -> str:
    """``text`` with what cannot be stored removed, and trimmed (for search filters)."""
    return "".join(char for char in text if not unstorable(char)).strip()
