"""Anonymity thresholds an administrator can raise (or lower to no less than 3) in the app.

The environment gives the starting values; a change made on the settings page is stored,
applies to every worker at once and is written to the audit trail with its old value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from survey_app import audit
from survey_app.core.errors import N_, Invalid
from survey_app.core.settings import Settings
from survey_app.tables.identity import SettingValue

MINIMUM = 3
MAXIMUM = 100
KEYS = ("min_group_size", "min_comment_group_size", "min_demographic_group_size")


class ThresholdError(Invalid):
    """A value that cannot be a threshold."""

    messages: ClassVar[dict[str, str]] = {
        "out_of_range": N_("Enter a whole number from {minimum} to {maximum}."),
        "unknown_setting": N_("Unknown setting."),
        "comment_below_group": N_(
            "The minimum for comments cannot be below the minimum group size ({minimum}): "
            "a group too small for scores is too small for comments too."
        ),
        "demographic_below_group": N_(
            "The minimum for breakdowns by what people say about themselves cannot be below "
            "the minimum group size ({minimum})."
        ),
    }


@dataclass(frozen=True)
class Thresholds:
    min_group_size: int
    min_comment_group_size: int
    # A category of a self-identification question (DIG): respondents needed in every cell
    # of a breakdown (`analysis.gate.suppress_crosstab`); never below the group minimum.
    min_demographic_group_size: int


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
    # A group too small for scores is too small for a breakdown, whatever was stored when.
    values["min_demographic_group_size"] = max(
        values["min_demographic_group_size"], values["min_group_size"]
    )
    return Thresholds(**values)


def parse(text: str) -> int:
    text = text.strip()
    # isdigit() alone also accepts digits such as "²" that int() refuses.
    if not (text.isascii() and text.isdigit()) or not MINIMUM <= int(text) <= MAXIMUM:
        raise ThresholdError("out_of_range", minimum=MINIMUM, maximum=MAXIMUM)
    return int(text)


async def change(settings: Settings, key: str, value: int, *, actor: str) -> bool:
    """Store a new value; returns False when it equals the current one (nothing recorded)."""
    if key not in KEYS:
        raise ThresholdError("unknown_setting")
    parse(str(value))  # raises for a value out of range
    before = getattr(await current(settings), key)
    if before == value:
        return False
    await SettingValue.delete().where(SettingValue.key == key)
    await SettingValue.insert(SettingValue(key=key, value=str(value), changed_by=actor))
    await audit.record("setting.changed", actor=actor, target=key, before=before, after=value)
    return True


def check_together(
    min_group_size: int, min_comment_group_size: int, min_demographic_group_size: int
) -> None:
    """The gate refuses a comment or demographic minimum below the group minimum
    (`analysis.gate.GateConfig`): a group too small for scores is too small for those."""
    if min_comment_group_size < min_group_size:
        raise ThresholdError("comment_below_group", minimum=min_group_size)
    if min_demographic_group_size < min_group_size:
        raise ThresholdError("demographic_below_group", minimum=min_group_size)


async def change_all(settings: Settings, values: dict[str, int], *, actor: str) -> bool:
    """Store new values for every threshold at once, checked together; True if any
    changed. Nothing is stored when they are refused."""
    merged = {**vars(await current(settings)), **values}
    check_together(**{key: merged[key] for key in KEYS})
    changed = [
        await change(settings, key, values[key], actor=actor) for key in KEYS if key in values
    ]
    return any(changed)
