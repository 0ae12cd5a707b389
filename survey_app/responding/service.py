"""Answering a survey: checking an invitation token and storing a response anonymously.

Where the anonymity rules for storing answers live (docs/architecture.md, "Anonymity by
design"). Submitting is one write transaction: a conditional update marks the invitation
responded only if it was not, and only then the response is inserted with a random id, a
department snapshot and the day (no finer). Nothing stored on the anonymous side refers to
the employee or invitation.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app.core.clock import local_day
from survey_app.core.db import write_transaction
from survey_app.tables.anonymous import Answer, Response
from survey_app.tables.identity import Invitation
from survey_app.waves.service import WAVE_COLUMNS, WaveInfo, WaveState, wave_template
from surveys import AnswerValue, Template


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


def token_state(wave: WaveInfo, responded: bool, now: dt.datetime) -> TokenState:
    if responded:
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
            Invitation.department,
            Invitation.department_path,
            Invitation.responded,
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


async def open_invitation(token_hash: str, now: dt.datetime) -> OpenInvitation:
    """The invitation behind ``token_hash`` if it can be answered now; else TokenRejected."""
    found = await _invitation(token_hash)
    if found is None:
        raise TokenRejected(TokenState.UNKNOWN)
    invitation, wave = found
    state = token_state(wave, invitation["responded"], now)
    if state is not TokenState.VALID:
        raise TokenRejected(state)
    return OpenInvitation(token_hash=token_hash, wave=wave, template=await wave_template(wave))


async def submit_response(
    token_hash: str,
    answers: Sequence[AnswerValue],
    *,
    now: dt.datetime,
    timezone: dt.tzinfo,
) -> None:
    """Store one response for the invitation behind ``token_hash``, exactly once.

    Raises TokenRejected (and stores nothing) when the token is unknown, already used, or
    its wave is not open. Concurrent submissions with one token store one response: the
    conditional update lets exactly one of them through.
    """
    async with write_transaction():
        found = await _invitation(token_hash)
        if found is None:
            raise TokenRejected(TokenState.UNKNOWN)
        invitation, wave = found
        state = token_state(wave, invitation["responded"], now)
        if state is not TokenState.VALID:
            raise TokenRejected(state)
        claimed = (
            await Invitation.update({Invitation.responded: True})
            .where((Invitation.id == invitation["id"]) & (Invitation.responded == False))  # noqa: E712
            .returning(Invitation.id)
        )
        if not claimed:
            raise TokenRejected(TokenState.USED)
        response_id = uuid.uuid4()
        await Response.insert(
            Response(
                id=response_id,
                wave=wave.id,
                department=invitation["department"],
                department_path=invitation["department_path"],
                submitted_on=local_day(now, timezone),
            )
        )
        if answers:
            await Answer.insert(
                *[
                    Answer(
                        id=uuid.uuid4(),
                        response=response_id,
                        question_key=answer.question_key,
                        number=answer.number,
                        choice=answer.choice,
                        text=answer.text,
                    )
                    for answer in answers
                ]
            )
