from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T11:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill invitation department paths"

# Piccolo runs raw steps before schema changes, so the backfill has its own migration.
BACKFILL = """
WITH RECURSIVE chain(start_id, parent, path) AS (
    SELECT id, parent, CAST(code AS TEXT) FROM department
    UNION ALL
    SELECT chain.start_id, d.parent, CAST(d.code || '/' || chain.path AS TEXT)
    FROM chain JOIN department d ON d.id = chain.parent
)
UPDATE invitation SET department_path = (
    SELECT path FROM chain WHERE chain.start_id = invitation.department AND chain.parent IS NULL
)
WHERE department_path = ''
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="survey_app", description=DESCRIPTION)

    async def backfill_paths() -> None:
        """Invitations made before the path column get the path of their department."""
        await engine_finder().run_ddl(BACKFILL)

    manager.add_raw(backfill_paths)
    return manager
