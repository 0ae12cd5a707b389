"""Who is asking: the signed-in person of a request, or the operator at the command line.

Built by `survey_app.accounts.sessions` from a session; read by the access guard and by
services (results take the viewer and show only what it may see).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """The signed-in person of a request, with the roles that decide what they may see."""

    account_id: int
    username: str
    display_name: str
    employee_id: int | None
    is_hr: bool
    is_admin: bool
    session_id: int
    method: str
    # Codes of every department a manager may see (their departments and the subtrees).
    scope_codes: frozenset[str] = field(default_factory=frozenset)
    # Codes of the departments at the top of each scope, for the manager's overview.
    scope_roots: tuple[str, ...] = ()

    @property
    def is_employee(self) -> bool:
        return self.employee_id is not None

    @property
    def is_manager(self) -> bool:
        return bool(self.scope_codes)

    def manages(self, department_code: str) -> bool:
        return department_code in self.scope_codes
