"""The gated report: item and scale figures of every group, level and wave, through the gate.

Everything is computed as arrays in one pass (one ``bincount`` over group x wave x item x
answer, a roll-up matrix for the tree levels, the gate over all columns at once), so a
whole organisation's report costs little more than a plain group-by. Figures of hidden
cells are removed from the arrays (NaN) and handed out only as `Suppressed` markers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.gate import (
    DEFAULT_K,
    DIFFERENCING,
    VISIBLE,
    Suppressed,
    check_k,
    suppress_tree,
)
from analysis.scales import ScaleSpec, band_indices, complete_case_scores
from analysis.scores import DECIMALS, ItemSpec, ItemSummary
from analysis.tree import ROOT, GroupTree
from surveys.model import SCALE_RANGE


@dataclass(frozen=True)
class ScaleSummary:
    """A scale in one group: respondents with a score, mean and SD of their scores, bands."""

    n: int
    mean: float
    sd: float
    bands: dict[str, int]

    def to_json(self, decimals: int = DECIMALS) -> dict[str, Any]:
        data: dict[str, Any] = {
            "n": self.n,
            "mean": round(self.mean, decimals),
            "sd": None if np.isnan(self.sd) else round(self.sd, decimals),
        }
        if self.bands:
            data["bands"] = dict(self.bands)
        return data


@dataclass(frozen=True, eq=False)
class GatedReport:
    """Figures per wave x group x item (and x scale); hidden cells carry a reason code.

    Array axes: W waves, N groups (`tree` order), I items, S scales, V answer values.
    Respondent counts are always shown (they are participation, not scores).
    """

    tree: GroupTree
    waves: tuple[str, ...]
    items: tuple[ItemSpec, ...]
    scales: tuple[ScaleSpec, ...]
    k: int
    respondents: np.ndarray  # (W, N) int
    group_reason: np.ndarray  # (W, N) int8
    item_reason: np.ndarray  # (W, N, I) int8
    item_n: np.ndarray  # (W, N, I) float, NaN when hidden
    item_mean: np.ndarray
    item_sd: np.ndarray
    distribution: np.ndarray  # (W, N, I, V) float, NaN when hidden
    favourable: np.ndarray  # (W, N, I) percent
    unfavourable: np.ndarray
    scale_reason: np.ndarray  # (W, N, S) int8
    scale_n: np.ndarray
    scale_mean: np.ndarray
    scale_sd: np.ndarray
    scale_bands: np.ndarray  # (W, N, S, B) float, NaN when hidden

    def item(self, wave: int, group: str, item: str) -> ItemSummary | Suppressed:
        """One item's figures in one group, or the marker."""
        g = self.tree.index(group)
        i = next(j for j, spec in enumerate(self.items) if spec.key == item)
        return self._item(wave, g, i)

    def _item(self, w: int, g: int, i: int) -> ItemSummary | Suppressed:
        code = int(self.item_reason[w, g, i])
        if code != VISIBLE:
            return Suppressed.from_code(code)
        spec = self.items[i]
        width = spec.max_value - spec.min_value + 1
        counts = self.distribution[w, g, i, :width].astype(np.int64)
        favourable, unfavourable = (
            float(self.favourable[w, g, i]),
            float(self.unfavourable[w, g, i]),
        )
        return ItemSummary(
            n=int(self.item_n[w, g, i]),
            mean=float(self.item_mean[w, g, i]),
            sd=float(self.item_sd[w, g, i]),
            distribution={int(v): int(c) for v, c in zip(spec.values, counts, strict=True)},
            favourable=favourable,
            neutral=100.0 - favourable - unfavourable,
            unfavourable=unfavourable,
        )

    def scale(self, wave: int, group: str, scale: str) -> ScaleSummary | Suppressed:
        """One scale's figures in one group, or the marker."""
        g = self.tree.index(group)
        s = next(j for j, spec in enumerate(self.scales) if spec.name == scale)
        return self._scale(wave, g, s)

    def _scale(self, w: int, g: int, s: int) -> ScaleSummary | Suppressed:
        code = int(self.scale_reason[w, g, s])
        if code != VISIBLE:
            return Suppressed.from_code(code)
        spec = self.scales[s]
        return ScaleSummary(
            n=int(self.scale_n[w, g, s]),
            mean=float(self.scale_mean[w, g, s]),
            sd=float(self.scale_sd[w, g, s]),
            bands={
                band.label: int(self.scale_bands[w, g, s, b]) for b, band in enumerate(spec.bands)
            },
        )

    def records(self, wave: int = 0, decimals: int = DECIMALS) -> list[dict[str, Any]]:
        """One JSON-ready object per group, in tree order (the ``analyze scores`` contract).

        A suppressed group has its respondent count and no item or scale figures at all;
        an item or scale hidden inside a visible group is written as ``{"suppressed": true}``.
        """
        # Plain lists once per wave: indexing numpy scalars per cell is what makes this slow.
        item_reason = self.item_reason[wave].tolist()
        columns = [
            self.item_n[wave].tolist(),
            self.item_mean[wave].tolist(),
            self.item_sd[wave].tolist(),
            self.distribution[wave].tolist(),
            self.favourable[wave].tolist(),
            self.unfavourable[wave].tolist(),
        ]
        out = []
        for g, path in enumerate(self.tree.paths):
            suppressed = int(self.group_reason[wave, g]) != VISIBLE
            items: dict[str, Any] = {}
            scales: dict[str, Any] = {}
            if not suppressed:
                for i, spec in enumerate(self.items):
                    if item_reason[g][i] != VISIBLE:
                        items[spec.key] = Suppressed.from_code(item_reason[g][i]).to_json()
                        continue
                    n, mean, sd, dist, fav, unfav = (column[g][i] for column in columns)
                    summary = ItemSummary(
                        n=int(n),
                        mean=mean,
                        sd=sd,
                        distribution={
                            value: int(count)
                            for value, count in zip(
                                spec.values.tolist(), dist[: len(spec.values)], strict=True
                            )
                        },
                        favourable=fav,
                        neutral=100.0 - fav - unfav,
                        unfavourable=unfav,
                    )
                    items[spec.key] = _item_json(summary, spec, decimals)
                for s, spec in enumerate(self.scales):
                    value = self._scale(wave, g, s)
                    scales[spec.name] = (
                        value.to_json()
                        if isinstance(value, Suppressed)
                        else value.to_json(decimals)
                    )
            out.append(
                {
                    "group": path,
                    "n": int(self.respondents[wave, g]),
                    "suppressed": suppressed,
                    "items": items,
                    "scales": scales,
                }
            )
        return out


def _item_json(summary: ItemSummary, spec: ItemSpec, decimals: int) -> dict[str, Any]:
    data = summary.to_json(decimals)
    if (spec.min_value, spec.max_value) == SCALE_RANGE and not spec.reverse:
        data["enps"] = round(summary.favourable - summary.unfavourable, decimals)
    return data


def _answer_codes(
    answers: np.ndarray, mins: np.ndarray, widths: np.ndarray, v: int, items: Sequence[ItemSpec]
) -> np.ndarray:
    """``answer - min`` as small integers, `v` for a missing answer; ValueError for a bad answer."""
    missing = np.isnan(answers)
    shifted = answers - mins
    shifted[missing] = v
    codes = shifted.astype(np.int32)
    # Cheap whole-array checks first; find the culprit only when one fails.
    ok = (
        bool((codes == shifted).all())
        and int(codes.min()) >= 0
        and np.count_nonzero(codes >= widths) == np.count_nonzero(missing)
    )
    if not ok:
        bad = ~missing & ((codes != shifted) | (codes < 0) | (codes >= widths))
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"item {items[col].key!r}: answer {answers[row, col]} outside its range")
    return codes


def _roll_up(tree: GroupTree, direct: np.ndarray) -> np.ndarray:
    """Roll up axis 1 (groups) of a (W, N, ...) array."""
    w, n = direct.shape[:2]
    flat = direct.reshape(w, n, -1).astype(float)
    return np.matmul(tree.rollup_matrix(), flat).reshape(direct.shape)


def _gate_columns(
    tree: GroupTree,
    counts: np.ndarray,
    k: int,
    floor: np.ndarray,
    protected: np.ndarray | None = None,
) -> np.ndarray:
    """Gate (W, N, X) counts with (W, N) or (W, N, X) reasons as the floor; returns (W, N, X)."""
    w, n, x = counts.shape
    columns = np.rint(counts).astype(np.int64).transpose(1, 0, 2).reshape(n, w * x)
    if floor.ndim == 2:
        floor = np.broadcast_to(floor[:, :, None], (w, n, x))
    already = floor.transpose(1, 0, 2).reshape(n, w * x)
    reasons = suppress_tree(tree, columns, k, already, protected=protected)
    return reasons.reshape(n, w, x).transpose(1, 0, 2)


def gated_report(
    tree: GroupTree,
    group_index: np.ndarray,
    answers: np.ndarray,
    items: Sequence[ItemSpec],
    scales: Sequence[ScaleSpec] = (),
    k: int = DEFAULT_K,
    wave_index: np.ndarray | None = None,
    waves: Sequence[str] = ("",),
    protected: np.ndarray | None = None,
) -> GatedReport:
    """Compute the gated report of all groups, levels, waves, items and scales.

    Parameters
    ----------
    tree : GroupTree
    group_index : ndarray of int, shape (R,)
        Per respondent the index (in `tree`) of the group they belong to directly.
    answers : ndarray of float, shape (R, I)
        Raw answers, one column per item of `items`; NaN = not answered. Answers must be
        whole numbers within each item's range.
    items : sequence of ItemSpec
    scales : sequence of ScaleSpec
        Their items must be among `items`.
    k : int
        Minimum group size; item and scale figures are gated on their own answer counts
        too (with the group's verdict as a floor), so an item with gaps cannot be
        differenced either.
    wave_index : ndarray of int, shape (R,), optional
        Per respondent the index into `waves`; all in wave 0 when omitted.
    waves : sequence of str
        Wave labels.
    protected : ndarray of bool, shape (N,), optional
        Groups the viewer may not see whatever their size (`analysis.gate.suppress_tree`):
        hidden everywhere and never derivable from what is shown.

    Returns
    -------
    GatedReport
    """
    k = check_k(k)
    answers = np.asarray(answers, dtype=float)
    group_index = np.asarray(group_index, dtype=np.intp)
    r, i_count = answers.shape
    if len(items) != i_count or group_index.shape != (r,):
        raise ValueError("one item spec per answer column and one group per respondent")
    n_groups, n_waves = len(tree), len(waves)
    wave_index = np.zeros(r, np.intp) if wave_index is None else np.asarray(wave_index, np.intp)
    mins = np.array([spec.min_value for spec in items])
    widths = np.array([spec.max_value - spec.min_value + 1 for spec in items])
    v = int(widths.max())

    codes = _answer_codes(answers, mins, widths, v, items)
    row_key = wave_index * n_groups + group_index
    # One cell per wave x group x item x answer (the last answer slot collects the missing).
    key = row_key.astype(np.int64)[:, None] * i_count + np.arange(i_count)
    key *= v + 1
    key += codes
    counts = np.bincount(key.ravel(), minlength=n_waves * n_groups * i_count * (v + 1))
    direct = counts.reshape(n_waves, n_groups, i_count, v + 1)[..., :v]
    distribution = _roll_up(tree, direct)
    respondents = tree.roll_up(
        np.bincount(row_key, minlength=n_waves * n_groups).reshape(n_waves, n_groups).T
    ).T

    values = mins[:, None] + np.arange(v)  # (I, V)
    item_n = distribution.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sums = (distribution * values).sum(axis=-1)
        mean = sums / item_n
        variance = ((distribution * values**2).sum(axis=-1) - sums * mean) / (item_n - 1)
        sd = np.sqrt(np.maximum(variance, 0.0))
        fav_mask = np.array(
            [
                (values[i] >= s.favourable[0]) & (values[i] <= s.favourable[1])
                for i, s in enumerate(items)
            ]
        )
        unfav_mask = np.array(
            [
                (values[i] >= s.unfavourable[0]) & (values[i] <= s.unfavourable[1])
                for i, s in enumerate(items)
            ]
        )
        favourable = 100.0 * (distribution * fav_mask).sum(axis=-1) / item_n
        unfavourable = 100.0 * (distribution * unfav_mask).sum(axis=-1) / item_n

    group_reason = suppress_tree(tree, respondents.T, k, protected=protected).T
    item_reason = _gate_columns(tree, item_n, k, group_reason, protected)

    item_keys = [spec.key for spec in items]
    scale_columns = [_scale_columns(spec, item_keys) for spec in scales]
    scale_stats, scale_bands, complete_direct = _scale_figures(
        tree, answers, scale_columns, scales, row_key, n_waves
    )
    scale_n = scale_stats[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        scale_mean = scale_stats[..., 1] / scale_n
        scale_var = (scale_stats[..., 2] - scale_stats[..., 1] * scale_mean) / (scale_n - 1)
    scale_reason = _gate_scales(
        tree,
        k,
        group_reason,
        item_reason,
        item_n,
        direct.sum(axis=-1),
        scale_n,
        complete_direct,
        scale_columns,
        protected,
    )

    hidden_items = item_reason != VISIBLE
    hidden_scales = scale_reason != VISIBLE
    return GatedReport(
        tree=tree,
        waves=tuple(waves),
        items=tuple(items),
        scales=tuple(scales),
        k=k,
        respondents=respondents,
        group_reason=group_reason,
        item_reason=item_reason,
        item_n=np.where(hidden_items, np.nan, item_n),
        item_mean=np.where(hidden_items, np.nan, mean),
        item_sd=np.where(hidden_items, np.nan, sd),
        distribution=np.where(hidden_items[..., None], np.nan, distribution),
        favourable=np.where(hidden_items, np.nan, favourable),
        unfavourable=np.where(hidden_items, np.nan, unfavourable),
        scale_reason=scale_reason,
        scale_n=np.where(hidden_scales, np.nan, scale_n),
        scale_mean=np.where(hidden_scales, np.nan, scale_mean),
        scale_sd=np.where(hidden_scales, np.nan, np.sqrt(np.maximum(scale_var, 0.0))),
        scale_bands=np.where(hidden_scales[..., None], np.nan, scale_bands),
    )


def _scale_columns(spec: ScaleSpec, item_keys: list[str]) -> list[int]:
    missing = [item for item in spec.items if item not in item_keys]
    if missing:
        raise ValueError(f"scale {spec.name!r}: unknown item {missing[0]!r}")
    return [item_keys.index(item) for item in spec.items]


def _scale_figures(
    tree: GroupTree,
    answers: np.ndarray,
    scale_columns: list[list[int]],
    scales: Sequence[ScaleSpec],
    row_key: np.ndarray,
    n_waves: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per wave x group x scale: (count, sum, sum of squares) of scores, band counts, rolled
    up, and the complete cases per group directly (not rolled up).

    Only complete cases count (respondents who answered every item of the scale); see
    `_gate_scales` for why the report cannot use the `min_answered` rule.
    """
    n_groups, s_count = len(tree), len(scales)
    size = n_waves * n_groups
    b_max = max((len(spec.bands) for spec in scales), default=0)
    stats = np.zeros((n_waves, n_groups, s_count, 3))
    bands = np.zeros((n_waves, n_groups, s_count, b_max))
    for s, spec in enumerate(scales):
        columns = scale_columns[s]
        scores = complete_case_scores(answers[:, columns], spec)
        scored = ~np.isnan(scores)
        keys, values = row_key[scored], scores[scored]
        for j, weights in enumerate((None, values, values**2)):
            stats[:, :, s, j] = np.bincount(keys, weights, minlength=size).reshape(
                n_waves, n_groups
            )
        if spec.bands:
            band = band_indices(values, spec.bands)
            inside = band >= 0
            per_band = np.bincount(
                keys[inside] * b_max + band[inside], minlength=size * b_max
            ).reshape(n_waves, n_groups, b_max)
            bands[:, :, s, :] = per_band
    return _roll_up(tree, stats), _roll_up(tree, bands), stats[..., 0].copy()


def _owners(tree: GroupTree, visible: np.ndarray) -> np.ndarray:
    """Atoms: per group (rows) and column the nearest visible group at or above it.

    ``visible`` is (N, X); the organisation's atom is N (groups under no visible group).
    """
    n = len(tree)
    owner = np.empty(visible.shape, dtype=np.intp)
    for g, parent in enumerate(tree.parents):  # parents come first
        above = n if parent == ROOT else owner[parent]
        owner[g] = np.where(visible[g], g, above)
    return owner


def _atom_sums(owner: np.ndarray, direct: np.ndarray) -> np.ndarray:
    """Sum (N, X) direct counts per atom: returns (N + 1, X)."""
    n, x = owner.shape
    keys = owner + np.arange(x) * (n + 1)
    return np.bincount(keys.ravel(), direct.ravel(), minlength=(n + 1) * x).reshape(x, n + 1).T


def _small(count: np.ndarray, k: int) -> np.ndarray:
    return (count >= 1) & (count < k)


def _gate_scales(
    tree: GroupTree,
    k: int,
    group_reason: np.ndarray,
    item_reason: np.ndarray,
    item_n: np.ndarray,
    item_direct: np.ndarray,
    scale_n: np.ndarray,
    complete_direct: np.ndarray,
    scale_columns: list[list[int]],
    protected: np.ndarray | None = None,
) -> np.ndarray:
    """Reasons (W, N, S) for the scales: their own counts, and no differencing against items.

    A scale's figures are over complete cases only (`complete_n` = `scale_n`). Shown in a
    group only when

    1. every item of the scale is visible there (each item's reason is a floor);
    2. for every item, ``item_n - complete_n`` is 0 or at least `k` in that group;
    3. ``complete_n`` passes `suppress_tree` like any count (secondary suppression);
    4. across the tree: take the *atoms* an attacker can isolate for the scale (a visible
       group minus its visible children; the organisation minus the visible top-level
       groups) and, for each item, the finer atoms of that item's own verdicts. In every
       item atom inside a scale atom with complete cases, both the complete cases and the
       respondents with a gap who answered the item must be 0 or at least `k`.

    Why 4: with scale weights ``a`` (constant per scale atom) and item weights ``b_i``
    (constant per item-i atom), a combination of visible sums puts ``a/m + b_i`` on a
    complete case's answer and ``b_i`` on a gap respondent's answer. Whatever the
    attacker picks, within one item atom either all its complete cases or all its gap
    respondents (or both) are in the result, so with 4 every non-trivial combination
    spans 0 or at least `k` respondents and no single answer is determined. Conditions
    1-3 alone still leak: ``scale(P) - scale(A)`` is the scale of a hidden sibling B
    whose items are visible. A violation hides the scale in the scale atom's group
    (DIFFERENCING; for the organisation's atom the smallest visible top-level group) and
    the whole check repeats until nothing changes.
    """
    n_waves, n_groups, s_count = scale_n.shape
    if s_count == 0:
        return np.zeros(scale_n.shape, dtype=np.int8)
    floor = np.repeat(group_reason[:, :, None], s_count, axis=2).astype(np.int8)
    complete_n = np.rint(scale_n).astype(np.int64)
    top = np.asarray(tree.top_level, dtype=np.intp)
    for s, columns in enumerate(scale_columns):
        for i in columns:
            hidden_item = (floor[:, :, s] == VISIBLE) & (item_reason[:, :, i] != VISIBLE)
            floor[:, :, s] = np.where(hidden_item, item_reason[:, :, i], floor[:, :, s])
            gaps = np.rint(item_n[:, :, i]).astype(np.int64) - complete_n[:, :, s]
            floor[:, :, s][(floor[:, :, s] == VISIBLE) & _small(gaps, k)] = DIFFERENCING
    # Item atoms do not depend on the scale's verdicts: count them once.
    bad_item_atoms = []
    for s, columns in enumerate(scale_columns):
        m = len(columns)
        item_visible = (item_reason[:, :, columns] == VISIBLE).transpose(1, 0, 2)
        owner = _owners(tree, item_visible.reshape(n_groups, n_waves * m))
        complete = np.repeat(complete_direct[:, :, s].T, m, axis=1)
        gap = item_direct[:, :, columns].transpose(1, 0, 2).reshape(n_groups, -1) - complete
        bad = _small(_atom_sums(owner, complete), k) | _small(_atom_sums(owner, gap), k)
        # Per wave x item: the groups whose item atom is bad (one per atom: its owner).
        bad_item_atoms.append((owner, bad))
    while True:
        reason = _gate_columns(tree, scale_n, k, floor, protected)
        scale_owner = _owners(tree, (reason == VISIBLE).transpose(1, 0, 2).reshape(n_groups, -1))
        scale_owner = scale_owner.reshape(n_groups, n_waves, s_count)
        changed = False
        for s, (owner, bad) in enumerate(bad_item_atoms):
            m = len(scale_columns[s])
            for w in range(n_waves):
                visible = reason[w, :, s] == VISIBLE
                if not visible.any():
                    continue
                atoms_of = scale_owner[:, w, s]
                complete_in = np.bincount(
                    atoms_of, complete_direct[w, :, s], minlength=n_groups + 1
                )
                hit = np.zeros(n_groups + 1, dtype=bool)
                for j in range(m):
                    column = w * m + j
                    groups = np.flatnonzero(bad[owner[:, column], column])
                    hit[atoms_of[groups]] = True
                hit &= complete_in > 0
                hide = [g for g in np.flatnonzero(hit[:n_groups]) if visible[g]]
                if hit[n_groups] and complete_direct[w, :, s].sum() >= k:
                    shown = [g for g in top if visible[g]]
                    if shown:
                        hide.append(min(shown, key=lambda g: (complete_n[w, g, s], g)))
                if hide:
                    floor[w, hide, s] = DIFFERENCING
                    changed = True
        if not changed:
            return reason
