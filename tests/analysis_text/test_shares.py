"""Theme shares per department through the gate, compared with the organisation; per wave."""

from __future__ import annotations

import pytest

from analysis.text.shares import theme_shares, theme_shares_by_group, theme_shares_by_wave

IDS = ["a", "b"]


def test_shares_count_unassigned_comments_in_the_denominator() -> None:
    assert theme_shares(["a", "a", "b", None], IDS) == {"n": 4, "shares": {"a": 0.5, "b": 0.25}}


def test_group_below_comment_minimum_is_suppressed_with_its_differencing_sibling() -> None:
    assignments = ["a"] * 6 + ["b"] * 6 + ["a"] * 2
    groups = ["org/x"] * 6 + ["org/y"] * 6 + ["org/z"] * 2
    result = theme_shares_by_group(assignments, groups, IDS, comment_minimum=5)
    by_group = result["by_group"]
    assert by_group["org/z"] == {"suppressed": True}
    # org/z (2) could be derived as org minus x minus y: one more sibling is hidden.
    assert by_group["org/x"] == {"suppressed": True}
    assert by_group["org/y"]["n"] == 6
    assert by_group["org"]["n"] == 14
    assert result["organisation"]["shares"] == {"a": 0.5714, "b": 0.4286}
    assert by_group["org/y"]["difference"] == {"a": -0.5714, "b": 0.5714}


def test_small_organisation_is_suppressed_too() -> None:
    result = theme_shares_by_group(["a", "b"], ["x", "x"], IDS, comment_minimum=5)
    assert result["organisation"] == {"suppressed": True}
    assert result["by_group"]["x"] == {"suppressed": True}


def test_comment_minimum_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        theme_shares_by_group(["a"], ["x"], IDS, comment_minimum=2)


def test_shares_per_wave() -> None:
    assignments = ["a"] * 5 + ["b"] * 5 + ["a"] * 2
    waves = ["w1"] * 5 + ["w2"] * 5 + ["w3"] * 2
    result = theme_shares_by_wave(assignments, waves, IDS, comment_minimum=5)
    assert result == {
        "w1": {"n": 5, "shares": {"a": 1.0, "b": 0.0}},
        "w2": {"n": 5, "shares": {"a": 0.0, "b": 1.0}},
        "w3": {"suppressed": True},
    }


def test_comments_without_a_group_cannot_be_worked_out_from_the_organisation_total() -> None:
    """Organisation 11 − A 5 − B 5 would give away the one comment without a group."""
    assignments = ["workload"] * 10 + ["inclusion"]
    groups = ["A"] * 5 + ["B"] * 5 + [None]
    result = theme_shares_by_group(assignments, groups, ["workload", "inclusion"], 5)
    assert result["organisation"]["n"] == 11
    visible = [path for path, data in result["by_group"].items() if not data.get("suppressed")]
    assert len(visible) <= 1, visible
    assert set(result["by_group"]) == {"A", "B"}


@pytest.mark.parametrize(("size", "shown"), [(4, False), (5, True)])
def test_the_comment_minimum_edge_for_a_group(size: int, shown: bool) -> None:
    """A group of 4 comments (minimum 5) is hidden; one of 5 is shown."""
    groups = ["GEM/A"] * size + ["GEM/B"] * 6 + ["GEM/C"] * 7
    assignments = ["werk"] * len(groups)
    result = theme_shares_by_group(assignments, groups, ["werk"], comment_minimum=5)
    assert ("suppressed" not in result["by_group"]["GEM/A"]) is shown
