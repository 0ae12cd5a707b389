"""The one door for results: everything derived from answers reaches people through here.

`wave_results` takes the viewer (HR, a manager with their scope, or the operator at the
command line), the wave and the department whose subtree is asked for; it checks that the
viewer may see that department, applies the current anonymity thresholds, gathers the
response rates, the comment themes and the score report (each already gated by
`analysis`), keeps only the viewer's part of the tree, writes the audit record and returns
one `WaveResults`. Pages, partials, exports and the command line only render that object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from analysis.participation import ParticipationRow
from analysis.report import GatedReport
from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.core.errors import N_, Forbidden, NotFound
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.tree import DepartmentNode, DepartmentTree, load_tree
from survey_app.results import thresholds
from survey_app.results.participation import participation
from survey_app.results.scores import score_report
from survey_app.results.themes import CommentThemes, comment_themes
from survey_app.results.thresholds import Thresholds
from survey_app.waves.service import (
    WaveInfo,
    WaveNotFound,
    WaveState,
    get_wave,
    list_waves,
    wave_template,
)


class ResultsRefused(Forbidden):
    messages: ClassVar[dict[str, str]] = {
        "not_in_scope": N_("You do not have access to the results of this department."),
    }


class DepartmentNotFound(NotFound):
    messages: ClassVar[dict[str, str]] = {
        "unknown_department": N_("Unknown department code: {code}"),
    }


@dataclass(frozen=True)
class RateRow:
    """Invited and responded in a department and everything below it."""

    path: str
    name: str
    depth: int
    invited: int
    responded: int
    rate: float


@dataclass(frozen=True)
class ThemeGroup:
    """A department's comment themes: the gated figures and its three largest themes, each
    with its share and its difference from the whole organisation."""

    path: str
    name: str
    depth: int
    figures: dict[str, Any]  # {"n", "shares", "difference"} or {"suppressed": True}
    largest: list[tuple[str, float, float]]

    @property
    def suppressed(self) -> bool:
        return bool(self.figures.get("suppressed"))


@dataclass(frozen=True)
class WaveResults:
    """What a viewer may see of one wave, for one department's subtree (or the whole)."""

    wave: WaveInfo
    state: WaveState
    department: DepartmentNode | None  # None: the whole organisation
    department_path: str | None
    thresholds: Thresholds
    rates: list[RateRow]
    # Comment themes and scores exist once the wave has closed and when they were asked
    # for: results that change with every answer would show, by comparing two moments,
    # what the last person wrote.
    themes: CommentThemes | None
    theme_groups: list[ThemeGroup]
    scores: GatedReport | None

    @property
    def closed(self) -> bool:
        return self.state is WaveState.CLOSED

    def score_records(self) -> list[dict[str, Any]]:
        """The gated item and scale figures per department within the viewer's subtree."""
        if self.scores is None:
            return []
        root = self.department_path
        return [
            record
            for record in self.scores.records()
            if root is None or in_subtree(record["group"], root)
        ]


def in_subtree(path: str, root_path: str) -> bool:
    return path == root_path or path.startswith(root_path + "/")


def operator(name: str) -> Principal:
    """The person at the server's command line: sees what HR sees (they hold the database)."""
    return Principal(
        account_id=0,
        username=name,
        display_name=name,
        employee_id=None,
        is_hr=True,
        is_admin=False,
        session_id=0,
        method="command_line",
    )


def _department(viewer: Principal, tree: DepartmentTree, code: str | None) -> DepartmentNode | None:
    if code is None:
        if not viewer.is_hr:
            raise ResultsRefused("not_in_scope")
        return None
    if not (viewer.is_hr or viewer.manages(code)):
        raise ResultsRefused("not_in_scope")
    node = tree.by_code(code)
    if node is None:
        raise DepartmentNotFound("unknown_department", code=code)
    return node


async def wave_results(
    viewer: Principal,
    wave_id: str,
    *,
    settings: Settings,
    language: str,
    view: str,
    department_code: str | None = None,
    with_themes: bool = False,
    with_scores: bool = False,
) -> WaveResults:
    """The results of one wave that ``viewer`` may see, recorded in the audit trail as
    ``view`` (the page or command). Raises `WaveNotFound`, `DepartmentNotFound` or
    `ResultsRefused` before anything is read or recorded."""
    wave = await get_wave(wave_id)
    tree = await load_tree()
    department = _department(viewer, tree, department_code)
    current = await thresholds.current(settings)
    root = tree.path(department.id) if department is not None else None
    rows, _tree = await participation(wave)
    rates = [_rate_row(row, tree) for row in rows if root is None or in_subtree(row.path, root)]
    if root is not None and not rates:
        # A wave that invited nobody in this department has no results for it: not even
        # that it exists, nor its organisation-wide figures.
        raise WaveNotFound("unknown_wave", id=wave_id)
    state = wave.state(utc_now())
    themes, groups, scores = None, [], None
    if state is WaveState.CLOSED and with_themes:
        themes = await comment_themes(wave, current.min_comment_group_size, language)
        groups = theme_groups(themes, tree, within=root)
    if state is WaveState.CLOSED and with_scores:
        scores = await score_report(
            wave, await wave_template(wave), current.min_group_size, language
        )
    await audit.record(
        "results.viewed",
        actor=viewer.username,
        target=f"wave {wave.public_id}" + (f" department {department.code}" if department else ""),
        page=view,
    )
    return WaveResults(
        wave=wave,
        state=state,
        department=department,
        department_path=root,
        thresholds=current,
        rates=rates,
        themes=themes,
        theme_groups=groups,
        scores=scores,
    )


def _rate_row(row: ParticipationRow, tree: DepartmentTree) -> RateRow:
    return RateRow(
        path=row.path,
        name=tree.name_for_path(row.path),
        depth=row.depth,
        invited=row.invited,
        responded=row.responded,
        rate=row.rate,
    )


def theme_groups(
    themes: CommentThemes, tree: DepartmentTree, within: str | None = None
) -> list[ThemeGroup]:
    """Per department (only the subtree ``within``, when given): the gated figures and the
    three largest themes with their difference from the whole."""
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
        groups.append(ThemeGroup(path, tree.name_for_path(path), path.count("/"), data, largest))
    return groups


@dataclass(frozen=True)
class DepartmentWaves:
    """A department the viewer may see, and the waves its people were invited to."""

    department: DepartmentNode
    waves: list[tuple[WaveInfo, WaveState]]


async def waves_by_department(viewer: Principal) -> list[DepartmentWaves]:
    """For a manager's overview: per department of their scope (for HR, per top-level
    department) the waves that invited someone in it. Only which waves exist, no figures."""
    tree = await load_tree()
    if viewer.is_hr and not viewer.is_manager:
        roots = [node.code for node in tree.children(None)]
    else:
        roots = list(viewer.scope_roots)
    now = utc_now()
    invited_paths = [
        (wave, {row.path for row in (await participation(wave))[0]}) for wave in await list_waves()
    ]
    found = []
    for code in roots:
        node = tree.by_code(code)
        if node is None:
            continue
        root_path = tree.path(node.id)
        waves = [
            (wave, wave.state(now))
            for wave, paths in invited_paths
            if any(in_subtree(path, root_path) for path in paths)
        ]
        found.append(DepartmentWaves(node, waves))
    return found
