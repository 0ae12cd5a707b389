"""Composing a draft's questionnaire in the browser (plain forms and htmx), and the preview
of the survey as a respondent sees it."""

from __future__ import annotations

import httpx
import pytest

from survey_app.tables.anonymous import Response, SealedResponse
from survey_app.tables.identity import AuditEvent, Invitation
from survey_app.waves.service import get_wave, wave_template
from surveys import load_template
from tests.waves.test_wave_pages import create_draft

PULSE = load_template("pulse")
CORE = PULSE.questions[0]
HTMX = {"hx-request": "true"}
OWN = {
    "kind": "frequency",
    "text_nl": "Ik kan thuis ongestoord werken.",
    "text_en": "I can work at home undisturbed.",
}


async def asked(public_id: str) -> list[str]:
    return [question.key for question in (await wave_template(await get_wave(public_id))).questions]


@pytest.fixture
async def draft(hr: httpx.AsyncClient) -> str:
    return await create_draft(hr)


async def test_the_page_lists_the_questions_and_the_bank_by_scale(hr, draft) -> None:
    page = await hr.get(f"/hr/waves/{draft}/questions")
    assert page.status_code == 200
    html = page.text
    for question in PULSE.questions:
        assert question.text("en") in html
    # Core items say why they stay and have no remove button.
    assert "they cannot be removed" in html
    assert f"/questions/{CORE.key}/remove" not in html
    assert f"/questions/{CORE.key}/move" in html
    dutch = (await hr.get(f"/hr/waves/{draft}/questions?lang=nl")).text
    assert CORE.text("nl") in dutch


async def test_add_move_and_remove_a_bank_question_with_plain_forms(hr, draft) -> None:
    from surveys import load_bank

    bank = load_bank()
    extra = next(key for key in bank.questions if key not in {q.key for q in PULSE.questions})
    added = await hr.post(f"/hr/waves/{draft}/questions", data={"key": extra})
    assert added.status_code == 303
    assert added.headers["location"] == f"/hr/waves/{draft}/questions?done=added"
    keys = await asked(draft)
    assert keys[-1] == extra
    moved = await hr.post(f"/hr/waves/{draft}/questions/{extra}/move", data={"direction": "up"})
    assert moved.status_code == 303
    assert (await asked(draft)).index(extra) == len(keys) - 2
    removed = await hr.post(f"/hr/waves/{draft}/questions/{extra}/remove")
    assert removed.status_code == 303
    assert await asked(draft) == [q.key for q in PULSE.questions]
    changes = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action == "wave.questionnaire_changed"
    )
    assert len(changes) == 3


async def test_htmx_gets_the_composer_back_in_place(hr, draft) -> None:
    response = await hr.post(
        f"/hr/waves/{draft}/questions/{CORE.key}/move", data={"direction": "down"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="composer"')
    assert "<html" not in response.text
    assert "The question has been moved." in response.text
    assert (await asked(draft))[1] == CORE.key
    own = await hr.post(f"/hr/waves/{draft}/questions/own", data=OWN, headers=HTMX)
    assert own.status_code == 200 and OWN["text_en"] in own.text


async def test_a_core_question_cannot_be_removed(hr, draft) -> None:
    response = await hr.post(f"/hr/waves/{draft}/questions/{CORE.key}/remove")
    assert response.status_code == 422
    assert "is a core question of this survey" in response.text
    assert CORE.key in await asked(draft)
    unknown = await hr.post(f"/hr/waves/{draft}/questions", data={"key": "no_such_question"})
    assert unknown.status_code == 422
    assert "The question bank has no question no_such_question." in unknown.text
    wrong = await hr.post(f"/hr/waves/{draft}/questions/{CORE.key}/move", data={"direction": "x"})
    assert wrong.status_code == 422 and "Choose up or down." in wrong.text


async def test_an_own_question_is_added_in_both_languages(hr, draft) -> None:
    response = await hr.post(f"/hr/waves/{draft}/questions/own", data=OWN)
    assert response.status_code == 303
    template = await wave_template(await get_wave(draft))
    own = template.questions[-1]
    assert own.key == "own_1" and own.type == "likert"
    assert own.text("nl") == OWN["text_nl"] and own.text("en") == OWN["text_en"]
    assert own.options[0].label("en") == "Never"
    page = (await hr.get(f"/hr/waves/{draft}/questions")).text
    assert OWN["text_en"] in page and "/questions/own_1/remove" in page


@pytest.mark.parametrize(
    ("form", "field", "message", "status"),
    [
        ({**OWN, "kind": "scale"}, "kind", "Choose the kind of question.", 422),
        ({**OWN, "text_nl": " "}, "text_nl", "Write the question in Dutch.", 422),
        ({**OWN, "text_en": ""}, "text_en", "Write the question in English.", 422),
        (
            {**OWN, "text_en": PULSE.questions[0].text("en")},
            "text_nl",
            "This questionnaire already asks a question with this text.",
            422,
        ),
    ],
)
async def test_a_wrong_own_question_shows_the_error_at_its_field(
    hr,
    draft,
    form,
    field,
    message,
    status,
) -> None:
    response = await hr.post(f"/hr/waves/{draft}/questions/own", data=form)
    assert response.status_code == status
    html = response.text
    assert f'<a href="#{field}">{message}</a>' in html
    assert f'id="{field}-error">{message}' in html
    # What was typed is still there.
    for name in ("text_nl", "text_en"):
        if form[name].strip():
            assert form[name] in html
    assert await asked(draft) == [q.key for q in PULSE.questions]


async def test_a_published_wave_keeps_its_questions(hr, draft) -> None:
    await hr.post(f"/hr/waves/{draft}/publish")
    page = await hr.get(f"/hr/waves/{draft}/questions")
    assert "its questions stay as they are" in page.text
    assert "/questions/own" not in page.text
    refused = await hr.post(f"/hr/waves/{draft}/questions/own", data=OWN)
    assert refused.status_code == 409
    assert "This wave has been published; its questions and departments stay." in refused.text


async def test_the_preview_is_the_survey_page_in_either_language_and_sends_nothing(
    hr,
    draft,
) -> None:
    await hr.post(f"/hr/waves/{draft}/questions/own", data=OWN)
    english = await hr.get(f"/hr/waves/{draft}/preview?lang=en")
    assert english.status_code == 200
    html = english.text
    assert '<html lang="en">' in html
    assert "Preview" in html and "Nothing can be sent and nothing is stored." in html
    assert PULSE.title("en") in html and OWN["text_en"] in html and CORE.text("en") in html
    # The respondent's form, but it posts nowhere and checks nothing.
    assert 'id="survey-form"' in html and 'id="q-own_1"' in html
    assert 'method="post"' not in html.split('id="survey-form"')[1].split(">")[0]
    assert "/survey/check/" not in html and "data-draft-key" not in html
    assert "disabled" in html.split("Send my answers")[0].rsplit("<button", 1)[1]
    # No menu, as a respondent sees it; the way back is in the banner.
    assert 'class="utrecht-nav-bar main-menu"' not in html
    assert f'href="/hr/waves/{draft}/manage"' in html
    dutch = (await hr.get(f"/hr/waves/{draft}/preview?lang=nl")).text
    assert OWN["text_nl"] in dutch and PULSE.title("nl") in dutch
    assert 'href="?lang=en"' in dutch
    assert await Invitation.count() == 0
    assert await Response.count() == 0 and await SealedResponse.count() == 0
