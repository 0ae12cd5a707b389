"""Benchmark: the full gated report against a plain numpy group-by of the same means, same run.

Synthetic data (seeded): 2,000 respondents per wave x 40 five-point items x 8 waves, in a
department tree of 60 groups (a municipality, 5 domains, 54 teams of very different
sizes, some staff directly under a domain), 3 % missing answers, 5 scales of 8 items.

The gated report computes, for every group at every level, every wave and every item:
n, mean, SD, distribution and favourable / unfavourable %, plus scale scores, and runs
the anonymity gate (primary and secondary suppression) on groups, items and scales.
The baseline computes only the mean per team (leaf) per wave per item with a plain numpy
group-by (the faster of sort + reduceat and bincount per item). Median of several runs.

Run: ``.venv/bin/python bench/aggregate.py``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.report import gated_report
from analysis.scales import parse_scale_spec
from analysis.scores import item_spec
from analysis.tree import GroupTree

RESPONDENTS_PER_WAVE = 2_000
ITEMS = 40
WAVES = 8
REPEATS = 15


def synthetic_organisation(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """60 group paths and, per path, the weight of respondents who sit directly in it."""
    paths = ["Gemeente"]
    weights = [0.0]
    teams_per_domain = [11, 11, 11, 11, 10]
    for d, teams in enumerate(teams_per_domain):
        domain = f"Gemeente/Domein {d + 1}"
        paths.append(domain)
        weights.append(0.3)  # a few staff directly under the domain head
        for t in range(teams):
            paths.append(f"{domain}/Team {t + 1:02d}")
            weights.append(rng.choice([0.05, 0.3, 1.0, 3.0]))  # many small teams
    assert len(paths) == 60
    return paths, np.array(weights) / sum(weights)


def synthetic_answers(rng: np.random.Generator, n_groups: int, weights: np.ndarray):
    rows = RESPONDENTS_PER_WAVE * WAVES
    wave_index = np.repeat(np.arange(WAVES), RESPONDENTS_PER_WAVE)
    group_index = rng.choice(n_groups, size=rows, p=weights)
    latent = rng.normal(size=(rows, 1)) + rng.normal(scale=0.3, size=(n_groups, 1))[group_index]
    answers = np.clip(np.rint(3 + latent + rng.normal(size=(rows, ITEMS))), 1, 5)
    answers[rng.random(answers.shape) < 0.03] = np.nan
    return group_index, wave_index, answers


def plain_groupby_means(leaf_key: np.ndarray, answers: np.ndarray, size: int) -> np.ndarray:
    """Mean per (wave, team) per item: sort by key, then reduceat over the sorted rows."""
    order = np.argsort(leaf_key, kind="stable")
    keys = leaf_key[order]
    data = answers[order]
    present = ~np.isnan(data)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sums = np.add.reduceat(np.where(present, data, 0.0), starts, axis=0)
    counts = np.add.reduceat(present, starts, axis=0)
    means = np.full((size, answers.shape[1]), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        means[keys[starts]] = sums / counts
    return means


def plain_bincount_means(leaf_key: np.ndarray, answers: np.ndarray, size: int) -> np.ndarray:
    """Mean per (wave, team) per item: two bincounts per item."""
    present = ~np.isnan(answers)
    filled = np.where(present, answers, 0.0)
    means = np.empty((size, answers.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(answers.shape[1]):
            means[:, i] = np.bincount(leaf_key, filled[:, i], size) / np.bincount(
                leaf_key, present[:, i], size
            )
    return means


def median_seconds(function: Callable[[], object]) -> float:
    function()  # warm up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    rng = np.random.default_rng(20260101)
    paths, weights = synthetic_organisation(rng)
    tree = GroupTree.from_paths(paths)
    # Tree order is sorted by path; map our generated order onto it.
    group_index, wave_index, answers = synthetic_answers(rng, len(paths), weights)
    group_index = tree.indices_of(paths)[group_index]
    items = [item_spec(f"q{i + 1:02d}", 1, 5, reverse=(i % 10 == 9)) for i in range(ITEMS)]
    scales = [
        parse_scale_spec(
            f"scale{s + 1}="
            + ",".join(
                ("-" if spec.reverse else "") + spec.key for spec in items[s * 8 : s * 8 + 8]
            ),
            1,
            5,
        )
        for s in range(5)
    ]
    waves = [f"wave {w + 1}" for w in range(WAVES)]
    leaf_key = wave_index * len(tree) + group_index

    def full_report() -> object:
        return gated_report(tree, group_index, answers, items, scales, 5, wave_index, waves)

    def items_only() -> object:
        return gated_report(tree, group_index, answers, items, (), 5, wave_index, waves)

    size = WAVES * len(tree)
    reference = plain_groupby_means(leaf_key, answers, size)
    assert np.allclose(reference, plain_bincount_means(leaf_key, answers, size), equal_nan=True)

    report = full_report()
    baseline = min(
        median_seconds(lambda: plain_groupby_means(leaf_key, answers, size)),
        median_seconds(lambda: plain_bincount_means(leaf_key, answers, size)),
    )
    gated = median_seconds(full_report)
    gated_items = median_seconds(items_only)
    records = median_seconds(lambda: [report.records(w) for w in range(WAVES)])

    hidden_groups = int((report.group_reason != 0).sum())
    hidden_items = int((report.item_reason != 0).sum())
    print(
        f"data: {RESPONDENTS_PER_WAVE * WAVES:,} responses"
        f" ({RESPONDENTS_PER_WAVE:,} x {WAVES} waves) x {ITEMS} items, {len(tree)} groups, 5 scales"
    )
    print(
        f"gate: {hidden_groups} of {WAVES * len(tree)} group-waves hidden,"
        f" {hidden_items} of {report.item_reason.size} group-wave-item cells hidden"
    )
    print(f"plain numpy group-by (leaf means only):       {baseline * 1e3:8.2f} ms")
    print(f"gated report, items only (all levels):        {gated_items * 1e3:8.2f} ms")
    print(f"gated report, items + scales (all levels):    {gated * 1e3:8.2f} ms")
    print(f"  (JSON-ready records for all waves, extra:   {records * 1e3:8.2f} ms)")
    print(f"ratio gated report / plain group-by: {gated / baseline:.2f}x (aim: within 5x)")


if __name__ == "__main__":
    main()
