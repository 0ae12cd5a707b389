"""Item scores, scales (reverse items, minimum answered, bands) and the gated report."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.gate import DIFFERENCING, Suppressed
from analysis.report import gated_report
from analysis.scales import (
    WORK_ABILITY_BANDS,
    band_for,
    band_indices,
    parse_scale_spec,
    scale_scores,
    scale_spec_from_survey,
    total_scale,
)
from analysis.scores import default_ranges, item_spec, item_spec_from_question, summarise_item
from analysis.tree import GroupTree
from surveys import load_bank


def test_item_summary_by_hand() -> None:
    summary = summarise_item(np.array([1, 2, 4, 4, 5, np.nan]), item_spec("q", 1, 5))
    assert summary.n == 5
    assert summary.mean == pytest.approx(3.2)
    assert summary.sd == pytest.approx(np.std([1, 2, 4, 4, 5], ddof=1))
    assert summary.distribution == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
    assert (summary.favourable, summary.neutral, summary.unfavourable) == pytest.approx((60, 0, 40))


def test_reverse_item_mirrors_the_favourable_range_onto_raw_answers() -> None:
    spec = item_spec("tired", 1, 5, reverse=True)
    assert spec.favourable == (1, 2) and spec.unfavourable == (4, 5)
    assert summarise_item(np.array([1, 1, 5]), spec).favourable == pytest.approx(200 / 3)


def test_default_ranges_follow_the_question_bank() -> None:
    assert default_ranges(1, 5) == ((4, 5), (1, 2))
    assert default_ranges(0, 10) == ((9, 10), (0, 6))
    assert default_ranges(1, 3) == ((3, 3), (1, 1))


def test_bank_questions_and_scales_adapt() -> None:
    bank = load_bank()
    tired = item_spec_from_question(bank.questions["workload_too_much"])
    assert tired.reverse and tired.favourable == (1, 2)
    workload = scale_spec_from_survey(bank.scales["workload"])
    assert workload.reverse == (True, False) and workload.min_answered == 2
    answers = np.array([[5.0, 4.0], [1.0, np.nan]])
    assert scale_scores(answers, workload)[0] == pytest.approx(2.5)
    assert np.isnan(scale_scores(answers, workload)[1])  # below min_answered


def test_scale_spec_and_min_answered_rule() -> None:
    spec = parse_scale_spec("eng=a, b,-c", 1, 5)
    assert spec.items == ("a", "b", "c") and spec.reverse == (False, False, True)
    assert spec.min_answered == 2
    scores = scale_scores(np.array([[5, 4, 1], [5, np.nan, np.nan], [np.nan, 3, 2]]), spec)
    assert scores[0] == pytest.approx((5 + 4 + 5) / 3)  # c reversed: 1 counts as 5
    assert np.isnan(scores[1])
    assert scores[2] == pytest.approx(3.5)
    with pytest.raises(ValueError, match="NAME=item"):
        parse_scale_spec("no-equals", 1, 5)


def test_subscale_and_total_means() -> None:
    one, two = parse_scale_spec("one=a,b", 1, 5), parse_scale_spec("two=-c,d", 1, 5)
    total = total_scale("all", [one, two])
    assert total.items == ("a", "b", "c", "d") and total.reverse == (False, False, True, False)
    assert scale_scores(np.array([[5, 3, 1, 3]]), total)[0] == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0, "poor"),
        (5, "poor"),
        (5.9, "poor"),
        (6, "moderate"),
        (7, "moderate"),
        (8, "good"),
        (9, "good"),
        (10, "excellent"),
    ],
)
def test_work_ability_score_bands(score: float, label: str) -> None:
    band = band_for(score, WORK_ABILITY_BANDS)
    assert band is not None and band.label == label


def test_work_ability_bands_match_the_bank() -> None:
    bank_scale = scale_spec_from_survey(load_bank().scales["work_ability"])
    assert [b.min_score for b in bank_scale.bands] == [b.min_score for b in WORK_ABILITY_BANDS]
    assert list(band_indices(np.array([np.nan, 3, 10]), bank_scale.bands)) == [-1, 0, 3]


def small_report(paths: list[str], answers: np.ndarray, k: int = 5):
    tree = GroupTree.from_paths(paths)
    items = [item_spec(f"q{i}", 1, 5) for i in range(answers.shape[1])]
    scale = parse_scale_spec("s=" + ",".join(spec.key for spec in items), 1, 5)
    return gated_report(tree, tree.indices_of(paths), answers, items, [scale], k=k)


def test_report_matches_plain_summaries_at_every_level() -> None:
    rng = np.random.default_rng(1)
    paths = ["G/A"] * 9 + ["G/B"] * 8 + ["G"] * 5
    answers = rng.integers(1, 6, (len(paths), 3)).astype(float)
    answers[rng.random(answers.shape) < 0.1] = np.nan
    answers[:, 1] = np.where(np.isnan(answers[:, 1]), 3, answers[:, 1])  # q1 complete
    report = small_report(paths, answers)
    for group, rows in {"G": slice(None), "G/A": slice(0, 9), "G/B": slice(9, 17)}.items():
        expected = summarise_item(answers[rows, 1], item_spec("q1", 1, 5))
        got = report.item(0, group, "q1")
        assert not isinstance(got, Suppressed)
        assert got.n == expected.n and got.distribution == expected.distribution
        assert got.mean == pytest.approx(expected.mean) and got.sd == pytest.approx(expected.sd)
        assert got.favourable == pytest.approx(expected.favourable)


def test_report_gates_groups_items_and_scales() -> None:
    paths = ["G/A"] * 6 + ["G/B"] * 7 + ["G/C"] * 2
    answers = np.full((15, 2), 3.0)
    report = small_report(paths, answers)
    assert report.item(0, "G/C", "q0") == Suppressed("too_few_respondents")
    assert report.item(0, "G/A", "q0") == Suppressed("differencing")
    assert report.scale(0, "G/A", "s") == Suppressed("differencing")
    assert not isinstance(report.item(0, "G/B", "q0"), Suppressed)
    records = {r["group"]: r for r in report.records()}
    assert records["G/A"] == {"group": "G/A", "n": 6, "suppressed": True, "items": {}, "scales": {}}
    assert records["G/B"]["items"]["q0"]["n"] == 7
    # Hidden figures are not kept in the arrays either.
    assert np.isnan(report.item_mean[0, report.tree.index("G/A")]).all()


def test_an_item_with_gaps_is_gated_on_its_own_answer_count() -> None:
    paths = ["G/A"] * 10 + ["G/B"] * 10
    answers = np.full((20, 2), 4.0)
    answers[:7, 1] = np.nan  # q1: only 3 answers in A
    report = small_report(paths, answers)
    assert not isinstance(report.item(0, "G/A", "q0"), Suppressed)
    assert report.item(0, "G/A", "q1") == Suppressed("too_few_respondents")
    # G (13 answers) - B (10) would expose A's 3 answers: B's q1 goes too.
    assert report.item_reason[0, report.tree.index("G/B"), 1] == DIFFERENCING
    assert not isinstance(report.item(0, "G", "q1"), Suppressed)


def test_report_rejects_answers_outside_the_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        small_report(["G"] * 5, np.array([[1.0], [2.0], [6.0], [3.0], [3.0]]))
    with pytest.raises(ValueError, match="outside"):
        small_report(["G"] * 5, np.array([[1.0], [2.5], [3.0], [3.0], [3.0]]))
