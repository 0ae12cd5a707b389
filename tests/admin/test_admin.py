"""The administrator pages: accounts, roles, manager scopes, thresholds and the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import httpx
import pytest

from survey_app import audit
from survey_app.accounts.service import LOCKOUT_THRESHOLD, SignInOutcome, authenticate
from survey_app.accounts.sessions import manager_scope
from survey_app.audit.controllers import details_text
from survey_app.core.csvfile import csv_cell
from survey_app.core.i18n import LANGUAGE_COOKIE
from survey_app.tables.anonymous import Answer
from survey_app.tables.identity import Account, AuditEvent, ChangeRequest, ScopeAdjustment
from survey_app.waves import thresholds
from tests.helpers import (
    csrf_from,
    full_answers,
    load_small_org,
    make_account,
    open_wave,
    release_everything,
    sign_in,
    with_csrf,
)

ADMIN = "beheer@testdorp.example"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GOOD_PASSWORD = "vier woorden op een rij"


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The ``client``, signed in as an administrator, reading English."""
    await make_account(ADMIN, is_admin=True)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    await sign_in(client, ADMIN)
    return client


@pytest.fixture
async def other_browser(app) -> AsyncIterator[httpx.AsyncClient]:
    """A second, separate browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        http.cookies.set(LANGUAGE_COOKIE, "en")
        yield with_csrf(http)


async def account_id(username: str) -> int:
    rows = await Account.select(Account.id).where(Account.username == username)
    return rows[0]["id"]


def roles(is_hr: bool = False, is_admin: bool = False, active: bool = False) -> dict:
    """The roles form as a browser sends it: a hidden 0, then 1 for a ticked box."""
    fields = {"is_hr": is_hr, "is_admin": is_admin, "active": active}
    return {name: ["0", "1"] if ticked else "0" for name, ticked in fields.items()}


SECOND_ADMIN = "tweede@testdorp.example"


@pytest.fixture
async def second_admin(other_browser: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another administrator, signed in on the other browser: the second pair of eyes."""
    await make_account(SECOND_ADMIN, is_admin=True)
    await sign_in(other_browser, SECOND_ADMIN)
    return other_browser


async def approve_all(browser: httpx.AsyncClient) -> list[int]:
    """Approve every change the approvals page offers this browser's administrator."""
    page = await browser.get("/admin/approvals")
    ids = [
        int(found) for found in re.findall(r'action="/admin/approvals/(\d+)/approve"', page.text)
    ]
    for request_id in ids:
        done = await browser.post(f"/admin/approvals/{request_id}/approve")
        assert done.status_code == 303, done.text[:500]
    return ids


async def records(action: str) -> list[audit.AuditRecord]:
    """The records of ``action`` made by the administrator (not by the tests' set-up)."""
    found, _total = await audit.search(action=action, actor=ADMIN)
    return found


# --- creating accounts ------------------------------------------------------------------


async def test_the_admin_creates_an_account_through_the_form_and_it_can_sign_in(
    admin, second_admin, app
) -> None:
    form = await admin.get("/admin/users/new")
    assert form.status_code == 200
    assert 'name="username"' in form.text and 'name="sso_only"' in form.text

    created = await admin.post(
        "/admin/users",
        data={
            "username": "Nieuw@Testdorp.example",
            "display_name": "Nieuwe Collega",
            "is_hr": "1",
            "password": GOOD_PASSWORD,
        },
    )
    assert created.status_code == 303
    new_id = await account_id("nieuw@testdorp.example")
    assert created.headers["location"] == f"/admin/users/{new_id}?done=created_pending"
    detail = await admin.get(created.headers["location"])
    assert "The HR role waits for a second administrator's approval." in detail.text
    row = await Account.select().where(Account.id == new_id).first()
    # Four eyes: an account with a password this administrator chose gets no HR role alone.
    assert not row["is_hr"] and not row["is_admin"] and row["display_name"] == "Nieuwe Collega"
    (record,) = await records("account.created")
    assert record.actor == ADMIN and record.target == "nieuw@testdorp.example"
    assert record.details["is_hr"] is False and record.details["password"] is True
    assert len(await approve_all(second_admin)) == 1
    assert (await Account.select().where(Account.id == new_id).first())["is_hr"]

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as third:
        signed_in = await sign_in(with_csrf(third), "nieuw@testdorp.example", GOOD_PASSWORD)
    assert signed_in.headers["location"] == "/hr/waves"


async def test_an_account_linked_to_an_employee_takes_the_employee_name(admin) -> None:
    await load_small_org()
    created = await admin.post(
        "/admin/users",
        data={"username": "m1002@testdorp.example", "employee_number": "1002", "sso_only": "1"},
    )
    assert created.status_code == 303
    row = await Account.select().where(Account.username == "m1002@testdorp.example").first()
    assert row["display_name"] == "Medewerker 1002"
    assert row["employee"] is not None and row["password_hash"] == ""


async def test_an_account_without_password_cannot_sign_in_with_one(admin, other_browser) -> None:
    created = await admin.post(
        "/admin/users",
        data={"username": "sso@testdorp.example", "display_name": "Sso Only", "sso_only": "1"},
    )
    assert created.status_code == 303
    detail = await admin.get(created.headers["location"])
    assert "No password" in detail.text
    token = csrf_from((await other_browser.get("/sign-in")).text)
    refused = await other_browser.post(
        "/sign-in", data={"_csrf": token, "username": "sso@testdorp.example", "password": ""}
    )
    assert refused.status_code == 401


async def test_password_policy_errors_keep_the_form_values_and_create_nothing(admin) -> None:
    refused = await admin.post(
        "/admin/users",
        data={
            "username": "kort@testdorp.example",
            "display_name": "Korte Wachtwoorden",
            "is_admin": "1",
            "password": "kort",
        },
    )
    assert refused.status_code == 422
    assert 'class="error-summary" role="alert"' in refused.text
    assert "Use at least 12 characters (this one has 4)." in refused.text
    assert 'href="#password"' in refused.text
    assert 'value="kort@testdorp.example"' in refused.text
    assert 'value="Korte Wachtwoorden"' in refused.text
    assert 'name="is_admin" type="checkbox" value="1" checked' in refused.text
    assert 'value="kort"' not in refused.text  # the password is not sent back
    assert await Account.count() == 1  # only the administrator
    assert await records("account.created") == []


async def test_an_empty_password_without_sso_only_is_refused(admin) -> None:
    refused = await admin.post(
        "/admin/users", data={"username": "leeg@testdorp.example", "display_name": "Leeg"}
    )
    assert refused.status_code == 422
    assert "Enter an initial password" in refused.text
    assert await Account.count() == 1


async def test_account_errors_are_shown_in_the_form(admin) -> None:
    taken = await admin.post(
        "/admin/users",
        data={"username": ADMIN, "display_name": "Dubbel", "password": GOOD_PASSWORD},
    )
    assert taken.status_code == 422
    assert f"The user name {ADMIN} is already taken." in taken.text
    unknown = await admin.post(
        "/admin/users",
        data={"username": "x@testdorp.example", "employee_number": "9999", "sso_only": "1"},
    )
    assert unknown.status_code == 422
    assert "No employee with number 9999 in the organisation." in unknown.text
    assert await Account.count() == 1


async def test_characters_that_cannot_be_stored_are_refused_not_a_server_error(
    admin, settings
) -> None:
    await load_small_org()
    target = await make_account("jeugd@testdorp.example", employee_number="1001")
    form = {"content-type": "application/x-www-form-urlencoded"}
    cases = [
        ("/admin/users", "username=nul%00naam&display_name=Nul&sso_only=1"),
        ("/admin/users", "username=geen-utf8&display_name=%FF%FE&sso_only=1"),
        ("/admin/users", "username=ww&display_name=Ww&password=lang+genoeg+maar+%FF%FE%FD"),
        (f"/admin/users/{target}/scope", "department=JE%00UGD&granted=1"),
        (f"/admin/users/{target}/password", "password=lang+genoeg+maar+%FF%FE%FD"),
        ("/admin/settings", "min_group_size=%C2%B2&min_comment_group_size=5"),  # "²"
    ]
    for path, body in cases:
        response = await admin.post(path, content=body, headers=form)
        assert response.status_code == 422, (path, body)
    assert await Account.count() == 2
    assert (await thresholds.current(settings)).min_group_size == 5
    found = await admin.get("/admin/audit", params={"actor": "be\x00heer", "target": "\x00"})
    assert found.status_code == 200


# --- the account list ---------------------------------------------------------------------


async def test_the_account_list_shows_roles_and_finds_by_name_with_paging(admin) -> None:
    await load_small_org()
    await make_account("jeugd@testdorp.example", employee_number="1001")  # leads JEUGD
    await make_account("hr@testdorp.example", is_hr=True, display_name="Hanna Rozema")
    for number in range(30):
        await make_account(f"user{number:02}@testdorp.example", password=None)

    listed = await admin.get("/admin/users")
    assert listed.status_code == 200
    assert "Accounts 1–25 of 33" in listed.text
    assert 'rel="next"' in listed.text and 'href="/admin/users?page=2"' in listed.text
    second = await admin.get("/admin/users?page=2")
    assert "Accounts 26–33 of 33" in second.text
    assert "user29@testdorp.example" in second.text and "user00@" not in second.text

    manager = await admin.get("/admin/users", params={"q": "JEUGD@"})
    assert "Accounts 1–1 of 1" in manager.text
    assert "Employee 1001" in manager.text and "Manager of: JEUGD" in manager.text

    by_name = await admin.get("/admin/users", params={"q": "rozema"})
    assert "hr@testdorp.example" in by_name.text and "<li>HR</li>" in by_name.text

    # "_" is an ordinary character in a search, not a wildcard.
    nothing = await admin.get("/admin/users", params={"q": "user_0"})
    assert "No account matches" in nothing.text


async def test_the_overview_counts_accounts_and_locked_ones(admin) -> None:
    locked = await make_account("slot@testdorp.example")
    await Account.update(
        {Account.locked_until: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)}
    ).where(Account.id == locked)
    overview = await admin.get("/admin")
    assert overview.status_code == 200
    assert "2 in total, of which 2 active" in overview.text
    assert "<dt>Locked after failed sign-ins</dt><dd>1</dd>" in overview.text
    for link in ("/admin/users", "/admin/settings", "/admin/audit"):
        assert f'href="{link}"' in overview.text


# --- roles ----------------------------------------------------------------------------------


async def test_a_roles_change_is_recorded_with_before_and_after(admin, second_admin) -> None:
    target = await make_account("hr@testdorp.example")
    changed = await admin.post(
        f"/admin/users/{target}/roles", data=roles(is_hr=True, is_admin=True, active=True)
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == f"/admin/users/{target}?done=roles_pending"
    row = await Account.select().where(Account.id == target).first()
    assert not row["is_hr"] and row["is_admin"] and row["active"]  # HR waits, the rest is done
    (record,) = await records("account.roles_changed")
    assert record.actor == ADMIN and record.target == "hr@testdorp.example"
    assert record.details == {
        "before": {"hr": False, "admin": False, "active": True},
        "after": {"hr": False, "admin": True, "active": True},
    }
    page = await admin.get(f"/admin/users/{target}")
    assert "HR role for hr@testdorp.example" in page.text  # waiting, on the account's page
    await approve_all(second_admin)
    (granted,) = [
        r
        for r in (await audit.search(action="account.roles_changed"))[0]
        if r.actor == SECOND_ADMIN
    ]
    assert granted.details == {
        "before": {"hr": False},
        "after": {"hr": True},
        "requested_by": ADMIN,
    }
    page = await admin.get(f"/admin/users/{target}")
    assert 'id="is_hr" name="is_hr" type="checkbox" value="1" checked' in page.text


async def test_an_administrator_cannot_remove_their_own_role_but_another_admin_can_go(
    admin,
) -> None:
    own = await account_id(ADMIN)
    refused = await admin.post(f"/admin/users/{own}/roles", data=roles(active=True))
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "You cannot remove your own administrator role or deactivate yourself." in refused.text
    assert (await Account.select().where(Account.id == own).first())["is_admin"]
    deactivate = await admin.post(f"/admin/users/{own}/roles", data=roles(is_admin=True))
    assert deactivate.status_code == 422
    assert (await Account.select().where(Account.id == own).first())["active"]
    own_hr = await admin.post(
        f"/admin/users/{own}/roles", data=roles(is_hr=True, is_admin=True, active=True)
    )
    assert own_hr.status_code == 422
    assert "Another administrator must change your own HR role." in own_hr.text
    assert await records("account.roles_changed") == []

    other = await make_account("tweede@testdorp.example", is_admin=True)
    removed = await admin.post(f"/admin/users/{other}/roles", data=roles(active=True))
    assert removed.status_code == 303
    assert await Account.count().where(Account.is_admin == True) == 1  # noqa: E712


async def test_an_incomplete_roles_form_changes_nothing(admin) -> None:
    target = await make_account("hr@testdorp.example", is_hr=True)
    refused = await admin.post(f"/admin/users/{target}/roles", data={"is_admin": "1"})
    assert refused.status_code == 422
    assert "The form was incomplete; nothing was changed." in refused.text
    row = await Account.select().where(Account.id == target).first()
    assert row["is_hr"] and row["active"] and not row["is_admin"]
    assert await records("account.roles_changed") == []


async def test_deactivating_an_account_ends_its_sessions(admin, other_browser) -> None:
    target = await make_account("weg@testdorp.example")
    await sign_in(other_browser, "weg@testdorp.example")
    assert (await other_browser.get("/account")).status_code == 200
    assert (await admin.post(f"/admin/users/{target}/roles", data=roles())).status_code == 303
    assert (await other_browser.get("/account")).status_code == 303


# --- manager scope --------------------------------------------------------------------------


async def test_scope_changes_what_manager_scope_returns_and_are_audited(
    admin, second_admin
) -> None:
    await load_small_org()
    target = await make_account("jeugd@testdorp.example", employee_number="1001")
    employee = (await Account.select().where(Account.id == target).first())["employee"]
    assert (await manager_scope(target, employee))[1] == ("JEUGD",)
    page = await admin.get(f"/admin/users/{target}")
    assert "Jeugd (JEUGD)" in page.text  # derived from the import

    added = await admin.post(
        f"/admin/users/{target}/scope", data={"department": "BV", "granted": "1"}
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"/admin/users/{target}?done=scope_pending"
    assert (await manager_scope(target, employee))[1] == ("JEUGD",)  # waits for four eyes
    await approve_all(second_admin)
    codes, roots = await manager_scope(target, employee)
    assert roots == ("BV", "JEUGD") and "ICT" in codes

    removed = await admin.post(
        f"/admin/users/{target}/scope", data={"department": "JEUGD", "granted": "0"}
    )
    assert removed.status_code == 303
    codes, roots = await manager_scope(target, employee)
    assert roots == ("BV",) and "JEUGD" not in codes
    page = await admin.get(f"/admin/users/{target}")
    assert "Added: Bedrijfsvoering (BV)" in page.text and "Removed: Jeugd (JEUGD)" in page.text

    changes, _total = await audit.search(action="account.scope_changed")
    assert [(r.actor, r.target, r.details) for r in reversed(changes)] == [
        (SECOND_ADMIN, "jeugd@testdorp.example", {"department": "BV", "granted": True}),
        (ADMIN, "jeugd@testdorp.example", {"department": "JEUGD", "granted": False}),
    ]


async def test_an_administrator_cannot_give_themselves_departments(admin) -> None:
    await load_small_org()
    own = await account_id(ADMIN)
    refused = await admin.post(
        f"/admin/users/{own}/scope", data={"department": "GEM", "granted": "1"}
    )
    assert refused.status_code == 422
    assert "Another administrator must change your own departments." in refused.text
    assert (await manager_scope(own, None))[1] == ()


async def test_an_unknown_department_code_is_refused_in_the_scope_form(admin) -> None:
    await load_small_org()
    target = await make_account("jeugd@testdorp.example", employee_number="1001")
    refused = await admin.post(
        f"/admin/users/{target}/scope", data={"department": "NOPE", "granted": "1"}
    )
    assert refused.status_code == 422
    assert "No department with code NOPE." in refused.text
    assert 'value="NOPE"' in refused.text
    assert await records("account.scope_changed") == []


# --- password, lock and sessions ------------------------------------------------------------


async def test_the_admin_sets_a_temporary_password(admin, other_browser) -> None:
    target = await make_account("vergeten@testdorp.example")
    await sign_in(other_browser, "vergeten@testdorp.example")
    weak = await admin.post(f"/admin/users/{target}/password", data={"password": "vergeten123"})
    assert weak.status_code == 422
    assert "Use at least 12 characters" in weak.text
    assert (await other_browser.get("/account")).status_code == 200  # nothing changed yet

    done = await admin.post(f"/admin/users/{target}/password", data={"password": GOOD_PASSWORD})
    assert done.status_code == 303
    assert (await other_browser.get("/account")).status_code == 303  # signed out
    (record,) = await records("account.password_reset")
    assert record.actor == ADMIN and record.target == "vergeten@testdorp.example"
    await sign_in(other_browser, "vergeten@testdorp.example", GOOD_PASSWORD)


async def test_unlock_resets_a_locked_account(admin, other_browser) -> None:
    target = await make_account("slot@testdorp.example")
    now = dt.datetime.now(dt.UTC)
    for _attempt in range(LOCKOUT_THRESHOLD):
        result = await authenticate("slot@testdorp.example", "verkeerd wachtwoord", now=now)
    assert result.outcome is SignInOutcome.LOCKED
    page = await admin.get(f"/admin/users/{target}")
    assert "Locked until" in page.text and f"/admin/users/{target}/unlock" in page.text

    unlocked = await admin.post(f"/admin/users/{target}/unlock")
    assert unlocked.status_code == 303
    assert unlocked.headers["location"] == f"/admin/users/{target}?done=unlocked"
    row = await Account.select().where(Account.id == target).first()
    assert row["locked_until"] is None and row["failed_sign_ins"] == 0
    (record,) = await records("account.unlocked")
    assert record.actor == ADMIN and record.target == "slot@testdorp.example"
    await sign_in(other_browser, "slot@testdorp.example")


async def test_sign_out_ends_the_other_sessions(admin, other_browser, app) -> None:
    target = await make_account("telefoon@testdorp.example")
    await sign_in(other_browser, "telefoon@testdorp.example")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as third:
        await sign_in(third, "telefoon@testdorp.example")
        assert (await third.get("/account")).status_code == 200
        page = await admin.get(f"/admin/users/{target}")
        assert "2 active sessions" in page.text

        ended = await admin.post(f"/admin/users/{target}/sign-out")
        assert ended.status_code == 303
        assert ended.headers["location"] == f"/admin/users/{target}?done=signed_out"
        assert (await other_browser.get("/account")).status_code == 303
        assert (await third.get("/account")).status_code == 303
    assert (await admin.get("/admin")).status_code == 200  # the administrator's own session
    (record,) = await records("account.sessions_ended")
    assert record.actor == ADMIN and record.target == "telefoon@testdorp.example"
    assert record.details == {"sessions": 2}


async def test_an_unknown_account_is_404(admin) -> None:
    for path in ("/admin/users/999999", "/admin/users/0", "/admin/users/99999999999999999999"):
        assert (await admin.get(path)).status_code == 404, path
    for action in ("roles", "scope", "password", "unlock", "sign-out"):
        response = await admin.post(f"/admin/users/999999/{action}", data={"is_admin": "1"})
        assert response.status_code == 404, action


# --- thresholds -----------------------------------------------------------------------------


async def test_thresholds_change_and_are_audited_with_old_and_new(admin, settings) -> None:
    page = await admin.get("/admin/settings")
    assert page.status_code == 200
    assert 'name="min_group_size"' in page.text and 'value="5"' in page.text
    assert "Values below 3 are refused" in page.text
    assert "30 minutes" in page.text and "10 hours" in page.text
    assert "Not configured" in page.text  # OpenID Connect

    saved = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "4",
            "min_comment_group_size": "5",
            "min_demographic_group_size": "10",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/settings?done=saved"
    current = await thresholds.current(settings)
    assert (current.min_group_size, current.min_comment_group_size) == (4, 5)
    (record,) = await records("setting.changed")  # the unchanged one records nothing
    assert (record.actor, record.target) == (ADMIN, "min_group_size")
    assert record.details == {"before": 5, "after": 4}
    assert 'value="4"' in (await admin.get("/admin/settings")).text

    same = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "4",
            "min_comment_group_size": "5",
            "min_demographic_group_size": "10",
        },
    )
    assert same.headers["location"] == "/admin/settings?done=unchanged"


async def test_a_threshold_below_3_is_refused_and_nothing_changes(admin, settings) -> None:
    refused = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "2",
            "min_comment_group_size": "9",
            "min_demographic_group_size": "10",
        },
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "Enter a whole number from 3 to 100." in refused.text
    assert 'href="#min_group_size"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="2"' in refused.text and 'value="9"' in refused.text  # as typed
    current = await thresholds.current(settings)
    assert (current.min_group_size, current.min_comment_group_size) == (5, 5)
    assert await records("setting.changed") == []


async def test_a_comment_minimum_below_the_group_minimum_is_refused(admin, settings) -> None:
    """The gate refuses it (a group too small for scores would show its comments)."""
    refused = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "7",
            "min_comment_group_size": "5",
            "min_demographic_group_size": "10",
        },
    )
    assert refused.status_code == 422
    assert "The minimum for comments cannot be below the minimum group size (7)" in refused.text
    current = await thresholds.current(settings)
    assert (current.min_group_size, current.min_comment_group_size) == (5, 5)
    assert await records("setting.changed") == []
    raised = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "7",
            "min_comment_group_size": "7",
            "min_demographic_group_size": "10",
        },
    )
    assert raised.status_code == 303
    assert (await thresholds.current(settings)).min_comment_group_size == 7


async def test_a_demographic_minimum_below_the_group_minimum_is_refused(admin, settings) -> None:
    """A self-identified group must be at least as large as any group shown (DIG)."""
    page = await admin.get("/admin/settings")
    assert 'name="min_demographic_group_size"' in page.text and 'value="10"' in page.text
    refused = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "7",
            "min_comment_group_size": "7",
            "min_demographic_group_size": "6",
        },
    )
    assert refused.status_code == 422
    assert 'href="#min_demographic_group_size"' in refused.text
    assert "cannot be below the minimum group size (7)" in refused.text
    assert (await thresholds.current(settings)).min_demographic_group_size == 10
    assert await records("setting.changed") == []
    raised = await admin.post(
        "/admin/settings",
        data={
            "min_group_size": "5",
            "min_comment_group_size": "5",
            "min_demographic_group_size": "12",
        },
    )
    assert raised.status_code == 303
    assert (await thresholds.current(settings)).min_demographic_group_size == 12


def test_the_environment_cannot_set_a_comment_minimum_below_the_group_minimum(
    monkeypatch,
) -> None:
    from survey_app.core.settings import Settings

    monkeypatch.setenv("KLANKBORD_MIN_GROUP_SIZE", "8")
    monkeypatch.setenv("KLANKBORD_MIN_COMMENT_GROUP_SIZE", "5")
    with pytest.raises(ValueError, match="KLANKBORD_MIN_COMMENT_GROUP_SIZE"):
        Settings.from_env()


def test_the_demographic_minimum_is_never_below_the_group_minimum(monkeypatch) -> None:
    from survey_app.core.settings import Settings

    monkeypatch.setenv("KLANKBORD_MIN_GROUP_SIZE", "12")
    monkeypatch.setenv("KLANKBORD_MIN_COMMENT_GROUP_SIZE", "12")
    assert Settings.from_env().min_demographic_group_size == 12  # unset: follows it up
    monkeypatch.setenv("KLANKBORD_MIN_DEMOGRAPHIC_GROUP_SIZE", "6")
    with pytest.raises(ValueError, match="KLANKBORD_MIN_DEMOGRAPHIC_GROUP_SIZE"):
        Settings.from_env()


# --- audit trail ----------------------------------------------------------------------------


async def at(moment: dt.datetime, action: str, actor: str, target: str = "") -> None:
    """An audit record as if it had been written at ``moment``."""
    await audit.record(action, actor=actor, target=target, marker=f"{action}-{actor}")
    latest = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False)
    await AuditEvent.update({AuditEvent.occurred_at: moment}).where(
        AuditEvent.id == latest[0]["id"]
    )


async def test_the_audit_page_filters_by_action_actor_and_dates(admin) -> None:
    await AuditEvent.delete(force=True)
    local = dt.datetime(2026, 3, 10, 12, 0, tzinfo=AMSTERDAM)
    await at(local, "results.viewed", "hr@testdorp.example", "wave-a")
    await at(local + dt.timedelta(days=1), "setting.changed", ADMIN, "min_group_size")
    # 23:30 on 11 March in UTC is already 12 March in Amsterdam.
    await at(dt.datetime(2026, 3, 11, 23, 30, tzinfo=dt.UTC), "results.viewed", "jeugd@x")
    await at(local + dt.timedelta(days=5), "account.unlocked", ADMIN, "slot@testdorp.example")

    def markers(page: httpx.Response) -> list[str]:
        """The test records on the page, in the page's order."""
        return re.findall(r"marker=([^\s<]+)", page.text)

    everything = await admin.get("/admin/audit")
    assert everything.status_code == 200
    assert markers(everything) == [
        f"account.unlocked-{ADMIN}",
        "results.viewed-jeugd@x",
        f"setting.changed-{ADMIN}",
        "results.viewed-hr@testdorp.example",
    ]
    assert "15-03-2026 12:00:00" in everything.text  # in the organisation's time zone
    assert "12-03-2026 00:30:00" in everything.text

    by_action = await admin.get("/admin/audit", params={"action": "results.viewed"})
    assert markers(by_action) == ["results.viewed-jeugd@x", "results.viewed-hr@testdorp.example"]
    assert '<option value="results.viewed" selected>' in by_action.text

    by_actor = await admin.get("/admin/audit", params={"actor": "BEHEER"})
    assert markers(by_actor) == [f"account.unlocked-{ADMIN}", f"setting.changed-{ADMIN}"]

    by_target = await admin.get("/admin/audit", params={"target": "wave-a"})
    assert markers(by_target) == ["results.viewed-hr@testdorp.example"]

    one_day = await admin.get("/admin/audit", params={"from": "2026-03-11", "to": "2026-03-11"})
    assert markers(one_day) == [f"setting.changed-{ADMIN}"]
    next_day = await admin.get("/admin/audit", params={"from": "2026-03-12", "to": "2026-03-12"})
    assert markers(next_day) == ["results.viewed-jeugd@x"]
    since = await admin.get("/admin/audit", params={"from": "2026-03-12", "to": ""})
    assert markers(since) == [f"account.unlocked-{ADMIN}", "results.viewed-jeugd@x"]
    until = await admin.get("/admin/audit", params={"to": "2026-03-10", "action": ""})
    assert markers(until) == ["results.viewed-hr@testdorp.example"]


async def test_the_audit_page_refuses_a_date_it_cannot_read(admin) -> None:
    refused = await admin.get("/admin/audit", params={"from": "31-02-2026"})
    assert refused.status_code == 422
    assert "Enter a date as day, month and year." in refused.text
    backwards = await admin.get("/admin/audit", params={"from": "2026-03-12", "to": "2026-03-01"})
    assert backwards.status_code == 422
    assert "The end date is before the start date." in backwards.text


async def test_the_audit_page_pages_by_50_newest_first(admin) -> None:
    await AuditEvent.delete(force=True)
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(60):
        await at(start + dt.timedelta(minutes=number), "sign_in.failure", f"u{number:02}")
    first = await admin.get("/admin/audit", params={"action": "sign_in.failure"})
    assert "Records 1–50 of 60, newest first" in first.text
    assert "marker=sign_in.failure-u59" in first.text
    assert "marker=sign_in.failure-u09" not in first.text
    assert 'href="/admin/audit?action=sign_in.failure&amp;page=2"' in first.text
    second = await admin.get("/admin/audit", params={"action": "sign_in.failure", "page": "2"})
    assert "Records 51–60 of 60" in second.text
    assert "marker=sign_in.failure-u09" in second.text
    assert "marker=sign_in.failure-u10" not in second.text


async def test_the_audit_export_is_the_filtered_records_as_csv(admin) -> None:
    await AuditEvent.delete(force=True)
    moment = dt.datetime(2026, 3, 10, 12, 0, tzinfo=AMSTERDAM)
    await at(moment, "sign_in.failure", '=HYPERLINK("http://evil")')
    await at(moment, "results.viewed", "hr@testdorp.example", "wave-a")
    exported = await admin.get("/admin/audit.csv", params={"action": "sign_in.failure"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["occurred_at", "actor", "action", "target", "details"]
    assert len(rows) == 2
    assert rows[1][0] == "10-03-2026 12:00:00"
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'  # not a formula in a spreadsheet
    assert rows[1][2] == "sign_in.failure"

    unreadable = await admin.get("/admin/audit.csv", params={"from": "gisteren"})
    assert unreadable.status_code == 422
    assert unreadable.headers["content-type"].startswith("text/html")
    assert "Enter a date as day, month and year." in unreadable.text


def test_details_are_shown_as_key_value_text() -> None:
    assert details_text(
        {
            "before": {"hr": False, "admin": True},
            "after": {"hr": True, "admin": True},
            "department": "BV",
            "reason": None,
            "note": "two words",
        }
    ) == (
        "after.admin=true after.hr=true before.admin=true before.hr=false department=BV "
        'note="two words" reason=null'
    )
    assert details_text({}) == ""
    # A plain number stays a number; anything more that starts like a formula is neutralised.
    assert csv_cell("-1") == "-1" and csv_cell("-1+1") == "'-1+1"
    assert csv_cell("@x") == "'@x" and csv_cell("a=b") == "a=b"


# --- who may use these pages ----------------------------------------------------------------

ADMIN_PAGES = ("/admin", "/admin/users", "/admin/users/new", "/admin/settings", "/admin/audit")


async def test_hr_gets_403_on_every_admin_page(client) -> None:
    target = await make_account("hr@testdorp.example", is_hr=True)
    await sign_in(client, "hr@testdorp.example")
    for path in (*ADMIN_PAGES, f"/admin/users/{target}", "/admin/audit.csv"):
        assert (await client.get(path)).status_code == 403, path
    for path in (
        "/admin/users",
        "/admin/settings",
        *(f"/admin/users/{target}/{action}" for action in ("roles", "scope", "password")),
        f"/admin/users/{target}/unlock",
        f"/admin/users/{target}/sign-out",
    ):
        response = await client.post(path, data={"is_admin": "1", "active": "1"})
        assert response.status_code == 403, path
    row = await Account.select().where(Account.id == target).first()
    assert not row["is_admin"]


async def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    for path in ADMIN_PAGES:
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=")


# --- the audit trail never holds survey content ---------------------------------------------


async def test_no_audit_record_holds_any_answer(admin, raw_client, caplog) -> None:
    await load_small_org()
    opened = await open_wave()
    answers = full_answers(
        open_comment="Geheime opmerking over de koffieautomaat op de derde verdieping"
    )
    await admin.get("/admin/audit")  # an administrator at work while the survey is open
    caplog.set_level(logging.INFO, logger="survey_app.audit")

    assert (await raw_client.get(f"/s/{opened.tokens['1002']}")).status_code == 303
    survey = await raw_client.get("/survey")
    submitted = await raw_client.post("/survey", data={**answers, "_csrf": csrf_from(survey.text)})
    assert submitted.status_code == 303
    await release_everything()
    assert await Answer.count() == 14

    texts = {row["text"] for row in await Answer.select(Answer.text) if row["text"]}
    assert texts == {answers["open_comment"]}
    trail = await AuditEvent.select()
    assert trail  # the administrator's sign-in is there
    stored = json.dumps(trail, default=str)
    logged = caplog.text
    for text in (*texts, "koffieautomaat"):
        assert text not in stored and text not in logged
    assert "koffieautomaat" not in (await admin.get("/admin/audit")).text


# --- four eyes: access to results needs a second administrator -----------------------------


async def test_an_administrator_cannot_approve_their_own_request(admin) -> None:
    target = await make_account("hr@testdorp.example")
    await admin.post(f"/admin/users/{target}/roles", data=roles(is_hr=True, active=True))
    page = await admin.get("/admin/approvals")
    assert "HR role for hr@testdorp.example" in page.text
    assert "/approve" not in page.text  # no button for one's own request
    (request_id,) = [int(i) for i in re.findall(r"/admin/approvals/(\d+)/reject", page.text)]
    refused = await admin.post(f"/admin/approvals/{request_id}/approve")
    assert refused.status_code == 403
    assert "Another administrator must approve a change you asked for." in refused.text
    assert not (await Account.select().where(Account.id == target).first())["is_hr"]
    withdrawn = await admin.post(f"/admin/approvals/{request_id}/reject")
    assert withdrawn.status_code == 303
    assert "No changes are waiting." in (await admin.get("/admin/approvals")).text
    (record,) = await records("change.rejected")
    assert record.details["withdrawn"] is True


async def test_a_password_for_an_account_that_sees_results_waits_for_approval(
    admin, second_admin, app
) -> None:
    """The attack: reset an HR person's password and sign in as them. The old password
    keeps working until a second administrator approves the new one."""
    target = await make_account("hr@testdorp.example", is_hr=True)
    asked = await admin.post(f"/admin/users/{target}/password", data={"password": GOOD_PASSWORD})
    assert asked.headers["location"] == f"/admin/users/{target}?done=password_pending"
    stored = await ChangeRequest.select().first()
    assert GOOD_PASSWORD not in str(stored) and stored["password_hash"].startswith("$argon2id$")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as third:
        third = with_csrf(third)
        refused = await third.post(
            "/sign-in", data={"username": "hr@testdorp.example", "password": GOOD_PASSWORD}
        )
        assert refused.status_code == 401  # not yet
        await approve_all(second_admin)
        await sign_in(third, "hr@testdorp.example", GOOD_PASSWORD)
    assert (await ChangeRequest.select().first())["password_hash"] == ""  # not kept


async def test_a_password_for_an_ordinary_account_is_set_at_once(admin) -> None:
    target = await make_account("medewerker@testdorp.example")
    done = await admin.post(f"/admin/users/{target}/password", data={"password": GOOD_PASSWORD})
    assert done.headers["location"] == f"/admin/users/{target}?done=password"
    assert await ChangeRequest.count() == 0


async def test_a_change_to_the_approvers_own_account_is_refused(admin, second_admin) -> None:
    """Two administrators cannot hand each other results: the one who gains cannot approve."""
    second = await account_id(SECOND_ADMIN)
    await load_small_org()
    asked = await admin.post(
        f"/admin/users/{second}/scope", data={"department": "BV", "granted": "1"}
    )
    assert asked.status_code == 303
    page = await second_admin.get("/admin/approvals")
    (request_id,) = [int(i) for i in re.findall(r"/admin/approvals/(\d+)/approve", page.text)]
    refused = await second_admin.post(f"/admin/approvals/{request_id}/approve")
    assert refused.status_code == 403
    assert "Another administrator must approve a change to your own account." in refused.text
    assert await ScopeAdjustment.count() == 0


async def test_a_decided_request_cannot_be_decided_again(admin, second_admin) -> None:
    target = await make_account("hr@testdorp.example")
    await admin.post(f"/admin/users/{target}/roles", data=roles(is_hr=True, active=True))
    (request_id,) = await approve_all(second_admin)
    again = await second_admin.post(f"/admin/approvals/{request_id}/reject")
    assert again.status_code == 409
    assert "This request has already been decided." in again.text
    assert (await second_admin.post("/admin/approvals/99999/approve")).status_code == 404


async def test_the_same_change_asked_twice_waits_once(admin) -> None:
    await load_small_org()
    target = await make_account("jeugd@testdorp.example", employee_number="1001")
    for _click in range(2):
        await admin.post(f"/admin/users/{target}/scope", data={"department": "BV", "granted": "1"})
        await admin.post(f"/admin/users/{target}/password", data={"password": GOOD_PASSWORD})
    kinds = sorted(row["kind"] for row in await ChangeRequest.select(ChangeRequest.kind))
    assert kinds == ["grant_scope", "set_password"]
