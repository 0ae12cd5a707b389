"""A wave's life in time: editing a draft, publishing, opening now, moving the closing day,
closing, and planning the next wave of the same survey.

Every change is one write transaction whose update names the state it needs (a draft, not
closed), so two people pressing buttons at once cannot move a wave past a state it has left;
each is written to the audit trail with the wave's id and figures only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from typing import ClassVar

from survey_app import audit
from survey_app.core.clock import day_start, local_day
from survey_app.core.db import write_transaction
from survey_app.core.errors import N_, Conflict
from survey_app.tables.identity import Wave, WaveDepartment
from survey_app.waves.service import (
    WaveInfo,
    WaveState,
    check_days,
    check_title,
    chosen_departments,
    close_wave,
    get_wave,
)

# How far ahead `plan_next` puts the next wave by default: a quarterly pulse.
NEXT_WAVE_MONTHS = 3


class WaveStateError(Conflict):
    """The wave is not in a state that allows this change."""

    messages: ClassVar[dict[str, str]] = {
        "not_draft": N_("This wave has been published; its questions and departments stay."),
        "draft": N_("This wave is a draft: publish it first."),
        "closed": N_("This wave has closed."),
        "already_open": N_("This wave is open already."),
        "closes_in_past": N_("The last day has passed: choose a later last day first."),
        "last_day_past": N_("The last day cannot be before today ({today})."),
        "last_day_before_opening": N_("The last day cannot be before the first day ({day})."),
        "changed_meanwhile": N_(
            "Someone else changed this wave just now; look at it again and retry."
        ),
    }


def last_day(wave: WaveInfo, timezone: dt.tzinfo) -> dt.date:
    """The wave's last day (it closes at the midnight after it)."""
    return local_day(wave.closes_at - dt.timedelta(seconds=1), timezone)


def first_day(wave: WaveInfo, timezone: dt.tzinfo) -> dt.date:
    return local_day(wave.opens_at, timezone)


async def _updated(wave: WaveInfo, values: dict, condition) -> WaveInfo:
    """Update the wave where ``condition`` still holds; WaveStateError when it does not."""
    changed = await Wave.update(values).where((Wave.id == wave.id) & condition).returning(Wave.id)
    if not changed:
        raise WaveStateError("changed_meanwhile")
    return await get_wave(wave.public_id)


def _require_draft(wave: WaveInfo) -> None:
    if not wave.is_draft:
        raise WaveStateError("not_draft")


async def edit_draft(
    wave: WaveInfo,
    *,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    department_codes: list[str],
    timezone: dt.tzinfo,
    actor: str,
) -> WaveInfo:
    """Change a draft's title, days and departments."""
    _require_draft(wave)
    title = check_title(title)
    check_days(opens_on, closes_on)
    departments = await chosen_departments(department_codes)
    async with write_transaction():
        edited = await _updated(
            wave,
            {
                Wave.title: title,
                Wave.opens_at: day_start(opens_on, timezone),
                Wave.closes_at: day_start(closes_on + dt.timedelta(days=1), timezone),
            },
            Wave.published_at.is_null(),
        )
        await WaveDepartment.delete().where(WaveDepartment.wave == wave.id)
        await WaveDepartment.insert(
            *[WaveDepartment(wave=wave.id, department=node.id) for node in departments]
        )
    await audit.record(
        "wave.edited", actor, wave.title, wave=str(wave.public_id), departments=len(departments)
    )
    return edited


async def publish(wave: WaveInfo, *, now: dt.datetime, actor: str) -> WaveInfo:
    """A draft becomes a wave people can be invited to; it opens on its first day."""
    _require_draft(wave)
    if wave.closes_at <= now:
        raise WaveStateError("closes_in_past")
    async with write_transaction():
        published = await _updated(wave, {Wave.published_at: now}, Wave.published_at.is_null())
    await audit.record("wave.published", actor, wave.title, wave=str(wave.public_id))
    return published


async def open_now(wave: WaveInfo, *, now: dt.datetime, actor: str) -> WaveInfo:
    """Open the wave at once instead of on its first day (a draft is published too)."""
    state = wave.state(now)
    if state is WaveState.CLOSED:
        raise WaveStateError("closed")
    if state is WaveState.OPEN:
        raise WaveStateError("already_open")
    if wave.closes_at <= now:
        raise WaveStateError("closes_in_past")
    values = {Wave.opens_at: now}
    if wave.is_draft:
        values[Wave.published_at] = now
    async with write_transaction():
        opened = await _updated(
            wave, values, Wave.closed_early_at.is_null() & (Wave.opens_at == wave.opens_at)
        )
    await audit.record(
        "wave.opened", actor, wave.title, wave=str(wave.public_id), published=wave.is_draft
    )
    return opened


async def change_last_day(
    wave: WaveInfo, closes_on: dt.date, *, now: dt.datetime, timezone: dt.tzinfo, actor: str
) -> WaveInfo:
    """Extend or shorten a wave that has not closed: it then closes at the end of
    ``closes_on`` (today at the earliest)."""
    if wave.state(now) is WaveState.CLOSED:
        raise WaveStateError("closed")
    today = local_day(now, timezone)
    if closes_on < today:
        raise WaveStateError("last_day_past", today=today.isoformat())
    opening = first_day(wave, timezone)
    if closes_on < opening:
        raise WaveStateError("last_day_before_opening", day=opening.isoformat())
    previous = last_day(wave, timezone)
    async with write_transaction():
        changed = await _updated(
            wave,
            {Wave.closes_at: day_start(closes_on + dt.timedelta(days=1), timezone)},
            Wave.closed_early_at.is_null() & (Wave.closes_at == wave.closes_at),
        )
    await audit.record(
        "wave.rescheduled",
        actor,
        wave.title,
        wave=str(wave.public_id),
        last_day=closes_on.isoformat(),
        days_moved=(closes_on - previous).days,
    )
    return changed


async def close(wave: WaveInfo, *, now: dt.datetime, actor: str) -> WaveInfo:
    """Close a published wave now: its links stop working."""
    state = wave.state(now)
    if state is WaveState.DRAFT:
        raise WaveStateError("draft")
    if state is WaveState.CLOSED:
        raise WaveStateError("closed")
    await close_wave(wave, now=now)
    await audit.record("wave.closed", actor, wave.title, wave=str(wave.public_id))
    return await get_wave(wave.public_id)


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def plan_next(
    wave: WaveInfo,
    *,
    timezone: dt.tzinfo,
    actor: str,
    months: int = NEXT_WAVE_MONTHS,
    title: str = "",
) -> WaveInfo:
    """A draft of the next wave: the same questionnaire (so its core items, and the own
    questions, line up in trends), the same departments and a period ``months`` later."""
    opens_on = _months_later(first_day(wave, timezone), months)
    closes_on = opens_on + (last_day(wave, timezone) - first_day(wave, timezone))
    row = await Wave.select(Wave.template, Wave.template_key).where(Wave.id == wave.id).first()
    departments = await WaveDepartment.select(WaveDepartment.department).where(
        WaveDepartment.wave == wave.id
    )
    async with write_transaction():
        new = Wave(
            public_id=uuid.uuid4(),
            title=check_title(title or wave.title),
            template_key=row["template_key"],
            template=row["template"],
            opens_at=day_start(opens_on, timezone),
            closes_at=day_start(closes_on + dt.timedelta(days=1), timezone),
            published_at=None,
        )
        await new.save()
        await WaveDepartment.insert(
            *[WaveDepartment(wave=new.id, department=item["department"]) for item in departments]
        )
    await audit.record(
        "wave.created",
        actor,
        new.title,
        wave=str(new.public_id),
        after=str(wave.public_id),
        departments=len(departments),
    )
    return await get_wave(new.public_id)
