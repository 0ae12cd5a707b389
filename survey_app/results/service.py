"""The one door for results: everything derived from answers reaches people through here.

`wave_results` takes the viewer (HR, a manager with their scope, or the operator at the
command line), the wave and the department whose subtree is asked for; it checks that the
viewer may see that department, applies the current anonymity thresholds, gathers the
response rates, the comment themes and the score report (each already gated by
`analysis`), keeps only the viewer's part of the tree, writes the audit record and returns
one `WaveResults`. Pages, partials, exports and the command line only render that object.

The analysis stack (numpy, scipy, scikit-learn, nltk: about 150 MB per process) is
imported by the functions that compute, in threads, not by this module or the ones it
imports at the top: a web worker that serves surveys, sign-in and other pages never loads
it, and one that computes results loads it off the event loop (`tests/test_memory.py`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from survey_app import audit
from survey_app.core.clock import local_today, utc_now
from survey_app.core.errors import N_, Forbidden, NotFound
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.organisation.tree import DepartmentNode, DepartmentTree, in_subtree, load_tree
from survey_app.responding.release import release_all
from survey_app.results.dashboard import ScoreView, build_view
from survey_app.results.inclusion import InclusionView, wave_inclusion
from survey_app.results.participation import (
    GatedRate,
    gate_rates,
    invited_paths,
    participation,
    protected_responded,
    responded_in,
)
from survey_app.results.scores import score_data, score_report
from survey_app.results.selection import earlier_waves, organisation_wide
from survey_app.results.themes import CommentThemes, ThemeGroup, comment_themes, theme_groups
from survey_app.waves import thresholds
from survey_app.waves.service import (
    WaveInfo,
    WaveNotFound,
    WaveState,
    get_wave,
    list_waves,
    wave_template,
)
from survey_app.waves.thresholds import Thresholds

if TYPE_CHECKING:
    from analysis.report import GatedReport


class ResultsRefused(Forbidden):
    messages: ClassVar[dict[str, str]] = {
        "not_in_scope": N_("You do not have access to the results of this department."),
        "hr_only": N_("Only HR sees results by what people said about themselves."),
    }


class DepartmentNotFound(NotFound):
    messages: ClassVar[dict[str, str]] = {
        "unknown_department": N_("Unknown department code: {code}"),
    }


@dataclass(frozen=True)
class RateRow:
    """Invited and responded in a department and everything below it; the figures are None
    when the gate hides them (fewer than k invited, or it would give a small one away)."""

    path: str
    name: str
    depth: int
    invited: int | None
    responded: int | None
    rate: float | None

    @property
    def hidden(self) -> bool:
        return self.invited is None


@dataclass(frozen=True)
class WaveResults:
    """What a viewer may see of one wave, for one department's subtree (or the whole)."""

    wave: WaveInfo
    state: WaveState
    department: DepartmentNode | None  # None: the whole organisation
    department_path: str | None
    thresholds: Thresholds
    rates: list[RateRow]
    # While the wave is open, responses are counted up to the end of the day before this
    # one (refreshed once a day); None when the counts are final.
    responded_before: dt.date | None
    # Comment themes and scores exist once the wave has closed and when they were asked
    # for: results that change with every answer would show, by comparing two moments,
    # what the last person wrote.
    themes: CommentThemes | None
    theme_groups: list[ThemeGroup]
    scores: GatedReport | None
    # Scores as people read them (`results.dashboard`), once closed and when asked for.
    score_view: ScoreView | None = None
    # Departments below the viewer's own that were taken out of their scope: not shown.
    out_of_scope: frozenset[str] = frozenset()
    # Responded and invited in the whole organisation; None when fewer than k were invited.
    organisation_rate: tuple[int, int] | None = None
    # Days left to answer while the wave is open (0 on its last day).
    days_left: int | None = None
    # Figures per self-identified category (DIG), for HR only, once closed and when asked.
    inclusion: InclusionView | None = None

    @property
    def closed(self) -> bool:
        return self.state is WaveState.CLOSED

    @property
    def counted_through(self) -> dt.date | None:
        """The last day whose responses the rates count while the wave is open."""
        if self.responded_before is None:
            return None
        return self.responded_before - dt.timedelta(days=1)

    def score_records(self) -> list[dict[str, Any]]:
        """The gated item and scale figures per department within the viewer's subtree."""
        if self.scores is None:
            return []
        root = self.department_path
        return [
            record
            for record in self.scores.records()
            if (root is None or in_subtree(record["group"], root))
            and record["group"] not in self.out_of_scope
        ]


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
    with_view: bool = False,
    with_trend: bool = False,
    organisation_only: bool = False,
    with_inclusion: bool = False,
    with_gap_trend: bool = False,
) -> WaveResults:
    """The results of one wave that ``viewer`` may see, recorded in the audit trail as
    ``view`` (the page or command). Raises `WaveNotFound`, `DepartmentNotFound` or
    `ResultsRefused` before anything is read or recorded.

    ``with_view`` adds the `ScoreView` of this wave (the heatmap: departments against the
    organisation); ``with_trend`` also reads every earlier closed wave of the template: the
    change since the previous one, and trends for the department (or the organisation) and
    the organisation. ``organisation_only`` is what
    every signed-in person may see: the organisation's figures, no department.
    ``with_inclusion`` (HR and the operator only) adds the organisation's `InclusionView`,
    with the gap trends over earlier waves when ``with_gap_trend`` (the inclusion page's;
    ``with_trend`` is the score view's, which the inclusion page does not show)."""
    if with_inclusion and not viewer.is_hr:
        raise ResultsRefused("hr_only")
    wave = await get_wave(wave_id)
    tree = await load_tree()
    department = None if organisation_only else _department(viewer, tree, department_code)
    if organisation_only and not await organisation_wide(wave, tree):
        # A wave of some departments has no organisation figures: they would be theirs.
        raise WaveNotFound("unknown_wave", id=wave_id)
    current = await thresholds.current(settings)
    root = tree.path(department.id) if department is not None else None
    protected = out_of_scope(viewer, tree, root)
    state = wave.state(utc_now())
    responded_before = None if state is WaveState.CLOSED else local_today(settings.timezone)
    counting = asyncio.ensure_future(
        participation(wave, secret_key=settings.secret_key, responded_before=responded_before)
    )
    scoring: asyncio.Future[ScoreView | None] | None = None
    invited: asyncio.Future[frozenset[str]] | None = None
    try:
        if state is WaveState.CLOSED:
            # What still waits sealed is released once the wave has closed (whatever the
            # size of its group), at the first look at its results, before anything is
            # computed.
            await release_all(wave, secret_key=settings.secret_key)
            if with_view or with_trend:
                # The answers are read while the response rates are counted.
                scoring = asyncio.ensure_future(
                    _score_view(
                        wave,
                        tree,
                        settings=settings,
                        k=current.min_group_size,
                        language=language,
                        root=root,
                        protected=protected,
                        departments=(invited := asyncio.ensure_future(_invited(counting))),
                        counting=counting,
                        all_waves=with_trend,
                        organisation_only=organisation_only,
                    )
                )
        return await _gathered(
            viewer,
            wave,
            tree,
            department,
            current,
            root,
            protected,
            state,
            responded_before,
            await counting,
            scoring,
            settings=settings,
            language=language,
            view=view,
            with_themes=with_themes,
            with_scores=with_scores,
            organisation_only=organisation_only,
            wave_id=wave_id,
            with_inclusion=with_inclusion,
            with_gap_trend=with_gap_trend,
        )
    finally:
        await _settle(counting, scoring, invited)


async def _settle(*tasks: asyncio.Future | None) -> None:
    """Cancel what still runs after an error, and collect every outcome, so that no
    task's error goes unnoticed (or is logged as never retrieved)."""
    pending = [task for task in tasks if task is not None]
    for task in pending:
        if not task.done():
            task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def _invited(counting: asyncio.Future[list]) -> frozenset[str]:
    """Every department the wave invited (listed, hidden where too small, also those whose
    answers are stored under a larger response group)."""
    return frozenset(row.path for row in await counting)


async def _gathered(
    viewer: Principal,
    wave: WaveInfo,
    tree: DepartmentTree,
    department: DepartmentNode | None,
    current: Thresholds,
    root: str | None,
    protected: frozenset[str],
    state: WaveState,
    responded_before: dt.date | None,
    rows: list,
    scoring: asyncio.Future[ScoreView | None] | None,
    *,
    settings: Settings,
    language: str,
    view: str,
    with_themes: bool,
    with_scores: bool,
    organisation_only: bool,
    wave_id: str,
    with_inclusion: bool = False,
    with_gap_trend: bool = False,
) -> WaveResults:
    gated_rates = await asyncio.to_thread(gate_rates, rows, current.min_group_size, protected)
    rates = [
        _rate_row(gated, tree)
        for gated in gated_rates
        if (root is None or in_subtree(gated.row.path, root))
        and gated.row.path not in protected
        and not organisation_only
    ]
    top = [row for row in rows if row.depth == 0]
    invited_total = sum(row.invited for row in top)
    organisation_rate = (
        (sum(row.responded for row in top), invited_total)
        if invited_total >= current.min_group_size and not protected
        else None
    )
    if (root is not None and not rates) or (organisation_only and not top):
        # A wave that invited nobody in this department has no results for it: not even
        # that it exists, nor its organisation-wide figures.
        raise WaveNotFound("unknown_wave", id=wave_id)
    themes, groups, scores = None, [], None
    departments = frozenset(row.path for row in rows)
    if state is WaveState.CLOSED and with_themes and not organisation_only:
        themes = await comment_themes(
            wave,
            current.min_comment_group_size,
            language,
            protected,
            departments,
            root,
            responded_in(rows, protected) if protected else None,
            secret_key=settings.secret_key,
        )
        groups = [
            group
            for group in theme_groups(themes, tree, within=root)
            if group.path not in protected
        ]
    if state is WaveState.CLOSED and with_scores:
        scores = await score_report(
            wave,
            await wave_template(wave),
            current.min_group_size,
            language,
            protected,
            departments,
        )
    score_view = None if scoring is None else await scoring
    inclusion = None
    if state is WaveState.CLOSED and with_inclusion:
        earlier = await earlier_waves(wave) if with_gap_trend else []
        for other in earlier:
            await release_all(other, secret_key=settings.secret_key)
        inclusion = await wave_inclusion(wave, tree, departments, current, language, earlier)
    await audit.record(
        "results.viewed",
        actor=viewer.username,
        target=audit_target(wave, department),
        page=view,
    )
    return WaveResults(
        wave=wave,
        state=state,
        department=department,
        department_path=root,
        thresholds=current,
        rates=rates,
        responded_before=responded_before,
        themes=themes,
        theme_groups=groups,
        scores=scores,
        score_view=score_view,
        out_of_scope=protected,
        organisation_rate=organisation_rate,
        days_left=days_left(wave, settings) if state is WaveState.OPEN else None,
        inclusion=inclusion,
    )


def days_left(wave: WaveInfo, settings: Settings) -> int:
    """Whole days left to answer after today (0 on the last day); a wave closes at the end
    of its last day, i.e. at midnight after it."""
    last_day = (wave.closes_at.astimezone(settings.timezone) - dt.timedelta(microseconds=1)).date()
    return max(0, (last_day - local_today(settings.timezone)).days)


def audit_target(wave: WaveInfo, department: DepartmentNode | None) -> str:
    """What a view of results is recorded as: the wave's title and the department's name
    (with its code, which names are not unique across the tree)."""
    if department is None:
        return wave.title
    return f"{wave.title} – {department.name} ({department.code})"


async def _score_view(
    wave: WaveInfo,
    tree: DepartmentTree,
    *,
    settings: Settings,
    k: int,
    language: str,
    root: str | None,
    protected: frozenset[str],
    departments: asyncio.Future[frozenset[str]],
    counting: asyncio.Future[list],
    all_waves: bool,
    organisation_only: bool = False,
) -> ScoreView | None:
    earlier = await earlier_waves(wave) if all_waves else []
    if organisation_only:  # the organisation's trend: waves that asked all of it
        earlier = [other for other in earlier if await organisation_wide(other, tree)]
    waves = [*earlier, wave]
    for other in waves[:-1]:
        await release_all(other, secret_key=settings.secret_key)
    template = await wave_template(wave)
    data = await score_data(
        waves,
        template,
        k,
        language,
        protected,
        departments,
        protected_responded=await protected_responded(
            waves, protected, settings.secret_key, counting
        ),
    )
    if data is None:
        return None
    trend_paths = (None, root) if all_waves and root is not None else (None,) if all_waves else ()
    view = await asyncio.to_thread(
        build_view,
        data,
        template,
        language,
        tree,
        root=root,
        protected=protected,
        trend_paths=trend_paths,
    )
    return replace(view, rows=()) if organisation_only else view


def _rate_row(gated: GatedRate, tree: DepartmentTree) -> RateRow:
    row = gated.row
    return RateRow(
        path=row.path,
        name=tree.name_for_path(row.path),
        depth=row.depth,
        invited=None if gated.hidden else row.invited,
        responded=None if gated.hidden else row.responded,
        rate=None if gated.hidden else row.rate,
    )


def out_of_scope(viewer: Principal, tree: DepartmentTree, root: str | None) -> frozenset[str]:
    """Paths below the viewer's own departments that an administrator took out of their
    scope: never shown to them, and protected by the gate against subtraction. HR (and the
    operator) see everything."""
    if viewer.is_hr or root is None:
        return frozenset()
    return frozenset(
        tree.path(node.id)
        for node in tree.nodes.values()
        if node.code not in viewer.scope_codes and in_subtree(tree.path(node.id), root)
    )


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
    invited = [(wave, set(await invited_paths(wave))) for wave in await list_waves()]
    found = []
    for code in roots:
        node = tree.by_code(code)
        if node is None:
            continue
        root_path = tree.path(node.id)
        waves = [
            (wave, wave.state(now))
            for wave, paths in invited
            if any(in_subtree(path, root_path) for path in paths)
        ]
        found.append(DepartmentWaves(node, waves))
    return found
