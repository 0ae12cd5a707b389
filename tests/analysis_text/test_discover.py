"""Discovery: the number of themes from the data, deterministic, sensible limits."""

from __future__ import annotations

import random

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from analysis.text.discover import candidate_ks, discover_themes, term_agreement, with_bigrams

TOPICS = [
    ["parkeer", "fiets", "auto", "garag", "plek", "station", "bus", "trein"],
    ["klant", "balie", "inwoner", "loket", "beller", "afspraak", "wachttijd", "klacht"],
    ["budget", "begrot", "kosten", "factur", "bezuinig", "geld", "uitgav", "financ"],
]


def corpus(per_topic: int = 30, seed: int = 3) -> tuple[list[list[str]], list[int]]:
    rng = random.Random(seed)
    documents, labels = [], []
    for label, words in enumerate(TOPICS):
        for _ in range(per_topic):
            documents.append(rng.sample(words, 4))
            labels.append(label)
    return documents, labels


def test_three_clear_topics_give_three_themes() -> None:
    documents, labels = corpus()
    discovery = discover_themes(documents)
    assert discovery.k == 3
    assert normalized_mutual_info_score(labels, discovery.assignments) > 0.9
    assert set(discovery.stability) == set(range(2, 10))


def test_same_input_same_output() -> None:
    documents, _ = corpus()
    first, second = discover_themes(documents), discover_themes(documents)
    assert first.k == second.k
    assert np.array_equal(first.assignments, second.assignments)
    assert first.top_terms == second.top_terms


def test_fixed_number_of_themes() -> None:
    documents, _ = corpus()
    discovery = discover_themes(documents, n_themes=5)
    assert discovery.k == 5
    assert discovery.stability == {}


def test_too_few_documents_discover_nothing() -> None:
    discovery = discover_themes([["a", "b"], ["a", "c"]] * 5)
    assert discovery.k == 0
    assert discovery.assignments.tolist() == [-1] * 10


def test_documents_without_recurring_words_get_no_theme() -> None:
    documents, _ = corpus()
    discovery = discover_themes([*documents, ["eenmalig"], []])
    assert discovery.assignments[-2:].tolist() == [-1, -1]


def test_candidate_range_follows_the_data() -> None:
    assert candidate_ks(25, 100) == [2]
    assert candidate_ks(1000, 100) == list(range(2, 13))
    assert candidate_ks(1000, 6) == [2, 3]


def test_term_agreement_pairs_themes() -> None:
    assert term_agreement([{1, 2}, {3, 4}], [{3, 4}, {1, 2}]) == 1.0
    assert term_agreement([{1, 2}], [{2, 3}]) == 1 / 3


def test_bigrams_of_adjacent_stems() -> None:
    assert with_bigrams(["a", "b", "c"]) == ["a", "b", "c", "a b", "b c"]
