"""Piccolo app registration: the tables and where their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from survey_app.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="survey_app",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
