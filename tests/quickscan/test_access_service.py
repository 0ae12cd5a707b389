"""Who may read and act on a Quick Scan conversation, through the services.

Only the employee and the current manager who holds it (or was given it by the employee);
everyone else gets the same "not found" as for a conversation that does not exist.
"""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.quickscan import service
from survey_app.quickscan.service import (
    AgreementInput,
    QuickScanInvalid,
    QuickScanNotFound,
    QuickScanRefused,
    Viewer,
)
from survey_app.tables.identity import Employee
from tests.quickscan.cycle_support import NOW, TODAY, employee_id, move, org, viewer

ANSWERS = {"qs_energy": 4, "qs_workload": 3}


async def held_conversation() -> str:
    """1002's conversation with 1001: self-assessment in, talk recorded with an agreement."""
    employee, manager = await viewer("1002"), await viewer("1001")
    public_id = await service.plan(manager, employee.employee_id, talk_on=None, now=NOW)
    await service.save_self_assessment(employee, public_id, ANSWERS, ["qs_energy"], now=NOW)
    await service.record_talk(
        manager,
        public_id,
        held_on=TODAY,
        summary="Goed gesprek.",
        agreements=[AgreementInput("Cursus plannen", "employee", None)],
        follow_up_on=TODAY,
        now=NOW,
    )
    return public_id


async def every_action_not_found(who: Viewer, public_id: str, agreement_id: int) -> None:
    actions = [
        service.get(who, public_id, today=TODAY),
        service.save_self_assessment(who, public_id, ANSWERS, [], now=NOW),
        service.record_talk(
            who, public_id, held_on=TODAY, summary="", agreements=[], follow_up_on=None, now=NOW
        ),
        service.confirm(who, public_id, reaction="", now=NOW),
        service.mark_agreement(who, public_id, agreement_id, True, now=NOW),
        service.mark_followed_up(who, public_id, now=NOW),
        service.delete_planned(who, public_id, now=NOW),
        service.grant(who, public_id, await employee_id("1003"), now=NOW),
        service.revoke(who, public_id, await employee_id("1003"), now=NOW),
    ]
    for action in actions:
        with pytest.raises(QuickScanNotFound):
            await action


async def test_nobody_else_reads_or_acts() -> None:
    await org()
    public_id = await held_conversation()
    agreement = (await service.get(await viewer("1002"), public_id, today=TODAY)).agreements[0]
    from tests.helpers import make_account

    await make_account("hr@testdorp.example", is_hr=True)
    outsiders = [
        await viewer("1007"),  # another manager
        await viewer("1003"),  # a colleague
        Viewer("hr@testdorp.example", None),  # HR
        Viewer("admin@testdorp.example", None),  # an administrator without an employee
        Viewer("it@testdorp.example", await employee_id("1011")),  # admin with an employee
    ]
    for who in outsiders:
        await every_action_not_found(who, public_id, agreement.id)
    # An unknown id, or not an id at all: the same answer.
    for unknown in ("3f1c2b7e-0000-4000-8000-000000000000", "nonsense"):
        with pytest.raises(QuickScanNotFound):
            await service.get(await viewer("1002"), unknown, today=TODAY)
    assert [
        item.public_id for item in await service.for_employee(Viewer("hr", None), today=TODAY)
    ] == []


async def test_each_side_does_only_its_own_part() -> None:
    await org()
    employee, manager = await viewer("1002"), await viewer("1001")
    public_id = await service.plan(manager, employee.employee_id, talk_on=None, now=NOW)
    with pytest.raises(QuickScanRefused):
        await service.record_talk(
            employee,
            public_id,
            held_on=TODAY,
            summary="",
            agreements=[],
            follow_up_on=None,
            now=NOW,
        )
    with pytest.raises(QuickScanRefused):
        await service.delete_planned(employee, public_id, now=NOW)
    with pytest.raises(QuickScanRefused):
        await service.save_self_assessment(manager, public_id, ANSWERS, [], now=NOW)
    with pytest.raises(QuickScanRefused):
        await service.grant(manager, public_id, await employee_id("1003"), now=NOW)


async def test_a_move_ends_the_old_managers_access_and_a_grant_opens_it_to_the_new() -> None:
    await org()
    public_id = await held_conversation()
    employee, old, new = await viewer("1002"), await viewer("1001"), await viewer("1007")
    await move("1002", "WMO")

    with pytest.raises(QuickScanNotFound):
        await service.get(old, public_id, today=TODAY)
    with pytest.raises(QuickScanNotFound):
        await service.get(new, public_id, today=TODAY)
    assert (await service.for_manager(old, today=TODAY)).due_follow_ups == []

    # The employee's page offers the new manager.
    own = await service.get(employee, public_id, today=TODAY)
    assert not own.is_current_manager
    assert [(item.manager_id, item.granted) for item in own.grants] == [(new.employee_id, False)]
    # The old manager is no current manager: nothing to grant.
    with pytest.raises(QuickScanInvalid) as error:
        await service.grant(employee, public_id, old.employee_id, now=NOW)
    assert error.value.code == "not_a_current_manager"

    await service.grant(employee, public_id, new.employee_id, now=NOW)
    seen = await service.get(new, public_id, today=TODAY)
    assert seen.role == "manager" and not seen.is_current_manager
    assert seen.answers == {"qs_energy": 4}
    overview = await service.for_manager(new, today=TODAY)
    listed = {item.person.employee_number: item.conversations for item in overview.reports}
    assert [item.public_id for item in listed["1002"]] == [public_id]
    # Reading only: the talk, follow-up and agreements stay with the one who held it.
    with pytest.raises(QuickScanRefused):
        await service.record_talk(
            new, public_id, held_on=TODAY, summary="", agreements=[], follow_up_on=None, now=NOW
        )
    with pytest.raises(QuickScanRefused):
        await service.mark_followed_up(new, public_id, now=NOW)
    with pytest.raises(QuickScanRefused):
        await service.mark_agreement(new, public_id, seen.agreements[0].id, True, now=NOW)
    assert overview.due_follow_ups == []

    await service.revoke(employee, public_id, new.employee_id, now=NOW)
    with pytest.raises(QuickScanNotFound):
        await service.get(new, public_id, today=TODAY)
    # The old manager still cannot read it, grant or not.
    with pytest.raises(QuickScanNotFound):
        await service.get(old, public_id, today=TODAY)


async def test_a_co_manager_reads_only_through_a_grant() -> None:
    """Decision: a second manager of the same department is a current manager, but reads
    a conversation held by the other one only when the employee grants it (QS.md's rule)."""
    await org()
    public_id = await held_conversation()
    await Employee.update({Employee.is_manager: True}).where(Employee.employee_number == "1003")
    co = await viewer("1003")
    with pytest.raises(QuickScanNotFound):
        await service.get(co, public_id, today=TODAY)
    await service.grant(await viewer("1002"), public_id, co.employee_id, now=NOW)
    assert (await service.get(co, public_id, today=TODAY)).role == "manager"
    # The holder keeps full access.
    assert (await service.get(await viewer("1001"), public_id, today=TODAY)).is_current_manager


async def test_a_manager_who_leaves_loses_access() -> None:
    await org()
    public_id = await held_conversation()
    await Employee.update({Employee.active: False, Employee.left_on: dt.date(2026, 11, 1)}).where(
        Employee.employee_number == "1001"
    )
    with pytest.raises(QuickScanNotFound):
        await service.get(await viewer("1001"), public_id, today=TODAY)
    assert (await service.get(await viewer("1002"), public_id, today=TODAY)).role == "employee"
