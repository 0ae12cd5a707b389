"""Accounts and sign-in: local passwords, the identity provider (OIDC), sessions, roles
and manager scopes."""
