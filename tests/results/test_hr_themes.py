"""The HR page of comment themes: shares per department through the gate, redacted quotes."""

from __future__ import annotations

import re

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.responding.service import submit_response
from survey_app.waves.service import close_wave
from surveys import AnswerValue
from tests.helpers import (
    COMMENTS,
    NUMBERS,
    OpenWave,
    app_settings,
    load_small_org,
    open_wave,
    sign_in_as_hr,
)


async def commented_wave(written: dict[str, list[str]], numbers: dict) -> OpenWave:
    """A closed wave in which the employees ``numbers[code]`` of each department wrote
    ``written[code]`` (one comment each, nothing else)."""
    opened = await open_wave()
    for code, comments in written.items():
        for number, comment in zip(numbers[code], comments, strict=True):
            await submit_response(
                hash_token(opened.tokens[str(number)]),
                [AnswerValue("open_comment", None, None, comment)],
                now=utc_now(),
                settings=app_settings(),
            )
    await close_wave(opened.wave, now=utc_now())
    return opened


async def test_themes_are_shown_per_department_only_where_the_gate_allows(client) -> None:
    await load_small_org()
    opened = await commented_wave(COMMENTS, NUMBERS)
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{opened.wave.public_id}/themes?lang=en")
    assert page.status_code == 200
    html = page.text
    assert "16 comments" in html
    assert "Workload" in html or "workload" in html.lower()

    def section(name: str) -> str:
        start = html.index(f">{name}</h3>")
        end = html.find("<h3", start + 1)
        return html[start : end if end != -1 else len(html)]

    assert "Too few comments" in section("Wmo")
    assert "Too few comments" in section("Jeugd")  # would give Wmo away by subtraction
    assert "9 comments" in section("Sociaal Domein")
    assert "7 comments" in section("ICT")
    # Quotes only of themes with at least the comment minimum, redacted: nothing
    # identifying reaches this page.
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", html, re.S)
    assert quotes
    written = {comment for comments in COMMENTS.values() for comment in comments}
    assert all(quote in written or "[" in quote for quote in quotes), quotes
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


async def test_a_department_shows_quotes_written_there_only_above_the_minimum() -> None:
    from survey_app.results.service import wave_results
    from tests.results.test_results_door import HR

    await load_small_org()
    opened = await commented_wave(COMMENTS, NUMBERS)
    results = await wave_results(
        HR,
        str(opened.wave.public_id),
        # The lowest minimum: Sociaal Domein then has themes with enough comments.
        settings=app_settings(min_group_size=3, min_comment_group_size=3),
        language="nl",
        view="department",
        department_code="SD",
        with_themes=True,
    )
    group = next(group for group in results.theme_groups if group.path == "GEM/SD")
    minimum = results.themes.comment_minimum
    written_here = COMMENTS["JEUGD"] + COMMENTS["WMO"]
    assert [theme.share for theme in group.ranked] == sorted(
        (theme.share for theme in group.ranked), reverse=True
    )
    for theme in group.ranked:
        if theme.quotes:
            assert theme.count >= minimum
        for quote in theme.quotes:
            assert any(quote == comment or "[" in quote for comment in written_here), quote
            assert quote not in COMMENTS["ICT"]
    assert any(theme.quotes for theme in group.ranked), group.ranked
    # Other departments' groups carry no quotes: only the department asked for.
    assert all(
        not theme.quotes
        for other in results.theme_groups
        if other.path != "GEM/SD"
        for theme in other.ranked
    )


async def test_a_manager_never_gets_a_quote_written_in_a_team_out_of_their_scope() -> None:
    from survey_app.results.service import wave_results
    from tests.results.test_results_door import HR, manager

    written = {
        "JEUGD": [
            "De werkdruk is hoog, we hebben te veel werk.",
            "Te veel werk en te weinig tijd, de werkdruk is zwaar.",
            "Fijne collega's.",
            "Goede sfeer in het team.",
            "Mijn laptop is traag.",
            "Ik wil meer opleiding.",
        ],
        "WMO": [
            "De werkdruk is te hoog door het vele werk.",
            "Veel te veel werk, de werkdruk moet omlaag.",
            "Werkdruk en werk stapelen zich op.",
            "Goede collega's.",
            "Meer thuiswerken graag.",
        ],
        "ICT": ["Prima.", "Goed.", "Tevreden.", "Leuk werk.", "Oké.", "Fijn.", "Top."],
    }
    # Wmo of 5: a response group of its own (a smaller team's answers are stored with its
    # parent's, where no scope can tell them apart).
    await load_small_org({"JEUGD": 6, "WMO": 5, "ICT": 7})
    numbers = {"JEUGD": range(1001, 1007), "WMO": range(1007, 1012), "ICT": range(1012, 1019)}
    opened = await commented_wave(written, numbers)
    settings = app_settings(min_group_size=3, min_comment_group_size=3)

    async def quotes(viewer) -> set[str]:
        results = await wave_results(
            viewer,
            str(opened.wave.public_id),
            settings=settings,
            language="nl",
            view="department",
            department_code="SD",
            with_themes=True,
        )
        group = next(group for group in results.theme_groups if group.path == "GEM/SD")
        return {quote for theme in group.ranked for quote in theme.quotes}

    wmo = set(written["WMO"])
    assert await quotes(HR) & wmo  # HR's page of Sociaal Domein quotes Wmo too
    # Wmo taken out of this manager's scope: none of its comments is quoted to them.
    assert not await quotes(manager("SD", "JEUGD", roots=("SD",))) & wmo


async def test_a_managers_tone_of_a_theme_counts_no_comment_from_a_team_out_of_scope() -> None:
    """Workload: 2 comments in Jeugd and 3 in Wmo. HR's Sociaal Domein has 5 (a tone at the
    minimum of 3); a manager without Wmo has Jeugd's 2 only: no tone."""
    from survey_app.results.service import wave_results
    from tests.results.test_results_door import HR, manager

    written = {
        "JEUGD": ["De werkdruk is te hoog.", "Werkdruk, werkdruk.", "Fijn team.", "Top."],
        "WMO": ["De werkdruk is hoog.", "Hoge werkdruk.", "Te hoge werkdruk.", "Prima.", "Goed."],
        "ICT": ["Prima.", "Goed.", "Tevreden.", "Leuk werk.", "Oké."],
    }
    await load_small_org({"JEUGD": 4, "WMO": 5, "ICT": 5})
    numbers = {"JEUGD": range(1001, 1005), "WMO": range(1005, 1010), "ICT": range(1010, 1015)}
    opened = await commented_wave(written, numbers)

    async def tone(viewer):  # type: ignore[no-untyped-def]
        results = await wave_results(
            viewer,
            str(opened.wave.public_id),
            settings=app_settings(min_group_size=3, min_comment_group_size=3),
            language="nl",
            view="department",
            department_code="SD",
            with_themes=True,
        )
        group = next(group for group in results.theme_groups if group.path == "GEM/SD")
        return next(theme.sentiment for theme in group.ranked if theme.id == "workload")

    assert await tone(HR) is not None
    assert await tone(manager("SD", "JEUGD", roots=("SD",))) is None


async def test_comments_of_a_team_out_of_scope_stored_with_its_parent_stay_protected() -> None:
    """Jeugd (3, out of this manager's scope) is stored with Sociaal Domein's own 2; Wmo (6)
    has its own group. SD's and Wmo's comment shares are not both shown (their difference
    would be Jeugd with 2 others), and nothing stored with SD is quoted to the manager."""
    from survey_app.results.service import wave_results
    from tests.results.test_results_door import HR, manager

    await load_small_org({"SD": 2, "JEUGD": 3, "WMO": 6, "ICT": 7})
    opened = await open_wave()
    comments = [
        "De werkdruk is te hoog.",
        "Te veel werk, de werkdruk is hoog.",
        "Mijn laptop is traag en de wifi valt weg.",
    ]
    for number, token in opened.tokens.items():
        comment = comments[int(number) % len(comments)]
        await submit_response(
            hash_token(token),
            [AnswerValue("open_comment", None, None, comment)],
            now=utc_now(),
            settings=app_settings(),
        )
    await close_wave(opened.wave, now=utc_now())

    async def groups(viewer) -> dict:
        results = await wave_results(
            viewer,
            str(opened.wave.public_id),
            settings=app_settings(),
            language="nl",
            view="department",
            department_code="SD",
            with_themes=True,
        )
        return {group.path: group for group in results.theme_groups}

    seen = await groups(manager("SD", "WMO", roots=("SD",)))
    assert "GEM/SD/JEUGD" not in seen
    assert seen["GEM/SD"].suppressed or seen["GEM/SD/WMO"].suppressed
    hr = await groups(HR)
    assert not hr["GEM/SD"].suppressed and not hr["GEM/SD/WMO"].suppressed
