"""The menu in the page header: one entry per area, for the roles that may open it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from litestar import Request

from survey_app.core.errors import N_
from survey_app.core.i18n import gettext
from survey_app.core.principal import Principal
from survey_app.web.access import ACCESS_KEY, allowed


@dataclass(frozen=True)
class MenuEntry:
    label: str  # English, marked for translation
    route: str  # the route name of the area's entry page
    shown_to: Callable[[Principal], bool]
    # Pages of this area whose address lies under another entry's (route names): a wave's
    # results live under /hr/waves/<id> but belong to Results, not to Waves.
    pages: frozenset[str] = frozenset()


# HR reads every department's results (/hr/results), runs the waves (/hr/waves) and keeps
# the organisation file up to date (/hr/organisation); a
# manager their teams; everyone signed in the organisation's results of closed waves. An
# entry is shown only when its role predicate holds *and* the route's own access rule lets
# the person in.
MENU = (
    MenuEntry(
        N_("Results"),
        "hr:results",
        lambda who: who.is_hr,
        frozenset({"hr:wave", "hr:department", "hr:themes", "hr:inclusion"}),
    ),
    MenuEntry(N_("Waves"), "hr:waves", lambda who: who.is_hr),
    MenuEntry(N_("Organisation"), "hr:organisation", lambda who: who.is_hr),
    MenuEntry(N_("Quick Scan figures"), "hr:quickscan", lambda who: who.is_hr),
    MenuEntry(N_("Team"), "teams:overview", lambda who: who.is_manager and not who.is_hr),
    MenuEntry(N_("Quick Scan"), "quickscan:home", lambda who: who.is_employee),
    MenuEntry(N_("Our results"), "results:organisation", lambda who: True),
    MenuEntry(N_("Admin"), "admin:overview", lambda who: who.is_admin),
)


@dataclass(frozen=True)
class MenuLink:
    label: str
    href: str
    # "page" on the entry page itself, "true" on a page inside its area, None elsewhere.
    current: str | None


def main_menu(request: Request, principal: object) -> list[MenuLink]:
    """The entries ``principal`` may open, in the request's language."""
    if not isinstance(principal, Principal):
        return []
    path = request.url.path
    handler = request.scope.get("route_handler")
    name = getattr(handler, "name", None)
    claimed = any(name in entry.pages for entry in MENU)
    links = []
    for entry in MENU:
        rule = request.app.get_handler_index_by_name(entry.route)["handler"].opt[ACCESS_KEY]
        if not (entry.shown_to(principal) and allowed(rule, principal, {})):
            continue
        href = request.app.route_reverse(entry.route)
        if path == href:
            current = "page"
        elif name in entry.pages or (not claimed and path.startswith(href.rstrip("/") + "/")):
            current = "true"
        else:
            current = None
        links.append(MenuLink(gettext(entry.label), href, current))
    return links
