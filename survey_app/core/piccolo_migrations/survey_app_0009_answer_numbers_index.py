"""An index that holds the numeric answers of each response: reading a wave's scores (and
any GROUP BY of its answers) walks the index alone, without a lookup per answer in the
table.

On SQLite the answer table is ``WITHOUT ROWID`` and ordered by its random id (migration
0007), so the answers of one response lie on as many pages as it has answers: reading the
two waves of a score view looked up 156,000 rows one by one (2.3 s on the 2,000 × 40 × 8
benchmark, `bench/dashboard.py`). On PostgreSQL the same query becomes an index-only scan
instead of a scan of every answer of every wave. ``answer_response`` stays: the table
definition declares it, and the cascade from a deleted response can use either.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of the numeric answers of each response"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="survey_app", description=DESCRIPTION)

    async def create_index() -> None:
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS answer_response_numbers "
            'ON "answer" ("response", "question_key", "number")'
        )

    async def drop_index() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS answer_response_numbers")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
