"""The Quick Scan pages: each renders for its reader, bad input comes back translated with
everything typed, medical words stop a save until the person confirms, Dutch and English."""

from __future__ import annotations

import html
import json

import pytest

from survey_app.tables.conversations import CONFIRMED, HELD, PLANNED, PREPARED, QuickScan
from surveys import load_quickscan
from tests.quickscan.web_support import (
    EMPLOYEE,
    assessment,
    day,
    organisation_with_accounts,
    plan,
    signed_in,
    stored,
    talk,
)

pytestmark = pytest.mark.usefixtures("db")


def text_of(response) -> str:
    return html.unescape(response.text)


async def status_of(public_id: str) -> str:
    row = await QuickScan.objects().get(QuickScan.public_id == public_id)
    return row.status


async def test_the_cycle_through_the_pages(app) -> None:
    accounts = await organisation_with_accounts()
    form = load_quickscan()
    async with (
        signed_in(app, accounts.manager) as manager,
        signed_in(app, accounts.employee) as employee,
    ):
        team = await manager.get("/team/quickscan")
        assert team.status_code == 200
        assert "Medewerker 1002" in team.text
        public_id = await plan(manager)
        assert await status_of(public_id) == PLANNED

        home = await employee.get("/quickscan")
        assert home.status_code == 200 and public_id in home.text
        page = await employee.get(f"/quickscan/{public_id}")
        assert page.status_code == 200
        text = text_of(page)
        assert form.privacy_notice.get("en") in text
        assert "Show this answer to Medewerker 1001" in text
        # A new form ticks every share box.
        boxes = page.text.count('type="checkbox" id="share_')
        assert boxes == len(form.questions)
        assert page.text.count("checked>") >= boxes

        saved = await employee.post(
            f"/quickscan/{public_id}/self-assessment", data=assessment(hidden=("work_ability",))
        )
        assert saved.status_code == 303, text_of(saved)[:3000]
        assert await status_of(public_id) == PREPARED
        again = text_of(await employee.get(f"/quickscan/{public_id}"))
        assert 'id="share_work_ability" name="share_work_ability" value="1">' in again

        preparation = await manager.get(f"/quickscan/{public_id}")
        assert preparation.status_code == 200
        prepared = text_of(preparation)
        assert form.question("qs_collaboration").text("en") in prepared
        assert form.question("work_ability").text("en") not in prepared
        assert form.guide[0].heading.get("en") in prepared
        low_work_ability = next(s for s in form.signals if s.key == "low_work_ability")
        assert low_work_ability.title.get("en") not in prepared

        held = await manager.post(f"/quickscan/{public_id}/talk", data=talk())
        assert held.status_code == 303, text_of(held)[:3000]
        assert await status_of(public_id) == HELD

        record = text_of(await employee.get(f"/quickscan/{public_id}"))
        assert "Wekelijks overleg over de planning" in record
        assert "Cursus timemanagement zoeken" in record
        assert "I have read this and confirm" in record
        confirmed = await employee.post(
            f"/quickscan/{public_id}/confirm", data={"reaction": "Goed gesprek, dank je."}
        )
        assert confirmed.status_code == 303
        assert await status_of(public_id) == CONFIRMED
        final = text_of(await manager.get(f"/quickscan/{public_id}"))
        assert "Goed gesprek, dank je." in final and "Confirmed" in final

        download = await employee.get("/quickscan/my-data.json")
        assert download.status_code == 200
        assert "attachment" in download.headers["content-disposition"]
        assert "Cursus timemanagement zoeken" in json.dumps(download.json(), ensure_ascii=False)


async def test_out_of_range_and_oversized_answers_come_back_with_what_was_typed(app) -> None:
    accounts = await organisation_with_accounts()
    form = load_quickscan()
    limit = form.question("qs_energy_costs").max_length
    async with (
        signed_in(app, accounts.manager) as manager,
        signed_in(app, accounts.employee) as employee,
    ):
        public_id = await plan(manager)
        before = await stored()
        posted = assessment(
            {
                "qs_energy": "9",
                "qs_energy_gives": "Mijn collega's en de inhoud",
                "qs_energy_costs": "x" * (limit + 5),
            }
        )
        response = await employee.post(f"/quickscan/{public_id}/self-assessment", data=posted)
        assert response.status_code == 422
        text = text_of(response)
        assert "Choose a value from 1 to 5." in text
        assert f"at most {limit} fit" in text
        assert "Mijn collega's en de inhoud" in text
        assert "x" * (limit + 5) in text
        assert await stored() == before


async def test_medical_words_stop_the_save_until_confirmed(app) -> None:
    accounts = await organisation_with_accounts()
    async with (
        signed_in(app, accounts.manager) as manager,
        signed_in(app, accounts.employee) as employee,
    ):
        public_id = await plan(manager)
        before = await stored()
        posted = assessment({"qs_energy": "2", "qs_energy_costs": "Mijn burn-out van vorig jaar"})
        response = await employee.post(f"/quickscan/{public_id}/self-assessment", data=posted)
        assert response.status_code == 422
        text = text_of(response)
        assert "This may be medical information: burn-out." in text
        assert "This is not medical information; save it anyway" in text
        assert "Mijn burn-out van vorig jaar" in text
        assert await stored() == before

        saved = await employee.post(
            f"/quickscan/{public_id}/self-assessment", data={**posted, "medical_checked": "1"}
        )
        assert saved.status_code == 303
        row = await QuickScan.objects().get(QuickScan.public_id == public_id)
        assert row.status == PREPARED

        # The manager's summary goes through the same check.
        summary = talk(summary="Ze gaat naar de fysiotherapeut.")
        refused = await manager.post(f"/quickscan/{public_id}/talk", data=summary)
        assert refused.status_code == 422
        assert "fysiotherapeut" in text_of(refused)
        assert await status_of(public_id) == PREPARED
        held = await manager.post(
            f"/quickscan/{public_id}/talk", data={**summary, "medical_checked": "1"}
        )
        assert held.status_code == 303
        assert await status_of(public_id) == HELD


async def test_the_live_check_returns_the_warning_only_for_medical_text(app) -> None:
    accounts = await organisation_with_accounts()
    async with signed_in(app, accounts.employee) as employee:
        medical = await employee.post("/quickscan/check-text", data={"text": "Mijn depressie"})
        assert medical.status_code == 200 and "depressie" in medical.text
        named = await employee.post(
            "/quickscan/check-text", data={"field": "summary", "summary": "na de operatie"}
        )
        assert "operatie" in named.text
        fine = await employee.post(
            "/quickscan/check-text", data={"text": "Het ziekteverzuim en de bedrijfsarts"}
        )
        assert fine.status_code == 200 and "medical information" not in fine.text


async def test_the_talk_form_refuses_bad_input_and_adds_rows_without_saving(app) -> None:
    accounts = await organisation_with_accounts()
    async with signed_in(app, accounts.manager) as manager:
        public_id = await plan(manager)
        before = await stored()
        more = await manager.post(
            f"/quickscan/{public_id}/talk", data=talk(add_row="1", summary="Nog niet klaar")
        )
        assert more.status_code == 200
        assert 'name="agreement_3_text"' in more.text
        assert "Nog niet klaar" in text_of(more)
        assert await stored() == before

        bad = await manager.post(
            f"/quickscan/{public_id}/talk",
            data=talk(held_on="gisteren", agreement_1_owner="baas", agreement_2_due=day(5)),
        )
        assert bad.status_code == 422
        text = text_of(bad)
        assert "Enter a date as day, month and year." in text
        assert "Choose who carries out this agreement." in text
        assert "Describe the agreement, or empty its date." in text
        assert "Cursus timemanagement zoeken" in text and "gisteren" in text
        assert await stored() == before


async def test_wrong_stage_and_unknown_conversation(app) -> None:
    accounts = await organisation_with_accounts()
    async with (
        signed_in(app, accounts.manager) as manager,
        signed_in(app, accounts.employee) as employee,
    ):
        public_id = await plan(manager)
        assert (await manager.post(f"/quickscan/{public_id}/talk", data=talk())).status_code == 303
        before = await stored()
        late = await employee.post(
            f"/quickscan/{public_id}/self-assessment",
            data=assessment({"qs_energy_gives": "Te laat ingevuld"}),
        )
        assert late.status_code == 422
        assert "The talk has been recorded: the self-assessment can no longer change." in (
            text_of(late)
        )
        assert "Te laat ingevuld" in text_of(late)
        assert await stored() == before
        incomplete = await employee.post(f"/quickscan/{public_id}/grant", data={"allow": "1"})
        assert incomplete.status_code == 422
        assert "The form was incomplete; nothing was changed." in text_of(incomplete)
        assert await stored() == before
        unknown = "00000000-0000-4000-8000-000000000000"
        assert (await employee.get(f"/quickscan/{unknown}")).status_code == 404
        assert (await employee.get("/quickscan/not-a-uuid")).status_code == 404


async def test_the_pages_speak_dutch(app) -> None:
    accounts = await organisation_with_accounts()
    form = load_quickscan()
    async with (
        signed_in(app, accounts.manager, "nl") as manager,
        signed_in(app, accounts.employee, "nl") as employee,
    ):
        team = text_of(await manager.get("/team/quickscan"))
        assert "Quick Scan met Medewerker 1002 plannen" in team
        public_id = await plan(manager, EMPLOYEE)
        page = text_of(await employee.get(f"/quickscan/{public_id}"))
        assert form.privacy_notice.get("nl") in page
        assert "Laat dit antwoord zien aan Medewerker 1001" in page
        home = text_of(await employee.get("/quickscan"))
        assert "Mijn gegevens downloaden" in home
