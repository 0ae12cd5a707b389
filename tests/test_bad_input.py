"""Bad input that schema-driven fuzzing does not generate: empty query values, oversized and
undecodable bodies, wrong content types, out-of-range answers, over-long path tokens and NUL
characters. Each gets a clear 4xx page, never a server error, and nothing is stored."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import httpx
import pytest

from survey_app.core.i18n import LANGUAGE_COOKIE
from survey_app.tables.anonymous import Answer
from tests.helpers import (
    full_answers,
    load_small_org,
    open_wave,
    release_everything,
    sign_in_as_hr,
    stored_state,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def open_session(client: httpx.AsyncClient) -> None:
    await load_small_org()
    opened = await open_wave()
    started = await client.get(f"/s/{opened.tokens['1002']}")
    assert started.status_code == 303


def field_error(page: str, key: str) -> str:
    """The error text shown at one question, without markup ('' when there is none)."""
    match = re.search(rf'<p id="error-{key}" class="field-error"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no error slot for {key}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def form_body(**overrides: str) -> bytes:
    return urlencode(full_answers(**overrides)).encode()


async def assert_still_answerable(client: httpx.AsyncClient) -> None:
    """The refusal used nothing up: the same session can still send a valid form."""
    assert await stored_state() == (0, 0, 0)
    accepted = await client.post("/survey", data=full_answers())
    assert accepted.status_code == 303
    assert await stored_state() == (1, 14, 1)


# --- query strings ---


@pytest.mark.parametrize("path", ["/survey?lang=", "/hr/waves?lang=", "/?lang=", "/?lang=%FF"])
async def test_an_empty_or_garbled_language_falls_back_to_dutch(client, path: str) -> None:
    await open_session(client)
    if path.startswith("/hr/"):
        await sign_in_as_hr(client)
    page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["content-language"] == "nl"
    assert '<html lang="nl">' in page.text
    # Nothing worth remembering was asked for, so no language cookie is set.
    assert f"{LANGUAGE_COOKIE}=" not in page.headers.get("set-cookie", "")


async def test_the_survey_form_is_shown_with_an_empty_language(client) -> None:
    await open_session(client)
    page = await client.get("/survey?lang=")
    assert page.status_code == 200
    assert 'name="enjoyment_work"' in page.text


# --- bodies ---


async def test_a_body_over_the_limit_gets_a_413_page_and_stores_nothing(client, settings) -> None:
    await open_session(client)
    body = b"open_comment=" + b"x" * settings.max_request_body
    refused = await client.post("/survey", content=body, headers=FORM)
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    await assert_still_answerable(client)


async def test_a_percent_encoded_non_utf8_answer_is_refused_at_its_field(client) -> None:
    await open_session(client)
    refused = await client.post("/survey", content=b"enjoyment_work=%FF%FE", headers=FORM)
    assert refused.status_code == 422
    assert field_error(refused.text, "enjoyment_work").endswith("Kies een van de antwoorden.")
    await assert_still_answerable(client)


async def test_a_non_utf8_comment_is_refused_not_stored_as_replacement_characters(client) -> None:
    await open_session(client)
    for comment in (b"caf%E9", b"caf\xe9", b"%C3%28"):
        body = urlencode(full_answers(open_comment="")).encode() + b"&open_comment=" + comment
        refused = await client.post("/survey", content=body, headers=FORM)
        assert refused.status_code == 422, comment
        assert field_error(refused.text, "open_comment").endswith(
            "Je antwoord bevat tekens die we niet kunnen opslaan."
        )
        # The form comes back with what was readable; the undecodable byte is shown as U+FFFD.
        assert "caf\ufffd" in refused.text or comment == b"%C3%28"
    await assert_still_answerable(client)


async def test_raw_utf8_bytes_in_a_form_are_read_as_utf8(client) -> None:
    await open_session(client)
    body = urlencode(full_answers(open_comment="")).encode() + "&open_comment=café".encode()
    accepted = await client.post("/survey", content=body, headers=FORM)
    assert accepted.status_code == 303
    await release_everything()
    stored = await Answer.select(Answer.text).where(Answer.question_key == "open_comment").first()
    assert stored["text"] == "café"


async def test_undecodable_raw_bytes_get_a_422_and_store_nothing(client) -> None:
    await open_session(client)
    refused = await client.post("/survey", content=b"\xff\xfe=\x00", headers=FORM)
    assert refused.status_code == 422
    assert field_error(refused.text, "enjoyment_work").endswith("Beantwoord deze vraag.")
    await assert_still_answerable(client)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"enjoyment_work": "4"}'),
        ("text/plain", b"enjoyment_work=4"),
        (None, b"enjoyment_work=4"),
    ],
)
async def test_a_body_that_is_not_a_form_is_refused(client, content_type, body) -> None:
    await open_session(client)
    headers = {"content-type": content_type} if content_type else {}
    refused = await client.post("/survey", content=body, headers=headers)
    assert refused.status_code == 422
    assert field_error(refused.text, "enjoyment_work").endswith("Beantwoord deze vraag.")
    await assert_still_answerable(client)


async def test_a_valid_form_with_the_wrong_content_type_is_not_stored(client) -> None:
    await open_session(client)
    refused = await client.post(
        "/survey", content=form_body(), headers={"content-type": "text/plain"}
    )
    assert refused.status_code == 422
    await assert_still_answerable(client)


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=x", "multipart/form-data; boundary="],
)
async def test_a_broken_multipart_body_gets_a_4xx_page(client, content_type: str) -> None:
    await open_session(client)
    refused = await client.post(
        "/survey", content=b"--x\r\ngarbage", headers={"content-type": content_type}
    )
    assert 400 <= refused.status_code < 500
    assert refused.headers["content-type"].startswith("text/html")
    await assert_still_answerable(client)


# --- answers ---


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Kies een getal van 1 tot en met 5."),
        ("6", "Kies een getal van 1 tot en met 5."),
        ("-1", "Kies een getal van 1 tot en met 5."),
        ("1000000000", "Kies een getal van 1 tot en met 5."),
        ("3.5", "Kies een van de antwoorden."),
        ("1e9", "Kies een van de antwoorden."),
        ("٣", "Kies een van de antwoorden."),  # an Arabic-Indic three: int() would accept it
        ("+3", "Kies een van de antwoorden."),
    ],
)
async def test_an_out_of_range_likert_answer_gets_its_field_error(
    client, value: str, message: str
) -> None:
    await open_session(client)
    refused = await client.post("/survey", data=full_answers(enjoyment_work=value))
    assert refused.status_code == 422
    assert field_error(refused.text, "enjoyment_work").endswith(message)
    assert field_error(refused.text, "enjoyment_contribution") == ""
    await assert_still_answerable(client)


async def test_the_inline_check_reports_an_out_of_range_answer(client) -> None:
    await open_session(client)
    checked = await client.post("/survey/check/enjoyment_work", data={"enjoyment_work": "6"})
    assert checked.status_code == 200
    assert "Kies een getal van 1 tot en met 5." in checked.text
    assert await stored_state() == (0, 0, 0)


@pytest.mark.parametrize("comment", ["a\x00b", "\x00", "ok\x1bnot"])
async def test_a_control_character_in_text_is_refused(client, comment: str) -> None:
    await open_session(client)
    refused = await client.post("/survey", data=full_answers(open_comment=comment))
    assert refused.status_code == 422
    assert field_error(refused.text, "open_comment").endswith(
        "Je antwoord bevat tekens die we niet kunnen opslaan."
    )
    await assert_still_answerable(client)


async def test_nul_in_a_field_name_or_number_is_refused(client) -> None:
    await open_session(client)
    answers = full_answers(enjoyment_work="4\x00")
    refused = await client.post("/survey", data={**answers, "\x00": "1"})
    assert refused.status_code == 422
    assert field_error(refused.text, "enjoyment_work").endswith("Kies een van de antwoorden.")
    await assert_still_answerable(client)


# --- paths ---


@pytest.mark.parametrize("length", [201, 5000])
async def test_a_too_long_invitation_token_gets_a_400_page(client, length: int) -> None:
    await load_small_org()
    await open_wave()
    refused = await client.get("/s/" + "a" * length)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("text/html")
    assert "klankbord_survey" not in refused.headers.get("set-cookie", "")


@pytest.mark.parametrize("token", ["%00", "a%00b", "%FF", "..%2F..%2Fetc"])
async def test_a_garbled_invitation_token_is_unknown(client, token: str) -> None:
    await load_small_org()
    await open_wave()
    refused = await client.get(f"/s/{token}")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/hr/waves/" + "0" * 46, 400),
        ("/hr/waves/%00", 404),
        ("/hr/waves/not-a-uuid", 404),
        ("/survey/check/" + "a" * 65, 400),
    ],
)
async def test_bad_ids_in_paths_get_a_clear_page(client, path: str, status: int) -> None:
    await open_session(client)
    if path.startswith("/hr/"):
        await sign_in_as_hr(client)
    method = "POST" if path.startswith("/survey/check/") else "GET"
    refused = await client.request(method, path)
    assert refused.status_code == status
    assert refused.headers["content-type"].startswith("text/html")
    assert await stored_state() == (0, 0, 0)
