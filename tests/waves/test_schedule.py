"""Drafts and a wave's life in time: publishing, opening now, moving the last day, closing,
and the next wave of the same survey."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.responding.service import TokenRejected, TokenState, open_invitation
from survey_app.tables.identity import WaveDepartment
from survey_app.waves import composing, schedule
from survey_app.waves.schedule import WaveStateError
from survey_app.waves.service import (
    WaveClosed,
    WaveState,
    create_wave,
    get_wave,
    invite,
    wave_template,
)
from tests.helpers import TIMEZONE, app_settings, load_small_org, new_wave

DAY = dt.timedelta(days=1)


def today() -> dt.date:
    return utc_now().astimezone(TIMEZONE).date()


async def draft(opens_in: int = 7, days: int = 14, departments=("SD",)):
    return await create_wave(
        title="Pulsmeting concept",
        template_key="pulse",
        department_codes=list(departments),
        opens_on=today() + opens_in * DAY,
        closes_on=today() + (opens_in + days) * DAY,
        timezone=TIMEZONE,
        draft=True,
        actor="hr@testdorp.example",
    )


async def test_a_draft_invites_nobody_until_it_is_published() -> None:
    await load_small_org()
    wave = await draft(opens_in=-1)
    assert wave.state(utc_now()) is WaveState.DRAFT
    with pytest.raises(WaveClosed) as refused:
        await invite(wave, now=utc_now(), settings=app_settings())
    assert refused.value.code == "draft"
    published = await schedule.publish(wave, now=utc_now(), actor="hr")
    assert published.state(utc_now()) is WaveState.OPEN
    invited = await invite(published, now=utc_now(), settings=app_settings())
    assert len(invited) == 9  # Sociaal Domein: Jeugd 6 and Wmo 3


async def test_a_link_of_a_wave_that_is_a_draft_cannot_be_answered() -> None:
    """Were a draft's invitation ever there (a wave turned back by hand), it is not open."""
    await load_small_org()
    wave = await draft(opens_in=-1)
    published = await schedule.publish(wave, now=utc_now(), actor="hr")
    token = (await invite(published, now=utc_now(), settings=app_settings()))[0].token
    from survey_app.tables.identity import Wave

    await Wave.update({Wave.published_at: None}).where(Wave.id == wave.id)
    with pytest.raises(TokenRejected) as rejected:
        await open_invitation(hash_token(token), utc_now(), app_settings().secret_key)
    assert rejected.value.state is TokenState.NOT_YET_OPEN


async def test_the_command_line_wave_is_published_at_once() -> None:
    await load_small_org()
    wave = await new_wave()
    assert wave.published_at is not None
    assert wave.state(utc_now()) is WaveState.OPEN


async def test_editing_a_draft_changes_title_days_and_departments() -> None:
    await load_small_org()
    wave = await draft()
    edited = await schedule.edit_draft(
        wave,
        title="  Pulsmeting maart ",
        opens_on=today() + 10 * DAY,
        closes_on=today() + 20 * DAY,
        department_codes=["JEUGD", "ICT"],
        timezone=TIMEZONE,
        actor="hr",
    )
    assert edited.title == "Pulsmeting maart"
    assert schedule.first_day(edited, TIMEZONE) == today() + 10 * DAY
    assert schedule.last_day(edited, TIMEZONE) == today() + 20 * DAY
    rows = await WaveDepartment.select(WaveDepartment.department).where(
        WaveDepartment.wave == wave.id
    )
    assert len(rows) == 2
    published = await schedule.publish(edited, now=utc_now(), actor="hr")
    with pytest.raises(WaveStateError) as refused:
        await schedule.edit_draft(
            published,
            title="Anders",
            opens_on=today(),
            closes_on=today(),
            department_codes=["GEM"],
            timezone=TIMEZONE,
            actor="hr",
        )
    assert refused.value.code == "not_draft"
    assert (await get_wave(wave.public_id)).title == "Pulsmeting maart"


async def test_opening_now_publishes_and_opens_a_draft() -> None:
    await load_small_org()
    wave = await draft(opens_in=7)
    now = utc_now()
    opened = await schedule.open_now(wave, now=now, actor="hr")
    assert opened.state(now) is WaveState.OPEN
    assert opened.published_at is not None
    with pytest.raises(WaveStateError) as again:
        await schedule.open_now(opened, now=now, actor="hr")
    assert again.value.code == "already_open"


async def test_the_last_day_moves_later_and_earlier_but_not_into_the_past() -> None:
    await load_small_org()
    wave = await schedule.open_now(await draft(), now=utc_now(), actor="hr")
    later = await schedule.change_last_day(
        wave, today() + 30 * DAY, now=utc_now(), timezone=TIMEZONE, actor="hr"
    )
    assert schedule.last_day(later, TIMEZONE) == today() + 30 * DAY
    sooner = await schedule.change_last_day(
        later, today(), now=utc_now(), timezone=TIMEZONE, actor="hr"
    )
    assert schedule.last_day(sooner, TIMEZONE) == today()
    assert sooner.state(utc_now()) is WaveState.OPEN
    with pytest.raises(WaveStateError) as past:
        await schedule.change_last_day(
            sooner, today() - DAY, now=utc_now(), timezone=TIMEZONE, actor="hr"
        )
    assert past.value.code == "last_day_past"
    records, _total = await audit.search(action="wave.rescheduled")
    assert [record.details["days_moved"] for record in records] == [
        -30,
        9,
    ]  # from day 21 to 30, then to 0


async def test_a_closed_wave_stays_closed() -> None:
    await load_small_org()
    with pytest.raises(WaveStateError) as draft_close:
        await schedule.close(await draft(), now=utc_now(), actor="hr")
    assert draft_close.value.code == "draft"
    wave = await schedule.open_now(await draft(), now=utc_now(), actor="hr")
    closed = await schedule.close(wave, now=utc_now(), actor="hr")
    assert closed.state(utc_now()) is WaveState.CLOSED
    for attempt in (
        schedule.close(closed, now=utc_now(), actor="hr"),
        schedule.open_now(closed, now=utc_now(), actor="hr"),
        schedule.change_last_day(
            closed, today() + 5 * DAY, now=utc_now(), timezone=TIMEZONE, actor="hr"
        ),
    ):
        with pytest.raises(WaveStateError) as refused:
            await attempt
        assert refused.value.code == "closed"
    with pytest.raises(WaveClosed):
        await invite(closed, now=utc_now(), settings=app_settings())


async def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten() -> None:
    await load_small_org()
    wave = await draft()
    await schedule.publish(wave, now=utc_now(), actor="hr-1")
    # A second person still looks at the draft (their page was loaded before).
    with pytest.raises(WaveStateError) as refused:
        await schedule.publish(wave, now=utc_now(), actor="hr-2")
    assert refused.value.code == "changed_meanwhile"


async def test_the_next_wave_keeps_the_questionnaire_the_departments_and_the_rhythm() -> None:
    await load_small_org()
    wave = await draft(departments=("JEUGD", "ICT"))
    await composing.add_own(
        wave, "agreement", "Ik weet waar ik heen kan.", "I know where to go.", actor="hr"
    )
    wave = await schedule.publish(await get_wave(wave.public_id), now=utc_now(), actor="hr")
    following = await schedule.plan_next(wave, timezone=TIMEZONE, actor="hr")
    assert following.is_draft
    assert following.title == wave.title
    assert schedule.first_day(following, TIMEZONE) == schedule._months_later(
        schedule.first_day(wave, TIMEZONE), 3
    )
    length = schedule.last_day(wave, TIMEZONE) - schedule.first_day(wave, TIMEZONE)
    assert (
        schedule.last_day(following, TIMEZONE) - schedule.first_day(following, TIMEZONE) == length
    )
    before, after = await wave_template(wave), await wave_template(following)
    assert [q.key for q in after.questions] == [q.key for q in before.questions]
    assert composing.core_keys(following) <= {q.key for q in after.questions}
    assert "own_1" in {q.key for q in after.questions}
    departments = {
        row["department"]
        for row in await WaveDepartment.select(WaveDepartment.department).where(
            WaveDepartment.wave == following.id
        )
    }
    assert len(departments) == 2


def test_three_months_after_the_end_of_a_month_is_the_end_of_a_shorter_month() -> None:
    assert schedule._months_later(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert schedule._months_later(dt.date(2026, 1, 15), 3) == dt.date(2026, 4, 15)
    assert schedule._months_later(dt.date(2026, 10, 31), 3) == dt.date(2027, 1, 31)
