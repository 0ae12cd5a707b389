"""Response rates: invited and responded per department, from the identity side only.

Counts of who responded are identity-side facts that every response-rate overview shows;
no answer content is involved. They still reach people only through `results.service`.
"""

from __future__ import annotations

from collections import Counter

from analysis.participation import ParticipationRow, roll_up_participation
from survey_app.organisation.tree import DepartmentTree, load_tree
from survey_app.tables.identity import Invitation
from survey_app.waves.service import WaveInfo


async def participation(wave: WaveInfo) -> tuple[list[ParticipationRow], DepartmentTree]:
    """Invited and responded counts per department, rolled up through the tree."""
    tree = await load_tree()
    rows = await Invitation.select(Invitation.department_path, Invitation.responded).where(
        Invitation.wave == wave.id
    )
    invited: Counter[str] = Counter()
    responded: Counter[str] = Counter()
    for row in rows:
        # The path at the time of the invitation, as the responses have it: a later
        # reorganisation does not move past response rates.
        path = row["department_path"]
        invited[path] += 1
        responded[path] += bool(row["responded"])
    return roll_up_participation(invited, responded), tree
