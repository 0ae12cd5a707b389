"""The anonymity gate: minimum group sizes and secondary suppression against differencing.

Every figure shown to anyone passes through here (analysis/README.md, "The anonymity gate").
Primary suppression hides a group with fewer than ``k`` respondents. Secondary
suppression then makes sure that no hidden group of 1 to ``k - 1`` respondents can be
recovered by subtracting visible groups from a visible total: for every visible parent,
``parent n - sum(visible children n)`` must be 0 or at least ``k``. Respondents who sit
directly at an inner group (not in any of its children) count as an implicit child that
is never shown, so they are protected in the same way.

Suppression reasons are small integer codes so that whole reports (groups x waves x
items) are gated with a few numpy operations; `Suppressed` is the explicit marker that
takes the place of a hidden value wherever a single value is handed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from analysis.errors import AnalysisError
from analysis.tree import ROOT, GroupTree

VISIBLE = 0
TOO_FEW = 1
PARENT_SUPPRESSED = 2
DIFFERENCING = 3
OUT_OF_SCOPE = 4

REASONS = {
    TOO_FEW: "too_few_respondents",
    PARENT_SUPPRESSED: "parent_suppressed",
    DIFFERENCING: "differencing",
    OUT_OF_SCOPE: "out_of_scope",
}

MINIMUM_K = 3
DEFAULT_K = 5
DEFAULT_K_COMMENTS = 5
DEFAULT_K_DEMOGRAPHICS = 10


@dataclass(frozen=True)
class Suppressed:
    """The marker that stands in for a value the gate hides. Never a silent None or zero.

    Parameters
    ----------
    reason : str
        One of ``too_few_respondents``, ``parent_suppressed`` or ``differencing``.
    """

    reason: str = "too_few_respondents"

    def to_json(self) -> dict[str, Any]:
        return {"suppressed": True}

    @classmethod
    def from_code(cls, code: int) -> Suppressed:
        return cls(REASONS[int(code)])


def check_k(k: int) -> int:
    """Return `k` if it is an allowed minimum group size; ValueError below `MINIMUM_K`."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise AnalysisError("k_not_whole", k=k)
    if k < MINIMUM_K:
        raise AnalysisError("k_too_small", minimum=MINIMUM_K, k=int(k))
    return int(k)


@dataclass(frozen=True)
class GateConfig:
    """The minimum group sizes: scores, comments and demographic breakdowns.

    Parameters
    ----------
    k : int
        Minimum respondents for any score (default 5, never below 3).
    k_comments : int
        Minimum respondents before comments are shown (default 5, at least `k`).
    k_demographics : int
        Minimum respondents per cell of a demographic breakdown (default 10, at least `k`).
    """

    k: int = DEFAULT_K
    k_comments: int = DEFAULT_K_COMMENTS
    k_demographics: int = DEFAULT_K_DEMOGRAPHICS

    def __post_init__(self) -> None:
        check_k(self.k)
        for name in ("k_comments", "k_demographics"):
            value = check_k(getattr(self, name))
            if value < self.k:
                raise ValueError(f"{name} ({value}) must not be below k ({self.k})")


def _enforce_remainder(
    parent_n: np.ndarray,
    parent_visible: np.ndarray,
    kid_n: np.ndarray,
    kid_reason: np.ndarray,
    k: int,
) -> np.ndarray:
    """`_enforce_protected` without protected children: the children's new reasons."""
    return _enforce_protected(parent_n, parent_visible, kid_n, kid_reason, k, None)[0]


def _enforce_protected(
    parent_n: np.ndarray,
    parent_visible: np.ndarray,
    kid_n: np.ndarray,
    kid_reason: np.ndarray,
    k: int,
    kid_shielded: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One parent (or a batch of parents, one per column) against its children.

    ``kid_n`` and ``kid_reason`` have one row per child and one column per independent
    problem. Returns the children's new reasons — hidden under a hidden parent, and the
    smallest visible child hidden wherever the hidden remainder is 1..k-1 — and, per
    column, whether the parent itself must be hidden. One extra child is always enough for
    the remainder rule, because a visible child has at least ``k`` respondents.

    Protected respondents (``kid_shielded``: per child, how many of its respondents are in
    groups the viewer may not see, whatever their size) are never the hidden remainder on
    their own or with fewer than ``k`` others: while the unprotected part of the remainder
    is below ``k``, the smallest visible child is hidden too, and when none is left, the
    parent (whose figures would then be mostly the protected groups') must be hidden.
    """
    reason = kid_reason.copy()
    reason[(reason == VISIBLE) & ~parent_visible[None, :]] = PARENT_SUPPRESSED
    visible = reason == VISIBLE
    remainder = parent_n - np.where(visible, kid_n, 0).sum(axis=0)
    exposed = parent_visible & (remainder >= 1) & (remainder < k)
    hide_parent = np.zeros(parent_n.shape, dtype=bool)
    if kid_shielded is not None and kid_shielded.any():
        shielded = np.where(~visible, kid_shielded, 0).sum(axis=0)
        blended = parent_visible & (shielded > 0) & (remainder - shielded < k)
        hide_parent = blended & ~visible.any(axis=0)
        exposed |= blended & ~hide_parent
    # Without a visible child there is nothing to hide (only a known small total, see
    # suppress_crosstab's rows_known); the reasons of the hidden children stay as they are.
    exposed &= visible.any(axis=0)
    if exposed.any():
        columns = np.flatnonzero(exposed)
        # Ties go to the first child (children come in path order): deterministic.
        candidates = np.where(visible[:, columns], kid_n[:, columns], np.iinfo(np.int64).max)
        reason[candidates.argmin(axis=0), columns] = DIFFERENCING
    return reason, hide_parent


def suppress_tree(
    tree: GroupTree,
    counts: np.ndarray,
    k: int = DEFAULT_K,
    already_suppressed: np.ndarray | None = None,
    protected: np.ndarray | None = None,
) -> np.ndarray:
    """Suppression reasons for every group of a tree (`VISIBLE` = 0 means shown).

    Parameters
    ----------
    tree : GroupTree
    counts : ndarray of int, shape (n_groups,) or (n_groups, m)
        Respondents per group *including its whole subtree*. Extra columns are independent
        problems gated in one go (e.g. waves x items, with per-item answer counts).
    k : int
        Minimum group size (at least 3).
    already_suppressed : ndarray of int, optional
        Reason codes that must stay hidden whatever the counts (e.g. the respondent-level
        result when gating one item's answer counts). Same shape as `counts`.
    protected : ndarray of bool, shape (n_groups,), optional
        Groups the viewer may not see whatever their size (a department taken out of a
        manager's scope): hidden as `OUT_OF_SCOPE` with everything below them, and never
        derivable, not even combined with fewer than ``k`` others, from a shown parent
        minus its shown children (see `_enforce_remainder`).

    Returns
    -------
    ndarray of int8, the shape of `counts`
        `VISIBLE`, `TOO_FEW`, `PARENT_SUPPRESSED`, `DIFFERENCING` or `OUT_OF_SCOPE` per
        group.

    Notes
    -----
    The organisation as a whole (the sum of the top-level groups) is treated as a visible
    parent when it has at least ``k`` respondents, so top-level groups cannot be
    differenced from the organisation total either. Groups are processed parents first,
    and the pass is repeated until nothing changes.
    """
    k = check_k(k)
    counts = np.asarray(counts)
    shape = counts.shape
    if shape[0] != len(tree):
        raise ValueError(f"counts has {shape[0]} rows, the tree has {len(tree)} groups")
    n = counts.reshape(len(tree), -1).astype(np.int64)
    if (n < 0).any():
        raise ValueError("counts must not be negative")
    if already_suppressed is None:
        reason = np.zeros(n.shape, dtype=np.int8)
    else:
        reason = np.asarray(already_suppressed, dtype=np.int8).reshape(n.shape).copy()
    shield = None
    if protected is not None and np.asarray(protected).any():
        shield = np.broadcast_to(
            np.asarray(protected, dtype=bool).reshape(len(tree), 1), n.shape
        ).copy()
        reason[shield] = OUT_OF_SCOPE
    reason[(reason == VISIBLE) & (n < k)] = TOO_FEW
    top = np.asarray(tree.top_level, dtype=np.intp)
    total = n[top].sum(axis=0)
    families = [
        (np.asarray(kids, dtype=np.intp), p) for p, kids in enumerate(tree.children) if kids
    ]
    while True:
        before = reason.copy()
        mass = None if shield is None else _protected_mass(tree, n, shield)
        reason[top], _ = _enforce_protected(
            total, total >= k, n[top], reason[top], k, None if mass is None else mass[top]
        )
        for kids, parent in families:
            reason[kids], hide_parent = _enforce_protected(
                n[parent],
                reason[parent] == VISIBLE,
                n[kids],
                reason[kids],
                k,
                None if mass is None else mass[kids],
            )
            if hide_parent.any():
                # The parent's figures are mostly the protected groups': hidden, protected.
                assert shield is not None and mass is not None
                reason[parent, hide_parent] = OUT_OF_SCOPE
                shield[parent, hide_parent] = True
                mass = _protected_mass(tree, n, shield)
        if np.array_equal(before, reason):
            return reason.reshape(shape)


def _protected_mass(tree: GroupTree, n: np.ndarray, shield: np.ndarray) -> np.ndarray:
    """Per group (and column): its respondents who sit in protected groups."""
    mass = np.where(shield, n, 0)
    for node in reversed(range(len(tree))):  # children come after their parent
        kids = tree.children[node]
        if kids and not shield[node].all():
            below = mass[list(kids)].sum(axis=0)
            mass[node] = np.where(shield[node], n[node], below)
    return mass


@dataclass(frozen=True)
class CrossTabGate:
    """Suppression reasons of a cross-tabulation: cells, row and column margins, grand total."""

    cells: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    total: int

    @property
    def visible_cells(self) -> np.ndarray:
        return self.cells == VISIBLE


# Tolerance for reading an LP bound as a whole number (HiGHS is accurate to ~1e-9).
_LP_TOLERANCE = 1e-6
# How many neighbours of a disclosed group are tried before simply taking the smallest.
_FIX_TRIALS = 12


def _crosstab_remainders(
    cells: np.ndarray,
    rows_n: np.ndarray,
    cols_n: np.ndarray,
    total: np.ndarray,
    reasons: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The margin rules (remainder 0 or at least `k` along both dimensions) to a fixed point.

    `total` is the grand total, or an empty array when the grand total is hidden.
    """
    cell_reason, row_reason, col_reason = reasons
    grand = total if total.size else np.zeros(1, dtype=np.int64)
    grand_visible = np.array([total.size > 0])
    while True:
        before = (cell_reason, row_reason, col_reason)
        row_reason = _enforce_remainder(
            grand, grand_visible, rows_n[:, None], row_reason[:, None], k
        )[:, 0]
        col_reason = _enforce_remainder(
            grand, grand_visible, cols_n[:, None], col_reason[:, None], k
        )[:, 0]
        # Rows as parents: one problem per row, the row's cells as children.
        cell_reason = _enforce_remainder(rows_n, row_reason == VISIBLE, cells.T, cell_reason.T, k).T
        cell_reason = _enforce_remainder(cols_n, col_reason == VISIBLE, cells, cell_reason, k)
        after = (cell_reason, row_reason, col_reason)
        if all(np.array_equal(a, b) for a, b in zip(before, after, strict=True)):
            return after


def _extended_table(
    cells: np.ndarray, rows_n: np.ndarray, cols_n: np.ndarray, grand_total: int
) -> np.ndarray:
    """The (R + 1) x (C + 1) table of disjoint groups that an attacker reasons about.

    Column C holds each row's people without a category, row R each category's people
    outside the listed rows, and [R, C] the people in neither. None of these is shown.
    """
    r, c = cells.shape
    table = np.zeros((r + 1, c + 1), dtype=np.int64)
    table[:r, :c] = cells
    table[:r, c] = rows_n - cells.sum(axis=1)
    table[r, :c] = cols_n - cells.sum(axis=0)
    table[r, c] = grand_total - table.sum()
    return table


def _equations(
    hidden: np.ndarray, row_visible: np.ndarray, col_visible: np.ndarray, total_visible: bool
) -> np.ndarray:
    """The attacker's equations as masks over the extended table, one per shown total.

    Each visible row margin, visible column margin and the grand total (when shown) is
    the sum of its entries; restricted to `hidden` entries, ``mask @ x = margin - visible``.
    """
    shape = hidden.shape
    masks = []
    for i in np.flatnonzero(row_visible):
        masks.append(np.zeros(shape, dtype=bool))
        masks[-1][i, :] = True
    for j in np.flatnonzero(col_visible):
        masks.append(np.zeros(shape, dtype=bool))
        masks[-1][:, j] = True
    if total_visible:
        masks.append(np.ones(shape, dtype=bool))
    if not masks:
        return np.zeros((0, *shape), dtype=bool)
    return np.stack(masks) & hidden[None, :, :]


def _feasible_range(
    table: np.ndarray, equations: np.ndarray, group: np.ndarray, upper_first: int
) -> tuple[float, float]:
    """Smallest and largest value of ``table[group].sum()`` consistent with the equations.

    Continuous LP relaxation (HiGHS) over the hidden entries that occur in an equation,
    each at least 0. The largest value is computed first; when it is at least
    `upper_first` the smallest is not needed and reported as 0 (the caller only asks
    whether the range lies within 1..k-1).
    """
    constrained = equations.any(axis=0)
    if (group & ~constrained).any():
        return 0.0, np.inf  # an entry in no equation: anything from 0 upwards
    a = equations[:, constrained].astype(float)
    b = np.array([table[m].sum() for m in equations], dtype=float)
    weights = group[constrained].astype(float)
    upper = linprog(-weights, A_eq=a, b_eq=b, bounds=(0, None))
    if upper.status != 0:  # pragma: no cover - the true table is always feasible
        raise RuntimeError(f"cross-tab audit LP failed: {upper.message}")
    high = -upper.fun
    if high >= upper_first - _LP_TOLERANCE:
        return 0.0, high
    lower = linprog(weights, A_eq=a, b_eq=b, bounds=(0, None))
    if lower.status != 0:  # pragma: no cover
        raise RuntimeError(f"cross-tab audit LP failed: {lower.message}")
    return lower.fun, high


def _screen(table: np.ndarray, equations: np.ndarray, groups: list[np.ndarray], k: int) -> list:
    """The groups that may be disclosed, after a few LPs over all of them at once.

    Minimising the total of all groups finds feasible tables where many groups are 0,
    maximising it tables where many reach `k`; a group seen at 0 or at `k` or more in any
    feasible table is safe. Repeated while it clears groups; usually two to four LPs
    leave only the (rare) groups that need their own range.
    """
    constrained = equations.any(axis=0)
    groups = [g for g in groups if not (g & ~constrained).any()]  # else unbounded: safe
    if not groups:
        return []
    a = equations[:, constrained].astype(float)
    b = np.array([table[m].sum() for m in equations], dtype=float)
    for sense in (1.0, -1.0):
        while groups:
            member = np.array([g[constrained] for g in groups], dtype=float)
            result = linprog(sense * member.sum(axis=0), A_eq=a, b_eq=b, bounds=(0, None))
            if result.status != 0:  # pragma: no cover - the true table is always feasible
                raise RuntimeError(f"cross-tab audit LP failed: {result.message}")
            values = member @ result.x
            keep = values > _LP_TOLERANCE if sense > 0 else values < k - _LP_TOLERANCE
            if keep.all():
                break
            groups = [g for g, kept in zip(groups, keep, strict=True) if kept]
    return groups


def _disclosed(low: float, high: float, k: int) -> bool:
    """Whether an attacker can conclude that the group has 1..k-1 people."""
    return np.ceil(low - _LP_TOLERANCE) >= 1 and np.floor(high + _LP_TOLERANCE) <= k - 1


def pins_small_group(
    table: np.ndarray, equations: np.ndarray, groups: list[np.ndarray], k: int
) -> bool:
    """Whether the attacker's equations pin any of `groups` to 1..k-1 people.

    The cross-tab audit's LPs (screen, then a range per remaining group) for tables of
    any shape: `table` holds the true counts, `equations` the known sums as masks over it
    (one per equation), `groups` masks of the groups of 1..k-1 people to protect. Used by
    the inclusion analysis's three-way audit (`analysis.inclusion_gate.three_way_safe`).
    """
    return any(
        _disclosed(*_feasible_range(table, equations, group, k), k)
        for group in _screen(table, equations, groups, k)
    )


def _audited_groups(
    hidden: np.ndarray, table: np.ndarray, k: int, rows_known: bool = False
) -> list[np.ndarray]:
    """Hidden groups whose true size is 1..k-1, as masks over the extended table.

    Every hidden entry (cells and the implicit never-shown cells), every hidden or
    implicit margin (not the listed rows when their totals are known: they are shown), and
    in every row and column the hidden entries but one (the remainder of a line). A
    group of 0 or at least `k` people cannot be disclosed: the true table is a feasible
    point, so its true size lies in its feasible range.
    """
    r, c = table.shape[0] - 1, table.shape[1] - 1
    groups = []
    for i, j in zip(*np.nonzero(hidden), strict=True):
        mask = np.zeros(hidden.shape, dtype=bool)
        mask[i, j] = True
        groups.append(mask)
    # A hidden margin has all its cells hidden; row R and column C are never shown.
    for i in range(r if rows_known else 0, r + 1):
        if hidden[i, :].all():
            mask = np.zeros(hidden.shape, dtype=bool)
            mask[i, :] = True
            groups.append(mask)
    for j in range(c + 1):
        if hidden[:, j].all():
            mask = np.zeros(hidden.shape, dtype=bool)
            mask[:, j] = True
            groups.append(mask)
    # The rest of a line's hidden entries once one of them is pinned: a department of 40
    # whose 36 "no" follow from the organisation's column leaves its other 4 (the "yes"
    # and those who did not say) as one group, though neither is pinned on its own. (Less
    # an empty entry the rest is the whole line: audited above, or a known total.)
    lines = [np.s_[i, :] for i in range(r + 1)] + [np.s_[:, j] for j in range(c + 1)]
    for line in lines:
        line_hidden = np.zeros(hidden.shape, dtype=bool)
        line_hidden[line] = hidden[line]
        if line_hidden.sum() >= 3:
            for i, j in zip(*np.nonzero(line_hidden & (table > 0)), strict=True):
                rest = line_hidden.copy()
                rest[i, j] = False
                groups.append(rest)
    return [g for g in groups if 1 <= table[g].sum() < k]


def _audit_crosstab(
    table: np.ndarray,
    cell_reason: np.ndarray,
    row_reason: np.ndarray,
    col_reason: np.ndarray,
    total_reason: int,
    k: int,
    rows_known: bool = False,
) -> int:
    """Linear-programming audit: hide more until no hidden group is pinned to 1..k-1.

    Mutates the reason arrays; returns the (possibly changed) grand-total reason. For a
    disclosed group the visible cells in its rows and columns, and in those of the hidden
    cells there, are tried smallest first
    (ties by position) and the first one whose suppression takes the group's range out of
    1..k-1 is hidden; if none does on its own the smallest is hidden and the caller
    repeats. Without such neighbours the smallest visible cell anywhere is hidden, then
    the smallest visible margin, then the grand total, so every round hides something
    and the caller's loop ends (hiding more only widens every feasible range). Known row
    totals (``rows_known``) and the grand total they add up to are never hidden: the
    attacker has them anyway; with only those left there is nothing to hide and nothing
    is disclosed (every row has at least two entries, its categories and "none").
    """
    r, c = cell_reason.shape

    def hidden_mask() -> np.ndarray:
        hidden = np.ones(table.shape, dtype=bool)
        hidden[:r, :c] = cell_reason != VISIBLE
        return hidden

    def system(hidden: np.ndarray, total: int) -> np.ndarray:
        return _equations(hidden, row_reason == VISIBLE, col_reason == VISIBLE, total == VISIBLE)

    hidden = hidden_mask()
    groups = _audited_groups(hidden, table, k, rows_known)
    suspects = _screen(table, system(hidden, total_reason), groups, k)
    for group in suspects:
        hidden = hidden_mask()
        if not _disclosed(*_feasible_range(table, system(hidden, total_reason), group, k), k):
            continue  # not disclosed, or already protected by an earlier fix in this round
        visible = cell_reason == VISIBLE
        # Visible cells in the group's rows and columns, and in the rows and columns of
        # the hidden cells there (the chain an attacker would follow).
        lines = group[:r, :c] | (hidden[:r, :c] & group[:r, :].any(axis=1)[:, None])
        lines |= hidden[:r, :c] & group[:, :c].any(axis=0)[None, :]
        neighbours = visible & (lines.any(axis=1)[:, None] | lines.any(axis=0)[None, :])
        pool = neighbours if neighbours.any() else visible
        if pool.any():
            order = np.lexsort((np.arange(r * c), table[:r, :c].ravel()))
            candidates = [divmod(int(p), c) for p in order if pool.ravel()[p]]
            choice = candidates[0]
            for i, j in candidates[:_FIX_TRIALS] if pool is neighbours else []:
                trial = hidden.copy()
                trial[i, j] = True
                if not _disclosed(
                    *_feasible_range(table, system(trial, total_reason), group, k), k
                ):
                    choice = (i, j)
                    break
            cell_reason[choice] = DIFFERENCING
            continue
        # No visible cell left: hide the smallest visible margin (the margin rules then
        # hide its cells), or else the grand total. The caller reruns the margin rules.
        margins = [
            (int(table[i, :].sum()), 0, int(i))
            for i in np.flatnonzero((row_reason == VISIBLE) & (not rows_known))
        ]
        margins += [
            (int(table[:, j].sum()), 1, int(j)) for j in np.flatnonzero(col_reason == VISIBLE)
        ]
        if margins:
            _, axis, index = min(margins)
            (row_reason, col_reason)[axis][index] = DIFFERENCING
            return total_reason
        return total_reason if rows_known else DIFFERENCING
    return total_reason


def suppress_crosstab(
    cells: np.ndarray,
    row_totals: np.ndarray,
    column_totals: np.ndarray,
    grand_total: int,
    k: int = DEFAULT_K_DEMOGRAPHICS,
    rows_known: bool = False,
) -> CrossTabGate:
    """Gate a two-way table (e.g. department x age band) along both dimensions.

    Parameters
    ----------
    cells : ndarray of int, shape (R, C)
        Respondents per row group and category.
    row_totals : ndarray of int, shape (R,)
        Respondents per row group; more than the row's cells when some did not report a
        category (those form an implicit, never shown cell).
    column_totals : ndarray of int, shape (C,)
        Respondents per category over the whole organisation; more than the column's
        cells when some of them are not in any listed row.
    grand_total : int
        All respondents: at least the row totals plus the column totals' people outside
        the listed rows.
    k : int
        Minimum cell size; for demographic breakdowns the demographic minimum.
    rows_known : bool
        The row totals are known to everyone anyway, whatever their size (a department's
        respondents and overall scores are shown by the tree gate at the smaller ``k``):
        they stay visible and enter every equation of the audit, and only cells and column
        totals are gated. Every respondent must then be in a listed row (give the rest a
        row of its own, never shown), so the grand total is their sum and known too.

    Returns
    -------
    CrossTabGate
        Reason codes for cells, row margins, column margins and the grand total. Every
        visible margin minus its visible cells (and the grand total minus its visible
        margins) leaves 0 or at least `k` hidden respondents; a hidden margin hides its
        cells; and no hidden cell or margin can be pinned to 1..k-1 people by linear
        reasoning over everything shown (see Notes).

    Notes
    -----
    After the margin rules reach a fixed point, an audit computes with
    `scipy.optimize.linprog` the smallest and largest size of every hidden group of 1..k-1
    people (cells, the implicit cells, hidden margins) given every visible cell, visible
    margin and the shown grand total, all cells at least 0. A group whose range lies
    within 1..k-1 is disclosed (that includes a cell that is the only hidden one in a
    visible margin, and chains of those); a neighbouring visible cell is hidden and the
    margin rules and audit run again until nothing is disclosed. The equations have at
    most one row-side and one column-side total per unknown (a bipartite incidence
    matrix, totally unimodular), so the LP bounds are whole numbers and equal the bounds
    over integer tables: the continuous relaxation loses nothing here.

    Cost: the audit solves at most two LPs per hidden group of 1..k-1 people (groups of 0
    or at least `k` are skipped: the true table is feasible), each over at most
    (R + 1)(C + 1) unknowns and R + C + 1 equations, plus up to `_FIX_TRIALS` pairs per
    disclosure, per round. A 60 x 10 table takes well under a second.
    """
    k = check_k(k)
    cells = np.asarray(cells, dtype=np.int64)
    rows_n = np.asarray(row_totals, dtype=np.int64)
    cols_n = np.asarray(column_totals, dtype=np.int64)
    if cells.ndim != 2 or rows_n.shape != cells.shape[:1] or cols_n.shape != cells.shape[1:]:
        raise ValueError("cells must be R x C with R row totals and C column totals")
    if (
        (cells < 0).any()
        or (rows_n < cells.sum(axis=1)).any()
        or (cols_n < cells.sum(axis=0)).any()
    ):
        raise ValueError("a margin is smaller than the sum of its cells")
    table = _extended_table(cells, rows_n, cols_n, grand_total)
    if table[-1, -1] < 0:
        raise ValueError("the grand total is smaller than the sum of the margins")
    if rows_known and (rows_n.sum() != grand_total or (cols_n != cells.sum(axis=0)).any()):
        raise ValueError("with known row totals every respondent must be in a listed row")
    total_reason = VISIBLE if grand_total >= k or rows_known else TOO_FEW
    reasons = (
        np.where(cells < k, TOO_FEW, VISIBLE).astype(np.int8),
        np.where((rows_n < k) & (not rows_known), TOO_FEW, VISIBLE).astype(np.int8),
        np.where(cols_n < k, TOO_FEW, VISIBLE).astype(np.int8),
    )
    while True:
        total = np.array([grand_total] if total_reason == VISIBLE else [], dtype=np.int64)
        cell_reason, row_reason, col_reason = _crosstab_remainders(
            cells, rows_n, cols_n, total, reasons, k
        )
        before = (cell_reason.copy(), row_reason.copy(), col_reason.copy(), total_reason)
        total_reason = _audit_crosstab(
            table, cell_reason, row_reason, col_reason, total_reason, k, rows_known
        )
        reasons = (cell_reason, row_reason, col_reason)
        if total_reason == before[3] and all(
            np.array_equal(a, b) for a, b in zip(before[:3], reasons, strict=True)
        ):
            return CrossTabGate(
                cells=cell_reason, rows=row_reason, columns=col_reason, total=int(total_reason)
            )


def gated(value: Any, reason_code: int) -> Any:
    """`value` when the code is `VISIBLE`, otherwise the `Suppressed` marker."""
    return value if reason_code == VISIBLE else Suppressed.from_code(reason_code)


def to_json(value: Any) -> Any:
    """JSON-ready form of a possibly suppressed value (markers written explicitly)."""
    if isinstance(value, Suppressed):
        return value.to_json()
    return value


def response_groups(invited: dict[str, int], k: int = DEFAULT_K) -> dict[str, str]:
    """The group each department's responses are stored under, so that no stored response
    narrows its author down to fewer than ``k`` invitees.

    The gate is applied to the *invited* counts: a response is stored under its department
    when the gate could show that department, else under the nearest ancestor it could.
    Secondary suppression guarantees that the invitees whose nearest shown group is a given
    group number 0 or at least ``k`` — the remainder rule — so every stored group stands
    for at least ``k`` people. Finer is never needed: a group the gate hides for its invited
    count is hidden for its (smaller) respondent count as well.

    Parameters
    ----------
    invited : dict of str to int
        Invitees per department path (each department's own, not its subtree's).
    k : int
        Minimum group size.

    Returns
    -------
    dict of str to str
        For every path in ``invited``: the path its responses are stored under. When even
        the whole wave has fewer than ``k`` invitees (or a top-level group has no shown
        ancestor), the top-level group of the path.
    """
    if not invited:
        return {}
    tree = GroupTree.from_paths(invited)
    direct = np.zeros(len(tree), dtype=np.int64)
    for path, count in invited.items():
        direct[tree.index(path)] = count
    reasons = suppress_tree(tree, tree.roll_up(direct), k)
    groups: dict[str, str] = {}
    for path in invited:
        node = tree.index(path)
        while reasons[node] != VISIBLE and tree.parents[node] != ROOT:
            node = tree.parents[node]
        groups[path] = tree.paths[node]
    return groups
