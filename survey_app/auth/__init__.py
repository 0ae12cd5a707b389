"""Accounts, sign-in (local passwords and OpenID Connect), sessions, roles and the audit trail."""
