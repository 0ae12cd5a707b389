"""Releasing sealed responses into the anonymous tables, in shuffled batches.

A submitted questionnaire is stored sealed (`survey_app.core.sealing`) together with the
used digest of its invitation. It becomes a `Response` with its `Answer` rows only here, in
a transaction of its own, together with every other waiting response of its response
group, and only when at least ``k`` (the group minimum) are waiting — or when the wave has
closed. The rows of a batch get new random ids and are inserted in random order, so the
anonymous tables show which batch a response came in with, never its place in the order
of submission: not by row order, not by a transaction id shared with the used digest, not
by a time.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence

from survey_app.core.db import insert_rows, write_transaction
from survey_app.core.sealing import seal, unseal
from survey_app.core.settings import Settings
from survey_app.tables.anonymous import Answer, Response, SealedResponse, SelfIdentification
from survey_app.waves import thresholds
from survey_app.waves.service import WaveInfo
from surveys import AnswerValue

RESPONSE_COLUMNS = (Response.id, Response.wave, Response.department_path)
ANSWER_COLUMNS = (
    Answer.id,
    Answer.response,
    Answer.question_key,
    Answer.number,
    Answer.choice,
    Answer.text,
)
SELF_ID_COLUMNS = (
    SelfIdentification.id,
    SelfIdentification.response,
    SelfIdentification.category,
    SelfIdentification.value,
)

# Shuffling needs no secrecy from the machine, only no relation to the order of arrival.
_shuffle = random.SystemRandom().shuffle


class _TooFew(Exception):
    """A group lost waiting responses to a parallel release: release nothing now."""


def _context(wave: WaveInfo) -> str:
    return f"wave:{wave.public_id}"


def seal_response(
    secret_key: str,
    wave: WaveInfo,
    group: str,
    answers: Sequence[AnswerValue],
    self_identification: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The sealed form of one submitted questionnaire: its response group, answers and,
    only when the respondent consented and stated any, self-identification as
    ``[category, value]`` pairs."""
    content: dict[str, object] = {
        "group": group,
        "answers": [[a.question_key, a.number, a.choice, a.text] for a in answers],
    }
    if self_identification:
        content["self_id"] = [[category, value] for category, value in self_identification]
    return seal(secret_key, content, context=_context(wave))


async def release_ready(wave: WaveInfo, *, settings: Settings, group_tag: str) -> int:
    """Release the group ``group_tag`` of ``wave`` (the one a submission just added to) if
    at least the group minimum of its responses wait; how many were released."""
    waiting = await SealedResponse.count().where(
        (SealedResponse.wave == wave.id) & (SealedResponse.group_tag == group_tag)
    )
    # No group minimum can be lower: most submissions need not read the current one.
    if waiting < thresholds.MINIMUM:
        return 0
    k = (await thresholds.current(settings)).min_group_size
    if waiting < k:
        return 0
    try:
        return await _release(wave, settings.secret_key, group_tag, k)
    except _TooFew:
        return 0


async def release_all(wave: WaveInfo, *, secret_key: str) -> int:
    """Release everything ``wave`` still has waiting (it has closed); how many."""
    if not await SealedResponse.exists().where(SealedResponse.wave == wave.id):
        return 0
    return await _release(wave, secret_key, None, 0)


async def _release(wave: WaveInfo, secret_key: str, group_tag: str | None, k: int) -> int:
    """Release what waits of one group (at least ``k`` of it) or, without a group, all."""
    condition = SealedResponse.wave == wave.id
    if group_tag is not None:
        condition &= SealedResponse.group_tag == group_tag
    async with write_transaction():
        # Deleting first claims the rows: a parallel release (another worker) waits for
        # this transaction and then finds them gone, so nothing is released twice.
        taken = await SealedResponse.delete().where(condition).returning(SealedResponse.sealed)
        if len(taken) < k:
            raise _TooFew
        responses: list[tuple] = []
        answers: list[tuple] = []
        stated: list[tuple] = []
        for row in taken:
            content = unseal(secret_key, row["sealed"], context=_context(wave))
            response_id = uuid.uuid4()
            responses.append((response_id, wave.id, content["group"]))
            answers.extend(
                (uuid.uuid4(), response_id, key, number, choice, text)
                for key, number, choice, text in content["answers"]
            )
            stated.extend(
                (uuid.uuid4(), response_id, category, value)
                for category, value in content.get("self_id", ())
            )
        _shuffle(responses)
        _shuffle(answers)
        _shuffle(stated)
        await insert_rows(Response, RESPONSE_COLUMNS, responses)
        await insert_rows(Answer, ANSWER_COLUMNS, answers)
        await insert_rows(SelfIdentification, SELF_ID_COLUMNS, stated)
    return len(responses)
