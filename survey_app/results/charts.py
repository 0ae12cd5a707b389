"""Charts for results pages and PDF reports: inline SVG and heat-scale classes, no inline style.

Every chart is a ``markupsafe.Markup`` ``<svg role="img" aria-labelledby="ID-title ID-desc">``
with a ``<title>`` and a ``<desc>`` (texts passed in, already translated), a ``viewBox`` and
classes only: colours, lines and type come from ``static/css/charts.css`` (width 100 %, a
print block, forced colours), so the strict CSP holds. ``id`` must be unique on the page;
every id inside a chart starts with it. All text is escaped. Figures are gated before they
get here: a ``None`` is something the anonymity gate hid, and is drawn without a number.

``stacked_bar(id, title, desc, segments, *, language="nl", inline_paint=False)``
    One horizontal 100 % bar; ``segments`` are ``(label, count or share, modifier)`` with a
    modifier from ``SEGMENT_MODIFIERS`` (``unfavourable``/``neutral``/``favourable``,
    ``detractor``/``passive``/``promoter``, ``answer-1`` … ``answer-5``). Percentages are
    rounded as everywhere else (`rounded_percentages`), so they may add up to 99 or 101,
    and printed in segments of at least 8 %.
``trend_line(id, title, desc, points, *, y_min, y_max, label_format="{}", decimals=0,
language="nl", hidden_label="", inline_paint=False)``
    A line over waves; ``points`` are ``(x label, value or None)``. A ``None`` breaks the
    line and is drawn as a crossed hollow marker on the axis, without a number. Long x labels
    are shortened with "…" (the full text is the marker's tooltip and in the data table).
``heat_class(value, centre, spread)``
    One of ``heat-1`` (far below ``centre``) … ``heat-4`` (about ``centre``) … ``heat-7``
    (far above) on a colour-blind-safe orange–blue scale, ``heat-hidden`` for ``None``.
``heat_scale(centre, spread, *, label_format="{}", decimals=0, language="nl")``
    The seven classes with the range each covers, as legend items.
``legend(caption, items)``
    An HTML legend: ``items`` are ``(text, class)`` with a heat class or a segment modifier.
``format_number(value, decimals=0, language=None)``
    From `core.i18n` (the templates' ``number`` filter; ``signed`` adds "+"): "72,5" in
    Dutch, "72.5" in English, rounded half away from zero, "−" (U+2212) before a negative.

``inline_paint=True`` also writes each colour as an SVG presentation attribute (``fill=``,
``stroke=``, never ``style=``) from `PAINT`: WeasyPrint does not apply the page's CSS to an
inline SVG (Kozea/WeasyPrint#1761), so the PDF needs it; in a browser charts.css still wins,
because any CSS rule outranks a presentation attribute.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from survey_app.core.i18n import format_number, round_half_away

SEGMENT_MODIFIERS = (
    "unfavourable",
    "neutral",
    "favourable",
    "detractor",
    "passive",
    "promoter",
    "answer-1",
    "answer-2",
    "answer-3",
    "answer-4",
    "answer-5",
)
HEAT_CLASSES = tuple(f"heat-{step}" for step in range(1, 8))
HEAT_HIDDEN = "heat-hidden"
# A segment shows its percentage from this share on (narrower ones hold no readable text).
LABEL_MIN_PERCENT = 8

# Fill and text colour per segment modifier, the same as charts.css (a test compares them);
# used only with inline_paint=True.
PAINT: dict[str, tuple[str, str]] = {
    "unfavourable": ("#b35806", "#ffffff"),
    "neutral": ("#e4e4e7", "#1b1b1f"),
    "favourable": ("#2166ac", "#ffffff"),
    "detractor": ("#b35806", "#ffffff"),
    "passive": ("#e4e4e7", "#1b1b1f"),
    "promoter": ("#2166ac", "#ffffff"),
    "answer-1": ("#b35806", "#ffffff"),
    "answer-2": ("#f1a340", "#1b1b1f"),
    "answer-3": ("#e4e4e7", "#1b1b1f"),
    "answer-4": ("#92c5de", "#1b1b1f"),
    "answer-5": ("#2166ac", "#ffffff"),
}
INK = "#1b1b1f"
GRID = "#c4c4cc"
LINE = "#01689b"

# The low end of each scale also gets a pattern, so that it differs from the high end when
# printed in black and white or in forced colours (shown by charts.css in those cases only).
OVERLAYS = {
    "unfavourable": "hatch",
    "detractor": "hatch",
    "answer-1": "hatch",
    "answer-2": "sparse",
    "answer-4": "dots",
}

BAR_WIDTH, BAR_HEIGHT = 400, 32
TREND_WIDTH, TREND_HEIGHT = 480, 240
TREND_MARGIN = {"left": 50, "right": 20, "top": 28, "bottom": 42}
CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Chart text in viewBox units as charts.css sets it: 13, and 17 in a trend on a narrow
# screen (scaled down there); labels are fitted to the larger.
FONT_SIZE = 13
FIT_FONT_SIZE = 17


def rounded_percentages(values: Sequence[float]) -> list[int]:
    """Each value's share of the total in whole percent, rounded half away from zero as
    every percentage on the pages, in the exports and in the report is: a bar's segment
    says what the "% favourable" column and the heatmap say of the same figure. They may
    add up to 99 or 101; all 0 for an empty total."""
    total = sum(values)
    if any(value < 0 for value in values):
        raise ValueError("a segment cannot be negative")
    if total <= 0:
        return [0 for _ in values]
    return [int(round_half_away(100 * value / total, 0)) for value in values]


def _num(value: float) -> str:
    """A coordinate: short, and never in exponent notation."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _attrs(**attributes: object) -> str:
    """Escaped attributes; ``None`` leaves one out, ``class_`` means ``class``."""
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        text = _num(value) if isinstance(value, float) else str(value)
        parts.append(f' {name}="{escape(text)}"')
    return "".join(parts)


def _svg(
    id: str,
    title: str,
    desc: str,
    kind: str,
    size: tuple[int, int],
    body: list[str],
    inline_paint: bool,
) -> Markup:
    if not CHART_ID.fullmatch(id):
        raise ValueError(f"a chart id is a letter and then letters, digits, - or _: {id!r}")
    # Every piece of text in ``body`` went through `escape` or `_attrs`.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg"'
        f"{_attrs(id=id, role='img', aria_labelledby=f'{id}-title {id}-desc')}"
        f"{_attrs(viewBox=f'0 0 {size[0]} {size[1]}', class_=f'chart chart-{kind}')}"
        f"{_attrs(font_family='sans-serif', font_size=FONT_SIZE) if inline_paint else ''}"
        f' preserveAspectRatio="xMinYMin meet" focusable="false">'
        f"<title{_attrs(id=f'{id}-title')}>{escape(title)}</title>"
        f"<desc{_attrs(id=f'{id}-desc')}>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def _patterns(id: str, inline_paint: bool) -> str:
    """The three patterns of the low end, stroked by class (or ``INK`` for the PDF)."""
    ink = INK if inline_paint else None
    return (
        "<defs>"
        f'<pattern{_attrs(id=f"{id}-hatch")} width="6" height="6"'
        ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke-width="2"'
        f"{_attrs(class_='chart-ink', stroke=ink)}/>"
        "</pattern>"
        f'<pattern{_attrs(id=f"{id}-sparse")} width="10" height="10"'
        ' patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">'
        f'<line x1="0" y1="0" x2="0" y2="10" stroke-width="1.5"'
        f"{_attrs(class_='chart-ink', stroke=ink)}/>"
        "</pattern>"
        f'<pattern{_attrs(id=f"{id}-dots")} width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<circle cx="3" cy="3" r="1.2"{_attrs(class_="chart-ink-fill", fill=ink)}/>'
        "</pattern>"
        "</defs>"
    )


def stacked_bar(
    id: str,
    title: str,
    desc: str,
    segments: Sequence[tuple[str, float, str]],
    *,
    language: str = "nl",
    inline_paint: bool = False,
) -> Markup:
    """One horizontal bar of 100 %: the answer distribution of an item, or eNPS groups.

    Segments keep their order; an empty one takes no room. A segment's tooltip is its
    label and percentage; the percentage is printed in it from `LABEL_MIN_PERCENT` on.
    """
    for _label, _value, modifier in segments:
        if modifier not in SEGMENT_MODIFIERS:
            raise ValueError(f"unknown segment modifier {modifier!r}")
    percentages = rounded_percentages([value for _label, value, _modifier in segments])
    total = sum(value for _label, value, _modifier in segments)
    body = [_patterns(id, inline_paint)]
    x = 0.0
    for (label, value, modifier), percent in zip(segments, percentages, strict=True):
        if value <= 0:
            continue
        width = BAR_WIDTH * value / total
        fill, text_colour = PAINT[modifier] if inline_paint else (None, None)
        percent_text = f"{percent}%"
        body.append(f'<g class="chart-seg chart-seg--{modifier}">')
        body.append(f"<title>{escape(label)}: {percent_text}</title>")
        body.append(
            f"<rect{_attrs(class_='chart-seg-fill', x=float(x), y=0, width=float(width))}"
            f"{_attrs(height=BAR_HEIGHT, fill=fill, stroke='#ffffff' if inline_paint else None)}/>"
        )
        if modifier in OVERLAYS:
            body.append(
                f"<rect{_attrs(class_='chart-overlay', x=float(x), y=0, width=float(width))}"
                f"{_attrs(height=BAR_HEIGHT, fill=f'url(#{id}-{OVERLAYS[modifier]})')}/>"
            )
        if percent >= LABEL_MIN_PERCENT:
            body.append(
                f"<text{_attrs(class_='chart-seg-label', x=float(x + width / 2))}"
                f"{_attrs(y=float(BAR_HEIGHT / 2 + FONT_SIZE * 0.35), fill=text_colour)}"
                f"{_attrs(font_weight='bold' if inline_paint else None)}"
                f' text-anchor="middle">{escape(percent_text)}</text>'
            )
        body.append("</g>")
        x += width
    body.append(
        f"<rect{_attrs(class_='chart-frame', x=0, y=0, width=BAR_WIDTH, height=BAR_HEIGHT)}"
        f"{_attrs(fill='none', stroke=INK if inline_paint else None)}/>"
    )
    del language  # percentages in a bar carry no decimals; kept for one calling convention
    return _svg(id, title, desc, "bar", (BAR_WIDTH, BAR_HEIGHT), body, inline_paint)


def nice_ticks(y_min: float, y_max: float, most: int = 5) -> list[float]:
    """Round gridline values from ``y_min`` to ``y_max`` (0, 25, 50, 75, 100; 1 … 5)."""
    if y_max <= y_min:
        raise ValueError("y_max must be above y_min")
    raw = (y_max - y_min) / (most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= raw - 1e-9
    )
    first = math.ceil(y_min / step - 1e-9) * step
    count = math.floor((y_max - first) / step + 1e-9) + 1
    return [round(first + index * step, 10) for index in range(count)]


def _shorten(text: str, room: float) -> str:
    """``text`` cut with "…" to about ``room`` viewBox units of chart text."""
    most = max(3, int(room / (FIT_FONT_SIZE * 0.56)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def axis_labels(labels: Sequence[str], room: float) -> list[str]:
    """Labels that fit ``room`` units each and still tell the points apart: where one is too
    long, the words every label begins with are left out ("Pulsmeting maart 2026",
    "Pulsmeting juni 2026" → "maart 2026", "juni 2026"), and the words they all end with too
    where that is still too long; what remains is cut with "…". The full labels are the
    markers' tooltips and in the data table."""
    most = max(3, int(room / (FIT_FONT_SIZE * 0.56)))
    words = [label.split() for label in labels]
    if len(words) > 1 and all(words) and any(len(label) > most for label in labels):
        lead = 0
        while all(len(w) > lead + 1 for w in words) and len({w[lead] for w in words}) == 1:
            lead += 1
        words = [w[lead:] for w in words]
        if any(len(" ".join(w)) > most for w in words):
            tail = 0
            while all(len(w) > tail + 1 for w in words) and len({w[-1 - tail] for w in words}) == 1:
                tail += 1
            words = [w[: len(w) - tail] for w in words]
    return [
        _shorten(" ".join(w) if w else label, room) for w, label in zip(words, labels, strict=True)
    ]


def trend_line(
    id: str,
    title: str,
    desc: str,
    points: Sequence[tuple[str, float | None]],
    *,
    y_min: float,
    y_max: float,
    label_format: str = "{}",
    decimals: int = 0,
    language: str = "nl",
    hidden_label: str = "",
    inline_paint: bool = False,
) -> Markup:
    """A line of one figure over waves, with its value at every point the gate let through.

    ``label_format`` wraps every formatted number ("{}%" for % favourable); ``hidden_label``
    (translated) is the tooltip of a hidden point. Values outside the axis are drawn at
    its edge, with their true number.
    """
    if not points:
        raise ValueError("a trend needs at least one point")
    left, top = TREND_MARGIN["left"], TREND_MARGIN["top"]
    right = TREND_WIDTH - TREND_MARGIN["right"]
    bottom = TREND_HEIGHT - TREND_MARGIN["bottom"]
    slot = (right - left) / len(points)

    def x_of(index: int) -> float:
        return left + slot * (index + 0.5)

    def y_of(value: float) -> float:
        share = (min(max(value, y_min), y_max) - y_min) / (y_max - y_min)
        return bottom - share * (bottom - top)

    def number(value: float, places: int) -> str:
        return label_format.format(format_number(value, places, language))

    ink, grid, line = (INK, GRID, LINE) if inline_paint else (None, None, None)
    ticks = nice_ticks(y_min, y_max)
    tick_places = 0 if all(float(tick).is_integer() for tick in ticks) else 1
    body = [f'<g class="chart-grid"{_attrs(stroke=grid)}>']
    for tick in ticks:
        y = y_of(tick)
        body.append(f"<line{_attrs(x1=left, x2=right, y1=float(y), y2=float(y))}/>")
    body.append("</g>")
    body.append(f'<g class="chart-axis-label"{_attrs(fill=ink)}>')
    for tick in ticks:
        body.append(
            f"<text{_attrs(x=left - 6, y=float(y_of(tick) + FONT_SIZE * 0.35))}"
            f' text-anchor="end">{escape(number(tick, tick_places))}</text>'
        )
    shown = axis_labels([label for label, _value in points], slot - 4)
    for index, ((label, _value), text) in enumerate(zip(points, shown, strict=True)):
        body.append(
            f"<text{_attrs(x=float(x_of(index)), y=bottom + 8 + FONT_SIZE)}"
            f' text-anchor="middle"><title>{escape(label)}</title>{escape(text)}</text>'
        )
    body.append("</g>")
    body.append(
        f"<line{_attrs(class_='chart-axis', x1=left, x2=right, y1=bottom, y2=bottom, stroke=ink)}/>"
    )

    runs: list[list[int]] = [[]]
    for index, (_label, value) in enumerate(points):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(index)
    for run in runs:
        if len(run) > 1:
            path = " ".join(
                f"{'M' if n == 0 else 'L'}{_num(x_of(i))} {_num(y_of(points[i][1] or 0))}"
                for n, i in enumerate(run)
            )
            width = 2.5 if inline_paint else None
            body.append(
                f"<path{_attrs(class_='chart-line', d=path, fill='none', stroke=line)}"
                f"{_attrs(stroke_width=width)}/>"
            )

    for index, (label, value) in enumerate(points):
        x = x_of(index)
        if value is None:
            y = bottom - 9
            tip = f"{label}: {hidden_label}" if hidden_label else label
            body.append(
                f'<g class="chart-point chart-point--hidden"{_attrs(stroke=ink)}>'
                f"<title>{escape(tip)}</title>"
                f"<circle{_attrs(cx=float(x), cy=float(y), r=6, fill='#ffffff' if ink else None)}/>"
                f"<path{_attrs(d=_cross(x, y, 4))}/>"
                "</g>"
            )
            continue
        y = y_of(value)
        text_y = y - 9 if y - 9 - FIT_FONT_SIZE >= 0 else y + 9 + FIT_FONT_SIZE
        body.append(
            f'<g class="chart-point">'
            f"<title>{escape(label)}: {escape(number(value, decimals))}</title>"
            f"<circle{_attrs(cx=float(x), cy=float(y), r=4.5, fill=line)}"
            f"{_attrs(stroke='#ffffff' if ink else None)}/>"
            f"<text{_attrs(class_='chart-value', x=float(x), y=float(text_y), fill=ink)}"
            f' text-anchor="middle">{escape(number(value, decimals))}</text>'
            "</g>"
        )
    return _svg(id, title, desc, "trend", (TREND_WIDTH, TREND_HEIGHT), body, inline_paint)


def _cross(x: float, y: float, size: float) -> str:
    """Path data of an × centred on (x, y)."""
    a, b, c, d = (_num(x - size), _num(y - size), _num(x + size), _num(y + size))
    return f"M{a} {b}L{c} {d}M{a} {d}L{c} {b}"


def heat_class(value: float | None, centre: float, spread: float) -> str:
    """The heat class of ``value``: ``heat-4`` within ``spread``/6 of ``centre``, one step
    per further ``spread``/3, ``heat-1``/``heat-7`` from 5/6 ``spread`` away; ``None`` (hidden
    by the gate) is ``heat-hidden``."""
    if value is None:
        return HEAT_HIDDEN
    if spread <= 0:
        raise ValueError("spread must be positive")
    steps = (value - centre) / spread * 3
    step = int(math.copysign(math.floor(abs(steps) + 0.5), steps))
    return HEAT_CLASSES[max(-3, min(3, step)) + 3]


def heat_scale(
    centre: float,
    spread: float,
    *,
    label_format: str = "{}",
    decimals: int | None = None,
    language: str = "nl",
) -> list[tuple[str, str]]:
    """``(range text, class)`` for each heat class, lowest first, for `legend`; the edges
    get one decimal when they need it (``decimals=None``), and a true minus sign."""
    edges = [centre + spread * k / 6 for k in (-5, -3, -1, 1, 3, 5)]
    if decimals is None:
        decimals = 0 if all(round(edge, 6).is_integer() for edge in edges) else 1

    def number(value: float) -> str:
        text = format_number(value, decimals, language)
        return label_format.format(text.replace("-", "\N{MINUS SIGN}"))

    texts = [f"≤ {number(edges[0])}"]
    texts += [f"{number(low)} – {number(high)}" for low, high in itertools.pairwise(edges)]
    texts.append(f"≥ {number(edges[-1])}")
    return list(zip(texts, HEAT_CLASSES, strict=True))


def legend(caption: str, items: Sequence[tuple[str, str]]) -> Markup:
    """An HTML legend: a caption and a swatch per ``(text, class)``; the class is a heat
    class, ``heat-hidden`` or a segment modifier."""
    known = {*HEAT_CLASSES, HEAT_HIDDEN, *SEGMENT_MODIFIERS}
    rows = []
    for text, css_class in items:
        if css_class not in known:
            raise ValueError(f"unknown legend class {css_class!r}")
        swatch = css_class if css_class.startswith("heat-") else f"chart-swatch--{css_class}"
        rows.append(
            f'<li><span class="chart-swatch {swatch}" aria-hidden="true"></span>{escape(text)}</li>'
        )
    return Markup(  # noqa: S704 (escaped above)
        f'<div class="chart-legend"><p class="chart-legend-caption">{escape(caption)}</p>'
        f'<ul class="chart-legend-items">{"".join(rows)}</ul></div>'
    )
