"""Password hashing (argon2id) and the minimum password policy for local accounts.

The policy follows NCSC and NIST SP 800-63B: length over composition rules, no common or
account-derived passwords, no forced periodic changes.
"""

from __future__ import annotations

from typing import ClassVar

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from survey_app.core.errors import N_, Problem, Problems
from survey_app.core.text import storable

MIN_LENGTH = 12
MAX_LENGTH = 256
# argon2-cffi's defaults are argon2id with RFC 9106's second recommended parameter set
# (t=3, 64 MiB, p=4).
_HASHER = PasswordHasher()
# Verified when a user name is unknown, so that a sign-in takes as long either way. Written
# out (a hash of DUMMY_PASSWORD under _HASHER's parameters; a test keeps the two in step)
# rather than computed at import: that took 64 MiB and a few hundred ms in every process.
DUMMY_PASSWORD = "klankbord dummy password for unknown accounts"  # noqa: S105 (no account has it)
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$JIvtwQgbUGuKfNoDIOaM8w$"
    "x/PhybpnNhENh+LWcndfeCMW77eCKye7poiQb+luiWQ"
)

COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "qwertyuiopas",
        "passwordpassword",
        "wachtwoord123",
        "wachtwoord1234",
        "welkom123456",
        "welkomwelkom",
        "zomer2026zomer",
        "gemeente1234",
        "gemeente12345",
        "password1234",
        "password12345",
        "iloveyou1234",
        "administrator",
        "administrator1",
        "klankbord123",
        "klankbord1234",
        "changeme1234",
        "letmein12345",
        "aaaaaaaaaaaa",
    }
)


class PasswordProblems(Problems):
    """Everything wrong with a proposed password, each rule it breaks."""

    messages: ClassVar[dict[str, str]] = {
        "too_short": N_("Use at least {minimum} characters (this one has {length})."),
        "too_long": N_("Use at most {maximum} characters."),
        "too_common": N_("This password is too common or too simple; choose another."),
        "contains_name": N_("A password must not contain the name or user name of its account."),
        "unstorable": N_("The password contains characters that cannot be typed."),
    }


def check_policy(password: str, username: str = "", display_name: str = "") -> None:
    """Raise ``PasswordProblems`` listing each rule the password breaks."""
    problems: list[Problem] = []
    if len(password) < MIN_LENGTH:
        problems.append(Problem("too_short", {"minimum": MIN_LENGTH, "length": len(password)}))
    if len(password) > MAX_LENGTH:
        problems.append(Problem("too_long", {"maximum": MAX_LENGTH}))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 5:
        problems.append(Problem("too_common"))
    names = [username.lower().split("@")[0], *display_name.lower().split()]
    if any(len(name) >= 3 and name in lowered for name in names):
        problems.append(Problem("contains_name"))
    if not storable(password):
        problems.append(Problem("unstorable"))
    if problems:
        raise PasswordProblems(problems)


async def hash_password(password: str) -> str:
    """argon2id, off the event loop (it takes tens of milliseconds by design)."""
    return await anyio.to_thread.run_sync(_HASHER.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; an empty hash (no password set) never matches."""
    return await anyio.to_thread.run_sync(_verify, stored_hash, password)
