"""Drafts of waves: ``wave.published_at`` (NULL while HR is still preparing a wave).

Every wave made before this migration was published when it was made, so it gets its
``created_at``. Piccolo runs raw steps before schema changes; the backfill therefore runs
after the manager's steps, in the same transaction (a failure leaves neither).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-04T04:06:27:050802"
VERSION = "1.38.0"
DESCRIPTION = "wave drafts: published_at"

BACKFILL = "UPDATE wave SET published_at = created_at WHERE published_at IS NULL"


class _ThenBackfill(MigrationManager):
    async def run(self, backwards: bool = False) -> None:
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                await engine.run_ddl(BACKFILL)


async def forwards():
    manager = _ThenBackfill(migration_id=ID, app_name="survey_app", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Wave",
        tablename="wave",
        column_name="published_at",
        db_column_name="published_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
