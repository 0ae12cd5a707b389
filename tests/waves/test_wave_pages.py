"""HR's wave pages over HTTP: a new draft from the tree, the wave's page and each action
its state allows, with bad input and a wrong state answered on the page."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from survey_app.core.clock import utc_now
from survey_app.tables.identity import AuditEvent, Wave, WaveDepartment
from survey_app.waves.service import WaveState, get_wave, list_waves
from tests.helpers import TIMEZONE

DAY = dt.timedelta(days=1)


def today() -> dt.date:
    return utc_now().astimezone(TIMEZONE).date()


def new_wave_form(**overrides) -> dict:
    form = {
        "template": "pulse",
        "title": "Pulse spring",
        "opens_on": (today() + 7 * DAY).isoformat(),
        "closes_on": (today() + 20 * DAY).isoformat(),
        "departments": ["SD", "ICT"],
    }
    form.update(overrides)
    return form


async def create_draft(hr: httpx.AsyncClient, **overrides) -> str:
    """A draft made through the form; its public id."""
    response = await hr.post("/hr/waves", data=new_wave_form(**overrides))
    assert response.status_code == 303, response.text[:2000]
    match = re.fullmatch(
        r"/hr/waves/([0-9a-f-]+)/manage\?done=created", response.headers["location"]
    )
    assert match, response.headers["location"]
    return match.group(1)


async def department_codes(public_id: str) -> set[str]:
    from survey_app.organisation.tree import load_tree

    wave = await get_wave(public_id)
    tree = await load_tree()
    rows = await WaveDepartment.select(WaveDepartment.department).where(
        WaveDepartment.wave == wave.id
    )
    return {tree.nodes[row["department"]].code for row in rows}


async def test_the_new_wave_form_offers_the_templates_and_the_department_tree(hr) -> None:
    page = await hr.get("/hr/waves/new")
    assert page.status_code == 200
    html = page.text
    assert 'value="pulse" checked' in html
    # The tree: each department a checkbox, nested below its parent, never a code to type.
    assert 'type="text" name="departments"' not in html
    for code in ("GEM", "SD", "JEUGD", "WMO", "BV", "ICT"):
        assert f'id="department-{code}" name="departments" value="{code}"' in html
    gem, sd, jeugd = (html.index(f'value="{code}"') for code in ("GEM", "SD", "JEUGD"))
    assert gem < sd < jeugd
    # Jeugd sits in a list nested in Sociaal Domein's item.
    assert '<ul class="department-tree">' in html[sd:jeugd]
    # The list links to it.
    assert 'href="/hr/waves/new"' in (await hr.get("/hr/waves")).text


async def test_creating_a_draft_through_the_form(hr) -> None:
    public_id = await create_draft(hr)
    wave = await get_wave(public_id)
    assert wave.is_draft and wave.title == "Pulse spring"
    assert await department_codes(public_id) == {"SD", "ICT"}
    page = await hr.get(f"/hr/waves/{public_id}/manage?done=created")
    assert page.status_code == 200
    assert "The draft has been created" in page.text
    assert "Gemeente Testdorp › Sociaal Domein" in page.text
    assert "draft" in page.text
    # The list links to the wave's page.
    assert f'href="/hr/waves/{public_id}/manage"' in (await hr.get("/hr/waves")).text
    events = await AuditEvent.select(AuditEvent.action).where(AuditEvent.action == "wave.created")
    assert len(events) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "A wave needs a title."),
        ({"opens_on": ""}, "opens_on", "Enter the first day."),
        ({"closes_on": "14-12-2026"}, "closes_on", "Enter a date as day, month and year."),
        (
            {"closes_on": (today() + 2 * DAY).isoformat()},
            "closes_on",
            "The closing date must be on or after the opening date.",
        ),
        ({"departments": []}, "departments", "Choose at least one department."),
        ({"departments": ["NOPE"]}, "departments", "Unknown department code: NOPE"),
        ({"template": "nope"}, "template", "Unknown or invalid survey template: nope"),
    ],
)
async def test_a_wrong_new_wave_comes_back_with_its_values_and_the_error(
    hr, overrides, field, message
) -> None:
    response = await hr.post("/hr/waves", data=new_wave_form(**overrides))
    assert response.status_code == 422
    html = response.text
    assert f'<a href="#{field}">{message}</a>' in html
    assert f'id="{field}-error">{message}' in html or field == "template"
    if field != "title":
        assert 'value="Pulse spring"' in html
    if field != "departments":
        assert 'value="SD" checked' in html and 'value="ICT" checked' in html
    assert await list_waves() == []


async def test_editing_a_draft(hr) -> None:
    public_id = await create_draft(hr)
    response = await hr.post(
        f"/hr/waves/{public_id}/edit",
        data={
            "title": "Pulse summer",
            "opens_on": (today() + 30 * DAY).isoformat(),
            "closes_on": (today() + 40 * DAY).isoformat(),
            "departments": ["GEM"],
        },
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/manage?done=edited")
    wave = await get_wave(public_id)
    assert wave.title == "Pulse summer"
    assert await department_codes(public_id) == {"GEM"}
    refused = await hr.post(
        f"/hr/waves/{public_id}/edit",
        data={"title": "Pulse autumn", "opens_on": "", "closes_on": "", "departments": ["BV"]},
    )
    assert refused.status_code == 422
    assert 'value="Pulse autumn"' in refused.text and 'value="BV" checked' in refused.text
    assert '<a href="#opens_on">Enter the first day.</a>' in refused.text
    assert (await get_wave(public_id)).title == "Pulse summer"


async def test_publish_open_extend_and_close_through_the_page(hr) -> None:
    public_id = await create_draft(hr)
    page = (await hr.get(f"/hr/waves/{public_id}/manage")).text
    assert f'action="/hr/waves/{public_id}/publish"' in page
    assert f'action="/hr/waves/{public_id}/close"' not in page

    published = await hr.post(f"/hr/waves/{public_id}/publish")
    assert published.headers["location"].endswith("?done=publish")
    assert (await get_wave(public_id)).state(utc_now()) is WaveState.SCHEDULED
    page = (await hr.get(f"/hr/waves/{public_id}/manage")).text
    assert "scheduled" in page and f'action="/hr/waves/{public_id}/edit"' not in page

    # Publishing again is a conflict, explained on the page.
    again = await hr.post(f"/hr/waves/{public_id}/publish")
    assert again.status_code == 409
    assert "This wave has been published; its questions and departments stay." in again.text

    opened = await hr.post(f"/hr/waves/{public_id}/open")
    assert opened.status_code == 303
    assert (await get_wave(public_id)).state(utc_now()) is WaveState.OPEN

    later = today() + 30 * DAY
    extended = await hr.post(f"/hr/waves/{public_id}/extend", data={"closes_on": later.isoformat()})
    assert extended.status_code == 303
    page = (await hr.get(f"/hr/waves/{public_id}/manage?done=extend")).text
    assert "The last day has been changed." in page and f'value="{later.isoformat()}"' in page
    past = await hr.post(
        f"/hr/waves/{public_id}/extend", data={"closes_on": (today() - DAY).isoformat()}
    )
    assert past.status_code == 409
    assert f"The last day cannot be before today ({today().isoformat()})." in past.text
    assert f'value="{(today() - DAY).isoformat()}"' in past.text
    empty = await hr.post(f"/hr/waves/{public_id}/extend", data={"closes_on": ""})
    assert empty.status_code == 422 and "Enter the last day." in empty.text

    # Closing asks first.
    confirm = await hr.get(f"/hr/waves/{public_id}/close")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.text
    assert (await get_wave(public_id)).state(utc_now()) is WaveState.OPEN
    closed = await hr.post(f"/hr/waves/{public_id}/close")
    assert closed.headers["location"].endswith("?done=close")
    assert (await get_wave(public_id)).state(utc_now()) is WaveState.CLOSED
    twice = await hr.post(f"/hr/waves/{public_id}/close")
    assert twice.status_code == 409 and "This wave has closed." in twice.text
    assert "cannot be closed" in (await hr.get(f"/hr/waves/{public_id}/close")).text

    actions = {
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action).where(
            AuditEvent.action.like("wave.%")
        )
    }
    assert {"wave.created", "wave.published", "wave.opened", "wave.rescheduled", "wave.closed"} <= (
        actions
    )


async def test_opening_a_draft_now_publishes_it(hr) -> None:
    public_id = await create_draft(hr)
    response = await hr.post(f"/hr/waves/{public_id}/open")
    assert response.status_code == 303
    wave = await get_wave(public_id)
    assert not wave.is_draft and wave.state(utc_now()) is WaveState.OPEN
    # A draft cannot be closed: it was never open.
    draft = await create_draft(hr, title="Another")
    refused = await hr.post(f"/hr/waves/{draft}/close")
    assert refused.status_code == 409
    assert "This wave is a draft: publish it first." in refused.text


async def test_planning_the_next_wave_keeps_questions_and_departments(hr) -> None:
    public_id = await create_draft(hr)
    await hr.post(
        f"/hr/waves/{public_id}/questions/own",
        data={
            "kind": "agreement",
            "text_nl": "Ik kan goed thuiswerken.",
            "text_en": "I can work from home well.",
        },
    )
    await hr.post(f"/hr/waves/{public_id}/publish")
    wrong = await hr.post(f"/hr/waves/{public_id}/next", data={"months": "0"})
    assert wrong.status_code == 422
    assert "Enter a whole number from 1 to 24." in wrong.text
    assert 'name="months" type="number"' in wrong.text and 'value="0"' in wrong.text
    response = await hr.post(f"/hr/waves/{public_id}/next", data={"months": "3"})
    assert response.status_code == 303
    planned = response.headers["location"].split("/")[3]
    assert planned != public_id
    first, second = await get_wave(public_id), await get_wave(planned)
    assert second.is_draft and second.title == first.title
    assert (
        second.opens_at.astimezone(TIMEZONE).month
        == (first.opens_at.astimezone(TIMEZONE).month + 2) % 12 + 1
    )
    assert await department_codes(planned) == {"SD", "ICT"}
    rows = await Wave.select(Wave.id, Wave.template).where(
        Wave.public_id.is_in([first.public_id, second.public_id])
    )
    assert rows[0]["template"] == rows[1]["template"]
    page = (await hr.get(f"/hr/waves/{planned}/manage?done=planned")).text
    assert "I can work from home well." in page


async def test_an_unknown_wave_is_404(hr) -> None:
    for path in ("manage", "close", "questions", "preview"):
        response = await hr.get(f"/hr/waves/00000000-0000-4000-8000-000000000000/{path}")
        assert response.status_code == 404, path
    assert (await hr.post("/hr/waves/not-a-wave/publish")).status_code == 404
