"""Migrations apply in order on a database that already holds data."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import run_forwards

from survey_app.core.db import current_engine, engine_from_url, migrate, use_engine
from tests.conftest import TEST_DB, _pg_admin

FIRST_MIGRATION = "2026-11-28T10:54:46:662489"


@contextlib.asynccontextmanager
async def scratch_database(tmp_path) -> AsyncIterator[None]:
    """A fresh, empty database of the kind under test; the test database comes back after."""
    previous = current_engine()
    if TEST_DB == "postgres":
        name = f"klankbord_migrations_{os.getpid()}"
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    use_engine(engine_from_url(url))
    try:
        yield
    finally:
        use_engine(previous)
        if TEST_DB == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_invitations_made_before_the_path_column_get_their_department_path(tmp_path) -> None:
    async with scratch_database(tmp_path):
        engine = current_engine()
        result = await run_forwards(app_name="survey_app", migration_id=FIRST_MIGRATION)
        assert result.success
        await engine.run_ddl(
            "INSERT INTO department (id, code, name, parent, level, active) VALUES "
            "(1, 'GEM', 'Gemeente', NULL, 'organisation', true), "
            "(2, 'SD', 'Sociaal Domein', 1, 'domain', true), "
            "(3, 'JEUGD', 'Jeugd', 2, 'department', true)"
        )
        await engine.run_ddl(
            "INSERT INTO employee (id, employee_number, name, email, department, is_manager, "
            "active) VALUES (1, '1', 'A', '', 3, false, true), (2, '2', 'B', '', 1, false, true)"
        )
        await engine.run_ddl(
            "INSERT INTO wave (id, public_id, title, template_key, template, opens_at, closes_at) "
            "VALUES (1, '00000000-0000-4000-8000-000000000001', 'W', 'pulse', '{}', "
            "'2026-01-01T00:00:00+00:00', '2026-02-01T00:00:00+00:00')"
        )
        await engine.run_ddl(
            "INSERT INTO invitation (id, wave, employee, department, token_hash, responded) "
            "VALUES (1, 1, 1, 3, 'a', false), (2, 1, 2, 1, 'b', true)"
        )
        await migrate()
        rows = await engine.run_ddl("SELECT id, department_path FROM invitation ORDER BY id")
        assert [row["department_path"] for row in rows] == ["GEM/SD/JEUGD", "GEM"]
