"""The anonymity gate: minimum group sizes and secondary suppression against differencing.

Every figure shown to anyone passes through here (DESIGN.md, "The anonymity gate").
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

from analysis.errors import AnalysisError
from analysis.tree import GroupTree

VISIBLE = 0
TOO_FEW = 1
PARENT_SUPPRESSED = 2
DIFFERENCING = 3

REASONS = {
    TOO_FEW: "too_few_respondents",
    PARENT_SUPPRESSED: "parent_suppressed",
    DIFFERENCING: "differencing",
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
    """One parent (or a batch of parents, one per column) against its children.

    ``kid_n`` and ``kid_reason`` have one row per child and one column per independent
    problem. Returns the children's new reasons: hidden under a hidden parent, and the
    smallest visible child hidden wherever the hidden remainder is 1..k-1. One extra
    child is always enough, because a visible child has at least ``k`` respondents.
    """
    reason = kid_reason.copy()
    reason[(reason == VISIBLE) & ~parent_visible[None, :]] = PARENT_SUPPRESSED
    visible = reason == VISIBLE
    remainder = parent_n - np.where(visible, kid_n, 0).sum(axis=0)
    exposed = parent_visible & (remainder >= 1) & (remainder < k)
    if exposed.any():
        columns = np.flatnonzero(exposed)
        # Ties go to the first child (children come in path order): deterministic.
        candidates = np.where(visible[:, columns], kid_n[:, columns], np.iinfo(np.int64).max)
        reason[candidates.argmin(axis=0), columns] = DIFFERENCING
    return reason


def suppress_tree(
    tree: GroupTree,
    counts: np.ndarray,
    k: int = DEFAULT_K,
    already_suppressed: np.ndarray | None = None,
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

    Returns
    -------
    ndarray of int8, the shape of `counts`
        `VISIBLE`, `TOO_FEW`, `PARENT_SUPPRESSED` or `DIFFERENCING` per group.

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
    reason[(reason == VISIBLE) & (n < k)] = TOO_FEW
    top = np.asarray(tree.top_level, dtype=np.intp)
    total = n[top].sum(axis=0)
    families = [
        (np.asarray(kids, dtype=np.intp), p) for p, kids in enumerate(tree.children) if kids
    ]
    while True:
        before = reason.copy()
        reason[top] = _enforce_remainder(total, total >= k, n[top], reason[top], k)
        for kids, parent in families:
            reason[kids] = _enforce_remainder(
                n[parent], reason[parent] == VISIBLE, n[kids], reason[kids], k
            )
        if np.array_equal(before, reason):
            return reason.reshape(shape)


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


def suppress_crosstab(
    cells: np.ndarray,
    row_totals: np.ndarray,
    column_totals: np.ndarray,
    grand_total: int,
    k: int = DEFAULT_K_DEMOGRAPHICS,
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
        All respondents (at least every row total and column total summed).
    k : int
        Minimum cell size; for demographic breakdowns the demographic minimum.

    Returns
    -------
    CrossTabGate
        Reason codes for cells, row margins, column margins and the grand total. Every
        visible margin minus its visible cells (and the grand total minus its visible
        margins) leaves 0 or at least `k` hidden respondents; a hidden margin hides its
        cells.
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
    if grand_total < max(rows_n.sum(), cols_n.sum()):
        raise ValueError("the grand total is smaller than the sum of the margins")
    total = np.array([grand_total])
    total_visible = total >= k
    cell_reason = np.where(cells < k, TOO_FEW, VISIBLE).astype(np.int8)
    row_reason = np.where(rows_n < k, TOO_FEW, VISIBLE).astype(np.int8)
    col_reason = np.where(cols_n < k, TOO_FEW, VISIBLE).astype(np.int8)
    while True:
        before = (cell_reason.copy(), row_reason.copy(), col_reason.copy())
        row_reason = _enforce_remainder(
            total, total_visible, rows_n[:, None], row_reason[:, None], k
        )[:, 0]
        col_reason = _enforce_remainder(
            total, total_visible, cols_n[:, None], col_reason[:, None], k
        )[:, 0]
        # Rows as parents: one problem per row, the row's cells as children.
        cell_reason = _enforce_remainder(rows_n, row_reason == VISIBLE, cells.T, cell_reason.T, k).T
        cell_reason = _enforce_remainder(cols_n, col_reason == VISIBLE, cells, cell_reason, k)
        after = (cell_reason, row_reason, col_reason)
        if all(np.array_equal(a, b) for a, b in zip(before, after, strict=True)):
            return CrossTabGate(
                cells=cell_reason,
                rows=row_reason,
                columns=col_reason,
                total=int(VISIBLE if total_visible[0] else TOO_FEW),
            )


def gated(value: Any, reason_code: int) -> Any:
    """`value` when the code is `VISIBLE`, otherwise the `Suppressed` marker."""
    return value if reason_code == VISIBLE else Suppressed.from_code(reason_code)


def to_json(value: Any) -> Any:
    """JSON-ready form of a possibly suppressed value (markers written explicitly)."""
    if isinstance(value, Suppressed):
        return value.to_json()
    return value
