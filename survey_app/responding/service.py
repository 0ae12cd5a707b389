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
from survey_app.core.hashing import group_tag, used_invitation_digest
from survey_app.core.settings import Settings
from survey_app.responding.release import release_ready, seal_response
from survey_app.tables.anonymous import SealedResponse
from survey_app.tables.identity import Invitation, UsedInvitation
from survey_app.waves import thresholds
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


def token_state(wave: WaveInfo, used: bool, now: dt.datetime) -> TokenState:
    if used:
        return TokenState.USED
    if wave.closed_early_at is not None:
        return TokenState.CLOSED
    state = wave.state(now)
    if state is WaveState.CLOSED:
        return TokenState.EXPIRED
    if state is WaveState.SCHEDULED:
        return TokenState.NOT_YET_OPEN
    return TokenState.VALID


async def _invitation(token_hash: str) -> tuple[dict, WaveInfo] | None:
    """The invitation behind a token hash and its wave, in one query."""
    row = (
        await Invitation.select(
            Invitation.id,
            Invitation.response_group,
            *(getattr(Invitation.wave, column._meta.name) for column in WAVE_COLUMNS),
        )
        .where(Invitation.token_hash == token_hash)
        .first()
    )
    if row is None:
        return None
    wave = WaveInfo.from_row(
        {column._meta.name: row[f"wave.{column._meta.name}"] for column in WAVE_COLUMNS}
    )
    return row, wave


async def _is_used(digest: str) -> bool:
    return await UsedInvitation.exists().where(UsedInvitation.digest == digest)


async def open_invitation(token_hash: str, now: dt.datetime, secret_key: str) -> OpenInvitation:
    """The invitation behind ``token_hash`` if it can be answered now; else TokenRejected."""
    found = await _invitation(token_hash)
    if found is None:
        raise TokenRejected(TokenState.UNKNOWN)
    invitation, wave = found
    used = await _is_used(used_invitation_digest(secret_key, invitation["id"]))
    state = token_state(wave, used, now)
    if state is not TokenState.VALID:
        raise TokenRejected(state)
    return OpenInvitation(token_hash=token_hash, wave=wave, template=await wave_template(wave))


async def submit_response(
    token_hash: str,
    answers: Sequence[AnswerValue],
    *,
    now: dt.datetime,
    settings: Settings,
) -> None:
    """Store one response for the invitation behind ``token_hash``, exactly once.

    Raises TokenRejected (and stores nothing) when the token is unknown, already used, or
    its wave is not open. Concurrent submissions with one token store one response: the
    unique digest lets exactly one of them through. Once stored (sealed), the response
    group's waiting responses are released when there are enough of them.
    """
    secret = settings.secret_key
    async with write_transaction():
        found = await _invitation(token_hash)
        if found is None:
            raise TokenRejected(TokenState.UNKNOWN)
        invitation, wave = found
        digest = used_invitation_digest(secret, invitation["id"])
        state = token_state(wave, await _is_used(digest), now)
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
        group = invitation["response_group"]
        tag = group_tag(secret, wave.id, group)
        await SealedResponse.insert(
            SealedResponse(
                id=uuid.uuid4(),
                wave=wave.id,
                group_tag=tag,
                sealed=seal_response(secret, wave, group, answers),
            )
        )
    try:
        k = (await thresholds.current(settings)).min_group_size
        await release_ready(wave, k=k, secret_key=secret, group_tag=tag)
    except Exception:
        # The answers are stored (sealed) and acknowledged either way; they are released
        # with the next submission of their group or when the wave closes.
        logger.exception("Releasing sealed answers failed; they stay sealed for now")
