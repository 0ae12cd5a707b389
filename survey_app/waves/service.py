"""Survey waves: creating them, inviting employees (and fixing their response groups)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from survey_app import audit
from survey_app.core.clock import aware, aware_or_none, day_start, utc_now
from survey_app.core.db import insert_rows, update_rows, write_transaction
from survey_app.core.errors import N_, Conflict, Invalid, NotFound
from survey_app.core.hashing import code_digests, hash_token, invitation_digests, new_token
from survey_app.core.i18n import _
from survey_app.core.settings import Settings
from survey_app.organisation.tree import DepartmentTree, load_tree
from survey_app.tables.identity import (
    CodeSlip,
    Employee,
    Invitation,
    ReplacedLink,
    UsedInvitation,
    Wave,
    WaveDepartment,
)
from survey_app.waves import thresholds
from surveys import DefinitionError, Template, load_template


class WaveError(Invalid):
    """A wave cannot be created or changed as asked."""

    messages: ClassVar[dict[str, str]] = {
        "title_required": N_("A wave needs a title."),
        "closes_before_opening": N_("The closing date must be on or after the opening date."),
        "no_departments": N_("Choose at least one department."),
        "unknown_template": N_("Unknown or invalid survey template: {name}"),
        "unknown_department": N_("Unknown department code: {code}"),
    }


class WaveNotFound(NotFound):
    messages: ClassVar[dict[str, str]] = {"unknown_wave": N_("Unknown wave: {id}")}


class WaveClosed(Conflict):
    messages: ClassVar[dict[str, str]] = {
        "closed": N_("This wave is closed; no invitations can be sent."),
        "draft": N_(
            "This wave is a draft: publish it first; nobody can be invited to a draft or answer it."
        ),
    }


class WaveState(enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


def state_label(state: WaveState) -> str:
    labels = {
        WaveState.DRAFT: _("draft"),
        WaveState.SCHEDULED: _("scheduled"),
        WaveState.OPEN: _("open"),
        WaveState.CLOSED: _("closed"),
    }
    return labels[state]


@dataclass(frozen=True)
class WaveInfo:
    id: int
    public_id: uuid.UUID
    title: str
    template_key: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    closed_early_at: dt.datetime | None
    published_at: dt.datetime | None = None

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    def state(self, now: dt.datetime) -> WaveState:
        if self.published_at is None:
            return WaveState.DRAFT
        if self.closed_early_at is not None or now >= self.closes_at:
            return WaveState.CLOSED
        if now < self.opens_at:
            return WaveState.SCHEDULED
        return WaveState.OPEN

    @classmethod
    def from_row(cls, row: dict) -> WaveInfo:
        return cls(
            id=row["id"],
            public_id=_as_uuid(row["public_id"]),
            title=row["title"],
            template_key=row["template_key"],
            opens_at=aware(row["opens_at"]),
            closes_at=aware(row["closes_at"]),
            closed_early_at=aware_or_none(row["closed_early_at"]),
            published_at=aware_or_none(row["published_at"]),
        )


@dataclass(frozen=True)
class NewInvitation:
    employee_number: str
    name: str
    email: str
    department_code: str
    token: str
    invitation_id: int = 0
    # A new link for an invitation made earlier (``reissue``), not a new invitation.
    reissued: bool = False


WAVE_COLUMNS = (
    Wave.id,
    Wave.public_id,
    Wave.title,
    Wave.template_key,
    Wave.opens_at,
    Wave.closes_at,
    Wave.closed_early_at,
    Wave.published_at,
)


INVITATION_COLUMNS = (
    Invitation.wave,
    Invitation.employee,
    Invitation.department,
    Invitation.department_path,
    Invitation.token_hash,
    Invitation.response_group,
)


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def create_wave(
    *,
    title: str,
    template_key: str,
    department_codes: list[str],
    opens_on: dt.date,
    closes_on: dt.date,
    timezone: dt.tzinfo,
    template: Template | None = None,
    draft: bool = False,
    now: dt.datetime | None = None,
    actor: str = "",
) -> WaveInfo:
    """A wave that opens at the start of ``opens_on`` and closes at the end of ``closes_on``.

    A ``draft`` can still be edited (`survey_app.waves.schedule`, `.composing`) and invites
    nobody until it is published; otherwise the wave is published at once (``now``).
    """
    title = check_title(title)
    check_days(opens_on, closes_on)
    if template is None:
        # Data minimisation: a wave asks self-identification only where it is chosen.
        template = shipped_template(template_key).with_self_identification(())
    departments = await chosen_departments(department_codes)
    async with write_transaction():
        wave = Wave(
            public_id=uuid.uuid4(),
            title=title,
            template_key=template.key,
            template=template.to_dict(),
            opens_at=day_start(opens_on, timezone),
            closes_at=day_start(closes_on + dt.timedelta(days=1), timezone),
            published_at=None if draft else (now or utc_now()),
        )
        await wave.save()
        await WaveDepartment.insert(
            *[WaveDepartment(wave=wave.id, department=node.id) for node in departments]
        )
    await audit.record(
        "wave.created",
        actor,
        title,
        wave=str(wave.public_id),
        draft=draft,
        departments=len(departments),
    )
    return await get_wave(wave.public_id)


def check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise WaveError("title_required")
    return title


def check_days(opens_on: dt.date, closes_on: dt.date) -> None:
    if closes_on < opens_on:
        raise WaveError("closes_before_opening")


def shipped_template(template_key: str) -> Template:
    """The template of the question bank named ``template_key`` (WaveError when unknown)."""
    try:
        return load_template(template_key)
    except (DefinitionError, FileNotFoundError, KeyError) as error:
        raise WaveError("unknown_template", name=template_key) from error


async def chosen_departments(department_codes: list[str]) -> list:
    """The active departments of ``department_codes`` (their whole subtrees are invited)."""
    if not department_codes:
        raise WaveError("no_departments")
    tree = await load_tree()
    departments = []
    for code in dict.fromkeys(department_codes):
        node = tree.by_code(code)
        if node is None or not node.active:
            raise WaveError("unknown_department", code=code)
        departments.append(node)
    return departments


async def get_wave(public_id: uuid.UUID | str) -> WaveInfo:
    try:
        wanted = _as_uuid(public_id)
    except ValueError as error:
        raise WaveNotFound("unknown_wave", id=public_id) from error
    row = await Wave.select(*WAVE_COLUMNS).where(Wave.public_id == wanted).first()
    if row is None:
        raise WaveNotFound("unknown_wave", id=public_id)
    return WaveInfo.from_row(row)


async def list_waves() -> list[WaveInfo]:
    rows = await Wave.select(*WAVE_COLUMNS).order_by(Wave.opens_at, ascending=False)
    return [WaveInfo.from_row(row) for row in rows]


_TEMPLATES: dict[uuid.UUID, Template] = {}
_TEMPLATES_KEPT = 32


async def wave_template(wave: WaveInfo) -> Template:
    """The wave's snapshot of its survey definition.

    A snapshot never changes once the wave is published, so each process keeps the parsed
    templates of recent published waves (keyed by the random public id, never reused). A
    draft's questionnaire is still being composed: it is read every time.
    """
    cached = _TEMPLATES.get(wave.public_id)
    if cached is not None:
        return cached
    row = await Wave.select(Wave.template).where(Wave.id == wave.id).first()
    snapshot = row["template"]
    # Piccolo returns JSON columns as text on both databases.
    template = Template.from_dict(json.loads(snapshot) if isinstance(snapshot, str) else snapshot)
    if wave.is_draft:
        return template
    if len(_TEMPLATES) >= _TEMPLATES_KEPT:
        _TEMPLATES.pop(next(iter(_TEMPLATES)))
    _TEMPLATES[wave.public_id] = template
    return template


async def wave_department_ids(wave: WaveInfo, tree: DepartmentTree) -> set[int]:
    rows = await WaveDepartment.select(WaveDepartment.department).where(
        WaveDepartment.wave == wave.id
    )
    chosen: set[int] = set()
    for row in rows:
        chosen |= tree.subtree_ids(row["department"])
    return chosen


async def used_invitations(
    wave: WaveInfo, secret_key: str, invitation_ids: list[int] | None = None
) -> dict[int, dt.date]:
    """The invitations of ``wave`` (or of ``invitation_ids``) that have been used, with the
    day of use.

    The database holds only keyed digests of used invitations (`UsedInvitation`); matching
    them to invitations needs the secret key, so only the application can say who responded
    (to count rates and, later, to remind the others).
    """
    used = {
        row["digest"]: row["used_on"]
        for row in await UsedInvitation.select(UsedInvitation.digest, UsedInvitation.used_on).where(
            UsedInvitation.wave == wave.id
        )
    }
    if not used:
        return {}
    if invitation_ids is None:
        rows = await Invitation.select(Invitation.id).where(Invitation.wave == wave.id)
        invitation_ids = [row["id"] for row in rows]
    digests = invitation_digests(secret_key, invitation_ids)
    return {id_: used[digest] for id_, digest in digests.items() if digest in used}


async def used_code_slips(
    wave: WaveInfo, secret_key: str, code_ids: list[int]
) -> dict[int, dt.date]:
    """The code slips among ``code_ids`` that have been used, with the day of use (their
    digests are keyed like used invitations', `used_invitations`)."""
    if not code_ids:
        return {}
    used = {
        row["digest"]: row["used_on"]
        for row in await UsedInvitation.select(UsedInvitation.digest, UsedInvitation.used_on).where(
            UsedInvitation.wave == wave.id
        )
    }
    digests = code_digests(secret_key, code_ids)
    return {id_: used[digest] for id_, digest in digests.items() if digest in used}


async def _regroup(
    wave_id: int, invited: list[dict], new_paths: list[str], k: int
) -> dict[str, str]:
    """The group each department path's responses will be stored under, from the invited
    counts of a wave's invitations and those about to be added to it
    (`analysis.gate.response_groups`); the invitations and code slips already made whose
    group changes are updated. Inside the write transaction that adds the new ones."""
    # The gate brings numpy and scipy; imported here, where invitations are made, so that a
    # web worker that only serves surveys (which use this module) never loads them.
    from analysis.gate import response_groups

    paths = [row["department_path"] for row in invited] + new_paths
    groups = response_groups(Counter(paths), k)
    changed = [
        (groups[row["department_path"]], row["id"])
        for row in invited
        if row["response_group"] != groups[row["department_path"]]
    ]
    await update_rows(Invitation, (Invitation.response_group,), changed)
    # A department's code slips answer under its invitations' group (`waves.codes`).
    codes = await CodeSlip.select(
        CodeSlip.id, CodeSlip.department_path, CodeSlip.response_group
    ).where(CodeSlip.wave == wave_id)
    await update_rows(
        CodeSlip,
        (CodeSlip.response_group,),
        [
            (groups[row["department_path"]], row["id"])
            for row in codes
            if row["department_path"] in groups
            and row["response_group"] != groups[row["department_path"]]
        ],
    )
    return groups


async def invite(
    wave: WaveInfo,
    *,
    now: dt.datetime,
    settings: Settings,
    reissue: bool = False,
    reissue_with_email_only: bool = False,
    then: Callable[[list[NewInvitation]], Awaitable[None]] | None = None,
) -> list[NewInvitation]:
    """Invite every active employee in the wave's departments who has no invitation yet.

    Tokens exist only in the returned list; the database keeps their hashes. With
    ``reissue``, employees who have not responded get a new token (the old one stops
    working), for lost or expired links (with ``reissue_with_email_only``, only those with an
    e-mail address: a reminder by mail leaves a link on paper working). Every invitation's
    response group is (re)computed from the wave's invitations with the group minimum in
    force. ``then`` is awaited with
    the list inside the same write transaction (the mail outbox queues the links there, so
    a crash keeps both or neither).
    """
    state = wave.state(now)
    if state is WaveState.DRAFT:
        raise WaveClosed("draft")
    if state is WaveState.CLOSED:
        raise WaveClosed("closed")
    tree = await load_tree()
    department_ids = await wave_department_ids(wave, tree)
    # Filtered here rather than with an IN list of departments, which has no bound.
    employees = [
        row
        for row in await Employee.select(
            Employee.id,
            Employee.employee_number,
            Employee.name,
            Employee.email,
            Employee.department,
        ).where(Employee.active == True)  # noqa: E712
        if row["department"] in department_ids
    ]
    k = (await thresholds.current(settings)).min_group_size
    created: list[NewInvitation] = []
    async with write_transaction():
        invited = await Invitation.select(
            Invitation.id,
            Invitation.employee,
            Invitation.department_path,
            Invitation.response_group,
        ).where(Invitation.wave == wave.id)
        existing = {row["employee"]: row["id"] for row in invited}
        # A reissued link keeps the invitation (and so its used digest): an invitation
        # used with its old link stays used with the new one.
        used = (
            await used_invitations(wave, settings.secret_key, list(existing.values()))
            if reissue
            else {}
        )
        # A link replaced by the department's code slips is not brought back (`waves.codes`).
        replaced = (
            {
                row["invitation"]
                for row in await ReplacedLink.select(ReplacedLink.invitation).where(
                    ReplacedLink.wave == wave.id
                )
            }
            if reissue
            else set()
        )
        new: list[tuple[dict, str]] = []  # employee, token hash
        reissued = []
        for employee in sorted(employees, key=lambda row: row["employee_number"]):
            token = new_token()
            previous = existing.get(employee["id"])
            if previous is None:
                new.append((employee, hash_token(token)))
            elif (
                reissue
                and previous not in used
                and previous not in replaced
                and (employee["email"] or not reissue_with_email_only)
            ):
                reissued.append((hash_token(token), previous))
            else:
                continue
            created.append(
                NewInvitation(
                    employee_number=employee["employee_number"],
                    name=employee["name"],
                    email=employee["email"],
                    department_code=tree.nodes[employee["department"]].code,
                    token=token,
                    invitation_id=previous or 0,
                    reissued=previous is not None,
                )
            )
        if new:
            paths = [tree.path(employee["department"]) for employee, _hash in new]
            groups = await _regroup(wave.id, invited, paths, k)
            await insert_rows(
                Invitation,
                INVITATION_COLUMNS,
                [
                    (wave.id, employee["id"], employee["department"], path, hashed, groups[path])
                    for (employee, hashed), path in zip(new, paths, strict=True)
                ],
            )
        await update_rows(Invitation, (Invitation.token_hash,), reissued)
        if new:
            ids = {
                row["token_hash"]: row["id"]
                for row in await Invitation.select(Invitation.id, Invitation.token_hash).where(
                    Invitation.wave == wave.id
                )
            }
            created = [
                item if item.reissued else replace(item, invitation_id=ids[hash_token(item.token)])
                for item in created
            ]
        if then is not None:
            await then(created)
    return created


async def close_wave(wave: WaveInfo, *, now: dt.datetime) -> None:
    async with write_transaction():
        await Wave.update({Wave.closed_early_at: now}).where(
            (Wave.id == wave.id) & Wave.closed_early_at.is_null()
        )
