"""Self-identification is sealed with the answers and released into its own anonymous
table, in the same shuffled batch; without consent (nothing given) nothing is stored."""

from __future__ import annotations

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.sealing import unseal
from survey_app.responding.release import seal_response
from survey_app.responding.service import submit_response
from survey_app.tables.anonymous import Answer, Response, SelfIdentification
from survey_app.waves.service import create_wave, wave_template
from surveys import AnswerValue, load_template
from tests.helpers import TIMEZONE, app_settings, load_small_org, open_wave, release_everything


async def dig_wave(categories: list[str]):
    opened = await open_wave(
        template=load_template("dig").with_self_identification(categories),
        title="Inclusiemonitor",
    )
    return opened.wave, list(opened.tokens.values())


async def test_stated_categories_are_released_with_their_response_and_others_are_not() -> None:
    await load_small_org()
    wave, tokens = await dig_wave(["gender_identity", "age_band"])
    assert (await wave_template(wave)).self_identification_keys == (
        "gender_identity",
        "age_band",
    )
    settings = app_settings()
    answer = [AnswerValue("ub_experienced", choice="no")]
    await submit_response(
        hash_token(tokens[0]),
        answer,
        now=utc_now(),
        settings=settings,
        # lgbtiq is not asked in this wave and "old" is no age band: both are dropped.
        self_identification=[
            ("age_band", "35_44"),
            ("gender_identity", "woman"),
            ("lgbtiq", "yes"),
            ("age_band", "old"),
        ],
    )
    await submit_response(hash_token(tokens[1]), answer, now=utc_now(), settings=settings)
    await release_everything()

    assert await Response.count() == 2
    assert await Answer.count() == 2
    rows = await SelfIdentification.select(
        SelfIdentification.response, SelfIdentification.category, SelfIdentification.value
    )
    assert sorted((row["category"], row["value"]) for row in rows) == [
        ("age_band", "35_44"),
        ("gender_identity", "woman"),
    ]
    assert len({row["response"] for row in rows}) == 1


async def test_a_wave_of_the_dig_template_asks_nothing_about_you_unless_chosen() -> None:
    await load_small_org()
    today = utc_now().astimezone(TIMEZONE).date()
    wave = await create_wave(
        title="Inclusiemonitor",
        template_key="dig",
        department_codes=["GEM"],
        opens_on=today,
        closes_on=today,
        timezone=TIMEZONE,
        draft=True,
    )
    assert (await wave_template(wave)).self_identification == ()


async def test_the_sealed_payload_holds_self_identification_only_when_given() -> None:
    await load_small_org()
    wave, _tokens = await dig_wave(["age_band"])
    secret = app_settings().secret_key
    answers = [AnswerValue("ub_experienced", choice="yes")]
    context = f"wave:{wave.public_id}"
    without = unseal(secret, seal_response(secret, wave, "GEM", answers), context=context)
    assert "self_id" not in without
    stated = seal_response(secret, wave, "GEM", answers, [("age_band", "under_25")])
    assert unseal(secret, stated, context=context)["self_id"] == [["age_band", "under_25"]]
