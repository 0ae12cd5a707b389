"""Theme history (issue 18): ``theme_history``, the discovered themes known after a closed
wave's comments were analysed, so that the next wave's discovered themes keep their ids.

An anonymous table: a random id, the wave, the comment minimum the analysis ran with and
the known themes as JSON (ids, labels and terms: words the results pages show anyway); no
time and no identity. One row per wave and comment minimum (a unique pair), so that two
workers computing the same wave at once write it once.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T08:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "theme history: the discovered themes known after each closed wave"

COLUMNS = (
    '"id" UUID PRIMARY KEY NOT NULL, '
    '"wave" INTEGER NOT NULL REFERENCES "wave" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
    '"comment_minimum" INTEGER NOT NULL DEFAULT 0, '
    "\"known\" JSON NOT NULL DEFAULT '{}', "
    'UNIQUE ("wave", "comment_minimum")'
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="survey_app", description=DESCRIPTION)

    async def create_table() -> None:
        # The unique pair's index serves look-ups by wave too.
        await engine_finder().run_ddl(f'CREATE TABLE "theme_history" ({COLUMNS})')

    async def drop_table() -> None:
        await engine_finder().run_ddl('DROP TABLE IF EXISTS "theme_history"')

    manager.add_raw(create_table)
    manager.add_raw_backwards(drop_table)
    return manager
