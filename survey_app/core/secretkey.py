"""The secret key a database was used with: a changed key is refused, not used.

The key matches used invitations to their digests and opens answers waiting sealed. Under
another key every invitation would look unused (a link could be answered twice), response
rates would drop to zero and waiting answers could not be released. So the first start
stores a fingerprint of the key (an HMAC of a constant: it says nothing about the key), and
every later start with a different key stops with an explanation.
"""

from __future__ import annotations

import hmac

from survey_app.core.hashing import derived_key
from survey_app.core.i18n import _
from survey_app.tables.identity import SettingValue

FINGERPRINT_SETTING = "secret_key_fingerprint"


class SecretKeyChanged(RuntimeError):
    """The configured secret key is not the one this database was used with."""


def fingerprint(secret: str) -> str:
    return hmac.digest(derived_key(secret, "fingerprint"), b"klankbord", "sha256").hex()[:32]


async def confirm_secret_key(secret: str) -> None:
    """Record the key's fingerprint on first use; raise SecretKeyChanged for another key."""
    expected = fingerprint(secret)
    await SettingValue.insert(
        SettingValue(key=FINGERPRINT_SETTING, value=expected, changed_by="")
    ).on_conflict(target=SettingValue.key, action="DO NOTHING")
    row = (
        await SettingValue.select(SettingValue.value)
        .where(SettingValue.key == FINGERPRINT_SETTING)
        .first()
    )
    if row is not None and row["value"] != expected:
        raise SecretKeyChanged(
            _(
                "SECRET_KEY is not the key this database was used with. With another key, "
                "used invitation links would work again and waiting answers could not be "
                "released. Start with the original key (SECRET_KEY, or var/secret_key)."
            )
        )
