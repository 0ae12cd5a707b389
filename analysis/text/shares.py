"""Theme shares per department (through the anonymity gate) and per wave.

A share is the fraction of a group's comments assigned to a theme (comments without a
theme count in the denominator, so shares of a group add up to at most 1). Department
shares pass the gate with the comment minimum, including secondary suppression over the
department tree, and are compared with the whole organisation.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from analysis.gate import DEFAULT_K_COMMENTS, VISIBLE, Suppressed, check_k, suppress_tree
from analysis.tree import GroupTree

DIGITS = 4


NO_GROUP = "\x00no group"


def _counts(assignments: Sequence[str | None], theme_ids: Sequence[str]) -> np.ndarray:
    column = {theme_id: i for i, theme_id in enumerate(theme_ids)}
    counts = np.zeros(len(theme_ids), dtype=np.int64)
    for assigned in assignments:
        if assigned is not None:
            counts[column[assigned]] += 1
    return counts


def _shares(counts: np.ndarray, n: int, theme_ids: Sequence[str]) -> dict[str, float]:
    return {
        t: round(float(c) / n, DIGITS) if n else 0.0 for t, c in zip(theme_ids, counts, strict=True)
    }


def theme_shares(assignments: Sequence[str | None], theme_ids: Sequence[str]) -> dict[str, Any]:
    """``{"n": comments, "shares": {theme id: share}}`` over all given comments."""
    n = len(assignments)
    return {"n": n, "shares": _shares(_counts(assignments, theme_ids), n, theme_ids)}


def theme_shares_by_group(
    assignments: Sequence[str | None],
    groups: Sequence[str | None],
    theme_ids: Sequence[str],
    comment_minimum: int = DEFAULT_K_COMMENTS,
    protected: Collection[str] = (),
    all_groups: Collection[str] = (),
) -> dict[str, Any]:
    """Theme shares per group (``/``-separated paths roll up) through the anonymity gate.

    Parameters
    ----------
    assignments : sequence of str or None
        Theme id per comment.
    groups : sequence of str or None
        Group path per comment (same order); None or "" counts for the organisation only.
    theme_ids : sequence of str
        Every theme id, in report order.
    comment_minimum : int
        The gate's comment minimum (``GateConfig.k_comments``).
    protected : collection of str
        Group paths the viewer may not see whatever their size (``suppress_tree``).
    all_groups : collection of str
        Groups to report even without comments of their own (e.g. every department a wave
        invited): they appear, suppressed, instead of being left out.

    Returns
    -------
    dict
        ``organisation``: n and shares of all comments (or the suppressed marker);
        ``by_group``: per path, n, shares and ``difference`` (share minus the
        organisation's share), or ``{"suppressed": true}`` when the gate hides it.
    """
    k = check_k(comment_minimum)
    if len(groups) != len(assignments):
        raise ValueError("one group per comment is needed")
    # Comments without a group still count in the organisation total: they form a group
    # of their own for the gate (never reported), or organisation minus the visible
    # groups would give them away.
    paths = [group or NO_GROUP for group in groups]
    organisation = theme_shares(assignments, theme_ids)
    result: dict[str, Any] = {
        "comment_minimum": k,
        "organisation": organisation if organisation["n"] >= k else Suppressed().to_json(),
        "by_group": {},
    }
    known = sorted({path for path in paths if path} | {path for path in all_groups if path})
    if not known:
        return result
    tree = GroupTree.from_paths(known)
    rows = tree.indices_of(path for path in paths if path)
    in_group = [a for a, path in zip(assignments, paths, strict=True) if path]
    column = {theme_id: i for i, theme_id in enumerate(theme_ids)}
    direct_n = np.bincount(rows, minlength=len(tree)).astype(np.int64)
    direct_themes = np.zeros((len(tree), len(theme_ids)), dtype=np.int64)
    for row, assigned in zip(rows, in_group, strict=True):
        if assigned is not None:
            direct_themes[row, column[assigned]] += 1
    n = tree.roll_up(direct_n)
    theme_counts = tree.roll_up(direct_themes)
    reasons = suppress_tree(
        tree, n, k, protected=np.array([path in protected for path in tree.paths])
    )
    org_shares = organisation["shares"]
    for index, path in enumerate(tree.paths):
        if path == NO_GROUP:
            continue
        if reasons[index] != VISIBLE:
            result["by_group"][path] = Suppressed.from_code(reasons[index]).to_json()
            continue
        shares = _shares(theme_counts[index], int(n[index]), theme_ids)
        result["by_group"][path] = {
            "n": int(n[index]),
            "shares": shares,
            "difference": {t: round(shares[t] - org_shares[t], DIGITS) for t in theme_ids},
        }
    return result


def theme_shares_by_wave(
    assignments: Sequence[str | None],
    waves: Sequence[str | None],
    theme_ids: Sequence[str],
    comment_minimum: int = DEFAULT_K_COMMENTS,
) -> dict[str, Any]:
    """Theme shares per wave, in order of first appearance; a wave below the minimum is hidden.

    Waves are separate collections, not parts of one total, so only the minimum applies.
    """
    k = check_k(comment_minimum)
    if len(waves) != len(assignments):
        raise ValueError("one wave per comment is needed")
    result: dict[str, Any] = {}
    for wave in dict.fromkeys(w or "" for w in waves):
        if not wave:
            continue
        members = [a for a, w in zip(assignments, waves, strict=True) if (w or "") == wave]
        result[wave] = (
            theme_shares(members, theme_ids) if len(members) >= k else Suppressed().to_json()
        )
    return result
