"""Single-use invitation tokens: 128 random bits, of which only a hash is stored."""

import hashlib
import secrets

TOKEN_BYTES = 16  # 128 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 suffices: a 128-bit random token cannot be guessed, so no slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
