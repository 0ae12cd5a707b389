"""Published test vectors: eNPS, alpha from a covariance matrix, pingouin's example datasets."""

from __future__ import annotations

import numpy as np
import pingouin
import pytest

from analysis.reliability import (
    alpha_if_deleted_from_covariance,
    cronbach_alpha,
    cronbach_alpha_from_covariance,
)
from analysis.scores import enps, enps_from_shares

COVARIANCE = np.array([[10, 6, 6, 6], [6, 11, 6, 6], [6, 6, 12, 6], [6, 6, 6, 13]])


def test_enps_of_25_promoters_55_passives_20_detractors_is_plus_5() -> None:
    answers = np.array([10] * 25 + [8] * 30 + [7] * 25 + [6] * 10 + [0] * 10, dtype=float)
    assert enps(answers) == pytest.approx(5.0)
    assert enps_from_shares(promoters=25, detractors=20) == 5


def test_enps_ignores_missing_answers() -> None:
    answers = np.array([9, 10, 3, np.nan, np.nan])
    assert enps(answers) == pytest.approx(100 * (2 - 1) / 3)


def test_alpha_from_the_published_covariance_matrix() -> None:
    assert cronbach_alpha_from_covariance(COVARIANCE) == pytest.approx(0.8136, abs=5e-5)
    assert alpha_if_deleted_from_covariance(COVARIANCE) == pytest.approx(
        [0.7500, 0.7606, 0.7714, 0.7826], abs=5e-5
    )


def wide(name: str) -> np.ndarray:
    data = pingouin.read_dataset(name)
    if name == "cronbach_alpha":
        data = data.pivot(index="Subj", columns="Items", values="Scores")
    return data.to_numpy(dtype=float)


def test_pingouin_example_dataset_complete_cases() -> None:
    data = wide("cronbach_alpha")
    ours = cronbach_alpha(data, missing="complete")
    assert ours.alpha == pytest.approx(0.5917, abs=5e-5)
    theirs, _ = pingouin.cronbach_alpha(
        data=pingouin.read_dataset("cronbach_alpha"), items="Items", scores="Scores", subject="Subj"
    )
    assert ours.alpha == pytest.approx(theirs, abs=1e-12)
    assert ours.n == data.shape[0]


@pytest.mark.parametrize(
    ("rule", "policy", "published"),
    [("complete", "listwise", 0.8017), ("pairwise", "pairwise", 0.7327)],
)
def test_pingouin_dataset_with_gaps_under_both_missing_data_rules(rule, policy, published) -> None:
    data = wide("cronbach_wide_missing")
    ours = cronbach_alpha(data, missing=rule)
    theirs, _ = pingouin.cronbach_alpha(
        data=pingouin.read_dataset("cronbach_wide_missing"), nan_policy=policy
    )
    assert ours.alpha == pytest.approx(published, abs=5e-5)
    assert ours.alpha == pytest.approx(theirs, abs=1e-12)
    assert ours.missing == rule
    complete_rows = (~np.isnan(data)).all(axis=1).sum()
    assert ours.n == (complete_rows if rule == "complete" else data.shape[0])
