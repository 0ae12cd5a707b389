"""Answering a survey over HTTP: the token exchange, validation, storage, and refusals."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from markupsafe import escape

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.i18n import translations
from survey_app.tables.anonymous import Answer, Response, SealedResponse
from survey_app.tables.identity import Invitation, UsedInvitation
from survey_app.waves.service import close_wave
from tests.helpers import (
    TIMEZONE,
    csrf_from,
    full_answers,
    load_small_org,
    open_wave,
    release_everything,
    stored_state,
)


async def start(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(f"/s/{token}")


async def test_a_respondent_answers_and_one_anonymous_response_is_stored(client) -> None:
    await load_small_org()
    opened = await open_wave()
    token = opened.tokens["1002"]

    first = await start(client, token)
    assert first.status_code == 303
    assert first.headers["location"] == "/survey"
    assert token not in first.headers.get("set-cookie", "")  # the cookie is encrypted

    survey = await client.get("/survey")
    assert survey.status_code == 200
    assert "Ik begin met energie aan mijn werkdag." in survey.text
    assert 'name="enps"' in survey.text

    done = await client.post("/survey", data=full_answers())
    assert done.status_code == 303
    assert done.headers["location"].startswith("/survey/thanks?closes=")

    # Waiting sealed: fewer than k (5) responses of its response group so far.
    assert await Response.count() == 0 and await SealedResponse.count() == 1
    assert await stored_state() == (1, 14, 1)
    response = await Response.select().first()
    # Jeugd (6 invited) is stored under Sociaal Domein: shown on its own, it would give
    # Wmo's 3 away by subtraction, so the gate could never show it (response groups).
    assert response["department_path"] == "GEM/SD"
    numbers = {
        row["question_key"]: row["number"]
        for row in await Answer.select().where(Answer.number.is_not_null())
    }
    assert numbers["enps"] == 8 and numbers["workload_too_much"] == 4
    text = await Answer.select(Answer.text).where(Answer.question_key == "open_comment").first()
    assert text["text"] == "Fijne collega's, maar de werkdruk is hoog."

    thanks = await client.get(done.headers["location"])
    assert thanks.status_code == 200
    assert "data-clear-drafts" in thanks.text
    # It says when the results come: after the wave's last day (two weeks from today).
    last_day = utc_now().astimezone(TIMEZONE).date() + dt.timedelta(days=14)
    assert f"sluit aan het eind van {last_day.strftime('%d-%m-%Y')}" in thanks.text
    # A day it cannot read gives the page without one, not an error.
    assert "sluit aan het eind" not in (await client.get("/survey/thanks?closes=morgen")).text


async def test_the_token_is_stored_only_as_a_hash(client) -> None:
    await load_small_org()
    opened = await open_wave()
    stored = {row["token_hash"] for row in await Invitation.select(Invitation.token_hash)}
    assert len(stored) == len(opened.tokens) == 16
    for token in opened.tokens.values():
        assert token not in stored
        assert hash_token(token) in stored
        assert len(token) >= 22  # 128 bits in URL-safe base64


async def test_missing_and_out_of_range_answers_are_refused_and_nothing_is_stored(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])

    answers = full_answers(enjoyment_work="6", enps="eleven")
    del answers["energy_start"]
    refused = await client.post("/survey", data=answers)
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text
    assert 'href="#q-energy_start"' in refused.text
    assert 'href="#q-enjoyment_work"' in refused.text
    assert 'href="#q-enps"' in refused.text
    # What the person entered is kept in the re-rendered form.
    assert 'value="5" checked' in refused.text  # enjoyment_contribution
    assert "werkdruk is hoog" in refused.text
    assert await stored_state() == (0, 0, 0)

    accepted = await client.post("/survey", data=full_answers())
    assert accepted.status_code == 303
    assert await stored_state() == (1, 14, 1)


async def test_oversized_free_text_is_refused_with_a_clear_message(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    refused = await client.post("/survey", data=full_answers(open_comment="x" * 5001))
    assert refused.status_code == 422
    assert "5001" in refused.text
    assert await stored_state() == (0, 0, 0)


async def test_a_body_larger_than_the_limit_gets_413_and_stores_nothing(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    refused = await client.post("/survey", data=full_answers(open_comment="x" * 400_000))
    assert refused.status_code == 413
    assert await stored_state() == (0, 0, 0)


async def test_a_used_token_gets_the_already_used_page(client) -> None:
    await load_small_org()
    opened = await open_wave()
    token = opened.tokens["1002"]
    await start(client, token)
    await client.post("/survey", data=full_answers())

    again = await start(client, token)
    assert again.status_code == 409
    assert "already been used" in again.text or "al gebruikt" in again.text
    assert await stored_state() == (1, 14, 1)


async def test_a_double_submit_from_one_browser_stores_one_response(app, client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    form = {**full_answers(), "_csrf": csrf_from((await client.get("/survey")).text)}
    cookies = dict(client.cookies)
    first = await client.post("/survey", data=form)
    # The second click carries the session cookie the browser had before the first answer,
    # and the same form (with its CSRF field).
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", cookies=cookies
    ) as second_tab:
        second = await second_tab.post("/survey", data=form)
    assert first.status_code == 303
    assert second.status_code == 409
    assert await stored_state() == (1, 14, 1)


EXPIRED_FORM_EXPLANATION = (
    "The page was open too long or was opened in another browser, so it was not accepted and "
    "nothing was changed. Go back, reload the page and send it again. Answers you typed in a "
    "survey are kept in this browser."
)


def dutch(message: str) -> str:
    """``message`` as the Dutch page shows it (HTML-escaped)."""
    return str(escape(translations("nl").gettext(message)))


async def test_a_survey_post_without_the_csrf_token_is_refused_and_the_link_still_works(
    app, raw_client
) -> None:
    await load_small_org()
    opened = await open_wave()
    assert (await start(raw_client, opened.tokens["1002"])).status_code == 303
    survey = await raw_client.get("/survey")
    assert survey.status_code == 200
    token = csrf_from(survey.text)

    # No token, a wrong one, or the token of another browser: the "form has expired" page
    # in Dutch (the default language), and nothing is stored.
    other_browser = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    async with other_browser:
        foreign = csrf_from((await other_browser.get("/sign-in")).text)
    assert foreign != token
    for extra in ({}, {"_csrf": ""}, {"_csrf": token[:-2] + "xx"}, {"_csrf": foreign}):
        refused = await raw_client.post("/survey", data={**full_answers(), **extra})
        assert refused.status_code == 403, extra
        assert refused.headers["content-type"].startswith("text/html")
        assert '<html lang="nl">' in refused.text
        assert f"<h1>{dutch('This form has expired')}</h1>" in refused.text
        assert dutch(EXPIRED_FORM_EXPLANATION) in refused.text
        assert dutch("No access to this page") not in refused.text
        assert await stored_state() == (0, 0, 0)
    # The inline check (htmx) is refused the same way without its header.
    check = await raw_client.post("/survey/check/enps", data={"enps": "8"})
    assert check.status_code == 403
    assert await stored_state() == (0, 0, 0)
    assert await UsedInvitation.count() == 0

    # The refusal used nothing up: the same browser, with its token, still answers.
    checked = await raw_client.post(
        "/survey/check/enps", data={"enps": "8"}, headers={"X-CSRF-Token": token}
    )
    assert checked.status_code == 200
    accepted = await raw_client.post("/survey", data={**full_answers(), "_csrf": token})
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/survey/thanks?closes=")
    assert await stored_state() == (1, 14, 1)


@pytest.mark.parametrize("token", ["unknown-token-value", "x" * 150, "%00%ff", "a b"])
async def test_an_unknown_token_gets_a_clear_page_and_nothing_happens(client, token) -> None:
    await load_small_org()
    await open_wave()
    refused = await start(client, token)
    assert refused.status_code in {404, 400}
    assert "klankbord_survey" not in refused.headers.get("set-cookie", "")
    assert await stored_state() == (0, 0, 0)


async def test_an_expired_wave_refuses_its_tokens(client) -> None:
    await load_small_org()
    today = utc_now().date()
    opened = await open_wave(
        opens_on=today - dt.timedelta(days=20), closes_on=today - dt.timedelta(days=5)
    )
    refused = await start(client, opened.tokens["1002"])
    assert refused.status_code == 410
    assert await stored_state() == (0, 0, 0)


async def test_a_wave_that_has_not_opened_refuses_its_tokens(client) -> None:
    await load_small_org()
    today = utc_now().date()
    opened = await open_wave(opens_on=today + dt.timedelta(days=3))
    refused = await start(client, opened.tokens["1002"])
    assert refused.status_code == 403
    assert await stored_state() == (0, 0, 0)


async def test_closing_a_wave_mid_survey_refuses_the_submission(client) -> None:
    await load_small_org()
    opened = await open_wave()
    assert (await start(client, opened.tokens["1002"])).status_code == 303
    await close_wave(opened.wave, now=utc_now())
    refused = await client.post("/survey", data=full_answers())
    assert refused.status_code == 410
    assert await stored_state() == (0, 0, 0)
    # The invitation was not used up: were the wave reopened, it would still work.
    assert await UsedInvitation.count() == 0


async def test_the_survey_without_a_session_explains_what_to_do(client) -> None:
    page = await client.get("/survey")
    assert page.status_code == 400
    posted = await client.post("/survey", data=full_answers())
    assert posted.status_code == 400
    assert await stored_state() == (0, 0, 0)


async def test_inline_check_returns_the_error_and_progress(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    checked = await client.post(
        "/survey/check/enjoyment_work",
        data={"enjoyment_work": "9", "energy_start": "3"},
        headers={"HX-Request": "true"},
    )
    assert checked.status_code == 200
    assert 'id="error-enjoyment_work"' in checked.text
    assert 'hx-swap-oob="true"' in checked.text
    assert 'value="2"' in checked.text  # two questions have an answer
    fine = await client.post("/survey/check/enjoyment_work", data={"enjoyment_work": "4"})
    assert "Error" not in fine.text and "Fout" not in fine.text
    unknown = await client.post("/survey/check/nope", data={})
    assert unknown.status_code == 404


async def test_htmx_submission_with_errors_gets_the_form_with_errors(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    answers = full_answers()
    del answers["enps"]
    page = await client.post("/survey", data=answers, headers={"HX-Request": "true"})
    assert page.status_code == 422
    assert 'href="#q-enps"' in page.text


async def test_pages_follow_the_chosen_language(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    dutch = await client.get("/survey")
    assert '<html lang="nl">' in dutch.text
    assert "Ik begin met energie aan mijn werkdag." in dutch.text
    english = await client.get("/survey?lang=en")
    assert '<html lang="en">' in english.text
    assert "I start my working day full of energy." in english.text
    assert "lang=en" in english.headers["set-cookie"]
    remembered = await client.get("/survey")
    assert '<html lang="en">' in remembered.text


async def test_responses_carry_no_ip_user_agent_or_time(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await start(client, opened.tokens["1002"])
    await client.post(
        "/survey", data=full_answers(), headers={"User-Agent": "UniqueAgent/1.0 (secret)"}
    )
    sealed = await SealedResponse.select().first()
    assert set(sealed) == {"id", "wave", "group_tag", "sealed"}
    assert b"UniqueAgent" not in bytes(sealed["sealed"])
    await release_everything()
    response = await Response.select().first()
    assert set(response) == {"id", "wave", "department_path"}
    # Random ids (version 4): a version 1 id would carry the moment and the machine.
    ids = [response["id"]] + [row["id"] for row in await Answer.select(Answer.id)]
    assert all(uuid.UUID(str(value)).version == 4 for value in ids)
    for value in response.values():
        assert "UniqueAgent" not in str(value) and "127.0.0.1" not in str(value)


@pytest.mark.parametrize("path", ["/", "/survey", "/no-such-page", "/static/css/app.css"])
async def test_security_headers_keep_survey_links_from_leaking(client, path) -> None:
    page = await client.get(path)
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_a_page_that_does_not_exist_follows_the_chosen_language(client) -> None:
    missing = await client.get("/no-such-page?lang=en")
    assert missing.status_code == 404
    assert '<html lang="en">' in missing.text
    assert "Page not found" in missing.text


async def test_health_reports_the_database(client) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


async def test_the_survey_cookie_is_short_lived_and_gone_after_the_thanks_page(client) -> None:
    """A shared computer: an opened survey's cookie lives an hour at most, and the thank-you
    page ends whatever survey session the browser still holds."""
    await load_small_org()
    opened = await open_wave()
    first = await start(client, opened.tokens["1002"])
    cookie = first.headers["set-cookie"]
    assert "Max-Age=3600" in cookie, cookie
    thanks = await client.get("/survey/thanks")
    cleared = thanks.headers.get("set-cookie", "")
    assert "klankbord_survey=null" in cleared or "Max-Age=0" in cleared, cleared
    assert (await client.get("/survey")).status_code == 400  # no invitation in this browser
