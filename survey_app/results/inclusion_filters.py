"""What HR's inclusion page shows for its filters: one demographic, the organisation or one
top-level department, optionally a second demographic (the intersection, organisation only)
and the scale of the intersection and the trend. Unknown filter values fall back to the
first choice rather than failing: they are bookmarks of an earlier wave's choices."""

from __future__ import annotations

from typing import Any

from survey_app.results.service import WaveResults


def inclusion_filters(
    results: WaveResults,
    demographic: str | None,
    unit: str | None,
    second: str | None,
    scale: str | None,
) -> dict[str, Any]:
    """The template's context for the chosen filters (all None without inclusion figures)."""
    view = results.inclusion
    if view is None or not view.demographics:
        return {"view": None, "chosen": None, "unit_rows": None, "second": None}
    chosen = view.demographic(demographic or "") or view.demographics[0]
    unit_codes = {path.rsplit("/", 1)[-1]: path for path, _name in view.units}
    path = unit_codes.get(unit or "")
    rows = view.breakdowns.get(chosen.key, ())
    unit_rows = next((item for item in rows if item.path == path), rows[0] if rows else None)
    other = view.demographic(second or "")
    if other is not None and other.key == chosen.key:
        other = None
    scale_keys = [key for key, _label in view.scales]
    chosen_scale = scale if scale in scale_keys else (scale_keys[0] if scale_keys else None)
    return {
        "view": view,
        "chosen": chosen,
        "unit_code": unit if path else "",
        "unit_rows": unit_rows,
        "second": other,
        "intersection": view.intersection(chosen.key, other.key) if other else None,
        "scale": chosen_scale,
        "scale_label": dict(view.scales).get(chosen_scale, ""),
        "trend": view.trends.get((chosen.key, chosen_scale)) if chosen_scale else None,
    }
