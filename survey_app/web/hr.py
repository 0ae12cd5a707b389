"""HR pages: waves, their response rates and comment themes per department."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Template

from survey_app.auth import audit, thresholds
from survey_app.i18n import current_language
from survey_app.organisation import DepartmentTree, load_tree
from survey_app.results import CommentThemes, comment_themes
from survey_app.settings import Settings
from survey_app.waves import (
    WaveError,
    WaveInfo,
    WaveState,
    get_wave,
    list_waves,
    participation,
    state_label,
    utc_now,
)
from survey_app.web.access import Rule, access, principal_of
from survey_app.web.auth import SIGN_IN_REQUIRED
from survey_app.web.pages import html_response, page

# A wave id is a UUID; uuid.UUID() also accepts the "urn:uuid:" and "{...}" spellings.
PUBLIC_ID_MAX_LENGTH = 45


HR_ONLY = {**SIGN_IN_REQUIRED, 403: html_response("Signed in without the HR role")}
WAVE_RESPONSES = {
    400: html_response("The wave id is too long"),
    404: html_response("No wave with this id"),
}


def theme_groups(
    themes: CommentThemes, tree: DepartmentTree, within: str | None = None
) -> list[tuple[int, str, dict, list[tuple[str, float, float]]]]:
    """Per department (only the subtree ``within``, when given): depth, name, the gated
    figures and the three largest themes with their difference from the whole."""
    labels = {theme.id: theme.label for theme in themes.themes}
    groups = []
    for path, data in sorted(themes.by_group.items(), key=lambda item: item[0].split("/")):
        if within is not None and not in_subtree(path, within):
            continue
        largest = (
            []
            if data.get("suppressed")
            else sorted(
                (
                    (labels[theme_id], share, data["difference"][theme_id])
                    for theme_id, share in data["shares"].items()
                    if share > 0
                ),
                key=lambda item: -item[1],
            )[:3]
        )
        groups.append((path.count("/"), tree.name_for_path(path), data, largest))
    return groups


def in_subtree(path: str, root_path: str) -> bool:
    return path == root_path or path.startswith(root_path + "/")


async def record_view(request: Request, wave: WaveInfo, what: str, department: str = "") -> None:
    """Results pages leave a line in the audit trail: who looked at which results."""
    principal = principal_of(request)
    await audit.record(
        "results.viewed",
        actor=principal.username if principal else "",
        target=f"wave {wave.public_id}" + (f" department {department}" if department else ""),
        page=what,
    )


async def wave_or_404(public_id: str) -> WaveInfo:
    try:
        return await get_wave(public_id)
    except WaveError as error:
        raise NotFoundException() from error


class WaveStatusController(Controller):
    path = "/hr/waves"
    opt = access(Rule.HR)

    @get("/", name="hr:waves", responses=HR_ONLY)
    async def waves(self, request: Request) -> Template:
        now = utc_now()
        waves = await list_waves()
        return page(
            request,
            "hr/waves.html",
            waves=[(wave, wave.state(now)) for wave in waves],
            state_label=state_label,
        )

    @get(
        "/{public_id:str}",
        name="hr:wave",
        responses={**HR_ONLY, **WAVE_RESPONSES},
    )
    async def wave(
        self,
        request: Request,
        public_id: Annotated[str, PathParameter(max_length=PUBLIC_ID_MAX_LENGTH)],
    ) -> Template:
        wave = await wave_or_404(public_id)
        rows, tree = await participation(wave)
        await record_view(request, wave, "response_rates")
        return page(
            request,
            "hr/wave.html",
            wave=wave,
            state=wave.state(utc_now()),
            state_label=state_label,
            rows=rows,
            names={row.path: tree.name_for_path(row.path) for row in rows},
        )

    @get("/{public_id:str}/themes", name="hr:themes", responses={**HR_ONLY, **WAVE_RESPONSES})
    async def themes(
        self,
        request: Request,
        public_id: Annotated[str, PathParameter(max_length=PUBLIC_ID_MAX_LENGTH)],
        settings: NamedDependency[Settings],
    ) -> Template:
        """What people wrote about: themes of the comments, per department through the gate.

        Only labels, terms and shares are shown; no comment text (quotes wait for sign-in
        and roles, so that only HR can read them). Only for closed waves: results that
        change with every new comment would show, by comparing two page loads, what the
        last person wrote.
        """
        wave = await wave_or_404(public_id)
        if wave.state(utc_now()) is not WaveState.CLOSED:
            return page(request, "hr/themes.html", wave=wave, result=None, groups=[])
        themes = await comment_themes(
            wave,
            (await thresholds.current(settings)).min_comment_group_size,
            current_language.get(),
        )
        groups = theme_groups(themes, await load_tree())
        await record_view(request, wave, "themes")
        return page(request, "hr/themes.html", wave=wave, result=themes, groups=groups)
