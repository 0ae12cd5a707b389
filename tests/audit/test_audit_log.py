"""The audit trail's log line: one record is one line, whatever was typed."""

from __future__ import annotations

import logging

import pytest

from survey_app import audit


async def test_a_line_break_in_a_typed_name_cannot_forge_a_log_record(caplog) -> None:
    forged = "x\n2026-12-01 09:00:00 INFO survey_app.audit: results.viewed actor=admin"
    with caplog.at_level(logging.INFO, logger="survey_app.audit"):
        await audit.record("sign_in.failure", actor=forged, target="t\r\x1b[2Ky", reason="x")
    (line,) = [
        record.getMessage() for record in caplog.records if record.name == "survey_app.audit"
    ]
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert "actor=x\\n2026-12-01" in line  # what was typed is still there, escaped
    assert "target=t\\r\\x1b[2Ky" in line
    records, _total = await audit.search(action="sign_in.failure")
    assert records[0].actor == forged  # the trail itself keeps it as typed


@pytest.mark.parametrize(
    ("typed", "logged"),
    [("a\u202eb", "a\\u202eb"), ("back\\slash\n", "back\\\\slash\\n"), ("plain", "plain")],
)
def test_every_refused_character_is_escaped(typed: str, logged: str) -> None:
    from survey_app.core.text import escaped_for_log

    assert escaped_for_log(typed) == logged
