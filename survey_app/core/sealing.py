"""Sealing a submitted questionnaire until it is released (AES-256-GCM).

A sealed response is readable only with the application's secret key, so a copy of the
database taken while answers wait for release shows neither their content nor their group.
The plaintext is padded to a whole number of blocks first, so the length of the ciphertext
does not give away how long a comment was (and so cannot be matched to the released
response that carries that comment).
"""

from __future__ import annotations

import json
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from survey_app.core.hashing import derived_key

BLOCK = 4096
NONCE_BYTES = 12
_LENGTH = struct.Struct(">I")


class SealError(ValueError):
    """A sealed value that this key cannot open (another key, or altered)."""


def _cipher(secret: str) -> AESGCM:
    return AESGCM(derived_key(secret, "sealed-response"))


def seal(secret: str, value: object, *, context: str) -> bytes:
    """``value`` as JSON, padded and encrypted; ``context`` (e.g. the wave) is bound to it."""
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    framed = _LENGTH.pack(len(plain)) + plain
    padded = framed + bytes(-len(framed) % BLOCK)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(secret).encrypt(nonce, padded, context.encode())


def unseal(secret: str, sealed: bytes, *, context: str) -> object:
    """The value `seal` was given; SealError when the key or the context does not match."""
    sealed = bytes(sealed)
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        padded = _cipher(secret).decrypt(nonce, ciphertext, context.encode())
    except InvalidTag as error:
        raise SealError("cannot open a sealed response with this key") from error
    (length,) = _LENGTH.unpack_from(padded)
    return json.loads(padded[_LENGTH.size : _LENGTH.size + length])
