"""The one rule for text a database can store and a person can read without being misled.

Refused: control characters (C0, DEL and C1, line breaks included), lone surrogates (forms
decode undecodable bytes to them with ``surrogateescape``, so that a field can say what is
wrong instead of storing U+FFFD), line and paragraph separators, and the invisible marks
that change how text reads without showing themselves: bidirectional overrides and
isolates (U+202A-U+202E, U+2066-U+2069, the "Trojan Source" characters that can make
"Bakker" display as another name), zero-width space, word joiner, left-to-right and
right-to-left marks and the byte order mark. Zero-width (non-)joiners and the soft hyphen
stay: names in some scripts need them.

Free-text survey answers follow their own rule in `surveys` (tab and line breaks allowed).
"""

from __future__ import annotations

import unicodedata

INVISIBLE_MARKS = frozenset(
    [
        0x200B,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
    ]
)


def unstorable(char: str) -> bool:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
        return True
    if code in INVISIBLE_MARKS:
        return True
    return code > 0x7F and unicodedata.category(char) in ("Zl", "Zp")


def storable(text: str) -> bool:
    """True when every character may be stored and shown (no line breaks either)."""
    return not any(unstorable(char) for char in text)


def without_unstorable(text: str) -> str:
    """``text`` with what cannot be stored removed, and trimmed (for search filters)."""
    return "".join(char for char in text if not unstorable(char)).strip()


def escaped_for_log(text: str) -> str:
    """``text`` with every character the rule refuses written as an escape (``\\n``,
    ``\\x1b``, ``\\u202e``): one log record stays one line and shows what was typed, so a
    user name typed at sign-in cannot forge a second record."""
    if storable(text) and "\\" not in text:
        return text
    pieces = []
    for char in text:
        if char == "\\":
            pieces.append("\\\\")
        elif unstorable(char):
            pieces.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            pieces.append(char)
    return "".join(pieces)
