"""An attacker who subtracts visible groups from visible totals never isolates 1..k-1 people."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analysis.gate import (
    DIFFERENCING,
    PARENT_SUPPRESSED,
    TOO_FEW,
    VISIBLE,
    CrossTabGate,
    suppress_crosstab,
    suppress_tree,
)
from analysis.tree import ROOT, GroupTree

# Many small groups: that is where differencing bites.
sizes = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(0, 40))


@st.composite
def trees(draw: st.DrawFn) -> tuple[GroupTree, np.ndarray, int]:
    """A random department tree (depth up to 4) with respondents at leaves and inner groups."""
    direct: dict[str, int] = {}

    def grow(path: str, depth: int) -> None:
        kids = draw(st.integers(0, 4)) if depth < 4 else 0
        # Inner groups sometimes have members of their own (e.g. the head of department).
        direct[path] = draw(sizes) if kids == 0 or draw(st.booleans()) else 0
        for i in range(kids):
            grow(f"{path}/g{i}", depth + 1)

    for i in range(draw(st.integers(1, 3))):
        grow(f"t{i}", 1)
    tree = GroupTree.from_paths(direct)
    own = np.zeros(len(tree), dtype=np.int64)
    for path, count in direct.items():
        own[tree.index(path)] = count
    return tree, tree.roll_up(own), draw(st.integers(3, 7))


def derivable_remainders(
    tree: GroupTree, n: np.ndarray, visible: np.ndarray, below_k: int
) -> dict[int, set[int]]:
    """Per visible group (and -1 for the organisation): the small counts an attacker can isolate.

    From a visible total the attacker subtracts any selection of visible children, and
    for each visible child may instead subtract any selection of *its* visible children
    (and so on down the tree). What is left is a group of people whose summed answers are
    known. The trivial selection (subtract nothing) is left out: that is the total itself.
    Only remainders below `below_k` are kept: adding more (never negative) parts to a
    remainder cannot bring it back under `below_k`, and the sets stay small.
    """

    def options(node: int) -> set[int]:
        # What a visible child can leave behind: all of it (not subtracted), nothing
        # (subtracted whole), or a remainder after subtracting its own visible descendants.
        return {int(n[node]), 0} | below(node)

    def below(node: int) -> set[int]:
        kids = tree.top_level if node == ROOT else tree.children[node]
        total = int(n[list(tree.top_level)].sum()) if node == ROOT else int(n[node])
        hidden = total - sum(int(n[c]) for c in kids)  # direct members: an implicit child
        sums = {hidden + sum(int(n[c]) for c in kids if not visible[c])}
        for child in (c for c in kids if visible[c]):
            sums = {s + o for s in sums for o in options(child) if s + o < below_k}
        sums.discard(total)
        return {s for s in sums if s < below_k}

    groups = [ROOT, *(i for i in range(len(tree)) if visible[i])]
    return {g: below(g) for g in groups}


def assert_no_small_remainder(tree: GroupTree, n: np.ndarray, reasons: np.ndarray, k: int) -> None:
    visible = reasons == VISIBLE
    organisation_visible = n[list(tree.top_level)].sum() >= k
    for group, remainders in derivable_remainders(tree, n, visible, k).items():
        if group == ROOT and not organisation_visible:
            continue
        leaked = sorted(r for r in remainders if 1 <= r < k)
        assert not leaked, f"{tree.paths[group] if group >= 0 else '(organisation)'}: {leaked}"


@settings(max_examples=1000, deadline=None)
@given(trees())
def test_attacker_never_isolates_a_small_group_in_a_tree(case) -> None:
    tree, n, k = case
    reasons = suppress_tree(tree, n, k)
    visible = reasons == VISIBLE
    assert (n[visible] >= k).all()
    for i, parent in enumerate(tree.parents):
        if parent != ROOT and not visible[parent]:
            assert not visible[i]
    assert_no_small_remainder(tree, n, reasons, k)


@settings(max_examples=200, deadline=None)
@given(trees(), st.data())
def test_gating_many_columns_at_once_equals_gating_each(case, data) -> None:
    tree, n, k = case
    # A second column: the same tree with fewer answers (as for one item with gaps).
    fewer = np.array([data.draw(st.integers(0, int(v))) for v in n])
    fewer = np.minimum(fewer, n)
    both = np.stack([n, fewer], axis=1)
    together = suppress_tree(tree, both, k)
    assert (together[:, 0] == suppress_tree(tree, n, k)).all()
    assert (together[:, 1] == suppress_tree(tree, fewer, k)).all()


@st.composite
def crosstabs(draw: st.DrawFn):
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cells = np.array([[draw(sizes) for _ in range(cols)] for _ in range(rows)], dtype=np.int64)
    unreported = np.array([draw(st.integers(0, 6)) for _ in range(rows)])  # no category given
    elsewhere = np.array([draw(st.integers(0, 6)) for _ in range(cols)])  # not in a listed row
    row_totals = cells.sum(axis=1) + unreported
    col_totals = cells.sum(axis=0) + elsewhere
    grand = row_totals.sum() + elsewhere.sum() + draw(st.integers(0, 4))
    return cells, row_totals, col_totals, int(grand), draw(st.integers(3, 10))


def subset_remainders(total: int, visible_parts: list[int]) -> set[int]:
    sums = {total}
    for part in visible_parts:
        sums |= {s - part for s in sums}
    sums.discard(total)
    return sums


def lp_leaks(cells, row_totals, col_totals, grand, gate, k) -> list[str]:
    """Hidden groups an attacker can pin to 1..k-1 people by linear reasoning.

    The attacker sees every visible cell and margin and the grand total (if shown) and
    knows that the groups of the (R + 1) x (C + 1) table are disjoint and never negative:
    column C is each row's people without a category, row R each category's people
    outside the listed rows, [R, C] the people in neither. For every hidden cell (shown
    ones and these implicit ones), every hidden margin and every line's hidden entries but
    one, an LP gives the smallest and largest size consistent with what is shown. Written
    independently of the gate.
    """
    r, c = cells.shape
    table = np.zeros((r + 1, c + 1), dtype=np.int64)
    table[:r, :c] = cells
    table[:r, c] = row_totals - cells.sum(axis=1)
    table[r, :c] = col_totals - cells.sum(axis=0)
    table[r, c] = grand - table.sum()
    hidden = np.ones(table.shape, dtype=bool)
    hidden[:r, :c] = gate.cells != VISIBLE
    shown: list[tuple[np.ndarray, int]] = []  # (entries of a shown total, its value)
    for i in np.flatnonzero(gate.rows == VISIBLE):
        shown.append((np.arange(table.size).reshape(table.shape)[i, :].ravel(), row_totals[i]))
    for j in np.flatnonzero(gate.columns == VISIBLE):
        shown.append((np.arange(table.size).reshape(table.shape)[:, j].ravel(), col_totals[j]))
    if gate.total == VISIBLE:
        shown.append((np.arange(table.size), grand))
    unknown = np.flatnonzero(hidden.ravel())
    column = {int(u): n for n, u in enumerate(unknown)}
    a = np.zeros((len(shown), len(unknown)))
    b = np.zeros(len(shown))
    for e, (entries, value) in enumerate(shown):
        b[e] = value
        for flat in entries:
            if hidden.ravel()[flat]:
                a[e, column[int(flat)]] = 1
            else:
                b[e] -= table.ravel()[flat]
    groups: dict[str, np.ndarray] = {}
    for i, j in zip(*np.nonzero(hidden), strict=True):
        groups[f"cell [{i}, {j}]"] = np.array([i * (c + 1) + j])
    for i in range(r + 1):
        if hidden[i, :].all():
            groups[f"row {i}"] = np.arange(c + 1) + i * (c + 1)
    for j in range(c + 1):
        if hidden[:, j].all():
            groups[f"column {j}"] = np.arange(r + 1) * (c + 1) + j
    # A line's hidden entries but one (non-empty): what is left once that one is pinned.
    index = np.arange(table.size).reshape(table.shape)
    lines = [(f"row {i}", index[i, :]) for i in range(r + 1)]
    lines += [(f"column {j}", index[:, j]) for j in range(c + 1)]
    for name, line in lines:
        entries = line[hidden.ravel()[line]]
        for one in entries if len(entries) >= 3 else []:
            if table.ravel()[one]:
                groups[f"{name} but entry {one}"] = entries[entries != one]
    bounded = a.any(axis=0)
    suspects: dict[str, np.ndarray] = {}
    for name, entries in groups.items():
        # The true table is feasible, so a group of 0 or at least k people has 0 or a
        # value >= k in its range: only the small groups can be pinned to 1..k-1.
        weights = np.zeros(len(unknown))
        weights[[column[int(f)] for f in entries]] = 1
        if 1 <= table.ravel()[entries].sum() < k and bounded[weights > 0].all():
            suspects[name] = weights
    if suspects:
        # One feasible table with every suspect as small as possible, one as large: a
        # group seen there at 0 or at k or more is safe (a proof, not a guess).
        low_all = linprog(sum(suspects.values()), A_eq=a, b_eq=b, bounds=(0, None))
        high_all = linprog(-sum(suspects.values()), A_eq=a, b_eq=b, bounds=(0, None))
        assert low_all.status == 0 and high_all.status == 0
        for name in list(suspects):
            w = suspects[name]
            if w @ low_all.x < 1e-6 or w @ high_all.x > k - 1e-6:
                del suspects[name]
    leaks = []
    for name, weights in suspects.items():
        high = linprog(-weights, A_eq=a, b_eq=b, bounds=(0, None))
        assert high.status == 0
        if np.floor(-high.fun + 1e-6) > k - 1:
            continue
        low = linprog(weights, A_eq=a, b_eq=b, bounds=(0, None))
        assert low.status == 0
        if np.ceil(low.fun - 1e-6) >= 1:
            leaks.append(f"{name}: {low.fun:g}..{-high.fun:g}")
    return leaks


@settings(max_examples=1000, deadline=None)
@given(crosstabs())
def test_attacker_never_isolates_a_small_group_in_a_crosstab(case) -> None:
    cells, row_totals, col_totals, grand, k = case
    gate = suppress_crosstab(cells, row_totals, col_totals, grand, k)
    vis_cells, vis_rows, vis_cols = gate.cells == 0, gate.rows == 0, gate.columns == 0
    assert (cells[vis_cells] >= k).all()
    assert (row_totals[vis_rows] >= k).all() and (col_totals[vis_cols] >= k).all()
    assert not vis_cells[~vis_rows, :].any() and not vis_cells[:, ~vis_cols].any()
    attempts: list[set[int]] = []
    for r in np.flatnonzero(vis_rows):
        attempts.append(subset_remainders(int(row_totals[r]), list(cells[r][vis_cells[r]])))
    for c in np.flatnonzero(vis_cols):
        attempts.append(subset_remainders(int(col_totals[c]), list(cells[:, c][vis_cells[:, c]])))
    if gate.total == VISIBLE:
        attempts.append(subset_remainders(grand, list(row_totals[vis_rows])))
        attempts.append(subset_remainders(grand, list(col_totals[vis_cols])))
        # Through two levels: the grand total minus visible rows, or minus visible cells.
        attempts.append(
            subset_remainders(grand, [*row_totals[vis_rows]])
            | subset_remainders(grand, [int(v) for v in cells[vis_cells]])
        )
    for remainders in attempts:
        assert not [r for r in remainders if 1 <= r < k]
    # Linking rows and columns: no hidden cell or margin has a feasible range in 1..k-1.
    assert not lp_leaks(cells, row_totals, col_totals, grand, gate, k)


def test_linking_a_row_and_a_column_does_not_pin_a_small_cell() -> None:
    # The reviewer's table. Margin rules alone hide [0, 0], [0, 1], [1, 0] and show
    # [1, 1] = 5: column 1 then gives [0, 1] = 10 - 5 exactly (the only hidden cell in a
    # visible margin), and row 0 gives [0, 0] = 6 - 5 = 1.
    cells = np.array([[1, 5], [5, 5]])
    rows, cols, grand = cells.sum(axis=1), cells.sum(axis=0), int(cells.sum())
    margin_rules_only = CrossTabGate(
        cells=np.array([[TOO_FEW, DIFFERENCING], [DIFFERENCING, VISIBLE]]),
        rows=np.zeros(2, dtype=np.int8),
        columns=np.zeros(2, dtype=np.int8),
        total=VISIBLE,
    )
    leaks = lp_leaks(cells, rows, cols, grand, margin_rules_only, 5)
    # The same person again as what is left of row 0 or column 0 once the other is pinned.
    assert leaks[0] == "cell [0, 0]: 1..1" and all("but entry" in x for x in leaks[1:])
    gate = suppress_crosstab(cells, rows, cols, grand, 5)
    assert gate.cells[0, 0] == TOO_FEW
    assert gate.cells[1, 1] != VISIBLE
    assert not lp_leaks(cells, rows, cols, grand, gate, 5)


def test_crosstab_audit_on_a_department_table_is_fast() -> None:
    # 60 departments x 10 age bands with many small cells, at the demographic minimum.
    rng = np.random.default_rng(7)
    cells = rng.poisson(rng.uniform(1, 25, size=(60, 1)) * rng.uniform(0.2, 1.5, size=10))
    rows = cells.sum(axis=1) + rng.integers(0, 4, size=60)
    cols = cells.sum(axis=0) + rng.integers(0, 3, size=10)
    grand = int(rows.sum() + (cols - cells.sum(axis=0)).sum())
    started = time.perf_counter()
    gate = suppress_crosstab(cells, rows, cols, grand, 10)
    elapsed = time.perf_counter() - started
    assert not lp_leaks(cells, rows, cols, grand, gate, 10)
    assert elapsed < 10, f"{elapsed:.1f} s"


def small_tree() -> tuple[GroupTree, np.ndarray]:
    tree = GroupTree.from_paths(["Gemeente/Jeugd", "Gemeente/Wmo", "Gemeente/Participatie"])
    own = np.zeros(len(tree), dtype=np.int64)
    for path, count in {
        "Gemeente/Jeugd": 3,
        "Gemeente/Wmo": 10,
        "Gemeente/Participatie": 12,
    }.items():
        own[tree.index(path)] = count
    return tree, tree.roll_up(own)


def test_primary_suppression_alone_would_leak_and_the_gate_prevents_it() -> None:
    tree, n = small_tree()
    primary_only = np.where(n < 5, TOO_FEW, VISIBLE)
    leaks = derivable_remainders(tree, n, primary_only == VISIBLE, 5)
    # Gemeente (25) - Wmo (10) - Participatie (12) = the 3 people of Jeugd: the attacker
    # model sees the leak of primary suppression alone ...
    assert 3 in leaks[tree.index("Gemeente")]
    # ... and the product's gate, with secondary suppression, leaves nothing to find.
    reasons = suppress_tree(tree, n, 5)
    assert (reasons != VISIBLE).sum() > (primary_only != VISIBLE).sum()
    assert 3 not in derivable_remainders(tree, n, reasons == VISIBLE, 5)[tree.index("Gemeente")]


def test_secondary_suppression_hides_the_next_smallest_sibling() -> None:
    tree, n = small_tree()
    reasons = suppress_tree(tree, n, 5)
    assert reasons[tree.index("Gemeente/Jeugd")] == TOO_FEW
    assert reasons[tree.index("Gemeente/Wmo")] == DIFFERENCING
    assert reasons[tree.index("Gemeente/Participatie")] == VISIBLE
    assert_no_small_remainder(tree, n, reasons, 5)


def test_direct_members_of_a_parent_are_protected_like_a_child() -> None:
    tree = GroupTree.from_paths(["Gemeente", "Gemeente/A", "Gemeente/B"])
    own = np.zeros(len(tree), dtype=np.int64)
    own[tree.index("Gemeente")] = 2  # the two directors, in no team
    own[tree.index("Gemeente/A")] = 8
    own[tree.index("Gemeente/B")] = 9
    reasons = suppress_tree(tree, tree.roll_up(own), 5)
    assert reasons[tree.index("Gemeente")] == VISIBLE
    assert reasons[tree.index("Gemeente/A")] == DIFFERENCING
    assert reasons[tree.index("Gemeente/B")] == VISIBLE


def test_a_hidden_parent_hides_its_children() -> None:
    tree = GroupTree.from_paths(["Org/A/x", "Org/B"])
    own = np.zeros(len(tree), dtype=np.int64)
    own[tree.index("Org/A/x")] = 6
    own[tree.index("Org/B")] = 40
    reasons = suppress_tree(tree, tree.roll_up(own), 7)
    assert reasons[tree.index("Org/A")] == TOO_FEW
    assert reasons[tree.index("Org/A/x")] == TOO_FEW
    own[tree.index("Org/A/x")] = 8
    own[tree.index("Org")] = 3
    reasons = suppress_tree(tree, tree.roll_up(own), 7)
    # Org (51) - B (40) - A (8) = 3 directors: A goes, and x under it.
    assert reasons[tree.index("Org/A")] == DIFFERENCING
    assert reasons[tree.index("Org/A/x")] == PARENT_SUPPRESSED


def test_top_level_groups_are_not_differenced_from_the_organisation() -> None:
    tree = GroupTree.from_paths(["A", "B", "C"])
    reasons = suppress_tree(tree, np.array([2, 20, 30]), 5)
    assert list(reasons) == [TOO_FEW, DIFFERENCING, VISIBLE]


def test_crosstab_suppression_reaches_a_fixed_point_along_both_dimensions() -> None:
    # Department x age band: one cell of 2 forces a second cell in its row, which in turn
    # exposes its column, and so on.
    cells = np.array([[2, 12, 15], [11, 13, 20]])
    gate = suppress_crosstab(cells, cells.sum(1), cells.sum(0), int(cells.sum()), 10)
    hidden = gate.cells != VISIBLE
    assert hidden[0, 0] and hidden[0, 1]
    # Column 0: 13 - 11 would leave 2, so the 11 goes too. Column 1 would then give the
    # 12 exactly (25 - 13) and row 0 the 2 (29 - 15 - 12): the audit hides the 13 as well.
    assert hidden[1, 0] and hidden[1, 1]
    assert not hidden[0, 2] and not hidden[1, 2]


# --- groups out of the viewer's scope (a department taken out of a manager's scope) --------


def protected_mass(tree: GroupTree, n: np.ndarray, protected: np.ndarray) -> np.ndarray:
    """Per group, how many of its respondents sit in protected groups."""
    mass = np.zeros(len(tree), dtype=np.int64)
    for i in reversed(range(len(tree))):  # children come after their parent
        mass[i] = n[i] if protected[i] else sum(int(mass[c]) for c in tree.children[i])
    return mass


def derivable_blends(
    tree: GroupTree, n: np.ndarray, visible: np.ndarray, protected: np.ndarray, k: int
) -> dict[int, set[tuple[int, int]]]:
    """Per visible group: what an attacker can isolate as (protected, other) respondents,
    the group's own total included, keeping only those with fewer than k others."""
    mass = protected_mass(tree, n, protected)

    def options(node: int) -> set[tuple[int, int]]:
        whole = (int(mass[node]), int(n[node] - mass[node]))
        return {whole, (0, 0)} | below(node)

    def below(node: int) -> set[tuple[int, int]]:
        kids = tree.children[node]
        direct = int(n[node]) - sum(int(n[c]) for c in kids)
        hidden = [c for c in kids if not visible[c]]
        base = (
            sum(int(mass[c]) for c in hidden),
            direct + sum(int(n[c] - mass[c]) for c in hidden),
        )
        sums = {base}
        for child in (c for c in kids if visible[c]):
            sums = {(p + q, u + v) for p, u in sums for q, v in options(child) if u + v < k}
        return sums

    return {
        g: below(g) | {(int(mass[g]), int(n[g] - mass[g]))} for g in range(len(tree)) if visible[g]
    }


@st.composite
def trees_with_protected_groups(draw: st.DrawFn):
    tree, n, k = draw(trees())
    # Protected groups below the top level: a manager's scope is inside the organisation.
    candidates = [i for i, parent in enumerate(tree.parents) if parent != ROOT]
    chosen = draw(st.sets(st.sampled_from(candidates), max_size=3)) if candidates else set()
    protected = np.array([i in chosen for i in range(len(tree))])
    return tree, n, k, protected


@settings(max_examples=1000, deadline=None)
@given(trees_with_protected_groups())
def test_a_protected_group_is_never_shown_nor_left_with_fewer_than_k_others(case) -> None:
    tree, n, k, protected = case
    reasons = suppress_tree(tree, n, k, protected=protected)
    visible = reasons == VISIBLE
    assert not (visible & protected).any()
    for i, parent in enumerate(tree.parents):
        if parent != ROOT and not visible[parent]:
            assert not visible[i]
    # Whatever a viewer subtracts, a protected group never comes out alone or with fewer
    # than k others.
    for group, blends in derivable_blends(tree, n, visible, protected, k).items():
        leaked = sorted((p, u) for p, u in blends if p > 0 and u < k)
        assert not leaked, f"{tree.paths[group]}: {leaked}"
    # And the rules without protection still hold.
    assert_no_small_remainder(tree, n, reasons, k)


def test_without_protected_groups_nothing_changes() -> None:
    tree = GroupTree.from_paths(["G/SD/JEUGD", "G/SD/WMO", "G/BV/ICT"])
    own = np.zeros(len(tree), dtype=np.int64)
    for path, count in {"G/SD/JEUGD": 6, "G/SD/WMO": 6, "G/BV/ICT": 7}.items():
        own[tree.index(path)] = count
    n = tree.roll_up(own)
    plain = suppress_tree(tree, n, 5)
    assert (suppress_tree(tree, n, 5, protected=np.zeros(len(tree), dtype=bool)) == plain).all()
    # JEUGD taken out of a manager's scope: hidden, and WMO with it, or SD minus WMO would
    # be JEUGD's figures.
    protected = np.array([path == "G/SD/JEUGD" for path in tree.paths])
    shielded = suppress_tree(tree, n, 5, protected=protected)
    assert plain[tree.index("G/SD/WMO")] == VISIBLE
    assert shielded[tree.index("G/SD/JEUGD")] != VISIBLE
    assert shielded[tree.index("G/SD/WMO")] == DIFFERENCING
    assert shielded[tree.index("G/SD")] == VISIBLE  # JEUGD and WMO together: 12
