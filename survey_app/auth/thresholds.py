"""Anonymity thresholds an administrator can raise (or lower to no less than 3) in the app.

The environment gives the starting values; a change made on the settings page is stored,
applies to every worker at once and is written to the audit trail with its old value.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.auth import audit
from survey_app.i18n import _
from survey_app.settings import Settings
from survey_app.tables import SettingValue

MINIMUM = 3
MAXIMUM = 100
KEYS = ("min_group_size", "min_comment_group_size")


class ThresholdError(ValueError):
    """A value that cannot be a threshold; the message is translated."""


@dataclass(frozen=True)
class Thresholds:
    min_group_size: int
    min_comment_group_size: int


async def current(settings: Settings) -> Thresholds:
    stored = {
        row["key"]: row["value"]
        for row in await SettingValue.select(SettingValue.key, SettingValue.value).where(
            SettingValue.key.is_in(list(KEYS))
        )
    }
    values = {
        key: int(stored[key])
        if stored.get(key, "").isascii() and stored.get(key, "").isdigit()
        else getattr(settings, key)
        for key in KEYS
    }
    return Thresholds(**values)


def parse(text: str) -> int:
    text = text.strip()
    # isdigit() alone also accepts digits such as "²" that int() refuses.
    if not (text.isascii() and text.isdigit()) or not MINIMUM <= int(text) <= MAXIMUM:
        raise ThresholdError(
            _("Enter a whole number from {minimum} to {maximum}.").format(
                minimum=MINIMUM, maximum=MAXIMUM
            )
        )
    return int(text)


async def change(settings: Settings, key: str, value: int, *, actor: str) -> bool:
    """Store a new value; returns False when it equals the current one (nothing recorded)."""
    if key not in KEYS:
        raise ThresholdError(_("Unknown setting."))
    parse(str(value))  # raises for a value out of range
    before = getattr(await current(settings), key)
    if before == value:
        return False
    await SettingValue.delete().where(SettingValue.key == key)
    await SettingValue.insert(SettingValue(key=key, value=str(value), changed_by=actor))
    await audit.record("setting.changed", actor=actor, target=key, before=before, after=value)
    return True
