"""Piccolo configuration module: the engine from ``DATABASE_URL`` and the app registry."""

from piccolo.conf.apps import AppRegistry

from survey_app.db import engine_from_url
from survey_app.settings import database_url_from_env

DB = engine_from_url(database_url_from_env())

APP_REGISTRY = AppRegistry(apps=["survey_app.piccolo_app"])
