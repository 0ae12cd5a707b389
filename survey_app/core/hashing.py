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
