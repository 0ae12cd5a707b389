"""Quick Scan conversations (issue 17): a manager and an employee, privately; HR aggregates.

The design is in docs/architecture.md ("Quick Scan conversations"); the records are the
tables of `survey_app.tables.conversations`.
"""
