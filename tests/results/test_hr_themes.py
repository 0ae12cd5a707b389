"""The HR page of comment themes: shares per department through the gate, no comment text."""

from __future__ import annotations

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.responding.service import submit_response
from survey_app.waves.service import close_wave
from surveys import AnswerValue
from tests.helpers import (
    COMMENTS,
    NUMBERS,
    app_settings,
    load_small_org,
    open_wave,
    sign_in_as_hr,
)


async def test_themes_are_shown_per_department_only_where_the_gate_allows(client) -> None:
    await load_small_org()
    opened = await open_wave()
    now = utc_now()
    for code, comments in COMMENTS.items():
        for number, comment in zip(NUMBERS[code], comments, strict=True):
            await submit_response(
                hash_token(opened.tokens[str(number)]),
                [AnswerValue("open_comment", None, None, comment)],
                now=now,
                settings=app_settings(),
            )

    await close_wave(opened.wave, now=utc_now())
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{opened.wave.public_id}/themes?lang=en")
    assert page.status_code == 200
    html = page.text
    assert "16 comments" in html
    assert "Workload" in html or "workload" in html.lower()

    def section(name: str) -> str:
        start = html.index(f"<h3>{name}</h3>")
        end = html.find("<h3>", start + 1)
        return html[start : end if end != -1 else len(html)]

    assert "Too few comments" in section("Wmo")
    assert "Too few comments" in section("Jeugd")  # would give Wmo away by subtraction
    assert "9 comments" in section("Sociaal Domein")
    assert "7 comments" in section("ICT")
    # No comment text and nothing identifying reaches this page.
    for comments in COMMENTS.values():
        for comment in comments:
            assert comment not in html
    assert "06-12345678" not in html and "Medewerker 1003" not in html


async def test_an_open_wave_shows_no_themes_yet(client) -> None:
    """Results that change with each comment would give away the last one by comparison."""
    await load_small_org()
    opened = await open_wave()
    for number in range(1001, 1011):
        await submit_response(
            hash_token(opened.tokens[str(number)]),
            [AnswerValue("open_comment", None, None, "De werkdruk is te hoog.")],
            now=utc_now(),
            settings=app_settings(),
        )
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{opened.wave.public_id}/themes?lang=en")
    assert page.status_code == 200
    assert "once the wave has closed" in page.text
    assert "10 comments" not in page.text and "<table" not in page.text


async def test_a_wave_without_comments_says_so(client) -> None:
    await load_small_org()
    opened = await open_wave()
    await close_wave(opened.wave, now=utc_now())
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{opened.wave.public_id}/themes?lang=en")
    assert page.status_code == 200
    assert "no comments in this wave yet" in page.text


async def test_an_unknown_wave_has_no_themes_page(client) -> None:
    await sign_in_as_hr(client)
    missing = await client.get("/hr/waves/00000000-0000-4000-8000-000000000000/themes")
    assert missing.status_code == 404
