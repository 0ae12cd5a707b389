from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:06:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop the columns that linked a response to a person"

# Migration 0007 moved what these columns held: a used invitation is a keyed digest, a
# response carries its response group's path only, and no day.


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="survey_app", description=DESCRIPTION)

    async def zero_freed_pages() -> None:
        """On SQLite the dropped columns' old contents are overwritten, not left in free
        pages (PostgreSQL: see the README on upgrading)."""
        if engine_finder().engine_type == "sqlite":
            await engine_finder().run_ddl("PRAGMA secure_delete = ON")

    manager.add_raw(zero_freed_pages)

    manager.drop_column(
        table_class_name="Invitation",
        tablename="invitation",
        column_name="responded",
        db_column_name="responded",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Response",
        tablename="response",
        column_name="department",
        db_column_name="department",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Response",
        tablename="response",
        column_name="submitted_on",
        db_column_name="submitted_on",
        schema=None,
    )

    return manager
