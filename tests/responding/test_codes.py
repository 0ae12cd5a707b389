"""Code slips: a typed code works exactly like an invitation link, once; and the kiosk."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import httpx
import pytest

from survey_app.core.clock import utc_now
from survey_app.core.hashing import CODE_ALPHABET, normalise_code
from survey_app.organisation.importing import apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.results.participation import participation
from survey_app.tables.anonymous import Response
from survey_app.tables.identity import CodeSlip, Invitation, ReplacedLink
from survey_app.waves.codes import CodeError, issue_codes
from survey_app.waves.service import WaveClosed, close_wave, get_wave, invite
from tests.helpers import (
    app_settings,
    csrf_from,
    full_answers,
    open_survey,
    open_wave,
    release_everything,
    small_org_csv,
    stored_state,
)

FIELD_STAFF = [str(number) for number in range(1010, 1017)]  # ICT, 7 people


async def load_org_with_field_staff() -> None:
    """The small organisation, with ICT's seven employees without an e-mail address."""
    data = small_org_csv()
    for number in FIELD_STAFF:
        data = data.replace(f"m{number}@testdorp.example".encode(), b"")
    await apply_org_plan(parse_org_csv(data), dt.date(2026, 11, 1))


async def codes_for_ict(count: int | None = None):
    await load_org_with_field_staff()
    opened = await open_wave()
    issued = await issue_codes(opened.wave, "ICT", count, settings=app_settings(), actor="hr")
    return opened, issued


async def type_code(client: httpx.AsyncClient, code: str, path: str = "/code") -> httpx.Response:
    form = await client.get(path)
    assert form.status_code == 200
    return await client.post(path, data={"code": code, "_csrf": csrf_from(form.text)})


def test_codes_are_grouped_from_an_unambiguous_alphabet() -> None:
    assert not set("01ILO") & set(CODE_ALPHABET)
    from survey_app.core.hashing import new_code

    code = new_code()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    assert normalise_code(f" {code.lower().replace('-', ' ')} ") == code.replace("-", "")
    assert normalise_code(code.replace(code[0], "O")) == ""  # O is not in the alphabet


async def test_a_typed_code_answers_once_and_is_refused_the_second_time(client) -> None:
    _opened, issued = await codes_for_ict()
    assert len(issued.codes) == 7  # by default one per invitee without e-mail
    code = issued.codes[0]

    # Typed the way people type: small letters, spaces instead of dashes.
    accepted = await type_code(client, code.lower().replace("-", " "))
    assert accepted.status_code == 303 and accepted.headers["location"] == "/survey"
    survey = await client.get("/survey")
    assert survey.status_code == 200 and 'name="enps"' in survey.text
    done = await client.post("/survey", data=full_answers())
    assert done.status_code == 303, done.text[:300]
    assert await stored_state() == (1, len(full_answers()), 1)

    again = await type_code(client, code)
    assert again.status_code == 409
    assert "Deze code is al gebruikt" in again.text
    english = await type_code(client, code, "/code?lang=en")
    assert english.status_code == 409 and "This code has already been used" in english.text
    assert await stored_state() == (1, len(full_answers()), 1)

    # The response is stored under the response group of ICT's invitations.
    await release_everything()
    group = (
        await Invitation.select(Invitation.response_group)
        .where(Invitation.department_path == "GEM/BV/ICT")
        .first()
    )["response_group"]
    rows = await Response.select(Response.department_path)
    assert [row["department_path"] for row in rows] == [group]


async def test_the_qr_link_swaps_the_code_for_a_session(client) -> None:
    _opened, issued = await codes_for_ict()
    link = await client.get(f"/c/{issued.codes[1]}")
    assert link.status_code == 303 and link.headers["location"] == "/survey"
    assert (await client.get("/survey")).status_code == 200
    # The code is not in the cookie it was swapped for.
    assert issued.codes[1] not in str(link.headers.get("set-cookie"))


async def test_wrong_and_closed_codes_say_what_is_wrong_in_both_languages(client) -> None:
    opened, issued = await codes_for_ict()
    wrong = await type_code(client, "ABCD-EFGH-JKMN")
    assert wrong.status_code == 404 and "We herkennen deze code niet" in wrong.text
    assert 'aria-invalid="true"' in wrong.text and 'href="#code"' in wrong.text
    assert "ABCD-EFGH-JKMN" in wrong.text  # shown again to correct (not on a kiosk)
    malformed = await type_code(client, "hallo", "/code?lang=en")
    assert malformed.status_code == 404 and "We do not recognise this code" in malformed.text

    await close_wave(opened.wave, now=utc_now())
    closed = await type_code(client, issued.codes[2], "/code?lang=nl")
    assert (
        closed.status_code == 410
        and "HR heeft deze vragenlijst eerder dan gepland gesloten" in closed.text
    )
    closed_en = await type_code(client, issued.codes[2], "/code?lang=en")
    assert closed_en.status_code == 410 and "HR closed this survey early" in closed_en.text
    with pytest.raises(WaveClosed):
        await issue_codes(await get_wave(opened.wave.public_id), "ICT", 3, settings=app_settings())


async def test_codes_replace_the_links_of_invitees_without_email_in_the_rates(client) -> None:
    opened, issued = await codes_for_ict(count=8)
    # Their links stop working: nobody answers by link and by code.
    replaced = await client.get(f"/s/{opened.tokens[FIELD_STAFF[0]]}")
    assert replaced.status_code == 404
    assert await ReplacedLink.count() == 7
    # Links of people with e-mail still work.
    await open_survey(client, opened.tokens["1001"])
    await client.post("/survey", data=full_answers())
    assert (await type_code(client, issued.codes[0])).status_code == 303
    await client.post("/survey", data=full_answers())

    rows = await participation(opened.wave, secret_key=app_settings().secret_key)
    counts = {row.path: (row.invited, row.responded) for row in rows}
    # ICT: seven people, eight codes printed (HR chose one spare): the codes count.
    assert counts["GEM/BV/ICT"] == (8, 1)
    assert counts["GEM/SD/JEUGD"] == (6, 1)
    assert counts["GEM"] == (6 + 3 + 8, 2)

    # Reissuing links leaves the replaced ones dead; codes keep their group when
    # invitations are added.
    reissued = await invite(opened.wave, now=utc_now(), settings=app_settings(), reissue=True)
    assert not {item.employee_number for item in reissued} & set(FIELD_STAFF)
    groups = {row["response_group"] for row in await CodeSlip.select(CodeSlip.response_group)}
    assert groups == {"GEM/BV/ICT"}


async def test_codes_need_invitations_and_a_sensible_number() -> None:
    await load_org_with_field_staff()
    opened = await open_wave(("SD",))
    with pytest.raises(CodeError) as not_invited:
        await issue_codes(opened.wave, "ICT", 5, settings=app_settings())
    assert not_invited.value.code == "not_invited"
    with pytest.raises(CodeError) as none_without_email:
        await issue_codes(opened.wave, "WMO", None, settings=app_settings())
    assert none_without_email.value.code == "count"
    with pytest.raises(CodeError):
        await issue_codes(opened.wave, "WMO", 501, settings=app_settings())
    assert await CodeSlip.count() == 0


async def test_the_kiosk_leaves_nothing_for_the_next_person(client) -> None:
    _opened, issued = await codes_for_ict()
    kiosk = await client.get("/kiosk")
    assert kiosk.status_code == 200
    assert "no-store" in kiosk.headers["cache-control"]
    assert 'autocomplete="off"' in kiosk.text and "data-clear-drafts" in kiosk.text

    # A wrong code is not shown again on a shared screen.
    wrong = await client.post("/kiosk", data={"code": "ABCD-EFGH-JKMN"})
    assert wrong.status_code == 404 and "ABCD-EFGH-JKMN" not in wrong.text

    started = await client.post("/kiosk", data={"code": issued.codes[0]})
    assert started.status_code == 303
    survey = await client.get("/survey")
    assert 'autocomplete="off"' in survey.text
    assert "no-store" in survey.headers["cache-control"]
    assert 'href="/kiosk"' in survey.text  # the way out without sending
    done = await client.post("/survey", data=full_answers())
    assert done.status_code == 303 and "kiosk=1" in done.headers["location"]
    thanks = await client.get(done.headers["location"])
    assert 'href="/kiosk" data-kiosk-return="10"' in thanks.text  # app.js goes back
    assert "data-clear-drafts" in thanks.text

    # Nothing of the survey is left in the browser: no survey cookie, and going back
    # to the survey shows no form.
    assert not [name for name in client.cookies if "survey" in name]
    back = await client.get("/survey")
    assert back.status_code == 400 and 'name="enps"' not in back.text

    # Someone who walks away mid-survey: opening the kiosk page ends their session.
    await client.post("/kiosk", data={"code": issued.codes[1]})
    assert (await client.get("/survey")).status_code == 200
    await client.get("/kiosk")
    assert (await client.get("/survey")).status_code == 400


@pytest.mark.server
async def test_twenty_parallel_submissions_with_one_code_store_one(live_server) -> None:
    _opened, issued = await codes_for_ict()
    code = issued.codes[0]
    clients = [httpx.AsyncClient(base_url=live_server.url, timeout=60) for _ in range(20)]
    try:

        async def start(client: httpx.AsyncClient) -> str:
            accepted = await type_code(client, code)
            assert accepted.status_code == 303, accepted.text[:300]
            return csrf_from((await client.get("/survey")).text)

        tokens = await asyncio.gather(*(start(client) for client in clients))
        barrier = asyncio.Event()

        async def submit(client: httpx.AsyncClient, csrf: str) -> int:
            await barrier.wait()
            sent = await client.post("/survey", data={**full_answers(), "_csrf": csrf})
            return sent.status_code

        tasks = [
            asyncio.create_task(submit(client, csrf))
            for client, csrf in zip(clients, tokens, strict=True)
        ]
        await asyncio.sleep(0.05)
        barrier.set()
        statuses = sorted(await asyncio.gather(*tasks))
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    assert statuses == [303] + [409] * 19
    assert await stored_state() == (1, len(full_answers()), 1)
