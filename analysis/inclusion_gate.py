"""The gate of the inclusion analysis: which unit x category cells may be shown.

Per demographic the table is units x categories, gated with
`analysis.gate.suppress_crosstab` at the demographic minimum. Its rows are the units whose
overall figures the results show anyway (the tree gate at ``k``), plus one row, never
shown, for everyone else (respondents in no unit or in a unit the tree gate hides): every
row total is then known to an attacker, and the crosstab treats them as known
(``rows_known``), so what it lets through holds even against someone who has every
department's own figures. A measure that some respondents lack (a scale score, the
incidence question) is gated again on its own counts, and the details of undesirable
behaviour on the counts of those who experienced it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.gate import (
    PARENT_SUPPRESSED,
    VISIBLE,
    pins_small_group,
    suppress_crosstab,
    suppress_tree,
)
from analysis.tree import GroupTree


@dataclass(frozen=True)
class GateRows:
    """The crosstab's rows: each shown unit, then one never-shown row for everyone else."""

    row_of: np.ndarray  # (n,) row per respondent
    shown: np.ndarray  # (U,) bool: the unit's overall figures are shown
    unit_row: np.ndarray  # (U,) row of each unit (the last row when not shown)
    count: int


def gate_rows(
    unit_of: np.ndarray, n_units: int, k: int, unit_shown: np.ndarray | None = None
) -> GateRows:
    """The rows for `unit_of` (-1 = in no unit); `unit_shown` defaults to `units_shown`."""
    unit_of = np.asarray(unit_of, dtype=np.intp)
    if unit_shown is None:
        shown = units_shown(unit_of, n_units, k)
    else:
        shown = np.asarray(unit_shown, dtype=bool)
    other = int(shown.sum())
    unit_row = np.full(n_units, other, dtype=np.intp)
    unit_row[shown] = np.arange(other)
    row_of = np.full(unit_of.shape, other, dtype=np.intp)
    inside = unit_of >= 0
    row_of[inside] = unit_row[unit_of[inside]]
    return GateRows(row_of=row_of, shown=shown, unit_row=unit_row, count=other + 1)


def units_shown(unit_of: np.ndarray, n_units: int, k: int) -> np.ndarray:
    """The tree gate's verdict on the units as the children of the organisation.

    Respondents in no unit sit at the organisation itself (the implicit child of
    `suppress_tree`), so the units are protected against the organisation total.
    Children are ordered as `units` (ties in the remainder rule go to the first).
    """
    unit_of = np.asarray(unit_of, dtype=np.intp)
    if not n_units:
        return np.zeros(0, dtype=bool)
    width = len(str(n_units))
    paths = ["o", *(f"o/u{i:0{width}d}" for i in range(n_units))]
    tree = GroupTree.from_paths(paths)
    own = np.zeros(len(tree), dtype=np.int64)
    own[tree.index("o")] = int((unit_of < 0).sum())
    counts = np.bincount(unit_of[unit_of >= 0], minlength=n_units)
    for i, path in enumerate(paths[1:]):
        own[tree.index(path)] = counts[i]
    reasons = suppress_tree(tree, tree.roll_up(own), k)
    return np.array([reasons[tree.index(p)] == VISIBLE for p in paths[1:]], dtype=bool)


def cell_reasons(
    rows: GateRows, codes: np.ndarray, n_categories: int, k: int, among: np.ndarray
) -> np.ndarray:
    """Reason codes per (organisation + each unit) x category for the respondents in `among`.

    Row 0 is the organisation (the crosstab's column totals), row ``1 + u`` unit ``u``
    (`PARENT_SUPPRESSED` when its overall figures are hidden).
    """
    codes = np.asarray(codes, dtype=np.intp)
    stated = among & (codes >= 0)
    cells = np.bincount(
        rows.row_of[stated] * n_categories + codes[stated], minlength=rows.count * n_categories
    ).reshape(rows.count, n_categories)
    totals = np.bincount(rows.row_of[among], minlength=rows.count)
    gate = suppress_crosstab(cells, totals, cells.sum(axis=0), int(among.sum()), k, rows_known=True)
    reasons = np.full((1 + len(rows.shown), n_categories), PARENT_SUPPRESSED, dtype=np.int8)
    reasons[0] = gate.columns
    reasons[1:][rows.shown] = gate.cells[rows.unit_row[rows.shown]]
    return reasons


def combined(base: np.ndarray, own: np.ndarray) -> np.ndarray:
    """A measure's reasons: the respondents' verdict first, then the measure's own."""
    return np.where(base != VISIBLE, base, own).astype(np.int8)


def intersection_passes(
    codes_a: np.ndarray,
    n_a: int,
    codes_b: np.ndarray,
    n_b: int,
    among: np.ndarray,
    k: int,
) -> bool:
    """Whether the organisation's a x b table of the respondents in `among` hides nothing.

    Its margins are the organisation's category counts (shown in the breakdowns), the
    grand total everyone; every cell, margin and the grand total must stay visible, and
    the audit of `suppress_crosstab` then also covers the implicit cells of those who
    stated only one of the two, or neither.
    """
    both = among & (codes_a >= 0) & (codes_b >= 0)
    cells = np.bincount(codes_a[both] * n_b + codes_b[both], minlength=n_a * n_b)
    row_n = np.bincount(codes_a[among & (codes_a >= 0)], minlength=n_a)
    col_n = np.bincount(codes_b[among & (codes_b >= 0)], minlength=n_b)
    gate = suppress_crosstab(cells.reshape(n_a, n_b), row_n, col_n, int(among.sum()), k)
    return bool(
        (gate.cells == VISIBLE).all()
        and (gate.rows == VISIBLE).all()
        and (gate.columns == VISIBLE).all()
        and gate.total == VISIBLE
    )


def three_way_safe(
    rows: GateRows,
    codes_a: np.ndarray,
    reasons_a: np.ndarray,
    codes_b: np.ndarray,
    reasons_b: np.ndarray,
    k: int,
) -> bool:
    """Whether showing the organisation's a x b cells keeps every small group hidden.

    The intersection links the two breakdowns: with units x a, units x b and a x b all
    known, the unknowns are people per unit x a x b (each with "not stated"), and a hidden
    cell of either breakdown could be pinned where neither table pins it alone. The
    attacker knows every row total, every shown cell and organisation column of both
    breakdowns (`reasons_a`, `reasons_b` from `cell_reasons`) and every a x b cell; no
    group of 1..k-1 people (a hidden breakdown cell, an implicit cell, a unit x a x b
    cell, the remainder of a known total, `_remainders`) may have a feasible range within
    1..k-1 (`analysis.gate.pins_small_group`, the LPs of the cross-tab audit).
    """
    n_a, n_b = reasons_a.shape[1], reasons_b.shape[1]
    shape = (rows.count, n_a + 1, n_b + 1)
    a_index = np.where(np.asarray(codes_a) >= 0, codes_a, n_a)
    b_index = np.where(np.asarray(codes_b) >= 0, codes_b, n_b)
    flat = np.ravel_multi_index((rows.row_of, a_index, b_index), shape)
    truth = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)

    def select(r=slice(None), i=slice(None), j=slice(None)) -> np.ndarray:
        mask = np.zeros(shape, dtype=bool)
        mask[r, i, j] = True
        return mask

    known = [select(r=r) for r in range(rows.count)]
    groups = [
        select(r=r, i=i, j=j)
        for r in range(rows.count)
        for i in range(n_a + 1)
        for j in range(n_b + 1)
    ]
    for reasons, axis, width in ((reasons_a, 1, n_a), (reasons_b, 2, n_b)):
        for c in range(width + 1):
            org = select(**{"ij"[axis - 1]: c})
            shown = c < width and reasons[0, c] == VISIBLE
            (known if shown else groups).append(org)
            for r in range(rows.count):
                cell = org & select(r=r)
                unit = np.flatnonzero(rows.unit_row == r) if r < rows.count - 1 else []
                shown = c < width and len(unit) == 1 and reasons[1 + unit[0], c] == VISIBLE
                (known if shown else groups).append(cell)
    for i in range(n_a + 1):
        for j in range(n_b + 1):
            (known if i < n_a and j < n_b else groups).append(select(i=i, j=j))
    equations = np.stack(known)
    groups += _remainders(truth, equations, np.stack(groups), k)
    suspects = [g for g in groups if 1 <= truth[g].sum() < k]
    return not pins_small_group(truth, equations, suspects, k)


def _remainders(truth: np.ndarray, equations: np.ndarray, groups: np.ndarray, k: int) -> list:
    """What is left of a known total, less the known totals inside it, once a group is pinned.

    A department's shown a1 cell of 7 whose a1/b0 people (4) follow from the a x b cells
    leaves 3 people, though neither part is pinned on its own (the cross-tab audit's "a
    line's hidden entries but one", here for any known total). Only remainders of 1..k-1
    people less a group of at least one are kept (less an empty group the rest is the
    known total itself).
    """
    counts = truth.reshape(-1).astype(float)
    flat_eq = equations.reshape(len(equations), -1)
    flat_groups = groups.reshape(len(groups), -1)
    member = flat_groups.astype(float)
    group_n = member @ counts
    size = flat_eq.sum(axis=1)
    overlap = flat_eq.astype(float) @ flat_eq.T.astype(float)
    # inside[e, f]: equation f lies strictly within equation e.
    inside = (overlap == size[None, :]) & (size[None, :] < size[:, None])
    remainders = []
    for e in range(len(equations)):
        free = flat_eq[e] & ~flat_eq[inside[e]].any(axis=0)
        rest_n = counts @ free - group_n
        within = member @ ~free == 0
        for g in np.flatnonzero(within & (group_n > 0) & (rest_n >= 1) & (rest_n < k)):
            remainders.append((free & ~flat_groups[g]).reshape(truth.shape))
    return remainders
