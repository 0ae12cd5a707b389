"""The audit trail: append-only records of who viewed results and who changed what."""

from survey_app.audit.service import ACTIONS, AuditRecord, record, search

__all__ = ["ACTIONS", "AuditRecord", "record", "search"]
