"""The shipped taxonomy on labelled employee comments, against the taxonomy it replaced.

Run from the repository root::

    .venv/bin/python bench/taxonomy.py                  # both languages, new and old
    .venv/bin/python bench/taxonomy.py --language en --report
    .venv/bin/python bench/taxonomy.py --taxonomy other.toml

Data: ``bench/data/comments_nl.csv`` and ``comments_en.csv`` (columns id, text, theme,
polarity; ``theme`` is an id of the codebook the taxonomy follows), and where present the
held-out sets ``comments_nl_heldout.csv`` and ``comments_en_heldout.csv``: written after
the taxonomy was fixed by writers who had not seen it, for reporting only (a term added
because of them would make them measure themselves). Each set runs through
`analysis.text.themes.analyze_themes` (redaction, tokens, the taxonomy; discovered themes
count as unassigned) with the shipped taxonomy and, in the same run, as it was before the
18-theme codebook: the taxonomy file and the matching code (``taxonomy.py``) at commit
``BASELINE``, read with ``git show``; and the old file with today's matching, which
separates what the terms did from what the matching did. The old ten ids are all codebook
ids, so they are compared as they are; the old file simply cannot assign the new themes.

Printed per language and taxonomy: coverage (share of comments the taxonomy assigns),
accuracy among the assigned comments, accuracy over all comments (unassigned counts as
wrong) and macro-F1 over the codebook's themes; with ``--report`` also scikit-learn's
per-theme precision, recall and F1 and the most frequent confusions. Only these
aggregates are printed, never a comment: the sets are for measuring, and a term list
tuned to individual comments would measure itself.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tomllib
import types
from collections import Counter
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
# Main before the 18-theme codebook: the ten-theme taxonomy.
BASELINE = "c957da2d7b703034a90d047a2ce074b3db95cb9e"
TAXONOMY_PATH = "analysis/text/data/taxonomy.toml"
MATCHING_PATH = "analysis/text/taxonomy.py"
NONE = "(none)"


def load_set(name: str) -> tuple[list[str], list[str]]:
    path = DATA / f"comments_{name}.csv"
    if not path.exists():
        sys.exit(f"evaluation set not found: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["theme"] for row in rows]


def git_show(revision: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def baseline_matching(revision: str) -> types.ModuleType:
    """``analysis/text/taxonomy.py`` as it was at ``revision``, as a module of its own."""
    module = types.ModuleType("baseline_taxonomy")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(git_show(revision, MATCHING_PATH), MATCHING_PATH, "exec"), module.__dict__)
    return module


def predictions(texts: list[str], language: str, taxonomy, matching=None) -> list[str]:  # type: ignore[no-untyped-def]
    """The theme per comment through `analyze_themes`; ``matching`` replaces its matcher."""
    from analysis.text import themes

    if matching is None:
        analysis = themes.analyze_themes(texts, language=language, taxonomy=taxonomy)
    else:

        def old_match(taxonomy, documents, languages, hits=None):  # type: ignore[no-untyped-def]
            return matching.match_taxonomy(taxonomy, documents, languages)

        with mock.patch.object(themes, "match_taxonomy", old_match):
            analysis = themes.analyze_themes(texts, language=language, taxonomy=taxonomy)
    ids = {theme.id for theme in taxonomy.themes}
    return [assigned if assigned in ids else NONE for assigned in analysis.assignments]


def scores(truth: list[str], predicted: list[str], labels: list[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    assigned = [(t, p) for t, p in zip(truth, predicted, strict=True) if p != NONE]
    correct = sum(t == p for t, p in assigned)
    return {
        "coverage": len(assigned) / len(truth),
        "accuracy_assigned": correct / len(assigned) if assigned else 0.0,
        "accuracy_all": correct / len(truth),
        "macro_f1": float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        ),
    }


def report(truth: list[str], predicted: list[str], labels: list[str]) -> None:
    from sklearn.metrics import classification_report

    print(classification_report(truth, predicted, labels=labels, digits=2, zero_division=0))
    confusions = Counter(
        (t, p) for t, p in zip(truth, predicted, strict=True) if t != p and p != NONE
    )
    print("most frequent confusions (true -> assigned):")
    for (t, p), count in confusions.most_common(12):
        print(f"  {t:18} -> {p:18} {count:3}")
    missed = Counter(t for t, p in zip(truth, predicted, strict=True) if p == NONE)
    print("unassigned per true theme: " + ", ".join(f"{t} {n}" for t, n in missed.most_common()))


def main() -> None:
    from analysis.text.taxonomy import load_taxonomy, parse_taxonomy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["nl", "en", "both"], default="both")
    parser.add_argument("--taxonomy", help="a taxonomy file instead of the shipped one")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old taxonomy")
    parser.add_argument("--report", action="store_true", help="per-theme figures, confusions")
    args = parser.parse_args()

    new = load_taxonomy(args.taxonomy)
    old_matching = baseline_matching(args.baseline)
    old_text = git_show(args.baseline, TAXONOMY_PATH)
    old = old_matching.parse_taxonomy(tomllib.loads(old_text), TAXONOMY_PATH)
    old_today = parse_taxonomy(tomllib.loads(old_text), TAXONOMY_PATH)
    revision = args.baseline[:7]
    labels = [theme.id for theme in load_taxonomy().themes]
    languages = ["nl", "en"] if args.language == "both" else [args.language]
    # The held-out sets were written after the taxonomy was fixed: report them, never tune.
    sets = [
        name
        for language in languages
        for name in (language, f"{language}_heldout")
        if (DATA / f"comments_{name}.csv").exists()
    ]
    print(f"{'set':10} {'taxonomy':30} {'n':>4} {'coverage':>8} {'acc|assigned':>12} "
          f"{'acc|all':>8} {'macro-F1':>8}")  # fmt: skip
    details = []
    for name in sets:
        language = name.split("_")[0]
        texts, truth = load_set(name)
        unknown = sorted(set(truth) - set(labels))
        if unknown:
            sys.exit(f"comments_{name}.csv: themes not in the codebook: {unknown}")
        for variant, taxonomy, matching in (
            (f"{revision}: file and matching", old, old_matching),
            (f"{revision} file, matching now", old_today, None),
            (f"shipped ({len(new)} themes)", new, None),
        ):
            predicted = predictions(texts, language, taxonomy, matching)
            s = scores(truth, predicted, labels)
            print(
                f"{name:10} {variant:30} {len(texts):4} {s['coverage']:8.1%} "
                f"{s['accuracy_assigned']:12.1%} {s['accuracy_all']:8.1%} {s['macro_f1']:8.3f}"
            )
            details.append((name, variant, truth, predicted))
    if args.report:
        for name, variant, truth, predicted in details:
            print(f"\n=== {name}, {variant} ===")
            report(truth, predicted, labels)


if __name__ == "__main__":
    main()
