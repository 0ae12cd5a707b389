"""The identity side: who exists, who was invited, who may sign in, and what they did.

It knows *who* was invited, never *what* they answered, and not in the clear *whether*
they did: a used invitation is recorded as a keyed digest (`UsedInvitation`) that only the
holder of the application's secret key can match to an invitation. No column here refers
to a row of the anonymous side (`survey_app.tables.anonymous`).
"""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

DEPARTMENT_LEVELS = ("organisation", "domain", "department", "team")


# --- identity side -----------------------------------------------------------------------


class Department(Table):
    """A unit of the organisation tree: organisation → domain → department → team."""

    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    parent = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict)
    level = Varchar(length=20)
    active = Boolean(default=True)


class Employee(Table):
    """A person in the organisation, as last imported."""

    employee_number = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    is_manager = Boolean(default=False)
    active = Boolean(default=True)
    left_on = Date(null=True, default=None)


class Wave(Table):
    """One run of a survey template for a set of departments between two moments."""

    public_id = UUID(unique=True)
    title = Varchar(length=200)
    template_key = Varchar(length=64)
    # The definition as it was when the wave was created, so answers stay interpretable
    # after the question bank changes.
    template = JSON()
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    closed_early_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # None while HR is still preparing the wave (a draft): nobody can be invited to it yet.
    published_at = Timestamptz(null=True, default=None)


class WaveDepartment(Table):
    """A department chosen for a wave; its whole subtree is invited."""

    wave = ForeignKey(Wave, null=False, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)


class Invitation(Table):
    """That an employee was invited to a wave (not whether or what they answered)."""

    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    employee = ForeignKey(Employee, null=False, on_delete=OnDelete.restrict)
    # Department at the time of the invitation, so later moves do not rewrite history.
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    # Its path of codes from the root (e.g. GEM/SD/JEUGD), copied to the response.
    department_path = Text(default="")
    token_hash = Varchar(length=64, unique=True, index=True, index_method=IndexMethod.btree)
    # The department path stored with this person's response: their department or the
    # nearest ancestor that holds, with the others assigned to it, at least the group
    # minimum of invitees (`survey_app.waves.groups`). A response names only this group.
    response_group = Text(default="")


class UsedInvitation(Table):
    """An invitation that has been used, as a keyed digest of its id (single use).

    Without the application's secret key the digest matches no invitation, so the database
    does not say who responded; the application computes the digest of each invitation to
    count response rates and to know whom to remind. Only the day is kept, for the rule
    that an open wave's rates count up to the previous day.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    digest = Varchar(length=64, unique=True)
    used_on = Date()


class CodeSlip(Table):
    """A single-use code on a printed slip, for staff without e-mail (not a person's).

    Only the code's keyed hash is kept, with the wave, the department it was printed for
    (its path then, as an invitation keeps it) and the response group its answers are
    stored under (that of the department's invitations). Nothing says who received it;
    its use is recorded like a link's, as a keyed digest in `UsedInvitation`.
    """

    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    department_path = Text(default="")
    response_group = Text(default="")
    code_hash = Varchar(length=64, unique=True, index=True, index_method=IndexMethod.btree)


class ReplacedLink(Table):
    """An invitation of someone without an e-mail address whose link was replaced by the
    code slips of their department: the link no longer works, and for response rates the
    codes stand in for these invitations (so nobody is counted, or can answer, twice)."""

    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    invitation = ForeignKey(Invitation, null=False, unique=True, on_delete=OnDelete.restrict)


# --- accounts, sessions and the audit trail (identity side too) --------------------------


class Account(Table):
    """Someone who can sign in: an employee (linked), or a staff member of HR or IT.

    Roles: every account linked to an employee is an employee; ``is_hr`` and ``is_admin``
    are granted by an administrator; a manager's scope comes from the organisation import
    (``Employee.is_manager`` leads their own department, with its subtree) adjusted by
    ``ScopeAdjustment`` rows.
    """

    username = Varchar(length=254, unique=True)
    display_name = Varchar(length=200)
    employee = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.restrict)
    # argon2id; empty for accounts that only sign in through OpenID Connect.
    password_hash = Text(default="")
    # "<issuer> <subject>" of the identity provider, once linked.
    oidc_subject = Varchar(length=400, null=True, default=None, unique=True)
    is_hr = Boolean(default=False)
    is_admin = Boolean(default=False)
    active = Boolean(default=True)
    failed_sign_ins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ScopeAdjustment(Table):
    """An administrator's change to a manager's scope: a department added or taken away."""

    account = ForeignKey(Account, null=False, index=True, on_delete=OnDelete.cascade)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    granted = Boolean(default=True)


class AuthSession(Table):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    token_hash = Varchar(length=64, unique=True, index=True, index_method=IndexMethod.btree)
    account = ForeignKey(Account, null=False, index=True, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    # How the person signed in: "password" or "oidc".
    method = Varchar(length=16, default="password")


class RateCounter(Table):
    """Requests per key in a fixed window, shared by every worker process."""

    key = Varchar(length=200, unique=True, index=True, index_method=IndexMethod.btree)
    window_start = Integer()
    hits = Integer(default=0)


class AuditEvent(Table):
    """Append-only: who did what with results, settings, roles and sign-ins. No survey content."""

    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=254, default="")
    action = Varchar(length=64, index=True)
    target = Varchar(length=300, default="")
    details = JSON(default="{}")


class ChangeRequest(Table):
    """A change that would let someone read results, waiting for a second administrator.

    Granting HR, adding a department to a manager's scope, and an administrator setting the
    password of an account that can see results take effect only when another
    administrator approves (four eyes); the command line (the operator) applies them
    directly. A password is kept only as its argon2id hash.
    """

    kind = Varchar(length=32)  # "grant_hr", "grant_scope" or "set_password"
    account = ForeignKey(Account, null=False, index=True, on_delete=OnDelete.cascade)
    department = ForeignKey(Department, null=True, default=None, on_delete=OnDelete.restrict)
    password_hash = Text(default="")
    requested_by = Varchar(length=254)
    requested_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=16, default="pending", index=True)  # approved, rejected, withdrawn
    decided_by = Varchar(length=254, default="")
    decided_at = Timestamptz(null=True, default=None)


class SettingValue(Table):
    """A setting changed by an administrator; it overrides the environment's value."""

    key = Varchar(length=64, unique=True)
    value = Text()
    changed_at = Timestamptz(default=TimestamptzNow())
    changed_by = Varchar(length=254, default="")


class MailMessage(Table):
    """The outbox: one e-mail (an invitation or a reminder) waiting, sent or failed.

    The link's token exists only in memory when an invitation is made (the database keeps
    its hash), so a waiting message carries it sealed with a key derived from the secret key
    (`survey_app.mail.outbox`); it is erased when the message is sent or fails for good. A
    reminder goes only to someone who has not responded, so once it is finished its row
    keeps neither the invitation nor the address: only that a reminder went out.
    """

    wave = ForeignKey(Wave, null=False, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)  # "invitation" or "reminder"
    invitation = ForeignKey(Invitation, null=True, default=None, on_delete=OnDelete.restrict)
    recipient = Varchar(length=254, default="")
    language = Varchar(length=8, default="nl")
    sealed_token = Text(default="")
    status = Varchar(length=16, default="queued", index=True)  # sent, failed
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    # A sender's claim on a batch: others leave the message alone until the lease ends.
    claimed_by = Varchar(length=64, default="")
    claimed_until = Timestamptz(null=True, default=None)
    # The server's reply or the connection error, never the message or a secret.
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


IDENTITY_TABLES: tuple[type[Table], ...] = (
    Department,
    Employee,
    Wave,
    WaveDepartment,
    Invitation,
    UsedInvitation,
    CodeSlip,
    ReplacedLink,
    Account,
    ScopeAdjustment,
    AuthSession,
    RateCounter,
    AuditEvent,
    SettingValue,
    ChangeRequest,
    MailMessage,
)
