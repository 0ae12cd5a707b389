"""Response rates: invited and responded per department from the invitations and the keyed
digests of used invitations, through the anonymity gate.

Rates are participation, not answers, but a rate still tells who took part when a group is
small or when it is watched: a manager of three saw within seconds that the other two had
answered. So the counts of a department are shown only when at least ``k`` people were
invited there (with the gate's protection against working a small group out by
subtraction, as for scores: hidden groups count in their parent's total), and while a wave
is open the responded counts go up to the end of the previous day (a used invitation
carries only its day), so that watching the page shows nothing finer than a day.

The responses themselves are stored under coarser response groups
(`analysis.gate.response_groups`); rates need the finer departments, and only the
application can count them, from the invitations, with the secret key.

The gate (numpy, scipy) is imported by `gate_rates`, which the door runs in a thread: the
application does not load it until results are computed (see `results.service`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from analysis.participation import ParticipationRow, roll_up_participation
from survey_app.organisation.tree import in_subtree
from survey_app.tables.identity import CodeSlip, Invitation, ReplacedLink
from survey_app.waves.service import WaveInfo, used_code_slips, used_invitations


async def invited_paths(wave: WaveInfo) -> Counter[str]:
    """Invitations per department path (the path at the time of the invitation)."""
    rows = await Invitation.select(Invitation.department_path).where(Invitation.wave == wave.id)
    return Counter(row["department_path"] for row in rows)


async def participation(
    wave: WaveInfo, *, secret_key: str, responded_before: dt.date | None = None
) -> list[ParticipationRow]:
    """Invited and responded counts per department (the path at the time of the
    invitation: a later reorganisation does not move past rates), rolled up through the tree.

    A code slip counts as an invitation of its department, and the links it replaced (of
    invitees without e-mail, `waves.codes`) no longer do, unless one was used before it
    was replaced: everyone counts once, whether they answer by link or by code.

    ``responded_before``: count only invitations used on earlier days (an open wave); None
    counts every used invitation (a closed wave).
    """
    rows = await Invitation.select(Invitation.id, Invitation.department_path).where(
        Invitation.wave == wave.id
    )
    used = await used_invitations(wave, secret_key, [row["id"] for row in rows])
    replaced = {
        row["invitation"]
        for row in await ReplacedLink.select(ReplacedLink.invitation).where(
            ReplacedLink.wave == wave.id
        )
    }
    rows = [row for row in rows if row["id"] not in replaced or row["id"] in used]
    codes = await CodeSlip.select(CodeSlip.id, CodeSlip.department_path).where(
        CodeSlip.wave == wave.id
    )
    used_codes = await used_code_slips(wave, secret_key, [row["id"] for row in codes])

    def counted(used_on: dt.date | None) -> bool:
        return used_on is not None and (responded_before is None or used_on < responded_before)

    invited = Counter(row["department_path"] for row in [*rows, *codes])
    responded = Counter(
        row["department_path"] for row in rows if counted(used.get(row["id"]))
    ) + Counter(row["department_path"] for row in codes if counted(used_codes.get(row["id"])))
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
    import numpy as np

    from analysis.gate import VISIBLE, suppress_tree
    from analysis.tree import GroupTree

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


def responded_in(rows: list, protected: frozenset[str]) -> dict[str, int]:
    """How many responded in each protected team (the outermost ones), from a wave's
    participation rows: the gate needs them where a team's answers are stored with a larger
    group (`results.scores.protect_merged`)."""
    return {
        row.path: row.responded
        for row in rows
        if row.path in protected
        and not any(in_subtree(row.path, other) and row.path != other for other in protected)
    }


async def protected_responded(
    waves: list[WaveInfo],
    protected: frozenset[str],
    secret_key: str,
    counting: asyncio.Future[list],
) -> tuple[dict[str, int], ...]:
    """`responded_in` for each wave (the last one's rows are ``counting``'s, already
    being read); nothing when the viewer has no protected teams."""
    if not protected:
        return ()
    found = [
        responded_in(await participation(wave, secret_key=secret_key), protected)
        for wave in waves[:-1]
    ]
    return (*found, responded_in(await counting, protected))
