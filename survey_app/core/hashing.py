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
