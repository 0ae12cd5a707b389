"""Code slips: single-use codes per department for staff without e-mail.

A code is not anyone's: HR prints a sheet of them for a department and hands them out.
Only each code's keyed hash is stored, with the wave, the department and the response
group of that department's invitations, so a code's answers are stored under a group of at
least the group minimum, exactly like a link's (`survey_app.responding.service` redeems
them). The links of the department's invitees without an e-mail address stop working when
its codes are printed: their code replaces their link, so nobody can answer twice, and
response rates count the codes in their place (`survey_app.results.participation`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.core.db import insert_rows, write_transaction
from survey_app.core.errors import N_, Invalid
from survey_app.core.hashing import code_hash, hash_token, new_code, new_token
from survey_app.core.settings import Settings
from survey_app.organisation.tree import DepartmentNode, DepartmentTree, load_tree
from survey_app.tables.identity import CodeSlip, Employee, Invitation, ReplacedLink
from survey_app.waves.service import WaveClosed, WaveInfo, WaveState, used_invitations

MAX_CODES = 500


class CodeError(Invalid):
    """Codes cannot be printed as asked."""

    messages: ClassVar[dict[str, str]] = {
        "unknown_department": N_("Unknown department code: {code}"),
        "not_invited": N_(
            "Nobody in department {code} has been invited to this wave: invite the wave's "
            "employees first, then print codes for those without e-mail."
        ),
        "count": N_("Choose a number of codes from 1 to {maximum}."),
    }


@dataclass(frozen=True)
class CodeDepartment:
    """A department of a wave that codes can be printed for."""

    code: str
    name: str
    without_email: int  # invitees whose link still works and who have no e-mail address
    issued: int  # codes printed so far


@dataclass(frozen=True)
class IssuedCodes:
    wave: WaveInfo
    department_code: str
    department_name: str
    codes: list[str]


def _check_state(wave: WaveInfo) -> None:
    state = wave.state(utc_now())
    if state is WaveState.DRAFT:
        raise WaveClosed("draft")
    if state is WaveState.CLOSED:
        raise WaveClosed("closed")


async def _invitations_without_email(wave: WaveInfo, secret_key: str) -> dict[int, list[int]]:
    """Per department id, the wave's invitations of people without an e-mail address that
    are unused and not yet replaced by codes (their links still work)."""
    no_email = {row["id"] for row in await Employee.select(Employee.id).where(Employee.email == "")}
    replaced = {
        row["invitation"]
        for row in await ReplacedLink.select(ReplacedLink.invitation).where(
            ReplacedLink.wave == wave.id
        )
    }
    rows = [
        row
        for row in await Invitation.select(
            Invitation.id, Invitation.employee, Invitation.department
        ).where(Invitation.wave == wave.id)
        if row["employee"] in no_email and row["id"] not in replaced
    ]
    used = await used_invitations(wave, secret_key, [row["id"] for row in rows])
    found: dict[int, list[int]] = {}
    for row in rows:
        if row["id"] not in used:
            found.setdefault(row["department"], []).append(row["id"])
    return found


async def code_departments(wave: WaveInfo, settings: Settings) -> list[CodeDepartment]:
    """The departments with invitations in ``wave`` (in tree order), each with its number
    of invitees without e-mail (the default number of codes) and of codes printed."""
    tree = await load_tree()
    invited = {
        row["department"]
        for row in await Invitation.select(Invitation.department).where(Invitation.wave == wave.id)
    }
    issued = Counter(
        row["department"]
        for row in await CodeSlip.select(CodeSlip.department).where(CodeSlip.wave == wave.id)
    )
    without = await _invitations_without_email(wave, settings.secret_key)
    return [
        CodeDepartment(node.code, node.name, len(without.get(node.id, [])), issued[node.id])
        for node in _tree_order(tree)
        if node.id in invited
    ]


def _tree_order(tree: DepartmentTree) -> list[DepartmentNode]:
    found: list[DepartmentNode] = []
    waiting = list(reversed(tree.children(None)))
    while waiting:
        node = waiting.pop()
        found.append(node)
        waiting.extend(reversed(tree.children(node.id)))
    return found


async def issue_codes(
    wave: WaveInfo,
    department_code: str,
    count: int | None,
    *,
    settings: Settings,
    actor: str = "",
) -> IssuedCodes:
    """``count`` new codes for the department's invitees (default: those without e-mail).

    The codes exist only in the result; the database keeps their keyed hashes, in random
    order (the order of the rows says nothing about the order on the sheet). The links of
    the department's invitees without e-mail stop working.
    """
    _check_state(wave)
    tree = await load_tree()
    node = tree.by_code(department_code.strip())
    if node is None:
        raise CodeError("unknown_department", code=department_code)
    async with write_transaction():
        invitations = await Invitation.select(
            Invitation.id, Invitation.department_path, Invitation.response_group
        ).where((Invitation.wave == wave.id) & (Invitation.department == node.id))
        if not invitations:
            raise CodeError("not_invited", code=node.code)
        replacing = (await _invitations_without_email(wave, settings.secret_key)).get(node.id, [])
        if count is None:
            count = len(replacing)
        if not 1 <= count <= MAX_CODES:
            raise CodeError("count", maximum=MAX_CODES)
        # The path and group the department's invitations were made with (the latest, if
        # a reorganisation came between two rounds of invitations).
        latest = max(invitations, key=lambda row: row["id"])
        path, group = latest["department_path"], latest["response_group"]
        codes = [new_code() for _ in range(count)]
        stored = [(wave.id, node.id, path, group, code_hash(settings.secret_key, c)) for c in codes]
        random.SystemRandom().shuffle(stored)
        await insert_rows(
            CodeSlip,
            (
                CodeSlip.wave,
                CodeSlip.department,
                CodeSlip.department_path,
                CodeSlip.response_group,
                CodeSlip.code_hash,
            ),
            stored,
        )
        # Their links stop working: a token nobody has replaces each one.
        for invitation_id in replacing:
            await Invitation.update({Invitation.token_hash: hash_token(new_token())}).where(
                Invitation.id == invitation_id
            )
        await insert_rows(
            ReplacedLink,
            (ReplacedLink.wave, ReplacedLink.invitation),
            [(wave.id, invitation_id) for invitation_id in replacing],
        )
    await audit.record(
        "wave.codes_issued",
        actor,
        wave.title,
        wave=str(wave.public_id),
        department=node.code,
        codes=count,
        links_replaced=len(replacing),
    )
    return IssuedCodes(wave, node.code, node.name, codes)
