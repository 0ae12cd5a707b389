"""Who may use each route: every route handler declares one rule, checked by one guard.

A handler declares its rule with ``opt=access(Rule.HR)``. The guard runs for every route of
the application; a route without a declared rule is refused to everyone (fail closed), and
``tests/test_access.py`` lists the application's routes and fails on any without a rule.
"""

from __future__ import annotations

import enum
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from survey_app.core.principal import Principal

ACCESS_KEY = "access"


class Rule(enum.Enum):
    # Anyone: survey links (the token is the credential), sign-in, static files, health.
    PUBLIC = "public"
    # Anyone signed in: their own account page, sign-out.
    SIGNED_IN = "signed_in"
    # Managers (for their own departments: the route's ``department_code`` must be in
    # their scope) and HR (all departments).
    MANAGER = "manager"
    HR = "hr"
    ADMIN = "admin"


def access(rule: Rule, **extra: Any) -> dict[str, Any]:
    return {ACCESS_KEY: rule, **extra}


class SignInRequired(NotAuthorizedException):
    """Not signed in: pages send the browser to the sign-in page and back afterwards."""


def principal_of(connection: ASGIConnection) -> Principal | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def allowed(rule: Rule, principal: Principal | None, path_params: dict[str, Any]) -> bool:
    """The decision itself, separate from Litestar so that pages can ask it too."""
    if rule is Rule.PUBLIC:
        return True
    if principal is None:
        return False
    if rule is Rule.SIGNED_IN:
        return True
    if rule is Rule.HR:
        return principal.is_hr
    if rule is Rule.ADMIN:
        return principal.is_admin
    if rule is Rule.MANAGER:
        code = path_params.get("department_code")
        if code is None:
            return principal.is_hr or principal.is_manager
        return principal.is_hr or principal.manages(str(code))
    return False


def requested_target(connection: ASGIConnection) -> str:
    """The path and query string as the browser sent them (still percent-encoded), to come
    back to after signing in: encoded once more as the ``next`` parameter, and decoded once
    by the sign-in page, it is exactly what was asked for."""
    raw_path = connection.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(connection.scope["path"])
    query = connection.scope.get("query_string", b"").decode("latin-1")
    return path + ("?" + query if query else "")


def is_automatic_options(handler: BaseRouteHandler) -> bool:
    """Litestar's own answer to OPTIONS, which lists the allowed methods and nothing else."""
    methods = getattr(handler, "http_methods", set())
    return methods == {"OPTIONS"} and handler.name is None


async def enforce_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The application's one guard."""
    if is_automatic_options(handler):
        return
    rule = handler.opt.get(ACCESS_KEY)
    if not isinstance(rule, Rule):
        raise PermissionDeniedException("This route declares no access rule")
    principal = principal_of(connection)
    if allowed(rule, principal, connection.path_params):
        return
    if principal is None:
        raise SignInRequired(extra={"next": requested_target(connection)})
    raise PermissionDeniedException()


def provide_principal(request: Request) -> Principal:
    """The signed-in person, injected into handlers as ``principal``: only on routes whose
    rule already requires someone signed in."""
    principal = principal_of(request)
    if principal is None:
        raise SignInRequired(extra={"next": "/"})
    return principal
