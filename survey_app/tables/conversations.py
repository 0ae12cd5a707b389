"""Quick Scan conversations (issue 17): personal records between an employee and a manager.

These are *not* anonymous: a conversation belongs to one employee and is read only by that
employee and their current manager (`survey_app.quickscan.access`). No column here refers
to the anonymous side. Every row is deleted after the retention period, counted from
``updated_at`` (`survey_app.quickscan.retention`).
"""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from survey_app.tables.identity import Department, Employee

# The stages of a conversation, in order.
PLANNED, PREPARED, HELD, CONFIRMED = "planned", "prepared", "held", "confirmed"
STATUSES = (PLANNED, PREPARED, HELD, CONFIRMED)
# Who carries out an agreement.
OWNERS = ("employee", "manager", "both")


class QuickScanRound(Table, tablename="quick_scan_round"):
    """HR starts Quick Scans for everyone in a department (and the departments below it)."""

    public_id = UUID(unique=True)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    started_by = Varchar(length=254, default="")
    started_at = Timestamptz(default=TimestamptzNow())
    # The day by which the talks should have been held.
    due_on = Date()


class QuickScan(Table, tablename="quick_scan"):
    """One conversation: planned, the employee's self-assessment, the talk, the confirmation."""

    public_id = UUID(unique=True)
    employee = ForeignKey(Employee, null=False, index=True, on_delete=OnDelete.restrict)
    # The manager who holds the conversation (an employee with is_manager).
    manager = ForeignKey(Employee, null=False, index=True, on_delete=OnDelete.restrict)
    # The employee's department when the conversation was planned (HR's figures count it there).
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict)
    round = ForeignKey(QuickScanRound, null=True, default=None, on_delete=OnDelete.set_null)
    form_key = Varchar(length=64, default="quickscan")
    form_version = Integer(default=1)
    status = Varchar(length=16, default=PLANNED, index=True)
    planned_by = Varchar(length=254, default="")
    # The day of the talk, when known.
    talk_on = Date(null=True, default=None)
    # The employee's answers: question key -> number or text; `shared` the keys the manager sees.
    self_assessment = JSON(default="{}")
    shared = JSON(default="[]")
    prepared_at = Timestamptz(null=True, default=None)
    # The manager's record of the talk (no medical details).
    summary = Text(default="")
    held_on = Date(null=True, default=None)
    follow_up_on = Date(null=True, default=None, index=True)
    followed_up_at = Timestamptz(null=True, default=None)
    # The follow-up day a reminder was last sent for (one reminder per follow-up day).
    reminded_for = Date(null=True, default=None)
    reaction = Text(default="")
    confirmed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # The last change by anyone: the retention period counts from here.
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)


class QuickScanAgreement(Table, tablename="quick_scan_agreement"):
    """An agreement (afspraak) made in the talk: what, who, by when; done or not."""

    quick_scan = ForeignKey(QuickScan, null=False, index=True, on_delete=OnDelete.cascade)
    position = Integer(default=0)
    text = Text(default="")
    owner = Varchar(length=16, default="employee")
    due_on = Date(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)


class QuickScanGrant(Table, tablename="quick_scan_grant"):
    """The employee lets a later manager read a conversation held with an earlier one."""

    quick_scan = ForeignKey(QuickScan, null=False, index=True, on_delete=OnDelete.cascade)
    manager = ForeignKey(Employee, null=False, on_delete=OnDelete.restrict)
    granted_at = Timestamptz(default=TimestamptzNow())


CONVERSATION_TABLES: tuple[type[Table], ...] = (
    QuickScanRound,
    QuickScan,
    QuickScanAgreement,
    QuickScanGrant,
)
