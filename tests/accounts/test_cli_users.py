"""``survey-app user …``: the first administrator and account chores from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys

from survey_app import audit
from survey_app.tables.identity import Account
from tests.helpers import PASSWORD, PROJECT_ROOT, load_small_org, sign_in


async def survey_app(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "survey_app", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


async def test_the_first_administrator_is_created_and_can_sign_in(client) -> None:
    created = await survey_app(
        "user",
        "create",
        "Beheer@Testdorp.example",
        "--name",
        "Beheer",
        "--admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "beheer@testdorp.example" in created.stdout
    rows = await Account.select(Account.username, Account.is_admin, Account.is_hr)
    assert rows == [{"username": "beheer@testdorp.example", "is_admin": True, "is_hr": False}]
    await sign_in(client, "beheer@testdorp.example")
    assert (await client.get("/account")).status_code == 200
    records, _total = await audit.search(action="account.created")
    assert records[0].actor.startswith("command line")


async def test_a_weak_password_or_unknown_employee_is_refused_and_nothing_created() -> None:
    await load_small_org()
    weak = await survey_app(
        "--lang",
        "en",
        "user",
        "create",
        "a@testdorp.example",
        "--name",
        "A",
        "--password-stdin",
        stdin="kort\n",
    )
    assert weak.returncode == 1
    assert "at least 12 characters" in weak.stderr
    unknown = await survey_app(
        "--lang",
        "en",
        "user",
        "create",
        "b@testdorp.example",
        "--employee",
        "999999",
        "--sso-only",
    )
    assert unknown.returncode == 1
    assert "No employee with number 999999" in unknown.stderr
    assert await Account.count() == 0


async def test_an_employee_account_takes_the_name_from_the_import_and_unlock_works() -> None:
    await load_small_org()
    created = await survey_app(
        "user", "create", "m1001@testdorp.example", "--employee", "1001", "--sso-only"
    )
    assert created.returncode == 0, created.stderr
    listed = await survey_app("user", "list")
    assert "m1001@testdorp.example\tMedewerker 1001" in listed.stdout
    await Account.update(
        {Account.locked_until: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)}
    ).where(Account.id > 0)
    unlocked = await survey_app("user", "unlock", "m1001@testdorp.example")
    assert unlocked.returncode == 0, unlocked.stderr
    assert (await Account.select(Account.locked_until))[0]["locked_until"] is None
    missing = await survey_app("--lang", "en", "user", "unlock", "niemand@x.example")
    assert missing.returncode == 1 and "No account niemand@x.example" in missing.stderr
