"""The consent screen and the questions about oneself (DIG self-identification) over HTTP:
stored only with consent in the session, the form's consent field and no withdrawal."""

from __future__ import annotations

import re

import httpx

from survey_app.tables.anonymous import Response, SelfIdentification
from surveys import Template, load_template
from tests.helpers import app_settings, load_small_org, release_everything, sign_in_as_hr
from tests.responding.test_dig_respond import open_survey_wave

CATEGORIES = ["age_band", "disability_chronic_illness"]
ABOUT_ME = {"self_id_age_band": "35_44", "self_id_disability_chronic_illness": "yes"}


def dig_template() -> Template:
    return load_template("dig").with_self_identification(CATEGORIES)


def dig_answers(template: Template) -> dict[str, str]:
    """Every required question answered (the middle of a scale, the last choice: "no")."""
    answers = {}
    for question in template.questions:
        if question.required and question.is_numeric:
            answers[question.key] = str((question.min_value + question.max_value) // 2)
        elif question.required and question.type == "single_choice":
            answers[question.key] = question.options[-1].key
    return answers


async def stored_about_oneself() -> list[tuple[str, str]]:
    await release_everything()
    rows = await SelfIdentification.select(SelfIdentification.category, SelfIdentification.value)
    return sorted((row["category"], row["value"]) for row in rows)


async def begin(client: httpx.AsyncClient, token: str, decision: str | None) -> str:
    """Open the link, and decide on the consent screen (None: not at all); the survey page."""
    opened = await client.get(f"/s/{token}")
    assert opened.status_code == 303
    if decision is not None:
        decided = await client.post("/survey/consent", data={"consent": decision})
        assert decided.status_code == 303
        assert decided.headers["location"] == "/survey"
    return (await client.get("/survey")).text


async def test_without_a_decision_the_survey_sends_to_the_consent_screen(client) -> None:
    await load_small_org()
    tokens = await open_survey_wave(dig_template())
    await client.get(f"/s/{tokens['1002']}", params={"lang": "en"})
    survey = await client.get("/survey")
    assert survey.status_code == 303
    assert survey.headers["location"] == "/survey/consent"

    screen = await client.get("/survey/consent")
    assert screen.status_code == 200
    for category in dig_template().self_identification:
        assert category.text("en") in screen.text
    assert "GDPR article 9(2)(a)" in screen.text
    # The demographic minimum in force (KLANKBORD_MIN_DEMOGRAPHIC_GROUP_SIZE, default 10).
    assert "groups of at least 10 people" in screen.text
    assert 'value="yes"' in screen.text and 'value="no"' in screen.text
    # Neither button sent: no decision, the screen again.
    assert (await client.post("/survey/consent", data={"consent": "maybe"})).status_code == 422
    assert (await client.get("/survey")).status_code == 303


async def test_with_consent_the_answers_about_oneself_are_stored(client) -> None:
    await load_small_org()
    template = dig_template()
    tokens = await open_survey_wave(template)
    survey = await begin(client, tokens["1002"], "yes")
    section = survey[survey.index('id="section-self-id"') :]
    assert 'name="self_id_age_band"' in section and 'name="self_id_consent"' in section
    # Nothing preselected, and "I'd rather not say" first in every question.
    assert " checked" not in section
    assert section.index('id="input-self_id_age_band-none" name="self_id_age_band" value=""') < (
        section.index('value="under_25"')
    )

    sent = await client.post(
        "/survey", data={**dig_answers(template), **ABOUT_ME, "self_id_consent": "yes"}
    )
    assert sent.status_code == 303
    assert await stored_about_oneself() == [
        ("age_band", "35_44"),
        ("disability_chronic_illness", "yes"),
    ]


async def test_rather_not_say_stores_nothing_about_that_question(client) -> None:
    await load_small_org()
    template = dig_template()
    tokens = await open_survey_wave(template)
    await begin(client, tokens["1002"], "yes")
    answers = {**dig_answers(template), "self_id_consent": "yes", "self_id_age_band": "35_44"}
    sent = await client.post("/survey", data={**answers, "self_id_disability_chronic_illness": ""})
    assert sent.status_code == 303
    assert await stored_about_oneself() == [("age_band", "35_44")]


async def test_without_consent_nothing_about_oneself_is_asked_or_stored(client) -> None:
    await load_small_org()
    template = dig_template()
    tokens = await open_survey_wave(template)
    survey = await begin(client, tokens["1002"], "no")
    assert "self_id_" not in survey
    # A form that sends the fields anyway (tampered, or an old page) stores none of them.
    sent = await client.post(
        "/survey", data={**dig_answers(template), **ABOUT_ME, "self_id_consent": "yes"}
    )
    assert sent.status_code == 303
    assert await stored_about_oneself() == []
    assert await Response.count() == 1


async def test_a_form_sent_without_any_decision_stores_nothing_about_oneself(client) -> None:
    await load_small_org()
    template = dig_template()
    tokens = await open_survey_wave(template)
    await begin(client, tokens["1002"], None)
    sent = await client.post(
        "/survey", data={**dig_answers(template), **ABOUT_ME, "self_id_consent": "yes"}
    )
    assert sent.status_code == 303
    assert await stored_about_oneself() == []
    assert await Response.count() == 1


async def test_consent_withdrawn_on_the_form_stores_nothing_about_oneself(client) -> None:
    await load_small_org()
    template = dig_template()
    tokens = await open_survey_wave(template)
    survey = await begin(client, tokens["1002"], "yes")
    assert 'name="self_id_withdraw"' in survey
    answers = {**dig_answers(template), **ABOUT_ME, "self_id_consent": "yes"}
    sent = await client.post("/survey", data={**answers, "self_id_withdraw": "yes"})
    assert sent.status_code == 303
    assert await stored_about_oneself() == []
    assert await Response.count() == 1

    # The form's consent field is needed too: a form without the section stores nothing.
    await begin(client, tokens["1003"], "yes")
    sent = await client.post("/survey", data={**dig_answers(template), **ABOUT_ME})
    assert sent.status_code == 303
    assert await stored_about_oneself() == []


async def test_an_unknown_option_is_refused_with_a_message(client) -> None:
    await load_small_org()
    template = dig_template()
    tokens = await open_survey_wave(template)
    await begin(client, tokens["1002"], "yes")
    answers = {**dig_answers(template), "self_id_consent": "yes", "self_id_age_band": "ancient"}
    refused = await client.post("/survey", data=answers)
    assert refused.status_code == 422
    assert 'href="#q-self_id_age_band"' in refused.text
    error = re.search(r'id="error-self_id_age_band"[^>]*>(.*?)</p>', refused.text, re.S)
    assert error and "Kies een van de getoonde antwoorden" in error.group(1)
    assert await Response.count() == 0
    assert await stored_about_oneself() == []


async def test_the_decision_can_be_changed_from_the_survey(client) -> None:
    await load_small_org()
    tokens = await open_survey_wave(dig_template())
    survey = await begin(client, tokens["1002"], "yes")
    assert 'href="/survey/consent"' in survey
    screen = await client.get("/survey/consent")
    assert 'role="status"' in screen.text  # says what was decided
    await client.post("/survey/consent", data={"consent": "no"})
    assert "self_id_" not in (await client.get("/survey")).text


async def test_a_survey_without_questions_about_oneself_has_no_consent_screen(client) -> None:
    await load_small_org()
    tokens = await open_survey_wave(load_template("pulse"))
    await client.get(f"/s/{tokens['1002']}")
    assert (await client.get("/survey")).status_code == 200
    skipped = await client.get("/survey/consent")
    assert skipped.status_code == 303 and skipped.headers["location"] == "/survey"
    # Without a survey session the screen says to open the link first.
    client.cookies.clear()
    assert (await client.get("/survey/consent")).status_code == 400


async def test_hr_preview_shows_the_consent_text_and_the_questions_about_oneself(client) -> None:
    from survey_app.tables.identity import Wave

    await load_small_org()
    await open_survey_wave(dig_template())
    wave = await Wave.select(Wave.public_id).first()
    await sign_in_as_hr(client)
    preview = await client.get(f"/hr/waves/{wave['public_id']}/preview", params={"lang": "en"})
    assert preview.status_code == 200
    assert "Yes, I agree to answer these questions" in preview.text  # the consent screen's
    assert "GDPR article 9(2)(a)" in preview.text
    assert 'name="self_id_age_band"' in preview.text
    assert 'name="self_id_consent"' not in preview.text  # nothing can be sent


async def test_on_a_kiosk_each_person_decides_for_themselves(client) -> None:
    from survey_app.tables.identity import Wave
    from survey_app.waves.codes import issue_codes
    from survey_app.waves.service import get_wave

    await load_small_org()
    await open_survey_wave(dig_template())
    wave = await get_wave(str((await Wave.select(Wave.public_id).first())["public_id"]))
    issued = await issue_codes(wave, "ICT", 2, settings=app_settings())
    await client.get("/kiosk")
    redeemed = await client.post("/kiosk", data={"code": issued.codes[0]})
    assert redeemed.headers["location"] == "/survey"
    assert (await client.get("/survey")).headers["location"] == "/survey/consent"
    await client.post("/survey/consent", data={"consent": "yes"})
    assert 'name="self_id_age_band"' in (await client.get("/survey")).text
    # The next person at the tablet (the first walked away): no decision carried over.
    await client.get("/kiosk")
    await client.post("/kiosk", data={"code": issued.codes[1]})
    assert (await client.get("/survey")).headers["location"] == "/survey/consent"
