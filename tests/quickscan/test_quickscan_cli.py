"""`survey-app quickscan purge|remind` and `survey-app daily`, run as processes."""

from __future__ import annotations

import datetime as dt

from survey_app.core.clock import utc_now
from survey_app.quickscan import service
from survey_app.quickscan.service import AgreementInput
from survey_app.tables.conversations import QuickScan
from survey_app.tables.identity import AuditEvent
from tests.helpers import survey_app
from tests.quickscan.cycle_support import employee_id, org, viewer
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture)


async def planned_days_ago(employee: str, days: int) -> str:
    return await service.plan(
        await viewer("1001"),
        await employee_id(employee),
        talk_on=None,
        now=utc_now() - dt.timedelta(days=days),
    )


async def test_daily_purges_with_the_configured_retention() -> None:
    await org()
    await planned_days_ago("1002", 31)
    young = await planned_days_ago("1003", 29)
    run = await survey_app("--lang", "en", "daily", KLANKBORD_QUICKSCAN_RETENTION="30d")
    assert run.returncode == 0, run.stderr
    assert "Quick Scan conversations older than 30 days deleted: 1" in run.stdout
    assert "Agreements deleted: 0" in run.stdout
    assert "Follow-up reminders skipped: e-mail is not set up." in run.stdout
    assert [str(row["public_id"]) for row in await QuickScan.select(QuickScan.public_id)] == [young]
    assert await AuditEvent.count().where(AuditEvent.action == "quickscan.purged") == 1


async def test_purge_older_than() -> None:
    await org()
    await planned_days_ago("1002", 800)
    await planned_days_ago("1003", 10)
    run = await survey_app("--lang", "en", "quickscan", "purge", "--older-than", "2y")
    assert run.returncode == 0, run.stderr
    assert "older than 730 days deleted: 1" in run.stdout
    assert await QuickScan.count() == 1
    # The default is the configured retention (two years).
    run = await survey_app("--lang", "en", "quickscan", "purge")
    assert "older than 730 days deleted: 0" in run.stdout
    bad = await survey_app("--lang", "en", "quickscan", "purge", "--older-than", "2w")
    assert bad.returncode == 2
    assert "Write a period like 2y (years), 18m (months) or 90d (days)." in bad.stderr
    assert await QuickScan.count() == 1


async def test_remind(smtp_server) -> None:  # noqa: F811
    await org()
    manager = await viewer("1001")
    public_id = await planned_days_ago("1002", 20)
    today = utc_now().date()
    await service.record_talk(
        manager,
        public_id,
        held_on=today - dt.timedelta(days=10),
        summary="",
        agreements=[AgreementInput("Cursus", "employee", None)],
        follow_up_on=today - dt.timedelta(days=2),
        now=utc_now(),
    )
    unconfigured = await survey_app("--lang", "en", "quickscan", "remind")
    assert unconfigured.returncode == 1
    assert "E-mail is not set up" in unconfigured.stderr

    run = await survey_app("--lang", "en", "quickscan", "remind", **smtp_server.env())
    assert run.returncode == 0, run.stderr
    assert "Follow-up reminders sent: 1" in run.stdout
    assert smtp_server.mailbox.recipients() == ["m1001@testdorp.example"]
    # The daily run sends it once only.
    daily = await survey_app("--lang", "en", "daily", **smtp_server.env())
    assert daily.returncode == 0, daily.stderr
    assert "Follow-up reminders sent: 0" in daily.stdout
    assert len(smtp_server.mailbox.received) == 1
