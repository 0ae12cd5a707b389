"""Scales cannot be differenced against their items (item and scale sums, n and mean shown).

Before the fix, items and scales were gated separately and a scale averaged whatever items
each person answered. Proof A (group of 10, one person skipped q2, everything visible):
``2*sum(scale) - sum(q1) - sum(q2)`` is that person's q1. Proof B (group of 5, q2 answered
by one person and hidden, scale visible): ``2*(sum(scale) - sum(q1))`` is that person's
``q2 - q1``, so their q2 when q1 is constant. Both attacks succeed on the old
`gated_report` (checked by reverting analysis/report.py) and fail now.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.gate import Suppressed
from analysis.report import gated_report
from analysis.scales import parse_scale_spec
from analysis.scores import item_spec
from analysis.tree import GroupTree


def one_group_report(answers: np.ndarray, k: int = 5, min_answered: int | None = None):
    tree = GroupTree.from_paths(["G"])
    items = [item_spec(f"q{i + 1}", 1, 5) for i in range(answers.shape[1])]
    scale = parse_scale_spec(
        "s=" + ",".join(spec.key for spec in items), 1, 5, min_answered=min_answered
    )
    group = np.zeros(len(answers), dtype=np.intp)
    return gated_report(tree, group, answers, items, [scale], k=k)


def visible_sum(value) -> float | None:
    return None if isinstance(value, Suppressed) else value.n * value.mean


def test_proof_a_skipper_of_q2() -> None:
    answers = np.column_stack([np.arange(10) % 5 + 1.0, np.full(10, 3.0)])
    answers[0, 1] = np.nan  # the skipper; their q1 is 1
    report = one_group_report(answers)
    q1, q2 = (visible_sum(report.item(0, "G", key)) for key in ("q1", "q2"))
    scale = visible_sum(report.scale(0, "G", "s"))
    assert q1 is not None and q2 is not None  # the items stay visible
    if scale is not None:
        assert abs(2 * scale - q1 - q2 - answers[0, 0]) > 1e-6, "skipper's q1 recovered"
    assert report.scale(0, "G", "s") == Suppressed("differencing")


def test_proof_b_single_answer_to_a_hidden_item() -> None:
    answers = np.column_stack([np.full(5, 3.0), np.full(5, np.nan)])
    answers[2, 1] = 5.0  # the only answer to q2 (hidden: 1 answer)
    report = one_group_report(answers, min_answered=1)
    assert isinstance(report.item(0, "G", "q2"), Suppressed)
    q1 = visible_sum(report.item(0, "G", "q1"))
    scale = visible_sum(report.scale(0, "G", "s"))
    if scale is not None and q1 is not None:
        q1_constant = answers[0, 0]
        assert abs(2 * (scale - q1) + q1_constant - answers[2, 1]) > 1e-6, "q2 recovered"
    assert isinstance(report.scale(0, "G", "s"), Suppressed)


def test_a_tree_sibling_cannot_be_differenced_through_the_parent_scale() -> None:
    # P = A (10 complete, 5 skipped q2) + B (5 complete, 1 skipped q2). B's scale is hidden;
    # scale(P) - scale(A) would give it, and B's items are visible.
    paths = ["P/A"] * 15 + ["P/B"] * 6
    tree = GroupTree.from_paths(paths)
    answers = np.full((21, 2), 4.0)
    answers[10:15, 1] = np.nan
    answers[20, 1] = np.nan
    items = [item_spec("q1", 1, 5), item_spec("q2", 1, 5)]
    scale = parse_scale_spec("s=q1,q2", 1, 5)
    report = gated_report(tree, tree.indices_of(paths), answers, items, [scale], k=5)
    shown = [g for g in ("P", "P/A", "P/B") if not isinstance(report.scale(0, g, "s"), Suppressed)]
    assert not ({"P", "P/A"} <= set(shown)) or "P/B" in shown
    assert "P/B" not in shown


def in_row_space(rows: np.ndarray, target: np.ndarray) -> bool:
    if rows.size == 0:
        return False
    coef, *_ = np.linalg.lstsq(rows.T, target, rcond=None)
    return bool(np.allclose(rows.T @ coef, target, atol=1e-8))


@st.composite
def matrices(draw: st.DrawFn):
    m = draw(st.integers(2, 4))
    r = draw(st.integers(1, 14))
    cells = draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=r, max_size=r))
    values = draw(
        st.lists(st.lists(st.integers(1, 5), min_size=m, max_size=m), min_size=r, max_size=r)
    )
    answers = np.where(np.array(cells), np.array(values, dtype=float), np.nan)
    return answers, draw(st.integers(1, m)), draw(st.integers(3, 6))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(matrices())
def test_attacker_with_all_visible_sums_never_pins_an_answer(case) -> None:
    answers, min_answered, k = case
    r, m = answers.shape
    report = one_group_report(answers, k=k, min_answered=min_answered)
    answered = ~np.isnan(answers)
    # Unknowns: one per respondent x item (answered or not; unanswered ones never appear).
    rows = []
    for i in range(m):
        if not isinstance(report.item(0, "G", f"q{i + 1}"), Suppressed):
            row = np.zeros((r, m))
            row[answered[:, i], i] = 1.0
            rows.append(row.ravel())
    value = report.scale(0, "G", "s")
    if not isinstance(value, Suppressed):
        # Whatever rule the report uses, its scale n tells which respondents count; the
        # report uses complete cases, so each counted respondent contributes mean / m.
        complete = answered.all(axis=1)
        assert value.n == complete.sum()
        row = np.zeros((r, m))
        row[complete] = 1.0 / m
        rows.append(row.ravel())
        expected = answers[complete].mean(axis=1).mean()
        assert abs(value.mean - expected) < 1e-9
    matrix = np.array(rows) if rows else np.zeros((0, r * m))
    for person, item in np.argwhere(answered):
        target = np.zeros(r * m)
        target[person * m + item] = 1.0
        assert not in_row_space(matrix, target), (person, item)
