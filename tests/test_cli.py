"""The ``survey-app`` command line, run as a real process against the test database."""

from __future__ import annotations

import csv
from pathlib import Path

from survey_app.core.hashing import hash_token
from survey_app.tables.identity import Department, Employee, Invitation, Wave
from tests.helpers import small_org_csv, survey_app


async def test_org_import_wave_create_invite_and_status(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_bytes(small_org_csv())
    imported = await survey_app("org", "import", str(org))
    assert imported.returncode == 0, imported.stderr
    assert await Department.count() == 6
    assert await Employee.count() == 16

    created = await survey_app(
        "wave",
        "create",
        "--title",
        "Pulsmeting december",
        "--departments",
        "SD",
        "--opens",
        "2026-01-01",
        "--closes",
        "2099-12-31",
    )
    assert created.returncode == 0, created.stderr
    wave_id = created.stdout.strip()
    assert await Wave.count() == 1

    links = tmp_path / "links.csv"
    invited = await survey_app("wave", "invite", wave_id, "--output", str(links))
    assert invited.returncode == 0, invited.stderr
    with links.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Only the Sociaal Domein subtree: Jeugd (6) and Wmo (3), not ICT.
    assert len(rows) == 9
    assert oct(links.stat().st_mode & 0o777) == "0o600"
    hashes = {row["token_hash"] for row in await Invitation.select(Invitation.token_hash)}
    for row in rows:
        token = row["link"].rsplit("/s/", 1)[1]
        assert hash_token(token) in hashes

    again = await survey_app("wave", "invite", wave_id, "--output", str(links))
    assert again.returncode == 0
    assert await Invitation.count() == 9  # nobody is invited twice

    status = await survey_app("--lang", "en", "wave", "status", wave_id)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert any(
        line.split()[:1] == ["Sociaal"] and line.split()[-3:] == ["9", "0", "0%"] for line in lines
    )
    # Wmo (3 invited) is below the minimum, and Jeugd would give it away: both are counted
    # in Sociaal Domein only.
    assert any(
        line.strip().startswith("Jeugd") and line.split()[-3:] == ["-", "-", "-"] for line in lines
    ), status.stdout
    assert "counted in the department above" in status.stdout


async def test_a_malformed_organisation_file_is_refused_with_line_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(small_org_csv().replace(b"m1002@testdorp.example", b"not-an-address"))
    result = await survey_app("--lang", "en", "org", "import", str(bad))
    assert result.returncode == 2
    assert "line 9" in result.stderr  # header, six departments, then 1001 and 1002
    assert "not-an-address" in result.stderr
    assert await Employee.count() == 0


async def test_wave_create_refuses_unknown_departments_and_reversed_dates(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_bytes(small_org_csv())
    await survey_app("org", "import", str(org))
    unknown = await survey_app(
        "--lang",
        "en",
        "wave",
        "create",
        "--title",
        "X",
        "--departments",
        "NOPE",
        "--opens",
        "2026-01-01",
        "--closes",
        "2026-02-01",
    )
    assert unknown.returncode != 0
    assert "NOPE" in unknown.stderr
    reversed_dates = await survey_app(
        "--lang",
        "en",
        "wave",
        "create",
        "--title",
        "X",
        "--departments",
        "SD",
        "--opens",
        "2026-03-01",
        "--closes",
        "2026-02-01",
    )
    assert reversed_dates.returncode != 0
    assert "closing date" in reversed_dates.stderr
    assert await Wave.count() == 0
