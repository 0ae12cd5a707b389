"""Self-identification (issue 16): ``self_identification``, the categories a respondent
chose to state about themselves, with consent, as rows of a released response.

It is an anonymous table like ``answer``: a random id, the response, a category and an
option key; no time and no identity. On SQLite it is ``WITHOUT ROWID`` (ordered by the
random id, not by insertion; see migration 0007), on PostgreSQL an ordinary table whose
rows arrive with their response's release batch.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T18:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "self-identification of released responses"

COLUMNS = (
    '"id" UUID PRIMARY KEY NOT NULL, '
    '"response" UUID NOT NULL REFERENCES "response" ("id") ON DELETE CASCADE '
    "ON UPDATE CASCADE, "
    "\"category\" VARCHAR(64) NOT NULL DEFAULT '', "
    "\"value\" VARCHAR(64) NOT NULL DEFAULT ''"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="survey_app", description=DESCRIPTION)

    async def create_table() -> None:
        engine = engine_finder()
        suffix = " WITHOUT ROWID" if engine.engine_type == "sqlite" else ""
        await engine.run_ddl(f'CREATE TABLE "self_identification" ({COLUMNS}){suffix}')
        await engine.run_ddl(
            'CREATE INDEX self_identification_response ON "self_identification" ("response")'
        )

    async def drop_table() -> None:
        await engine_finder().run_ddl('DROP TABLE IF EXISTS "self_identification"')

    manager.add_raw(create_table)
    manager.add_raw_backwards(drop_table)
    return manager
