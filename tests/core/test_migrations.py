"""Migrations apply in order on a database that already holds data."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import run_forwards

from survey_app.core.db import current_engine, engine_from_url, migrate, use_engine
from survey_app.core.hashing import invitation_digests
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


BEFORE_UNLINKABLE = "2026-12-03T09:58:35:645813"  # 0005, the last with `responded`


async def test_existing_waves_are_carried_over_without_losing_a_response(tmp_path) -> None:
    """Migration 0007: response groups, used digests for responded invitations, responses
    moved to their group and written again with new ids in random order; 0008 drops the
    columns that linked them."""
    async with scratch_database(tmp_path):
        engine = current_engine()
        result = await run_forwards(app_name="survey_app", migration_id=BEFORE_UNLINKABLE)
        assert result.success
        await engine.run_ddl(
            "INSERT INTO department (id, code, name, parent, level, active) VALUES "
            "(1, 'GEM', 'Gemeente', NULL, 'organisation', true), "
            "(2, 'SD', 'Sociaal Domein', 1, 'domain', true), "
            "(3, 'JEUGD', 'Jeugd', 2, 'department', true), "
            "(4, 'WMO', 'Wmo', 2, 'department', true), "
            "(5, 'KLEIN', 'Klein', 2, 'department', true)"
        )
        paths = {3: "GEM/SD/JEUGD", 4: "GEM/SD/WMO", 5: "GEM/SD/KLEIN"}
        people = [3] * 6 + [4] * 7 + [5]  # a team of one
        await engine.run_ddl(
            "INSERT INTO employee (id, employee_number, name, email, department, is_manager, "
            "active) VALUES "
            + ", ".join(
                f"({i}, '{i}', 'P{i}', '', {department}, false, true)"
                for i, department in enumerate(people, start=1)
            )
        )
        await engine.run_ddl(
            "INSERT INTO wave (id, public_id, title, template_key, template, opens_at, closes_at) "
            "VALUES (1, '00000000-0000-4000-8000-000000000001', 'W', 'pulse', '{}', "
            "'2026-01-01T00:00:00+00:00', '2026-02-01T00:00:00+00:00')"
        )
        responded = {1, 2, 7, 14}  # two of Jeugd, one of Wmo, the team of one
        await engine.run_ddl(
            "INSERT INTO invitation (id, wave, employee, department, department_path, "
            "token_hash, responded) VALUES "
            + ", ".join(
                f"({i}, 1, {i}, {department}, '{paths[department]}', 'h{i}', "
                f"{'true' if i in responded else 'false'})"
                for i, department in enumerate(people, start=1)
            )
        )
        old_ids = [f"00000000-0000-4000-8000-00000000010{i}" for i in range(4)]
        authors = sorted(responded)
        await engine.run_ddl(
            "INSERT INTO response (id, wave, department, department_path, submitted_on) VALUES "
            + ", ".join(
                f"('{rid}', 1, {people[author - 1]}, '{paths[people[author - 1]]}', "
                f"'2026-01-0{n + 2}')"
                for n, (rid, author) in enumerate(zip(old_ids, authors, strict=True))
            )
        )
        await engine.run_ddl(
            "INSERT INTO answer (id, response, question_key, number, choice, text) VALUES "
            + ", ".join(
                f"('00000000-0000-4000-8000-00000000020{n}', '{rid}', 'open_comment', NULL, "
                f"NULL, 'antwoord {paths[people[author - 1]]}')"
                for n, (rid, author) in enumerate(zip(old_ids, authors, strict=True))
            )
        )

        await migrate()

        invitations = await engine.run_ddl("SELECT * FROM invitation ORDER BY id")
        assert "responded" not in dict(invitations[0])
        groups = {row["department_path"]: row["response_group"] for row in invitations}
        # Wmo (7) stands alone; Jeugd (6) would give the team of one away (Sociaal Domein
        # 14 − 7 − 6 = 1), so it joins the team of one under Sociaal Domein.
        assert groups == {
            "GEM/SD/JEUGD": "GEM/SD",
            "GEM/SD/WMO": "GEM/SD/WMO",
            "GEM/SD/KLEIN": "GEM/SD",
        }
        responses = await engine.run_ddl("SELECT * FROM response")
        assert sorted(dict(responses[0])) == ["department_path", "id", "wave"]
        assert len(responses) == 4
        assert not {str(row["id"]) for row in responses} & set(old_ids)  # new ids
        answers = await engine.run_ddl("SELECT response, text FROM answer")
        path_of = {str(row["id"]): row["department_path"] for row in responses}
        carried = sorted((path_of[str(row["response"])], row["text"]) for row in answers)
        assert carried == sorted(
            (groups[paths[people[author - 1]]], f"antwoord {paths[people[author - 1]]}")
            for author in authors
        )
        used = {row["digest"] for row in await engine.run_ddl("SELECT digest FROM used_invitation")}
        digests = invitation_digests(os.environ["SECRET_KEY"], [row["id"] for row in invitations])
        assert {i for i, digest in digests.items() if digest in used} == responded
        if engine.engine_type == "sqlite":
            for table in ("response", "answer", "used_invitation"):
                sql = await engine.run_ddl(
                    f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
                )
                assert sql[0]["sql"].endswith("WITHOUT ROWID"), table
        else:
            # Written again in one transaction: the old insertion order is gone.
            xmins = await engine.run_ddl("SELECT DISTINCT xmin::text FROM response")
            assert len(xmins) == 1
