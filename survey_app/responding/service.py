"""Answering a survey: checking an invitation token and storing a response anonymously.

Where the anonymity rules for storing answers live (docs/architecture.md, "Anonymous even
to the database operator"). Submitting is one write transaction on what only the secret key
can read: it records the keyed digest of the invitation as used (the unique digest makes
the invitation single use, also against parallel submissions) and stores the answers
sealed. No identity-side row is written. The sealed answers are released into the
anonymous tables later, in shuffled batches of at least the group minimum per response
group (`survey_app.responding.release`), so neither order nor time nor a shared
transaction ties a released response to the submission that made it.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app.core.clock import local_day
from survey_app.core.db import write_transaction
from survey_app.core.hashing import code_digests, group_tag, used_invitation_digest
from survey_app.core.settings import Settings
from survey_app.responding.release import release_ready, seal_response
from survey_app.tables.anonymous import SealedResponse
from survey_app.tables.identity import Invitation, UsedInvitation
from survey_app.waves.service import WAVE_COLUMNS, WaveInfo, WaveState, wave_template
from surveys import AnswerValue, Template

logger = logging.getLogger(__name__)


class TokenState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    NOT_YET_OPEN = "not_yet_open"
    EXPIRED = "expired"
    CLOSED = "closed"
    # The browser came to the survey without a (still valid) session from a link.
    NO_SESSION = "no_session"


class TokenRejected(Exception):
    def __init__(self, state: TokenState) -> None:
        super().__init__(state.value)
        self.state = state


@dataclass(frozen=True)
class OpenInvitation:
    """A token that may be used now, with what is needed to show the survey."""

    token_hash: str
    wave: WaveInfo
    template: Template
    by_code: bool = False  # a code slip's code, not an invitation link


def token_state(wave: WaveInfo, used: bool, now: dt.datetime) -> TokenState:
    if used:
        return TokenState.USED
    if wave.closed_early_at is not None:
        return TokenState.CLOSED
    state = wave.state(now)
    if state is WaveState.CLOSED:
        return TokenState.EXPIRED
    # A draft has no invitations (`invite` refuses it); were one there, it waits too.
    if state in (WaveState.SCHEDULED, WaveState.DRAFT):
        return TokenState.NOT_YET_OPEN
    return TokenState.VALID


# Every respondent request runs these two. Written out once: Piccolo builds the joined
# select in about 1 ms of CPU per request, more than the database needs to answer it
# (bench/README.md, "CPU per respondent"). Only column names of the tables go into the text;
# the token hash and the digest are parameters.
_WAVE_SELECT = ", ".join(
    f'wave.{column._meta.db_column_name} AS "{column._meta.name}"' for column in WAVE_COLUMNS
)
_INVITATION_SQL = (
    f"SELECT invitation.id AS invitation_id, invitation.response_group, {_WAVE_SELECT} "  # noqa: S608
    "FROM invitation JOIN wave ON wave.id = invitation.wave "
    "WHERE invitation.token_hash = {} LIMIT 1"
)
# A code slip's code stands in for an invitation (`survey_app.waves.codes`).
_CODE_SQL = (
    f"SELECT code_slip.id AS invitation_id, code_slip.response_group, {_WAVE_SELECT} "  # noqa: S608
    "FROM code_slip JOIN wave ON wave.id = code_slip.wave "
    "WHERE code_slip.code_hash = {} LIMIT 1"
)
_USED_SQL = "SELECT 1 AS used FROM used_invitation WHERE digest = {} LIMIT 1"


async def _invitation(
    token_hash: str, *, to_submit: bool = False, by_code: bool = False
) -> tuple[int, str, WaveInfo] | None:
    """The invitation behind a token hash (id, response group) and its wave, in one query;
    ``by_code``: the code slip behind a code's hash, which counts as an invitation.

    ``to_submit``: inside the submission's write transaction. On PostgreSQL the wave's row
    is then share-locked until the commit, so HR closing the wave early either waits for
    the submission or the submission sees the wave closed (on SQLite the IMMEDIATE
    transaction does the same). No answer can arrive after a close that results have seen.
    """
    sql = _CODE_SQL if by_code else _INVITATION_SQL
    if to_submit and Invitation._meta.db.engine_type == "postgres":
        sql += " FOR SHARE OF wave"
    rows = await Invitation.raw(sql, token_hash)
    if not rows:
        return None
    row = rows[0]
    return row["invitation_id"], row["response_group"], WaveInfo.from_row(row)


async def _is_used(digest: str) -> bool:
    return bool(await UsedInvitation.raw(_USED_SQL, digest))


def _used_digest(secret_key: str, invitation_id: int, by_code: bool) -> str:
    if by_code:
        return code_digests(secret_key, [invitation_id])[invitation_id]
    return used_invitation_digest(secret_key, invitation_id)


async def open_invitation(
    token_hash: str, now: dt.datetime, secret_key: str, *, by_code: bool = False
) -> OpenInvitation:
    """The invitation behind ``token_hash`` (``by_code``: the code slip behind a code's
    hash) if it can be answered now; else TokenRejected."""
    found = await _invitation(token_hash, by_code=by_code)
    if found is None:
        raise TokenRejected(TokenState.UNKNOWN)
    invitation_id, _group, wave = found
    used = await _is_used(_used_digest(secret_key, invitation_id, by_code))
    state = token_state(wave, used, now)
    if state is not TokenState.VALID:
        raise TokenRejected(state)
    return OpenInvitation(
        token_hash=token_hash, wave=wave, template=await wave_template(wave), by_code=by_code
    )


async def _asked(wave: WaveInfo, stated: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The pairs of ``stated`` that the wave asks, with an option it offers."""
    if not stated:
        return ()
    categories = {c.key: c for c in (await wave_template(wave)).self_identification}
    return tuple(
        (key, value)
        for key, value in stated
        if key in categories and categories[key].option(value) is not None
    )


async def submit_response(
    token_hash: str,
    answers: Sequence[AnswerValue],
    *,
    now: dt.datetime,
    settings: Settings,
    checked_unused: bool = False,
    by_code: bool = False,
    self_identification: Sequence[tuple[str, str]] = (),
) -> None:
    """Store one response for the invitation behind ``token_hash``, exactly once.

    Raises TokenRejected (and stores nothing) when the token is unknown, already used, or
    its wave is not open. Concurrent submissions with one token store one response: the
    unique digest lets exactly one of them through. Once stored (sealed), the response
    group's waiting responses are released when there are enough of them.

    ``checked_unused``: the caller has just opened the invitation (`open_invitation`), so
    its used digest is not looked up again; single use rests on the unique digest anyway,
    and the invitation and its wave are read again here, in the transaction.
    ``by_code``: ``token_hash`` is a code slip's; it is used up the same way.
    ``self_identification``: the ``(category, option)`` pairs the respondent stated
    (`surveys.validate_self_identification`), given only with their consent; sealed and
    released with the answers into `SelfIdentification`. Pairs for categories the wave
    does not ask are dropped.
    """
    secret = settings.secret_key
    async with write_transaction():
        found = await _invitation(token_hash, to_submit=True, by_code=by_code)
        if found is None:
            raise TokenRejected(TokenState.UNKNOWN)
        invitation_id, group, wave = found
        digest = _used_digest(secret, invitation_id, by_code)
        used = False if checked_unused else await _is_used(digest)
        state = token_state(wave, used, now)
        if state is not TokenState.VALID:
            raise TokenRejected(state)
        # ON CONFLICT: a parallel submission that got in between sees the digest taken and
        # stores nothing (on PostgreSQL it waits for the other transaction to end first).
        claimed = (
            await UsedInvitation.insert(
                UsedInvitation(
                    id=uuid.uuid4(),
                    wave=wave.id,
                    digest=digest,
                    used_on=local_day(now, settings.timezone),
                )
            )
            .on_conflict(target=UsedInvitation.digest, action="DO NOTHING")
            .returning(UsedInvitation.id)
        )
        if not claimed:
            raise TokenRejected(TokenState.USED)
        tag = group_tag(secret, wave.id, group)
        await SealedResponse.insert(
            SealedResponse(
                id=uuid.uuid4(),
                wave=wave.id,
                group_tag=tag,
                sealed=seal_response(
                    secret, wave, group, answers, await _asked(wave, self_identification)
                ),
            )
        )
    try:
        await release_ready(wave, settings=settings, group_tag=tag)
    except Exception:
        # The answers are stored (sealed) and acknowledged either way; they are released
        # with the next submission of their group or when the wave closes.
        logger.exception("Releasing sealed answers failed; they stay sealed for now")
