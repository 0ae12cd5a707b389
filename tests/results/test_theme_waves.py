"""Comment themes over the waves of a survey: a discovered theme keeps its id and label, the
themes known after each closed wave are kept (only shown words), and each theme's share is
compared with the previous wave's where both are shown."""

from __future__ import annotations

import json
import random
import re

import pytest

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.responding.service import submit_response
from survey_app.results import themes as results_themes
from survey_app.results.service import wave_results
from survey_app.tables.anonymous import ThemeHistory
from survey_app.waves.service import WaveInfo, close_wave
from surveys import AnswerValue
from tests.helpers import app_settings, load_small_org, open_wave, sign_in_as_hr
from tests.results.test_results_door import HR

# Two topics outside the workplace taxonomy (discovered), and one inside it.
KITCHEN = ["koffieapparaat", "vaatwasser", "koelkast", "magnetron", "waterkoker", "theedoeken"]
OUTING = ["bedrijfsuitje", "kerstmarkt", "barbecue", "personeelsfeest", "bowlen", "sinterklaas"]
WORKLOAD = [
    "De werkdruk is veel te hoog.",
    "Te veel werk, de werkdruk is hoog.",
    "Werkdruk hoog door vacatures.",
    "De werkdruk stijgt.",
    "Hoge werkdruk in ons team.",
    "Werkdruk en overwerk.",
]
SIZES = {"JEUGD": 12, "WMO": 8, "ICT": 12}  # 32 people


def comments(seed: int, kitchen: int, outing: int, workload: int) -> list[str]:
    rng = random.Random(seed)
    written = []
    for pool, count in ((KITCHEN, kitchen), (OUTING, outing)):
        for _ in range(count):
            a, b, c = rng.sample(pool, 3)
            written.append(f"De {a} en de {b}, en ook de {c}.")
    return written + WORKLOAD[:workload]


async def closed_wave(written: list[str], title: str) -> WaveInfo:
    """A closed pulse wave of the whole organisation with one comment per person."""
    opened = await open_wave(title=title)
    for token, comment in zip(opened.tokens.values(), written, strict=False):
        await submit_response(
            hash_token(token),
            [AnswerValue("open_comment", None, None, comment)],
            now=utc_now(),
            settings=app_settings(),
        )
    await close_wave(opened.wave, now=utc_now())
    return opened.wave


async def two_waves() -> tuple[WaveInfo, WaveInfo]:
    await load_small_org(SIZES)
    first = await closed_wave(comments(1, kitchen=12, outing=10, workload=6), "Pulsmeting voorjaar")
    second = await closed_wave(comments(2, kitchen=10, outing=12, workload=4), "Pulsmeting najaar")
    return first, second


async def themes_of(wave: WaveInfo, **settings: int):  # type: ignore[no-untyped-def]
    results = await wave_results(
        HR,
        str(wave.public_id),
        settings=app_settings(**settings),
        language="nl",
        view="themes",
        with_themes=True,
    )
    return results.themes


def by_words(themes, words: list[str]):  # type: ignore[no-untyped-def]
    (found,) = [row for row in themes.themes if set(row.terms) & set(words)]
    return found


async def test_a_discovered_theme_keeps_its_id_and_label_and_shows_its_change(client) -> None:
    first, second = await two_waves()
    # The second wave is looked at first: the first wave's themes are computed (and kept)
    # on the way, as if the first had been looked at before.
    later = await themes_of(second)
    earlier = await themes_of(first)
    outing_before, outing_now = by_words(earlier, OUTING), by_words(later, OUTING)
    assert outing_now.source == "discovered"
    # Largest first: without the first wave's themes this one would be discovered-1.
    assert (outing_now.id, outing_now.label) == (outing_before.id, outing_before.label)
    assert outing_now.previous_share == outing_before.share
    assert outing_now.change == outing_now.share - outing_before.share
    assert later.previous is not None and later.previous.title == "Pulsmeting voorjaar"
    # A taxonomy theme is compared by its (fixed) id too.
    workload = next(row for row in later.themes if row.id == "workload")
    assert workload.previous_share == earlier.organisation["workload"]

    await sign_in_as_hr(client)
    html = (await client.get(f"/hr/waves/{second.public_id}/themes?lang=en")).text
    row = html[html.index(f'<th scope="row">{outing_now.label}') :]
    row = row[: row.index("</tr>")]
    before, now = round(outing_before.share * 100), round(outing_now.share * 100)
    assert f"Previous wave: {before}%" in row
    assert f"(+{now - before} {'point' if now - before == 1 else 'points'})" in row
    assert ">new<" not in row  # it was there in the previous wave
    assert "Pulsmeting voorjaar" in html


async def test_the_kept_history_holds_only_shown_words() -> None:
    first, second = await two_waves()
    later = await themes_of(second)
    earlier = await themes_of(first)
    rows = await ThemeHistory.select().order_by(ThemeHistory.wave)
    assert [row["wave"] for row in rows] == [first.id, second.id]
    shown = {word for result in (earlier, later) for row in result.themes for word in row.terms}
    labels = {row.label for result in (earlier, later) for row in result.themes}
    for row in rows:
        known = json.loads(row["known"]) if isinstance(row["known"], str) else row["known"]
        assert set(known) == {"language", "themes"}
        for theme in known["themes"]:
            assert set(theme) == {"id", "label", "terms"}
            assert set(theme["terms"]) <= shown, theme
            assert theme["label"] in labels, theme
    # Not a comment, not a quote: only words the pages show.
    everything = json.dumps([row["known"] for row in rows])
    assert not re.search(r"De \w+ en de", everything)


async def test_a_wave_is_computed_from_the_kept_history_not_the_whole_series(
    monkeypatch,
) -> None:
    first, second = await two_waves()
    third = await closed_wave(comments(3, kitchen=11, outing=11, workload=5), "Pulsmeting winter")
    await themes_of(third)  # the series is computed oldest first, and kept
    kept = await ThemeHistory.select(ThemeHistory.wave).order_by(ThemeHistory.wave)
    assert [row["wave"] for row in kept] == [first.id, second.id, third.id]
    results_themes._CACHE.clear()  # a new worker: nothing in memory, the history in the table
    analysed: list[int] = []
    original = results_themes._analyze

    def counting(texts, *args):  # type: ignore[no-untyped-def]
        analysed.append(len(texts))
        return original(texts, *args)

    monkeypatch.setattr(results_themes, "_analyze", counting)
    again = await themes_of(third)
    # The third wave itself and the second (for the comparison), each once; not the first.
    assert sorted(analysed) == [26, 27]
    assert by_words(again, OUTING).previous_share is not None


async def test_another_comment_minimum_starts_its_own_history() -> None:
    first, second = await two_waves()
    await themes_of(second)
    await themes_of(second, min_group_size=5, min_comment_group_size=6)
    kept = await ThemeHistory.select(ThemeHistory.wave, ThemeHistory.comment_minimum)
    assert sorted((row["wave"], row["comment_minimum"]) for row in kept) == sorted(
        [(first.id, 5), (second.id, 5), (first.id, 6), (second.id, 6)]
    )


async def test_no_change_is_shown_where_the_previous_wave_hides_the_organisation() -> None:
    await load_small_org(SIZES)
    await closed_wave(WORKLOAD[:3], "Pulsmeting voorjaar")  # 3 comments: below the minimum
    second = await closed_wave(comments(2, kitchen=10, outing=12, workload=4), "najaar")
    later = await themes_of(second)
    assert later.previous is not None and later.previous.organisation is None
    assert all(row.previous_share is None and not row.compared for row in later.themes)


async def test_a_department_page_compares_its_own_shares_with_the_previous_wave(client) -> None:
    """ICT (the last 12 people): 2 outing and 6 workload comments in the first wave, 2 and 4
    in the second; its manager's page compares ICT's own shares."""

    _, second = await two_waves()
    group = await department_themes(second, "ICT", "GEM/BV/ICT")
    workload = next(theme for theme in group.ranked if theme.id == "workload")
    assert workload.compared
    assert (workload.previous_share, workload.share) == pytest.approx((6 / 8, 4 / 6), abs=1e-4)
    assert workload.change == pytest.approx(4 / 6 - 6 / 8, abs=1e-4)

    await sign_in_as_hr(client)
    html = (await client.get(f"/hr/waves/{second.public_id}/departments/ICT?lang=en")).text
    assert "Previous wave: 75% (\u22128 points)" in html


async def department_themes(wave, code: str, path: str):  # type: ignore[no-untyped-def]
    """The department's theme group as its own manager reads it."""
    from tests.results.test_results_door import manager

    results = await wave_results(
        manager(code),
        str(wave.public_id),
        settings=app_settings(),
        language="nl",
        view="department",
        department_code=code,
        with_themes=True,
    )
    (group,) = [group for group in results.theme_groups if group.path == path]
    return group


def row_of(html: str, label: str) -> str:
    """The theme's rows on HR's page: its own, its tone and its quotes (to the next theme)."""
    start = html.index(f'<th scope="row">{label}')
    end = html.find('<th scope="row">', start + 1)
    return html[start : end if end != -1 else html.index("</table>", start)]


async def test_the_tone_of_a_theme_shows_only_above_the_comment_minimum(client) -> None:
    """In the second wave workload has 4 comments (fewer than 5): no tone and no quotes; the
    outing theme has 12: its tone as three percentages and a bar with a text alternative."""
    _, second = await two_waves()
    later = await themes_of(second)
    workload = next(row for row in later.themes if row.id == "workload")
    outing = by_words(later, OUTING)
    assert workload.count == 4 and workload.sentiment is None and workload.quotes == ()
    assert outing.count == 12 and outing.sentiment is not None
    assert sum(outing.sentiment.values()) == pytest.approx(1, abs=1e-3)

    await sign_in_as_hr(client)
    html = (await client.get(f"/hr/waves/{second.public_id}/themes?lang=en")).text
    small = row_of(html, "Workload")
    assert "Tone: too few comments to show" in small
    assert "<svg" not in small and "<blockquote>" not in small
    large = row_of(html, outing.label)
    percentages = re.search(r"Tone: negative (\d+)% · neutral (\d+)% · positive (\d+)%", large)
    assert percentages and 99 <= sum(int(share) for share in percentages.groups()) <= 101
    assert 'role="img"' in large and f"Tone of the comments about {outing.label}" in large
    assert "<blockquote>" in large


async def test_a_department_shows_no_tone_for_a_theme_with_too_few_comments_there() -> None:
    """ICT in the second wave: workload 4 comments, the outing theme 2; both below 5."""

    _, second = await two_waves()
    group = await department_themes(second, "ICT", "GEM/BV/ICT")
    assert group.ranked and all(
        theme.sentiment is None and theme.quotes == () for theme in group.ranked
    )
    # Jeugd (12 people) wrote 10 kitchen and 2 outing comments: the kitchen theme's tone.
    group = await department_themes(second, "JEUGD", "GEM/SD/JEUGD")
    tones = {theme.count: theme.sentiment for theme in group.ranked}
    assert tones[10] is not None and tones[2] is None
