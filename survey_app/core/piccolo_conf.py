"""Piccolo configuration module (``PICCOLO_CONF``): the app registry and the engine in use.

``DB`` is looked up when Piccolo asks for it, not built on import: importing this module
has no side effect, and a process that chose another engine (`survey_app.core.db.
use_engine`) is never pointed back at ``DATABASE_URL``.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["survey_app.core.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name == "DB":
        from survey_app.core.db import current_engine

        return current_engine()
    raise AttributeError(name)
