"""Answering a DIG survey over HTTP: help for undesirable behaviour (below the question and
on the thanks page), and the confidential adviser's contact from the settings."""

from __future__ import annotations

import dataclasses

import httpx

from surveys import Bilingual, Option, Question, Section, Template, load_template
from tests.helpers import app_settings, full_answers, load_small_org, open_wave, with_csrf

UB_EXPERIENCED = Question(
    key="ub_experienced",
    type="single_choice",
    text_i18n=Bilingual("Ongewenst gedrag meegemaakt?", "Experienced undesirable behaviour?"),
    options=(Option("yes", Bilingual("Ja", "Yes")), Option("no", Bilingual("Nee", "No"))),
)
HELP_HEADING = "Help if you experienced undesirable behaviour"


def with_ub_question(template: Template) -> Template:
    """A survey that asks the DIG question on undesirable behaviour (in a section of its own)."""
    section = Section(Bilingual("Ongewenst gedrag", "Undesirable behaviour"), (UB_EXPERIENCED,))
    return dataclasses.replace(template, sections=(*template.sections, section))


async def open_survey_wave(template: Template) -> dict[str, str]:
    """An open wave of the whole small organisation with ``template``: tokens by employee."""
    return (await open_wave(template=template, title="DIG test")).tokens


async def test_help_appears_below_the_question_and_after_a_yes_on_the_thanks_page(
    client: httpx.AsyncClient,
) -> None:
    await load_small_org()
    tokens = await open_survey_wave(with_ub_question(load_template("pulse")))

    await client.get(f"/s/{tokens['1002']}", params={"lang": "en"})
    survey = await client.get("/survey")
    # Right below the question (app.css shows it once "yes" is checked), with the setting's
    # absence replaced by a sentence pointing to the intranet.
    assert HELP_HEADING in survey.text
    assert survey.text.index('id="q-ub_experienced"') < survey.text.index('id="ub-help"')
    assert "intranet" in survey.text

    done = await client.post("/survey", data={**full_answers(), "ub_experienced": "yes"})
    assert done.status_code == 303
    # Nothing about the answer in the address: the flag travels in the encrypted cookie.
    assert "yes" not in done.headers["location"] and "help" not in done.headers["location"]
    thanks = await client.get(done.headers["location"])
    assert HELP_HEADING in thanks.text
    # Only once: the thanks page cleared the cookie.
    again = await client.get(done.headers["location"])
    assert HELP_HEADING not in again.text

    await client.get(f"/s/{tokens['1003']}")
    no = await client.post("/survey", data={**full_answers(), "ub_experienced": "no"})
    assert no.status_code == 303
    assert 'id="ub-help"' not in (await client.get(no.headers["location"])).text


async def test_the_confidential_adviser_comes_from_the_settings(settings) -> None:
    from survey_app.app import create_app

    contact = "Mr. A. Jansen, 06-12345678, vertrouwenspersoon@testdorp.example"
    configured = create_app(dataclasses.replace(settings, confidential_adviser=contact))
    await load_small_org()
    tokens = await open_survey_wave(with_ub_question(load_template("pulse")))
    transport = httpx.ASGITransport(app=configured)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        client = with_csrf(http)
        await client.get(f"/s/{tokens['1002']}")
        assert contact in (await client.get("/survey")).text
        done = await client.post("/survey", data={**full_answers(), "ub_experienced": "yes"})
        assert contact in (await client.get(done.headers["location"])).text


async def test_a_pulse_survey_offers_no_such_help(client: httpx.AsyncClient) -> None:
    await load_small_org()
    tokens = await open_survey_wave(load_template("pulse"))
    await client.get(f"/s/{tokens['1002']}")
    assert 'id="ub-help"' not in (await client.get("/survey")).text
    # A form that sends the field anyway (not a question of the survey) changes nothing.
    done = await client.post("/survey", data={**full_answers(), "ub_experienced": "yes"})
    assert 'id="ub-help"' not in (await client.get(done.headers["location"])).text


async def test_a_shared_tablet_does_not_repeat_the_help_on_its_thanks_page(client) -> None:
    """The next person at a kiosk would see it: the help stays below the question only."""
    from survey_app.waves.codes import issue_codes

    await load_small_org()
    opened = await open_wave(template=with_ub_question(load_template("pulse")))
    issued = await issue_codes(opened.wave, "ICT", 1, settings=app_settings())
    await client.get("/kiosk")
    await client.post("/kiosk", data={"code": issued.codes[0]})
    assert 'id="ub-help"' in (await client.get("/survey")).text
    done = await client.post("/survey", data={**full_answers(), "ub_experienced": "yes"})
    assert done.status_code == 303 and "kiosk=1" in done.headers["location"]
    assert 'id="ub-help"' not in (await client.get(done.headers["location"])).text
