"""Files of the identity side and secrets: owner only, and never through a symbolic link."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from survey_app.core.db import engine_from_url
from survey_app.core.settings import Settings
from survey_app.tables.identity import Invitation
from tests.helpers import PROJECT_ROOT, load_small_org, open_wave


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_var_folder_and_its_secret_key_are_owner_only(tmp_path, monkeypatch) -> None:
    var = tmp_path / "var"
    monkeypatch.setenv("KLANKBORD_VAR_DIR", str(var))
    monkeypatch.delenv("SECRET_KEY")
    Settings.from_env()
    assert mode(var) == 0o700
    assert mode(var / "secret_key") == 0o600


def test_an_existing_var_folder_is_tightened(tmp_path, monkeypatch) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    monkeypatch.setenv("KLANKBORD_VAR_DIR", str(var))
    monkeypatch.delenv("SECRET_KEY")
    Settings.from_env()
    assert mode(var) == 0o700


def test_the_sqlite_database_and_its_wal_files_are_owner_only(tmp_path) -> None:
    database = tmp_path / "var" / "klankbord.sqlite3"
    engine_from_url(f"sqlite:///{database}")
    assert mode(database.parent) == 0o700 and mode(database) == 0o600
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    try:
        for suffix in ("-wal", "-shm"):
            assert mode(database.with_name(database.name + suffix)) == 0o600, suffix
    finally:
        connection.close()


def test_a_database_file_made_by_someone_else_is_tightened(tmp_path) -> None:
    database = tmp_path / "old.sqlite3"
    database.touch()
    database.chmod(0o644)
    engine_from_url(f"sqlite:///{database}")
    assert mode(database) == 0o600


async def invite(*arguments: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "survey_app", "--lang", "en", "wave", "invite", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_invitation_links_get_mode_600_even_over_an_existing_file(tmp_path) -> None:
    await load_small_org()
    opened = await open_wave()
    new_employees_only = tmp_path / "links.csv"
    new_employees_only.write_text("old content\n")
    new_employees_only.chmod(0o644)
    done = await invite(str(opened.wave.public_id), "--output", str(new_employees_only))
    assert done.returncode == 0, done.stderr
    assert mode(new_employees_only) == 0o600
    assert new_employees_only.read_text().startswith("employee_number,")  # replaced


async def test_a_symbolic_link_is_refused_before_any_invitation_is_made(tmp_path) -> None:
    await load_small_org()
    opened = await open_wave()
    await Invitation.delete(force=True)
    elsewhere = tmp_path / "public" / "links.csv"
    elsewhere.parent.mkdir()
    link = tmp_path / "links.csv"
    link.symlink_to(elsewhere)
    done = await invite(str(opened.wave.public_id), "--output", str(link))
    assert done.returncode != 0
    assert "symbolic link" in done.stderr
    assert not elsewhere.exists()
    assert await Invitation.count() == 0
