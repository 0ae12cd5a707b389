"""``survey-app wave create --draft | publish | open | extend | next``: the services of the
web pages from the command line."""

from __future__ import annotations

import datetime as dt

from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.waves import schedule
from survey_app.waves.service import WaveState, get_wave
from tests.helpers import TIMEZONE, load_small_org, survey_app


async def test_a_draft_is_published_opened_extended_and_followed_from_the_command_line() -> None:
    await load_small_org()
    today = utc_now().astimezone(TIMEZONE).date()
    created = await survey_app(
        "--lang", "en", "wave", "create", "--title", "Pulsmeting maart", "--departments", "SD",
        "--opens", (today + dt.timedelta(days=7)).isoformat(),
        "--closes", (today + dt.timedelta(days=20)).isoformat(),
        "--draft",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    wave_id = created.stdout.strip()
    assert (await get_wave(wave_id)).state(utc_now()) is WaveState.DRAFT

    invited = await survey_app("--lang", "en", "wave", "invite", wave_id, "--output", "/dev/null")
    assert invited.returncode == 1
    assert "draft" in invited.stderr

    published = await survey_app("--lang", "en", "wave", "publish", wave_id)
    assert published.returncode == 0, published.stderr
    assert (await get_wave(wave_id)).state(utc_now()) is WaveState.SCHEDULED

    opened = await survey_app("--lang", "en", "wave", "open", wave_id)
    assert opened.returncode == 0, opened.stderr
    assert (await get_wave(wave_id)).state(utc_now()) is WaveState.OPEN

    last = today + dt.timedelta(days=40)
    extended = await survey_app("wave", "extend", wave_id, "--closes", last.isoformat())
    assert extended.returncode == 0, extended.stderr
    assert schedule.last_day(await get_wave(wave_id), TIMEZONE) == last

    following = await survey_app("wave", "next", wave_id)
    assert following.returncode == 0, following.stderr
    planned = await get_wave(following.stdout.strip())
    assert planned.is_draft
    assert schedule.first_day(planned, TIMEZONE) > today + dt.timedelta(days=80)

    records, _total = await audit.search(action="wave.published")
    assert [record.actor.startswith("command line") for record in records] == [True]
