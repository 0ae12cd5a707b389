"""Piccolo tables, in two modules that never meet: `identity` (who) and `anonymous` (what),
and `conversations` (Quick Scans: personal, on the identity side).

Code that only needs the identity side imports from `survey_app.tables.identity`; the
anonymous tables are imported by name from `survey_app.tables.anonymous` only where the
architecture allows it (see ``docs/architecture.md``). This package collects both for the
database engine and Piccolo's migrations.
"""

from __future__ import annotations

from piccolo.table import Table

from survey_app.tables import anonymous, conversations, identity

IDENTITY_TABLES: tuple[type[Table], ...] = identity.IDENTITY_TABLES
CONVERSATION_TABLES: tuple[type[Table], ...] = conversations.CONVERSATION_TABLES
ALL_TABLES: tuple[type[Table], ...] = (
    IDENTITY_TABLES + CONVERSATION_TABLES + anonymous.ANONYMOUS_TABLES
)
