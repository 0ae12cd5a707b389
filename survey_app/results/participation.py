"""Response rates: invited per department from the invitations, responded from the day-stamped
responses, through the anonymity gate.

Rates are participation, not answers, but a rate still tells who took part when a group is
small or when it is watched: a manager of three saw within seconds that the other two had
answered. So the counts of a department are shown only when at least ``k`` people were
invited there (with the gate's protection against working a small group out by
subtraction, as for scores: hidden groups count in their parent's total), and while a wave
is open the responded counts go up to the end of the previous day (responses carry only
their day), so that watching the page shows nothing finer than a day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np

from analysis.gate import VISIBLE, suppress_tree
from analysis.participation import ParticipationRow, roll_up_participation
from analysis.tree import GroupTree
from survey_app.tables.anonymous import Response
from survey_app.tables.identity import Invitation
from survey_app.waves.service import WaveInfo


async def invited_paths(wave: WaveInfo) -> Counter[str]:
    """Invitations per department path (the path at the time of the invitation, as the
    responses have it: a later reorganisation does not move past response rates)."""
    rows = await Invitation.select(Invitation.department_path).where(Invitation.wave == wave.id)
    return Counter(row["department_path"] for row in rows)


async def participation(
    wave: WaveInfo, *, responded_before: dt.date | None = None
) -> list[ParticipationRow]:
    """Invited and responded counts per department, rolled up through the tree.

    ``responded_before``: count only responses of earlier days (an open wave); None counts
    every response (a closed wave).
    """
    invited = await invited_paths(wave)
    condition = Response.wave == wave.id
    if responded_before is not None:
        condition &= Response.submitted_on < responded_before
    responded = Counter(
        row["department_path"]
        for row in await Response.select(Response.department_path).where(condition)
    )
    return roll_up_participation(invited, responded)


@dataclass(frozen=True)
class GatedRate:
    """A department's rate, or None for each figure when the gate hides it."""

    row: ParticipationRow
    hidden: bool


def gate_rates(
    rows: list[ParticipationRow], k: int, protected: frozenset[str] = frozenset()
) -> list[GatedRate]:
    """Each row shown only when at least ``k`` were invited and no hidden group can be
    worked out by subtraction (`analysis.gate.suppress_tree` on the invited counts).
    ``protected`` paths are hidden whatever their size and never left alone as the hidden
    remainder of a shown parent (departments taken out of a manager's scope)."""
    if not rows:
        return []
    tree = GroupTree.from_paths([row.path for row in rows])
    invited = {row.path: row.invited for row in rows}
    counts = np.array([invited.get(path, 0) for path in tree.paths], dtype=np.int64)
    reasons = suppress_tree(
        tree, counts, k, protected=np.array([path in protected for path in tree.paths])
    )
    hidden = {path: int(code) != VISIBLE for path, code in zip(tree.paths, reasons, strict=True)}
    return [GatedRate(row, hidden[row.path]) for row in rows]
