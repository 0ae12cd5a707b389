"""HR's Quick Scan figures per department, through the anonymity gate.

Conversations are personal; HR sees only figures of groups. Per department (with everything
below it) and for the organisation:

- *employees*: the active employees now, in their current department;
- *coverage*: the share of those employees who had a talk (held or confirmed) in the last
  12 months, with any manager, in any department;
- *conversations*: the employees with a talk in the last 12 months, counted in the
  department of their latest one (`QuickScan.department`: where they worked when it was
  planned);
- *averages* per topic and *signal share*: over each employee's latest self-assessment of the
  last 12 months (shared with the manager or not), in that conversation's department;
- *overdue*: talks whose follow-up day has passed without the follow-up being marked done,
  counted in the conversation's department.

Every figure passes `analysis.gate.suppress_tree` over the department tree with the group
minimum in force (`waves.thresholds`), each on the people it is about: the active employees
(employees, coverage), the employees with a talk in the window (conversations), the
employees with a talk still on record (overdue), the employees with a self-assessment
(signal share; and per topic those who answered it, for its average). So no figure rests on
fewer than ``k`` people, and no hidden group can be worked out from its parent and its
shown siblings. The trend (per quarter, the last 8) is gated the same way, on a tree of the
top-level departments only, which is all it shows.

The gate (numpy, scipy) is imported inside `compute`, which runs in a thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from survey_app import audit
from survey_app.core.clock import aware
from survey_app.core.settings import Settings
from survey_app.organisation.tree import DepartmentTree, load_tree
from survey_app.quickscan.conversation import TALKED, stored_json
from survey_app.tables.conversations import QuickScan
from survey_app.tables.identity import Employee
from survey_app.waves import thresholds
from surveys import QuickScanForm, load_quickscan

if TYPE_CHECKING:
    from analysis.gate import Suppressed

# Coverage, conversations and averages look back this far.
WINDOW = dt.timedelta(days=365)
QUARTERS = 8


@dataclass(frozen=True)
class QuickScanFigures:
    """One department (subtree included) or the organisation (``code`` empty)."""

    code: str
    name: str
    depth: int
    employees: int | Suppressed | None  # None: a former department, nobody works there now
    coverage: float | Suppressed | None
    conversations: int | Suppressed
    averages: Mapping[str, float | Suppressed]
    signal_share: float | Suppressed
    overdue: int | Suppressed


@dataclass(frozen=True)
class TrendPoint:
    year: int
    quarter: int
    coverage: float | Suppressed
    averages: Mapping[str, float | Suppressed]


@dataclass(frozen=True)
class Trend:
    """The organisation's (``code`` empty) or a top-level department's quarters."""

    code: str
    name: str
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class QuickScanOverview:
    today: dt.date
    since: dt.date  # the first day of the 12-month window
    k: int
    topics: tuple[str, ...]
    organisation: QuickScanFigures | None  # None when the tree has one top-level department
    rows: tuple[QuickScanFigures, ...]  # in tree order
    trends: tuple[Trend, ...]  # the organisation first


@dataclass(frozen=True)
class Scan:
    """What the figures read of one conversation (no text is kept)."""

    employee: int
    department: int
    talked: bool
    held_on: dt.date | None
    assessed_on: dt.date | None  # the day of the self-assessment (organisation's clock)
    scores: Mapping[str, float]  # topic -> answer (numbers only)
    signal: bool  # at least one signal fires on the answers
    overdue: bool


@dataclass(frozen=True)
class Facts:
    """Everything `compute` needs, read from the database."""

    tree: DepartmentTree
    employees: Mapping[int, int]  # active employee -> department
    scans: tuple[Scan, ...]


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def last_quarters(today: dt.date, count: int = QUARTERS) -> list[tuple[int, int]]:
    """The ``count`` quarters up to and including today's, oldest first."""
    year, quarter = quarter_of(today)
    found = []
    for _ in range(count):
        found.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found[::-1]


def _scan(row: dict[str, Any], form: QuickScanForm, today: dt.date, timezone: dt.tzinfo) -> Scan:
    answers = stored_json(row["self_assessment"], {})
    assert isinstance(answers, dict)
    scores = {
        key: float(value)
        for key, value in answers.items()
        if key in form.topics and isinstance(value, int) and not isinstance(value, bool)
    }
    prepared = row["prepared_at"]
    talked = row["status"] in TALKED
    return Scan(
        employee=row["employee"],
        department=row["department"],
        talked=talked and row["held_on"] is not None,
        held_on=row["held_on"],
        assessed_on=aware(prepared).astimezone(timezone).date() if prepared and answers else None,
        scores=scores,
        signal=bool(form.signals_for(answers)),
        overdue=talked
        and row["follow_up_on"] is not None
        and row["follow_up_on"] < today
        and row["followed_up_at"] is None,
    )


async def read_facts(today: dt.date, timezone: dt.tzinfo) -> Facts:
    form = load_quickscan()
    rows = await QuickScan.select(
        QuickScan.employee,
        QuickScan.department,
        QuickScan.status,
        QuickScan.self_assessment,
        QuickScan.prepared_at,
        QuickScan.held_on,
        QuickScan.follow_up_on,
        QuickScan.followed_up_at,
    )
    employees = await Employee.select(Employee.id, Employee.department).where(
        Employee.active == True  # noqa: E712
    )
    return Facts(
        tree=await load_tree(),
        employees={row["id"]: row["department"] for row in employees},
        scans=tuple(_scan(row, form, today, timezone) for row in rows),
    )


def _latest(scans: Sequence[Scan], day: Any) -> dict[int, Scan]:
    """Per employee, the scan with the latest ``day(scan)`` (scans without one left out)."""
    found: dict[int, Scan] = {}
    for scan in scans:
        when = day(scan)
        if when is not None and (scan.employee not in found or when >= day(found[scan.employee])):
            found[scan.employee] = scan
    return found


class _Groups:
    """The gate's tree of department paths, and counts per group (subtree included)."""

    def __init__(self, paths: Sequence[str]) -> None:
        from analysis.tree import GroupTree

        self.tree = GroupTree.from_paths(paths)

    def rolled(self, by_path: Sequence[tuple[str, float]], columns: int = 1) -> Any:
        """Sum ``(path, value)`` pairs per group and roll them up the tree."""
        import numpy as np

        direct = np.zeros((len(self.tree), columns))
        for path, value in by_path:
            direct[self.tree.index(path)] += value
        return self.tree.roll_up(direct)

    def gate(self, counts: Any, k: int, already: Any = None) -> Any:
        """Reason codes per group and column, the organisation's in an extra last row (shown
        from ``k`` people on). ``already``: reasons that stay, in the same shape (with the
        organisation's row)."""
        import numpy as np

        from analysis.gate import TOO_FEW, VISIBLE, suppress_tree

        counts = np.rint(counts).astype(np.int64)
        reasons = suppress_tree(
            self.tree, counts, k, already_suppressed=None if already is None else already[:-1]
        )
        total = counts[list(self.tree.top_level)].sum(axis=0)
        whole = np.where(total >= k, VISIBLE, TOO_FEW).astype(np.int8)
        if already is not None:
            whole = np.where(already[-1] != VISIBLE, already[-1], whole).astype(np.int8)
        return np.vstack([reasons, whole])


def _value(value: float, reason: int) -> Any:
    from analysis.gate import gated

    return gated(value, int(reason))


def _ratio(numerator: float, denominator: float, reason: int) -> Any:
    """A share or a mean as a plain float (numpy's own would print as np.float64(...))."""
    return _value(float(numerator / denominator) if denominator else 0.0, reason)


def _topic_figures(
    groups: _Groups,
    latest: Mapping[int, Scan],
    paths: Mapping[int, str],
    topics: Sequence[str],
    k: int,
) -> tuple[Any, Any, Any, Any]:
    """Respondents, signal counts, per-topic sums and the gate's reasons (respondents,
    topics) over the latest self-assessments ``latest``; the organisation in the last row."""
    import numpy as np

    people = [(paths[scan.department], 1) for scan in latest.values()]
    signals = [(paths[scan.department], scan.signal) for scan in latest.values()]
    answered = np.zeros((len(groups.tree), len(topics)))
    sums = np.zeros((len(groups.tree), len(topics)))
    for scan in latest.values():
        row = groups.tree.index(paths[scan.department])
        for column, topic in enumerate(topics):
            if topic in scan.scores:
                answered[row, column] += 1
                sums[row, column] += scan.scores[topic]
    respondents = groups.rolled(people)
    signal_counts = groups.rolled(signals)
    answered, sums = groups.tree.roll_up(answered), groups.tree.roll_up(sums)
    top = list(groups.tree.top_level)
    respondents_all = np.vstack([respondents, respondents[top].sum(axis=0)])
    signals_all = np.vstack([signal_counts, signal_counts[top].sum(axis=0)])
    answered_all = np.vstack([answered, answered[top].sum(axis=0)])
    sums_all = np.vstack([sums, sums[top].sum(axis=0)])
    respondent_reason = groups.gate(respondents, k)
    topic_reason = groups.gate(
        answered, k, already=np.repeat(respondent_reason, len(topics), axis=1)
    )
    averages = [
        {
            topic: _ratio(
                sums_all[row, column], answered_all[row, column], topic_reason[row, column]
            )
            for column, topic in enumerate(topics)
        }
        for row in range(len(groups.tree) + 1)
    ]
    shares = [
        _ratio(signals_all[row, 0], respondents_all[row, 0], respondent_reason[row, 0])
        for row in range(len(groups.tree) + 1)
    ]
    return averages, shares, respondents_all, respondent_reason


def compute(facts: Facts, *, today: dt.date, k: int, topics: Sequence[str]) -> QuickScanOverview:
    """Every gated figure (numpy and the gate loaded here: run in a thread)."""
    import numpy as np

    departments = facts.tree
    since = today - WINDOW + dt.timedelta(days=1)
    used = {node.id for node in departments.nodes.values() if node.active}
    used |= set(facts.employees.values()) | {scan.department for scan in facts.scans}
    paths = {department: departments.path(department) for department in used}
    if not paths:
        return QuickScanOverview(today, since, k, tuple(topics), None, (), ())
    groups = _Groups(sorted(set(paths.values())))
    size = len(groups.tree)

    def in_window(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
        return day is not None and start <= day <= end

    talked = [scan for scan in facts.scans if scan.talked]
    window_talks = _latest(
        [scan for scan in talked if in_window(scan.held_on, since, today)], lambda s: s.held_on
    )
    on_record = _latest(talked, lambda s: s.held_on)
    covered = set(window_talks)
    latest = _latest(
        [scan for scan in facts.scans if in_window(scan.assessed_on, since, today)],
        lambda s: s.assessed_on,
    )
    base = groups.rolled(
        [
            (paths[dept], (1, employee in covered, 0, 0))
            for employee, dept in facts.employees.items()
        ]
        + [(paths[scan.department], (0, 0, 1, 0)) for scan in window_talks.values()]
        + [(paths[scan.department], (0, 0, 0, 1)) for scan in on_record.values()],
        columns=4,
    )
    overdue = groups.rolled([(paths[scan.department], scan.overdue) for scan in talked])
    top = list(groups.tree.top_level)
    base_all = np.vstack([base, base[top].sum(axis=0)])
    overdue_all = np.vstack([overdue, overdue[top].sum(axis=0)])
    # Columns gated: active employees, talks in the window, talks on record.
    reasons = groups.gate(base[:, [0, 2, 3]], k)
    averages, shares, _respondents, _reasons = _topic_figures(groups, latest, paths, topics, k)
    by_code = {node.code: node for node in departments.nodes.values()}

    def figures(row: int) -> QuickScanFigures:
        if row == size:
            code, name, depth, former = "", "", -1, False
        else:
            code = groups.tree.paths[row].rsplit("/", 1)[-1]
            node = by_code.get(code)
            name = node.name if node else code
            depth = groups.tree.depth(row)
            former = node is not None and not node.active and not base_all[row, 0]
        employees, covered_count, conversations, _record = base_all[row]
        return QuickScanFigures(
            code=code,
            name=name,
            depth=depth,
            employees=None if former else _value(int(employees), reasons[row, 0]),
            coverage=None if former else _ratio(covered_count, employees, reasons[row, 0]),
            conversations=_value(int(conversations), reasons[row, 1]),
            averages=averages[row],
            signal_share=shares[row],
            overdue=_value(int(overdue_all[row, 0]), reasons[row, 2]),
        )

    rows = tuple(figures(row) for row in range(size))
    organisation = figures(size) if len(top) > 1 else None
    return QuickScanOverview(
        today=today,
        since=since,
        k=k,
        topics=tuple(topics),
        organisation=organisation,
        rows=rows,
        trends=_trends(facts, paths, by_code, today=today, k=k, topics=topics),
    )


def _trends(
    facts: Facts,
    paths: Mapping[int, str],
    by_code: Mapping[str, Any],
    *,
    today: dt.date,
    k: int,
    topics: Sequence[str],
) -> tuple[Trend, ...]:
    """Per quarter: coverage (talks in the 12 months up to the quarter's end, of today's
    employees) and averages (the latest self-assessment of each employee in the quarter),
    for the organisation and each top-level department, gated on a tree of those only."""
    tops = {department: path.split("/", 1)[0] for department, path in paths.items()}
    groups = _Groups(sorted(set(tops.values())))
    size = len(groups.tree)
    employees = groups.rolled([(tops[dept], 1) for dept in facts.employees.values()])
    employee_reason = groups.gate(employees, k)
    employees_all = [*employees[:, 0], employees[:, 0].sum()]
    talked = [scan for scan in facts.scans if scan.talked and scan.held_on is not None]
    series: list[list[TrendPoint]] = [[] for _ in range(size + 1)]
    for year, quarter in last_quarters(today):
        start, end = quarter_bounds(year, quarter)
        end = min(end, today)
        covered = {
            scan.employee
            for scan in talked
            if scan.held_on is not None and end - WINDOW < scan.held_on <= end
        }
        counted = groups.rolled(
            [(tops[dept], employee in covered) for employee, dept in facts.employees.items()]
        )
        covered_all = [*counted[:, 0], counted[:, 0].sum()]
        latest = _latest(
            [
                scan
                for scan in facts.scans
                if scan.assessed_on is not None and start <= scan.assessed_on <= end
            ],
            lambda s: s.assessed_on,
        )
        averages, _shares, _n, _reason = _topic_figures(groups, latest, tops, topics, k)
        for row in range(size + 1):
            series[row].append(
                TrendPoint(
                    year,
                    quarter,
                    _ratio(covered_all[row], employees_all[row], employee_reason[row, 0]),
                    averages[row],
                )
            )
    trends = [Trend("", "", tuple(series[size]))]
    if size > 1:
        for row, path in enumerate(groups.tree.paths):
            node = by_code.get(path)
            trends.append(Trend(path, node.name if node else path, tuple(series[row])))
    return tuple(trends)


async def quickscan_figures(
    *, today: dt.date, settings: Settings, actor: str = ""
) -> QuickScanOverview:
    """HR's figures, gated; with ``actor`` (HR opening the page) one audit record."""
    k = (await thresholds.current(settings)).min_group_size
    facts = await read_facts(today, settings.timezone)
    topics = load_quickscan().topics
    overview = await asyncio.to_thread(compute, facts, today=today, k=k, topics=topics)
    if actor:
        await audit.record("quickscan.figures_viewed", actor, "", k=k)
    return overview
