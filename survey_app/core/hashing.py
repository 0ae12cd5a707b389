"""Random tokens and their hashes: invitation links and sessions store only a hash, rate
limits only a keyed hash of a client address."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 16  # 128 bits: invitation links
SESSION_TOKEN_BYTES = 32  # 256 bits: signed-in sessions


def new_token(size: int = TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(size)


def hash_token(token: str) -> str:
    """SHA-256 suffices: a random token of 128 bits or more cannot be guessed, so no slow
    hash is needed. Undecodable input (lone surrogates) still hashes, to a useless value."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def keyed_hash(secret: str, value: str, length: int = 32) -> str:
    """An HMAC-SHA-256 of ``value`` (hex, cut to ``length``): stable for one secret key, and
    without the key not reversible by trying every address."""
    digest = hmac.new(secret.encode(), value.encode("utf-8", "surrogateescape"), hashlib.sha256)
    return digest.hexdigest()[:length]


def derived_key(secret: str, purpose: str) -> bytes:
    """A separate 256-bit key per purpose (cookies, CSRF, OIDC state) from the one secret."""
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


def used_invitation_digest(secret: str, invitation_id: int) -> str:
    """The digest recorded when invitation ``invitation_id`` is used (`UsedInvitation`).

    Keyed with the application's secret: without it, no invitation can be matched to its
    digest, so the database does not say who responded. The invitation's id rather than its
    token is hashed, so a reissued link stays used once either link was used.
    """
    return invitation_digests(secret, [invitation_id])[invitation_id]


def invitation_digests(secret: str, invitation_ids: list[int]) -> dict[int, str]:
    """`used_invitation_digest` of many invitations (the key derived once)."""
    key = derived_key(secret, "used-invitation")
    return {
        id_: hmac.digest(key, f"invitation:{id_}".encode(), "sha256").hex()
        for id_ in invitation_ids
    }


def group_tag(secret: str, wave_id: int, group_path: str) -> str:
    """Which sealed responses share a response group, without saying which group."""
    key = derived_key(secret, "response-group")
    message = f"{wave_id}:{group_path}".encode("utf-8", "surrogateescape")
    return hmac.digest(key, message, "sha256").hex()[:32]


# Code slips: an alphabet without look-alikes (no 0/O, 1/I/L), typed in groups of four.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


def new_code() -> str:
    """A code for a slip, such as ``K7QM-4XPA-ZT9C``: 12 symbols of 31, about 59 bits.

    Guessing one of even a hundred thousand outstanding codes takes some 10¹² tries, and
    the code page lets an address try 30 unknown codes per 10 minutes.
    """
    symbols = [secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH)]
    return "-".join(
        "".join(symbols[start : start + CODE_GROUP_LENGTH])
        for start in range(0, len(symbols), CODE_GROUP_LENGTH)
    )


def normalise_code(typed: str) -> str:
    """A typed code as stored: capitals, without spaces or dashes (empty when it cannot be
    a code: wrong length or a symbol outside the alphabet)."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != CODE_GROUPS * CODE_GROUP_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def code_hash(secret: str, code: str) -> str:
    """The stored form of a code slip's code (normalised first): keyed, so that a copy of
    the database cannot try all 2⁵⁹ codes offline to find the unused ones."""
    key = derived_key(secret, "code-slip")
    return hmac.digest(key, normalise_code(code).encode(), "sha256").hex()


def code_digests(secret: str, code_ids: list[int]) -> dict[int, str]:
    """The used digests of code slips (`UsedInvitation`), apart from any invitation's."""
    key = derived_key(secret, "used-code")
    return {id_: hmac.digest(key, f"code:{id_}".encode(), "sha256").hex() for id_ in code_ids}
