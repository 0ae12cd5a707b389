"""Managers' pages: results of the departments they lead, through the same gate as HR's.

A manager sees response rates and comment themes of their own departments and everything
below them (HR may open the same pages for any department). The rows are a subset of what
the gate releases for the whole organisation, so a manager never sees more than HR would.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Template

from survey_app.auth import thresholds
from survey_app.i18n import current_language
from survey_app.organisation import load_tree
from survey_app.results import comment_themes
from survey_app.settings import Settings
from survey_app.waves import WaveState, list_waves, participation, state_label, utc_now
from survey_app.web.access import Rule, access, principal_of
from survey_app.web.auth import SIGN_IN_REQUIRED
from survey_app.web.hr import (
    PUBLIC_ID_MAX_LENGTH,
    WAVE_RESPONSES,
    in_subtree,
    record_view,
    theme_groups,
    wave_or_404,
)
from survey_app.web.pages import html_response, page

DEPARTMENT_CODE_MAX_LENGTH = 64
NOT_THEIR_DEPARTMENT = {
    403: html_response("Neither HR nor a manager (of this department)"),
}


class TeamsController(Controller):
    path = "/teams"
    # Managers for departments in their scope (checked against ``department_code`` by the
    # guard), HR for every department.
    opt = access(Rule.MANAGER)

    @get("/", name="teams:overview", responses={**SIGN_IN_REQUIRED, **NOT_THEIR_DEPARTMENT})
    async def overview(self, request: Request) -> Template:
        principal = principal_of(request)
        assert principal is not None
        tree = await load_tree()
        if principal.is_hr and not principal.is_manager:
            roots = [node.code for node in tree.children(None)]
        else:
            roots = list(principal.scope_roots)
        now = utc_now()
        departments = []
        waves = [(wave, await participation(wave)) for wave in await list_waves()]
        for code in roots:
            node = tree.by_code(code)
            if node is None:
                continue
            root_path = tree.path(node.id)
            included = []
            for wave, (rows, _tree) in waves:
                if any(in_subtree(row.path, root_path) for row in rows):
                    included.append((wave, wave.state(now)))
            departments.append((node, included))
        return page(
            request, "teams/overview.html", departments=departments, state_label=state_label
        )

    @get(
        "/{department_code:str}/waves/{public_id:str}",
        name="teams:wave",
        responses={**SIGN_IN_REQUIRED, **NOT_THEIR_DEPARTMENT, **WAVE_RESPONSES},
    )
    async def wave(
        self,
        request: Request,
        department_code: Annotated[str, PathParameter(max_length=DEPARTMENT_CODE_MAX_LENGTH)],
        public_id: Annotated[str, PathParameter(max_length=PUBLIC_ID_MAX_LENGTH)],
        settings: NamedDependency[Settings],
    ) -> Template:
        wave = await wave_or_404(public_id)
        rows, tree = await participation(wave)
        node = tree.by_code(department_code)
        if node is None:
            raise NotFoundException()
        root_path = tree.path(node.id)
        rows = [row for row in rows if in_subtree(row.path, root_path)]
        state = wave.state(utc_now())
        themes = None
        groups: list = []
        if state is WaveState.CLOSED:
            themes = await comment_themes(
                wave,
                (await thresholds.current(settings)).min_comment_group_size,
                current_language.get(),
            )
            groups = theme_groups(themes, tree, within=root_path)
        await record_view(request, wave, "team_results", department=department_code)
        return page(
            request,
            "teams/wave.html",
            wave=wave,
            department=node,
            state=state,
            state_label=state_label,
            rows=rows,
            names={row.path: tree.name_for_path(row.path) for row in rows},
            result=themes,
            groups=groups,
        )
