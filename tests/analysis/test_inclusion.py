"""Inclusion analysis: figures checkable by hand, and an attacker who has everything shown."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.optimize import linprog

from analysis.compare import cohens_d, holm
from analysis.gate import Suppressed
from analysis.inclusion import (
    Gap,
    InclusionData,
    InclusionReport,
    Intersection,
    gap_trend,
    inclusion_report,
)
from analysis.inclusion_stats import proportion_p_values

SCALES = ("belonging",)


def make_data(
    units: tuple[str, ...],
    people: list[tuple[int, dict[str, int], list[float], float]],
    demographics: tuple[tuple[str, tuple[str, ...]], ...],
    kinds: list[list[bool]] | None = None,
    scales: tuple[str, ...] = SCALES,
    **extra,
) -> InclusionData:
    """One row per person: (unit index, {demographic: category index}, scores, experienced)."""
    n = len(people)
    return InclusionData(
        units=units,
        unit_of=np.array([p[0] for p in people], dtype=np.intp),
        demographics=demographics,
        category_of={
            key: np.array([p[1].get(key, -1) for p in people], dtype=np.intp)
            for key, _ in demographics
        },
        scales=scales,
        scores=np.array([p[2] for p in people], dtype=float).reshape(n, len(scales)),
        experienced=np.array([p[3] for p in people], dtype=float),
        kinds=("bullying", "intimidation"),
        kind_of=np.array(kinds or [[False, False]] * n, dtype=bool).reshape(n, 2),
        sources=("colleagues",),
        source_of=np.array([p[3] == 1 for p in people], dtype=bool).reshape(n, 1),
        reported=("manager", "not_reported"),
        reported_of=np.array([0 if p[3] == 1 else -1 for p in people], dtype=np.intp),
        **extra,
    )


GENDER = (("gender", ("woman", "man")),)
# Unit A: women 4, 5, 3 and men 2, 3, 1; unit B: women 5, 5, 4, 2 and men 3, 4, 3.
TINY = [
    *[(0, {"gender": 0}, [x], e) for x, e in ((4, 0), (5, 0), (3, 1))],
    *[(0, {"gender": 1}, [x], e) for x, e in ((2, 1), (3, 1), (1, 1))],
    *[(1, {"gender": 0}, [x], e) for x, e in ((5, 0), (5, 0), (4, 0), (2, 1))],
    *[(1, {"gender": 1}, [x], e) for x, e in ((3, 0), (4, 0), (3, 1))],
]


def tiny_report() -> InclusionReport:
    kinds = [[e == 1, i % 2 == 0] for i, (*_, e) in enumerate(TINY)]
    return inclusion_report(
        make_data(("A", "B"), TINY, GENDER, kinds), k=3, k_demographics=3, min_effect=0.3
    )


def test_gaps_by_hand_against_scipy() -> None:
    report = tiny_report()
    assert report.respondents == 13
    org, a, b = report.breakdowns["gender"].units
    assert (org.unit, a.unit, b.unit) == ("", "A", "B")
    assert (org.respondents, a.respondents, b.respondents) == (13, 6, 7)
    assert (org.stated, a.stated, b.stated) == (13, 6, 7)
    woman_a = a.categories[0].scales["belonging"]
    assert isinstance(woman_a, Gap)
    # Women in A: (4 + 5 + 3) / 3 = 4; the rest of A (the men): (2 + 3 + 1) / 3 = 2.
    assert (woman_a.mean, woman_a.rest_mean, woman_a.gap) == (4.0, 2.0, 2.0)
    assert (woman_a.n, woman_a.rest_n) == (3, 3)
    assert woman_a.effect_size == pytest.approx(
        cohens_d(np.array([4, 5, 3.0]), np.array([2, 3, 1.0]))
    )
    assert woman_a.effect_size == pytest.approx(2.0)  # both SDs are 1
    # Holm over the six shown gaps (org, A, B x woman, man), each Welch's t from scipy.
    groups = {
        "org": ([4, 5, 3, 5, 5, 4, 2], [2, 3, 1, 3, 4, 3]),
        "A": ([4, 5, 3], [2, 3, 1]),
        "B": ([5, 5, 4, 2], [3, 4, 3]),
    }
    raw = []
    for women, men in groups.values():
        p = stats.ttest_ind(women, men, equal_var=False).pvalue
        raw += [p, p]  # woman vs the rest and man vs the rest: the same test
    adjusted = holm(raw)
    figures = [u.categories[c].scales["belonging"] for u in (org, a, b) for c in (0, 1)]
    assert [g.p_value for g in figures] == pytest.approx(list(adjusted))
    man_org = org.categories[1].scales["belonging"]
    assert man_org.mean == pytest.approx(16 / 6) and man_org.rest_mean == pytest.approx(28 / 7)
    assert man_org.gap == pytest.approx(-(woman_org := org.categories[0].scales["belonging"]).gap)
    assert woman_org.flagged == (woman_org.p_value < 0.05 and abs(woman_org.effect_size) >= 0.3)


def test_incidence_by_hand_against_fisher() -> None:
    report = tiny_report()
    org, a, _ = report.breakdowns["gender"].units
    men_a = a.categories[1].incidence
    # All three men of A experienced it, one of the three women.
    assert (men_a.rate, men_a.rest_rate, men_a.n, men_a.experienced) == (1.0, 1 / 3, 3, 3)
    women_org = org.categories[0].incidence
    assert women_org.rate == pytest.approx(2 / 7) and women_org.rest_rate == pytest.approx(4 / 6)
    raw = [
        stats.fisher_exact(table).pvalue
        for table in (
            [[2, 5], [4, 2]],  # org women vs men
            [[4, 2], [2, 5]],
            [[1, 2], [3, 0]],  # A
            [[3, 0], [1, 2]],
            [[1, 3], [1, 2]],  # B
            [[1, 2], [1, 3]],
        )
    ]
    shown = [
        u.categories[c].incidence.p_value for u in report.breakdowns["gender"].units for c in (0, 1)
    ]
    assert shown == pytest.approx(list(holm(raw)))
    # Details among the men of A who experienced it (3) would leave, against A's own
    # details (4 experienced it), the one woman of A: hidden, as the women's own (1).
    assert men_a.kinds == Suppressed("differencing")
    assert isinstance(a.categories[0].incidence.kinds, Suppressed)


def test_details_are_shares_among_those_who_experienced_it() -> None:
    # Per gender 12 people; 10 experienced it (k_demographics = 10); the first 5 women
    # and 10 men bullying, the first 4 women and 2 men intimidation.
    people, kinds = [], []
    for g, bullied, intimidated in ((0, 5, 4), (1, 10, 2)):
        for i in range(12):
            people.append((0, {"gender": g}, [3.0], float(i < 10)))
            kinds.append([i < bullied, i < intimidated])
    report = inclusion_report(make_data(("A",), people, GENDER, kinds), k=5, k_demographics=10)
    women = report.breakdowns["gender"].units[1].categories[0].incidence
    assert women.experienced == 10 and women.rate == pytest.approx(10 / 12)
    assert women.kinds == {"bullying": 0.5, "intimidation": 0.4}
    assert women.sources == {"colleagues": 1.0}
    assert women.reported == {"manager": 1.0, "not_reported": 0.0}
    # Follow-up answers of people who said no (i >= 10) are ignored.
    men = report.breakdowns["gender"].units[0].categories[1].incidence
    assert men.kinds == {"bullying": 1.0, "intimidation": 0.2}


def test_proportions_use_chi_square_when_counts_are_large() -> None:
    p = proportion_p_values(
        np.array([30, 3]), np.array([200, 20]), np.array([400, 40]), np.array([4800, 480])
    )
    chi2 = stats.chi2_contingency([[30, 170], [400, 4400]], correction=False)
    assert p[0] == pytest.approx(chi2.pvalue)
    assert p[1] == pytest.approx(stats.fisher_exact([[3, 17], [40, 440]]).pvalue)
    assert proportion_p_values(0, 10, 0, 12)[0] == 1.0
    assert np.isnan(proportion_p_values(1, 10, 0, 0)[0])


def test_a_scale_some_lack_is_gated_on_its_own_counts() -> None:
    # 12 + 12 women and men; one woman has no score: 11 scores, still >= 10. With two
    # missing the scale's own count (10) passes but the rest ... the woman cell is hidden
    # only for the scale when its score count drops below the minimum.
    people = [(0, {"gender": 0}, [4.0], 0.0)] * 10 + [(0, {"gender": 0}, [np.nan], 0.0)] * 2
    people += [(0, {"gender": 1}, [3.0], 0.0)] * 12
    report = inclusion_report(make_data(("A",), people, GENDER), k=5, k_demographics=10)
    org = report.breakdowns["gender"].units[0]
    assert org.categories[0].respondents == 12
    assert org.categories[0].scales["belonging"].n == 10
    people[0] = (0, {"gender": 0}, [np.nan], 0.0)
    report = inclusion_report(make_data(("A",), people, GENDER), k=5, k_demographics=10)
    woman = report.breakdowns["gender"].units[0].categories[0]
    assert woman.respondents == 12
    assert isinstance(woman.scales["belonging"], Suppressed)
    assert not isinstance(woman.incidence, Suppressed)


def four_in_forty() -> tuple[InclusionData, InclusionReport]:
    """Front office: 40 respondents of whom 4 have a disability; two other departments."""
    rng = np.random.default_rng(4)
    people = []
    for unit, size, disabled in ((0, 40, 4), (1, 60, 12), (2, 50, 15)):
        for i in range(size):
            yes = i < disabled
            score = [float(rng.integers(1, 4) if yes else rng.integers(3, 6))]
            people.append((unit, {"disability": 0 if yes else 1}, score, float(yes)))
    data = make_data(("front", "back", "office"), people, (("disability", ("yes", "no")),))
    return data, inclusion_report(data, k=5, k_demographics=10)


def test_four_in_forty_cannot_be_derived() -> None:
    data, report = four_in_forty()
    org, front, back, office = report.breakdowns["disability"].units
    assert front.respondents == 40  # the department's own figures are shown
    yes, no = 0, 1
    assert isinstance(front.categories[yes].respondents, Suppressed)
    assert isinstance(front.categories[yes].scales["belonging"], Suppressed)
    assert isinstance(front.categories[yes].incidence, Suppressed)
    # Attack 1: front's total (40 people, mean known elsewhere) minus front's "no" cell.
    # 40 * mean(front) - 36 * mean(front, no) = the four's sum: the "no" cell is hidden.
    assert isinstance(front.categories[no].respondents, Suppressed)
    assert isinstance(front.stated, Suppressed)  # else 40 - stated and stated - no leak
    # Attack 2: the organisation's "yes" figures minus the other departments' "yes" cells.
    assert not isinstance(org.categories[yes].respondents, Suppressed)
    other_yes = [u.categories[yes].respondents for u in (back, office)]
    assert any(isinstance(v, Suppressed) for v in other_yes)
    # Attack 3: a hidden "yes" cell elsewhere recovered from its own department's total
    # minus its "no" cell, then attack 2: every department with a hidden "yes" cell must
    # hide its "no" cell too.
    for unit in (back, office):
        if isinstance(unit.categories[yes].respondents, Suppressed):
            assert isinstance(unit.categories[no].respondents, Suppressed)
    # And any linear combination of everything shown: see the general attacker below.
    assert not attacker_leaks(data, report, "disability", 10)


def attacker_leaks(data: InclusionData, report: InclusionReport, key: str, k: int) -> list[str]:
    """Hidden cells of 1..k-1 people whose count or score sum follows from what is shown.

    The attacker knows every shown figure of the breakdown, each shown department's total
    (from the ordinary results), the organisation's total, and that counts are not
    negative. Unknowns: people per (department or "elsewhere") x (category or "not
    stated"). Audited: every entry, and in every row and column the entries not shown but
    one (what is left of a department once one hidden cell follows from its column). A
    count is leaked when its LP range lies in 1..k-1; a score sum when the group is a
    linear combination of the equations (sums obey the same equations).
    """
    breakdown = report.breakdowns[key]
    n_cats = len(breakdown.categories)
    units = breakdown.units[1:]
    shown_unit = [not isinstance(u.respondents, Suppressed) for u in units]
    rows = [i for i, s in enumerate(shown_unit) if s] + ["elsewhere"]
    index = {(r, c): i for i, (r, c) in enumerate((r, c) for r in rows for c in range(n_cats + 1))}
    codes = np.asarray(data.category_of[key])
    unit_of = np.asarray(data.unit_of)
    truth = np.zeros(len(index))
    for u, c in zip(unit_of, codes, strict=True):
        row = u if u >= 0 and shown_unit[u] else "elsewhere"
        truth[index[(row, c if c >= 0 else n_cats)]] += 1
    equations: list[tuple[list[int], float]] = [(list(range(len(index))), float(len(unit_of)))]
    for c, figures in enumerate(breakdown.units[0].categories):
        if not isinstance(figures.respondents, Suppressed):
            equations.append(([index[(r, c)] for r in rows], figures.respondents))
    for u, unit in enumerate(units):
        if not shown_unit[u]:
            continue
        equations.append(([index[(u, c)] for c in range(n_cats + 1)], unit.respondents))
        if not isinstance(unit.stated, Suppressed):
            equations.append(([index[(u, c)] for c in range(n_cats)], unit.stated))
        for c, figures in enumerate(unit.categories):
            if not isinstance(figures.respondents, Suppressed):
                equations.append(([index[(u, c)]], figures.respondents))
    a = np.zeros((len(equations), len(index)))
    for row, (members, _) in enumerate(equations):
        a[row, members] = 1
    b = np.array([value for _, value in equations], dtype=float)
    assert np.allclose(a @ truth, b)
    shown = {tuple(members) for members, _ in equations if len(members) == 1}
    groups = [[i] for i in index.values()]
    lines = [[index[(r, c)] for c in range(n_cats + 1)] for r in rows]
    lines += [[index[(r, c)] for r in rows] for c in range(n_cats + 1)]
    for line in lines:
        hidden = [i for i in line if (i,) not in shown]
        # Less an empty entry the rest is the whole line (known, or audited as an entry).
        groups += [[j for j in hidden if j != i] for i in hidden if len(hidden) >= 3 and truth[i]]
    leaks = []
    for members in groups:
        if not 1 <= truth[members].sum() < k:
            continue
        weights = np.zeros(len(index))
        weights[members] = 1
        names = [name for name, i in index.items() if i in members]
        high = -linprog(-weights, A_eq=a, b_eq=b, bounds=(0, None)).fun
        low = linprog(weights, A_eq=a, b_eq=b, bounds=(0, None)).fun
        if np.ceil(low - 1e-6) >= 1 and np.floor(high + 1e-6) <= k - 1:
            leaks.append(f"count of {names}: {low:g}..{high:g}")
        solution = np.linalg.lstsq(a.T, weights, rcond=None)[0]
        if np.allclose(a.T @ solution, weights, atol=1e-8):
            leaks.append(f"sum of {names} is determined")
    return leaks


def test_the_rest_of_a_department_is_not_one_subtraction_away() -> None:
    # U (40): 36 c0, 2 c1, 2 did not say. With V's and W's c0 shown, U's c0 (36, and its
    # score sum) follows from the organisation's column, and U's total minus it gives the
    # other 4 together (2 in c1, 2 who did not say), though neither is pinned on its own.
    people = []
    for unit, spec in ((0, {0: 36, 1: 2, -1: 2}), (1, {0: 40, 1: 20}), (2, {0: 30, 1: 12, -1: 8})):
        for c, count in spec.items():
            people += [(unit, {"d": c}, [1.0 if unit == 0 and c != 0 else 4.0], 0.0)] * count
    data = make_data(("U", "V", "W"), people, (("d", ("c0", "c1")),))
    report = inclusion_report(data, k=5, k_demographics=10)
    org, u, v, w = report.breakdowns["d"].units
    assert org.categories[0].respondents == 106 and u.respondents == 40
    assert isinstance(v.categories[0].respondents, Suppressed) or isinstance(
        w.categories[0].respondents, Suppressed
    )
    assert not attacker_leaks(data, report, "d", 10)


@st.composite
def breakdowns(draw: st.DrawFn) -> InclusionData:
    n_units = draw(st.integers(1, 4))
    n_cats = draw(st.integers(2, 3))
    size = st.one_of(st.integers(0, 4), st.integers(0, 14))
    people = []
    for unit in range(-1, n_units):
        for code in range(-1, n_cats):
            for _ in range(draw(size) if unit >= 0 else draw(st.integers(0, 2))):
                people.append((unit, {"d": code}, [3.0], 0.0))
    demographics = (("d", tuple(f"c{i}" for i in range(n_cats))),)
    return make_data(tuple(f"u{i}" for i in range(n_units)), people, demographics)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(breakdowns())
def test_attacker_with_everything_shown_learns_no_small_cell(data: InclusionData) -> None:
    report = inclusion_report(data, k=3, k_demographics=5)
    assert not attacker_leaks(data, report, "d", 5)


def test_intersections_only_when_every_cell_passes() -> None:
    demographics = (("gender", ("woman", "man")), ("age", ("young", "old")))
    people = []
    for g, a, count in ((0, 0, 12), (0, 1, 15), (1, 0, 11), (1, 1, 13)):
        people += [(0, {"gender": g, "age": a}, [float(g + a)], 0.0)] * count
    report = inclusion_report(make_data(("A",), people, demographics), k=5, k_demographics=10)
    table = report.intersections("gender", "age")
    assert isinstance(table, Intersection)
    assert [[c.respondents for c in row] for row in table.cells] == [[12, 15], [11, 13]]
    assert table.cells[1][0].scales["belonging"] == 1.0
    flipped = report.intersections("age", "gender")
    assert flipped.rows == ("young", "old") and flipped.cells[0][1].respondents == 11
    # Three people who gave their gender but not their age: the implicit cell is small.
    people += [(0, {"gender": 0}, [1.0], 0.0)] * 3
    report = inclusion_report(make_data(("A",), people, demographics), k=5, k_demographics=10)
    assert isinstance(report.intersections("gender", "age"), Suppressed)
    with pytest.raises(KeyError):
        report.intersections("gender", "nope")


def test_gap_trend_per_wave_and_category() -> None:
    first = tiny_report()
    other = inclusion_report(
        make_data(("A",), [(0, {}, [3.0], 0.0)] * 12, (("age", ("young",)),)), k=3, k_demographics=3
    )
    trend = gap_trend([first, other, first], "gender", "belonging")
    assert len(trend) == 3 and len(trend[0]) == 2
    assert trend[0][0] == first.breakdowns["gender"].units[0].categories[0].scales["belonging"]
    assert trend[1] == [Suppressed("not_asked")] * 2
    assert gap_trend([first], "gender", "nope") == [[Suppressed("not_asked")] * 2]


def test_five_thousand_respondents_eight_demographics_ten_units_is_fast() -> None:
    rng = np.random.default_rng(1)
    n, n_units = 5000, 10
    demographics = tuple((f"d{i}", tuple(f"c{j}" for j in range(2 + i % 4))) for i in range(8))
    data = InclusionData(
        units=tuple(f"u{i}" for i in range(n_units)),
        unit_of=np.where(rng.random(n) < 0.02, -1, rng.integers(0, n_units, n)),
        demographics=demographics,
        category_of={
            key: np.where(rng.random(n) < 0.15, -1, rng.integers(0, len(c), n))
            for key, c in demographics
        },
        scales=tuple(f"s{i}" for i in range(5)),
        scores=np.clip(rng.normal(3.5, 0.8, (n, 5)), 1, 5),
        experienced=(rng.random(n) < 0.2).astype(float),
        kinds=("a", "b"),
        kind_of=rng.random((n, 2)) < 0.5,
        sources=("x",),
        source_of=rng.random((n, 1)) < 0.5,
        reported=("m",),
        reported_of=rng.integers(-1, 1, n),
    )
    started = time.perf_counter()
    report = inclusion_report(data, k=5, k_demographics=10)
    # ~0.7 s on an idle 2-core machine; the bound leaves room for a busy one.
    assert time.perf_counter() - started < 6
    assert len(report.breakdowns) == 8


def test_known_department_totals_are_not_hidden_again() -> None:
    # Department A (4 people, all in c0) is shown by the ordinary results (k = 3); B has
    # 10 + 10. A's row total is known, so A's cells and B's are hidden (B0 = 20 - B1
    # would give A0 = 14 - B0 = 4), but the organisation's columns (14, 10) stay: with
    # A = 4 and B = 20 known, A0 can still be anything from 0 to 4.
    people = [(0, {"d": 0}, [3.0], 0.0)] * 4
    people += [(1, {"d": 0}, [3.0], 0.0)] * 10 + [(1, {"d": 1}, [3.0], 0.0)] * 10
    data = make_data(("A", "B"), people, (("d", ("c0", "c1")),))
    report = inclusion_report(data, k=3, k_demographics=5)
    org, a, b = report.breakdowns["d"].units
    assert [c.respondents for c in org.categories] == [14, 10]
    assert (a.respondents, b.respondents) == (4, 20)
    assert all(isinstance(c.respondents, Suppressed) for c in (*a.categories, *b.categories))
    assert not attacker_leaks(data, report, "d", 5)


def linked_attacker_leaks(data: InclusionData, report: InclusionReport, k: int) -> list[str]:
    """`attacker_leaks` over two breakdowns ("a", "b") and their intersection at once.

    Unknowns: people per (department or "elsewhere") x (a or not stated) x (b or not
    stated). Known: what `attacker_leaks` uses, for both breakdowns, and the a x b cells
    when the intersection is shown. Audited: every hidden breakdown cell, every
    three-way cell, and what is left of a known total (less the known totals inside it)
    once one of those is taken out, of 1..k-1 people.
    """
    units = report.breakdowns["a"].units[1:]
    shown_unit = [not isinstance(u.respondents, Suppressed) for u in units]
    rows = [i for i, s in enumerate(shown_unit) if s] + ["elsewhere"]
    n_a, n_b = (len(report.breakdowns[key].categories) for key in ("a", "b"))
    shape = (len(rows), n_a + 1, n_b + 1)
    row_of = {r: i for i, r in enumerate(rows)}
    truth = np.zeros(shape)
    codes = (np.asarray(data.category_of["a"]), np.asarray(data.category_of["b"]))
    for u, ca, cb in zip(np.asarray(data.unit_of), *codes, strict=True):
        r = row_of[u if u >= 0 and shown_unit[u] else "elsewhere"]
        truth[r, ca if ca >= 0 else n_a, cb if cb >= 0 else n_b] += 1

    def mask(r=slice(None), i=slice(None), j=slice(None)) -> np.ndarray:
        m = np.zeros(shape, dtype=bool)
        m[r, i, j] = True
        return m

    known: list[tuple[np.ndarray, float]] = []
    groups = [
        mask(r, i, j) for r in range(shape[0]) for i in range(shape[1]) for j in range(shape[2])
    ]
    for key, axis, width in (("a", "i", n_a), ("b", "j", n_b)):
        breakdown = report.breakdowns[key]
        for c, figures in enumerate(breakdown.units[0].categories):
            shown = not isinstance(figures.respondents, Suppressed)
            (
                known.append((mask(**{axis: c}), figures.respondents))
                if shown
                else groups.append(mask(**{axis: c}))
            )
        for u, unit in enumerate(breakdown.units[1:]):
            if not shown_unit[u]:
                continue
            r = row_of[u]
            known.append((mask(r), unit.respondents))
            for c, figures in enumerate(unit.categories):
                if isinstance(figures.respondents, Suppressed):
                    groups.append(mask(r, **{axis: c}))
                else:
                    known.append((mask(r, **{axis: c}), figures.respondents))
            groups.append(mask(r, **{axis: width}))
    table = report.intersections("a", "b")
    if isinstance(table, Intersection):
        for i, row in enumerate(table.cells):
            for j, cell in enumerate(row):
                known.append((mask(i=i, j=j), cell.respondents))
    known.append((mask(), float(len(data.unit_of))))
    for total, _ in list(known):
        free = total.copy()
        for m, _ in known:
            if (m <= total).all() and m.sum() < total.sum():
                free &= ~m
        groups += [free & ~g for g in groups if (g <= free).all() and truth[g].sum() > 0]
    a = np.array([m.ravel() for m, _ in known], dtype=float)
    b = np.array([v for _, v in known], dtype=float)
    assert np.allclose(a @ truth.ravel(), b)
    leaks = []
    for g in groups:
        if not 1 <= truth[g].sum() < k:
            continue
        w = g.ravel().astype(float)
        high = -linprog(-w, A_eq=a, b_eq=b, bounds=(0, None)).fun
        low = linprog(w, A_eq=a, b_eq=b, bounds=(0, None)).fun
        if np.ceil(low - 1e-6) >= 1 and np.floor(high + 1e-6) <= k - 1:
            leaks.append(f"{np.argwhere(g).tolist()[:3]}...: {low:g}..{high:g}")
    return leaks


def test_an_intersection_that_would_pin_one_person_is_hidden() -> None:
    # Department u0 (13): a0/b0 4, a0/not stated 4, a1/b0 4, a1/b1 1; elsewhere (8):
    # a0/b1 4, a1/b1 4. Both breakdowns pass on their own, and every a x b cell has at
    # least 4 people. But the a x b cells give: b0 = a0/b0 + a1/b0 = 8 = u0's b0, so
    # every b0 is in u0 and u0's a1/b0 is 4; a1 = 9 = a1/b0 + a1/b1, so nobody in a1
    # left b out; hence u0's a1/b1 = u0's a1 (5) - 4 = 1 person, whose scores are u0's
    # a1 sum minus the a1/b0 cell's sum.
    counts = {(-1, 0, 1): 4, (-1, 1, 1): 4, (0, 0, -1): 4, (0, 0, 0): 4, (0, 1, 0): 4}
    counts[(0, 1, 1)] = 1
    people = [
        (unit, {"a": ca, "b": cb}, [3.0], 0.0)
        for (unit, ca, cb), count in counts.items()
        for _ in range(count)
    ]
    data = make_data(("u0",), people, (("a", ("a0", "a1")), ("b", ("b0", "b1"))))
    report = inclusion_report(data, k=3, k_demographics=4)
    assert report.breakdowns["a"].units[1].categories[1].respondents == 5
    assert report.breakdowns["b"].units[1].categories[0].respondents == 8
    assert isinstance(report.intersections("a", "b"), Suppressed)
    assert not linked_attacker_leaks(data, report, 4)


def test_an_intersection_that_would_leave_a_small_remainder_is_hidden() -> None:
    # Department u0's a1 cell (7) holds 4 a1/b0 and 3 a1/b1; the a x b cells would pin its
    # a1/b0 people (4, the organisation's whole a1/b0 cell), so u0's a1 cell minus them
    # gives the other 3 together, though no cell of 1..3 is pinned on its own.
    counts = {(-1, -1, 0): 4, (-1, -1, 1): 4, (-1, 0, 1): 4, (-1, 1, -1): 7, (-1, 1, 1): 4}
    counts |= {(0, -1, 0): 4, (0, 0, -1): 7, (0, 0, 0): 8, (0, 0, 1): 3, (0, 1, 0): 4}
    counts[(0, 1, 1)] = 3
    people = [
        (unit, {"a": ca, "b": cb}, [3.0], 0.0)
        for (unit, ca, cb), count in counts.items()
        for _ in range(count)
    ]
    data = make_data(("u0",), people, (("a", ("a0", "a1")), ("b", ("b0", "b1"))))
    report = inclusion_report(data, k=3, k_demographics=4)
    assert report.breakdowns["a"].units[1].categories[1].respondents == 7
    assert isinstance(report.intersections("a", "b"), Suppressed)
    assert not linked_attacker_leaks(data, report, 4)


@st.composite
def two_demographics(draw: st.DrawFn) -> InclusionData:
    n_units = draw(st.integers(1, 3))
    size = st.one_of(st.integers(0, 3), st.integers(0, 12))
    people = []
    for unit in range(-1, n_units):
        for ca in range(-1, 2):
            for cb in range(-1, 2):
                rare = unit < 0 or ca < 0 or cb < 0
                for _ in range(draw(st.sampled_from([0, 0, 0, 4, 7]) if rare else size)):
                    people.append((unit, {"a": ca, "b": cb}, [3.0], 0.0))
    demographics = (("a", ("a0", "a1")), ("b", ("b0", "b1")))
    return make_data(tuple(f"u{i}" for i in range(n_units)), people, demographics)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(two_demographics())
def test_an_intersection_does_not_link_the_breakdowns_into_a_leak(data: InclusionData) -> None:
    report = inclusion_report(data, k=3, k_demographics=4)
    assert not linked_attacker_leaks(data, report, 4)


def test_a_small_known_department_keeps_the_reason_too_few() -> None:
    people = [(0, {"d": 0}, [3.0], 0.0)] * 2 + [(0, {"d": 1}, [3.0], 0.0)] * 2
    people += [(1, {"d": c}, [3.0], 0.0) for c in (0, 1) for _ in range(10)]
    report = inclusion_report(
        make_data(("A", "B"), people, (("d", ("c0", "c1")),)), k=3, k_demographics=5
    )
    small = report.breakdowns["d"].units[1]
    assert small.respondents == 4
    assert [c.respondents for c in small.categories] == [Suppressed("too_few_respondents")] * 2


def test_incidence_some_did_not_answer_is_gated_on_its_own_counts() -> None:
    # 12 women, of whom 2 (then 3) left the incidence question unanswered; 12 men.
    people = [(0, {"gender": 0}, [4.0], 1.0)] * 10 + [(0, {"gender": 0}, [4.0], np.nan)] * 2
    people += [(0, {"gender": 1}, [3.0], 0.0)] * 12
    report = inclusion_report(make_data(("A",), people, GENDER), k=5, k_demographics=10)
    woman = report.breakdowns["gender"].units[0].categories[0]
    assert woman.incidence.n == 10 and woman.incidence.rate == 1.0
    people[0] = (0, {"gender": 0}, [4.0], np.nan)
    report = inclusion_report(make_data(("A",), people, GENDER), k=5, k_demographics=10)
    for unit in report.breakdowns["gender"].units:
        woman = unit.categories[0]
        assert woman.respondents == 12 and isinstance(woman.scales["belonging"], Gap)
        assert isinstance(woman.incidence, Suppressed)


def test_too_few_respondents_show_no_total() -> None:
    people = [(0, {"gender": 0}, [3.0], 0.0)] * 4
    report = inclusion_report(make_data(("A",), people, GENDER), k=5, k_demographics=10)
    assert report.respondents == Suppressed("too_few_respondents")
    assert report.breakdowns["gender"].units[0].respondents == Suppressed("too_few_respondents")


def test_a_significant_gap_is_flagged_only_from_the_minimum_effect() -> None:
    people = [(0, {"gender": 0}, [x], 0.0) for x in (4.0, 5.0) * 15]
    people += [(0, {"gender": 1}, [x], 0.0) for x in (1.0, 2.0) * 15]
    data = make_data(("A",), people, GENDER)
    for min_effect, flagged in ((0.3, True), (10.0, False)):
        report = inclusion_report(data, k=5, k_demographics=10, min_effect=min_effect)
        gap = report.breakdowns["gender"].units[0].categories[0].scales["belonging"]
        assert gap.p_value < 1e-6 and gap.effect_size > 5
        assert gap.flagged is flagged


def test_holm_counts_only_the_shown_gaps() -> None:
    data, report = four_in_forty()
    codes, unit_of = data.category_of["disability"], data.unit_of
    scores = data.scores[:, 0]
    shown, raw = [], []
    for row, unit in enumerate(report.breakdowns["disability"].units):
        in_unit = np.ones(len(unit_of), dtype=bool) if row == 0 else unit_of == row - 1
        for c, figures in enumerate(unit.categories):
            gap = figures.scales["belonging"]
            if isinstance(gap, Gap):
                cell = in_unit & (codes == c)
                pair = (scores[cell], scores[in_unit & ~cell])
                raw.append(stats.ttest_ind(*pair, equal_var=False).pvalue)
                shown.append(gap.p_value)
    assert 0 < len(shown) < 8  # some hidden: their p-values must not enter the family
    assert shown == pytest.approx(list(holm(raw)))


def test_an_intersection_leaves_out_a_scale_some_lack() -> None:
    demographics = (("gender", ("woman", "man")), ("age", ("young", "old")))
    people = []
    for g, a, count in ((0, 0, 12), (0, 1, 15), (1, 0, 11), (1, 1, 13)):
        people += [(0, {"gender": g, "age": a}, [float(g + a), 3.0], 0.0)] * count
    people[0] = (0, {"gender": 0, "age": 0}, [0.0, np.nan], 0.0)
    data = make_data(("A",), people, demographics, scales=("belonging", "voice"))
    table = inclusion_report(data, k=5, k_demographics=10).intersections("gender", "age")
    assert table.cells[1][1].scales["belonging"] == 2.0
    assert table.cells[1][1].scales["voice"] == Suppressed("differencing")
