"""Who reaches a Quick Scan conversation over HTTP: the employee and the manager holding it;
another manager, HR and an administrator get the same 404 as for an unknown conversation,
on every page and every form, and nothing changes; anonymous visitors are sent to sign in."""

from __future__ import annotations

import pytest

from survey_app.tables.conversations import QuickScanAgreement
from tests.quickscan.web_support import (
    assessment,
    organisation_with_accounts,
    plan,
    signed_in,
    stored,
    talk,
)

pytestmark = pytest.mark.usefixtures("db")


def posts(public_id: str, agreement_id: int) -> dict[str, dict[str, str]]:
    """Every form of a conversation, each with what its rightful user would send."""
    base = f"/quickscan/{public_id}"
    return {
        f"{base}/self-assessment": assessment(),
        f"{base}/talk": talk(),
        f"{base}/confirm": {"reaction": "Prima"},
        f"{base}/agreements/{agreement_id}": {"done": "1"},
        f"{base}/followed-up": {},
        f"{base}/delete": {},
        f"{base}/grant": {"manager": "1", "allow": "1"},
    }


async def conversations(app, accounts) -> tuple[str, str, int]:
    """A prepared conversation and a held one with agreements (of the same employee)."""
    async with (
        signed_in(app, accounts.manager) as manager,
        signed_in(app, accounts.employee) as employee,
    ):
        held = await plan(manager)
        answered = await employee.post(f"/quickscan/{held}/self-assessment", data=assessment())
        assert answered.status_code == 303
        assert (await manager.post(f"/quickscan/{held}/talk", data=talk())).status_code == 303
        prepared = await plan(manager)
        answered = await employee.post(f"/quickscan/{prepared}/self-assessment", data=assessment())
        assert answered.status_code == 303
    agreement = await QuickScanAgreement.select(QuickScanAgreement.id).first()
    return prepared, held, agreement["id"]


@pytest.mark.parametrize("outsider", ["other_manager", "colleague", "hr", "admin"])
async def test_outsiders_get_404_everywhere_and_change_nothing(app, outsider) -> None:
    accounts = await organisation_with_accounts()
    prepared, held, agreement_id = await conversations(app, accounts)
    before = await stored()
    async with signed_in(app, getattr(accounts, outsider)) as client:
        for public_id in (prepared, held):
            page = await client.get(f"/quickscan/{public_id}")
            assert page.status_code == 404, (outsider, public_id)
            assert "Medewerker 1002" not in page.text
            for url, data in posts(public_id, agreement_id).items():
                response = await client.post(url, data=data)
                assert response.status_code == 404, (outsider, url, response.status_code)
                assert "Wekelijks overleg" not in response.text
        home = await client.get("/quickscan")
        assert prepared not in home.text and held not in home.text
    assert await stored() == before


async def test_anonymous_visitors_are_sent_to_sign_in(app) -> None:
    accounts = await organisation_with_accounts()
    prepared, held, agreement_id = await conversations(app, accounts)
    before = await stored()
    async with signed_in(app, None) as anonymous:
        for url in (
            "/quickscan",
            "/quickscan/my-data.json",
            f"/quickscan/{held}",
            "/team/quickscan",
        ):
            response = await anonymous.get(url)
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/sign-in?next="), url
        for url, data in posts(prepared, agreement_id).items():
            response = await anonymous.post(url, data=data)
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/sign-in"), url
    assert await stored() == before


async def test_the_employee_cannot_record_the_talk_nor_cancel(app) -> None:
    accounts = await organisation_with_accounts()
    prepared, held, _agreement_id = await conversations(app, accounts)
    before = await stored()
    async with signed_in(app, accounts.employee) as employee:
        for public_id in (prepared, held):
            for action, data in (("talk", talk()), ("delete", {}), ("followed-up", {})):
                response = await employee.post(f"/quickscan/{public_id}/{action}", data=data)
                assert response.status_code == 403, (action, response.status_code)
        # Nor plan one: the team page is for managers.
        refused = await employee.post("/team/quickscan", data={"employee": "1002"})
        assert refused.status_code == 403
    assert await stored() == before


async def test_the_manager_cannot_answer_or_confirm_for_the_employee(app) -> None:
    accounts = await organisation_with_accounts()
    prepared, held, _agreement_id = await conversations(app, accounts)
    before = await stored()
    async with signed_in(app, accounts.manager) as manager:
        answered = await manager.post(f"/quickscan/{prepared}/self-assessment", data=assessment())
        assert answered.status_code == 403
        confirmed = await manager.post(f"/quickscan/{held}/confirm", data={"reaction": ""})
        assert confirmed.status_code == 403
    assert await stored() == before


async def test_a_manager_plans_only_for_the_people_they_lead(app) -> None:
    accounts = await organisation_with_accounts()
    before = await stored()
    async with signed_in(app, accounts.other_manager) as other:
        response = await other.post("/team/quickscan", data={"employee": "1002"})
        assert response.status_code == 422
        assert "not one of the people you are a manager of" in response.text
        assert "Medewerker 1002" not in (await other.get("/team/quickscan")).text
    assert await stored() == before
