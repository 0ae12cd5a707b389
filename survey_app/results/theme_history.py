"""The discovered themes known after each closed wave (`ThemeHistory`), read and written.

A wave's discovered themes keep the ids of the previous wave's (`analysis.text.continuity`)
when its analysis starts from the themes known after that wave. Keeping those per wave
means a wave's themes need at most its own analysis, not the whole series' again. What is
kept is `KnownThemes`: ids, labels and terms, words the pages show anyway.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from survey_app.tables.anonymous import ThemeHistory
from survey_app.waves.service import WaveInfo

if TYPE_CHECKING:
    from analysis.text.continuity import KnownThemes


async def stored_known(wave: WaveInfo, comment_minimum: int) -> KnownThemes | None:
    """The themes known after ``wave``'s analysis with this comment minimum, if kept."""
    from analysis.text.continuity import KnownThemes

    row = (
        await ThemeHistory.select(ThemeHistory.known)
        .where((ThemeHistory.wave == wave.id) & (ThemeHistory.comment_minimum == comment_minimum))
        .first()
    )
    if row is None:
        return None
    known = row["known"]
    return KnownThemes.from_json(json.loads(known) if isinstance(known, str) else known)


async def store_known(wave: WaveInfo, comment_minimum: int, known: KnownThemes) -> None:
    """Keep the themes known after ``wave`` (closed); the first one written stays (the
    analysis is deterministic, so a second worker's is the same)."""
    await ThemeHistory.insert(
        ThemeHistory(wave=wave.id, comment_minimum=comment_minimum, known=known.to_json())
    ).on_conflict(target=(ThemeHistory.wave, ThemeHistory.comment_minimum), action="DO NOTHING")
