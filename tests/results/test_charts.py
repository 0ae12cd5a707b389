"""Charts as inline SVG: accessible names, unique ids, no inline style, escaped text, gated
points without numbers, rounded shares that add up, and heat colours that meet WCAG AA."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from survey_app.core.i18n import format_signed, using_language
from survey_app.results import charts
from survey_app.web.templates import jinja_environment
from tests.helpers import PROJECT_ROOT, app_settings

SVG = "{http://www.w3.org/2000/svg}"
CSS = PROJECT_ROOT / "static" / "css" / "charts.css"
NASTY = "<script>alert(1)</script> & Co"
FIVE = [
    ("Helemaal oneens", 2, "answer-1"),
    ("Oneens", 7, "answer-2"),
    ("Neutraal", 10, "answer-3"),
    ("Eens", 20, "answer-4"),
    ("Helemaal eens", 13, "answer-5"),
]
WAVES = [("Voorjaar 2025", 72.5), ("Najaar 2025", None), ("Voorjaar 2026", 68.0), ("Zomer", 74.0)]


def bar(id: str = "bar", segments=None, **kwargs) -> str:
    return str(charts.stacked_bar(id, "Verdeling", "Beschrijving", segments or FIVE, **kwargs))


def trend(id: str = "trend", points=None, **kwargs) -> str:
    kwargs = {"y_min": 0, "y_max": 100, "label_format": "{}%", "decimals": 1, **kwargs}
    return str(charts.trend_line(id, "Trend", "Beschrijving", points or WAVES, **kwargs))


def texts(root: ET.Element) -> list[str]:
    """The visible text of a chart: its <text> elements without their tooltips."""
    return [element.text or "" for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("render", [bar, trend], ids=["stacked_bar", "trend_line"])
def test_a_chart_is_an_image_named_by_its_title_and_description(render) -> None:
    root = ET.fromstring(render("chart-7"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-7-title chart-7-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-7-title"
    assert root.find(f"{SVG}title").text
    assert root.find(f"{SVG}desc").get("id") == "chart-7-desc"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    assert "chart" in root.get("class").split()


@pytest.mark.parametrize("render", [bar, trend], ids=["stacked_bar", "trend_line"])
def test_two_charts_share_no_id_and_refer_only_to_their_own(render) -> None:
    ids: list[str] = []
    for chart_id in ("first", "second"):
        root = ET.fromstring(render(chart_id))
        own = [element.get("id") for element in root.iter() if element.get("id")]
        assert all(found.startswith(chart_id) for found in own)
        references = re.findall(r"url\(#([^)]+)\)", render(chart_id))
        assert set(references) <= set(own)
        ids += own
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("id", ["", "two words", 'x" onload="alert(1)', "1st"])
def test_a_chart_id_that_could_break_the_page_is_refused(id: str) -> None:
    with pytest.raises(ValueError):
        bar(id)


@pytest.mark.parametrize("inline_paint", [False, True])
def test_no_inline_style_anywhere(inline_paint: bool) -> None:
    for markup in (bar(inline_paint=inline_paint), trend(inline_paint=inline_paint)):
        root = ET.fromstring(markup)
        assert not [element.tag for element in root.iter() if "style" in element.attrib]
        assert not root.findall(f".//{SVG}style")
        assert "style=" not in markup


def test_without_inline_paint_colours_come_only_from_classes() -> None:
    for markup in (bar(), trend()):
        for element in ET.fromstring(markup).iter():
            assert "stroke" not in element.attrib
            assert element.get("fill", "url(").startswith(("url(", "none"))


def test_text_is_escaped_everywhere() -> None:
    markups = [
        str(charts.stacked_bar("b", NASTY, NASTY, [(NASTY, 1, "favourable")])),
        str(
            charts.trend_line(
                "t",
                NASTY,
                NASTY,
                [(NASTY, 50), (NASTY, None)],
                y_min=0,
                y_max=100,
                hidden_label=NASTY,
            )
        ),
        str(charts.legend(NASTY, [(NASTY, "heat-1")])),
    ]
    for markup in markups:
        assert "<script>" not in markup
        assert "&lt;script&gt;" in markup and "&amp; Co" in markup
    root = ET.fromstring(markups[0])
    assert root.find(f"{SVG}title").text == NASTY  # escaped once, not twice


def test_a_hidden_point_has_no_number_and_breaks_the_line() -> None:
    points = [("W1", 61.0), ("W2", 64.0), ("W3", None), ("W4", 70.0), ("W5", 72.0)]
    root = ET.fromstring(trend(points=points, decimals=0))
    shown = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-point"]
    assert [text for g in shown for text in texts(g)] == ["61%", "64%", "70%", "72%"]
    hidden = [g for g in root.iter(f"{SVG}g") if "chart-point--hidden" in g.get("class", "")]
    assert len(hidden) == 1
    assert not list(hidden[0].iter(f"{SVG}text"))
    assert "%" not in "".join(hidden[0].itertext())  # not even in its tooltip
    lines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "chart-line"]
    assert len(lines) == 2  # W1–W2 and W4–W5: no stroke across W3
    hidden_x = float(hidden[0].find(f"{SVG}circle").get("cx"))
    for line in lines:
        xs = [float(x) for x in re.findall(r"[ML]([\d.]+) ", line.get("d"))]
        assert not min(xs) < hidden_x < max(xs)


def test_a_visible_point_between_two_hidden_ones_stands_alone() -> None:
    root = ET.fromstring(trend(points=[("a", None), ("b", 50.0), ("c", None)], decimals=0))
    assert not [p for p in root.iter(f"{SVG}path") if p.get("class") == "chart-line"]
    assert "50%" in [
        text for g in root.iter(f"{SVG}g") if g.get("class") == "chart-point" for text in texts(g)
    ]


def test_every_hidden_trend_prints_no_value_at_all() -> None:
    root = ET.fromstring(trend(points=[("a", None), ("b", None)]))
    assert [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-point"] == []


def test_values_are_written_in_the_language() -> None:
    assert "72,5%" in texts(ET.fromstring(trend(language="nl")))
    assert "72.5%" in texts(ET.fromstring(trend(language="en")))
    assert charts.format_number(2.45, 1, "nl") == "2,5"  # half away from zero, not to even
    assert charts.format_number(-0.2, 0, "en") == "0"
    assert charts.format_number(-12.5, 1, "en") == "\u221212.5"  # a minus sign, not a hyphen


def template_filters() -> dict:
    return jinja_environment(app_settings()).filters


def test_a_difference_is_signed_where_it_rounds_away_from_zero() -> None:
    assert format_signed(0.25, 1, "nl") == "+0,3"
    assert format_signed(-2, 0, "en") == "\u22122"
    assert format_signed(0.004, 2, "nl") == "0,00"  # no "+0,00"
    assert format_signed(-0.4, 0, "nl") == "0"  # no "-0"
    # Without a language: the current one, as the templates' `signed` filter renders it.
    with using_language("en"):
        assert format_signed(1.5, 1) == "+1.5"
        assert template_filters()["signed"](-1.25, 1) == "\u22121.3"
    with using_language("nl"):
        assert template_filters()["number"](1.25, 1) == "1,3"


@pytest.mark.parametrize(
    ("language", "points", "shown"),
    [
        ("nl", -1, "\u22121 punt"),
        ("nl", 3, "+3 punten"),
        ("en", 1, "+1 point"),
        ("en", 0, "0 points"),
    ],
)
def test_a_change_in_points_is_singular_for_one_point(language, points, shown) -> None:
    """As the themes pages and the report write a change: "−1 punt", not "−1 punten"."""
    template = jinja_environment(app_settings()).from_string(
        '{% from "results/_points.html" import points %}{{ points(p) }}'
    )
    with using_language(language):
        assert template.render(p=points) == shown


def segment_labels(markup: str) -> list[str]:
    root = ET.fromstring(markup)
    return [
        text
        for g in root.iter(f"{SVG}g")
        if "chart-seg" in g.get("class", "").split()
        for text in texts(g)
    ]


def test_bar_percentages_are_rounded_as_the_same_figure_is_everywhere_else() -> None:
    # A department's 23.5 % favourable is "24%" in its column and heatmap cell: its bar
    # segment says so too, even where the three then add up to 101.
    shares = [38.5, 38.0, 23.5]
    assert charts.rounded_percentages(shares) == [39, 38, 24]
    assert f"{charts.format_number(23.5)}%" == "24%"
    assert charts.rounded_percentages([1, 1, 1]) == [33, 33, 33]
    assert charts.rounded_percentages([0, 0]) == [0, 0]
    markup = bar(
        segments=[("a", 38.5, "unfavourable"), ("b", 38, "neutral"), ("c", 23.5, "favourable")]
    )
    assert segment_labels(markup) == ["39%", "38%", "24%"]


def test_bar_segments_fill_the_bar_in_proportion() -> None:
    root = ET.fromstring(bar())
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-seg-fill"]
    widths = [float(r.get("width")) for r in rects]
    assert sum(widths) == pytest.approx(charts.BAR_WIDTH, abs=0.05)
    assert widths[3] / widths[0] == pytest.approx(20 / 2, rel=0.01)


def test_shares_work_as_well_as_counts() -> None:
    shares = [("a", 0.25, "detractor"), ("b", 0.45, "passive"), ("c", 0.30, "promoter")]
    assert segment_labels(bar(segments=shares)) == ["25%", "45%", "30%"]


def test_a_narrow_segment_gets_no_number_and_an_empty_one_no_room() -> None:
    segments = [("a", 7, "unfavourable"), ("b", 0, "neutral"), ("c", 93, "favourable")]
    markup = bar(segments=segments)
    assert segment_labels(markup) == ["93%"]
    root = ET.fromstring(markup)
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-seg-fill"]) == 2
    assert segment_labels(bar(segments=[("a", 8, "neutral"), ("c", 92, "favourable")])) == [
        "8%",
        "92%",
    ]


def test_an_unknown_segment_modifier_is_refused() -> None:
    with pytest.raises(ValueError):
        bar(segments=[("a", 1, 'x" onclick="')])


def test_heat_classes_are_symmetric_around_the_centre() -> None:
    assert charts.heat_class(70, 70, 15) == "heat-4"
    assert charts.heat_class(72.4, 70, 15) == "heat-4"
    assert charts.heat_class(72.5, 70, 15) == "heat-5"
    assert charts.heat_class(67.5, 70, 15) == "heat-3"
    assert charts.heat_class(80, 70, 15) == "heat-6"
    assert charts.heat_class(95, 70, 15) == "heat-7"
    assert charts.heat_class(0, 70, 15) == "heat-1"
    assert charts.heat_class(None, 70, 15) == "heat-hidden"
    scale = charts.heat_scale(0, 15, language="nl")
    assert [css for _text, css in scale] == list(charts.HEAT_CLASSES)
    assert scale[1][0] == "−12,5 – −7,5"


def test_the_legend_escapes_and_knows_its_classes() -> None:
    html = str(charts.legend("Schaal", [("gunstig", "favourable"), ("verborgen", "heat-hidden")]))
    assert 'class="chart-swatch chart-swatch--favourable"' in html
    assert 'class="chart-swatch heat-hidden"' in html
    ET.fromstring(html)
    with pytest.raises(ValueError):
        charts.legend("x", [("a", "heat-9")])


# ---- charts.css: every class the module writes is styled, and its contrast is AA


def css_rules(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """``(media, selector, declarations)`` for each selector of each rule; media "" at the
    top level. Enough CSS for this one file: no nesting beyond one @media."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules = []
    media = ""
    for match in re.finditer(r"([^{}]*)\{([^{}]*)\}|([^{}]*)\{|\}", text):
        if match.group(3) is not None:  # an @media opening
            media = match.group(3).strip()
            continue
        if match.group(1) is None:  # a closing brace of @media
            media = ""
            continue
        declarations = {}
        for declaration in match.group(2).split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip()] = value.strip()
        for selector in match.group(1).split(","):
            rules.append((media, " ".join(selector.split()), declarations))
    return rules


def computed(rules, selector: str, media: str) -> dict[str, str]:
    """The declarations of ``selector`` at the top level, then in ``media``, later winning."""
    merged: dict[str, str] = {}
    for rule_media, rule_selector, declarations in rules:
        if rule_selector == selector and rule_media in ("", media):
            merged.update(declarations)
    return merged


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(2 * char for char in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_calculation_matches_known_values() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)  # the classic near miss


HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


@pytest.mark.parametrize("media", ["", "@media print"])
@pytest.mark.parametrize("css_class", [*charts.HEAT_CLASSES, charts.HEAT_HIDDEN])
def test_heat_text_meets_wcag_aa_on_its_background(css_class: str, media: str) -> None:
    style = computed(css_rules(CSS.read_text()), f".{css_class}", media)
    text = style["color"]
    backgrounds = HEX.findall(style.get("background-color", "") + style.get("background-image", ""))
    assert backgrounds, f"{css_class} has no background colour"
    for background in backgrounds:  # every stripe of the hidden cell's hatch, too
        assert contrast(text, background) >= 4.5, (css_class, media, text, background)
    if media:  # printed: also when the printer leaves backgrounds out
        assert contrast(text, "#ffffff") >= 4.5


def test_the_hidden_heat_class_is_more_than_a_colour() -> None:
    style = computed(css_rules(CSS.read_text()), ".heat-hidden", "")
    assert "gradient" in style["background-image"]
    assert "dashed" in style["outline"]


def test_heat_colours_go_from_orange_through_grey_to_blue() -> None:
    """Diverging without red against green: the low end is orange, the high end blue."""
    rules = css_rules(CSS.read_text())
    colours = [computed(rules, f".{c}", "")["background-color"] for c in charts.HEAT_CLASSES]
    red, _green, blue = (int(colours[0][i : i + 2], 16) for i in (1, 3, 5))
    assert red > blue
    red, _green, blue = (int(colours[-1][i : i + 2], 16) for i in (1, 3, 5))
    assert blue > red
    lightness = [luminance(colour) for colour in colours]
    assert lightness.index(max(lightness)) == 3  # the centre is the lightest


@pytest.mark.parametrize("modifier", charts.SEGMENT_MODIFIERS)
def test_every_segment_is_styled_like_its_pdf_paint_and_its_label_reads(modifier: str) -> None:
    rules = css_rules(CSS.read_text())
    fill = computed(rules, f".chart-seg--{modifier} .chart-seg-fill", "")["fill"]
    label = computed(rules, f".chart-seg--{modifier} .chart-seg-label", "")["fill"]
    assert (fill, label) == tuple(
        "#fff" if colour == "#ffffff" else colour for colour in charts.PAINT[modifier]
    )
    assert contrast(label, fill) >= 4.5


def test_every_class_the_module_writes_is_in_the_stylesheet() -> None:
    stylesheet = CSS.read_text()
    markup = bar() + trend() + str(charts.legend("x", [("a", "favourable"), ("b", "heat-1")]))
    written = {name for value in re.findall(r'class="([^"]+)"', markup) for name in value.split()}
    missing = sorted(name for name in written if f".{name}" not in stylesheet)
    assert not missing, missing


def test_the_stylesheet_has_print_and_forced_colour_rules() -> None:
    rules = css_rules(CSS.read_text())
    media = {rule_media for rule_media, _selector, _declarations in rules}
    assert "@media print" in media
    assert "@media (forced-colors: active)" in media
    assert computed(rules, ".chart-overlay", "@media print")["display"] == "inline"
    assert computed(rules, ".chart", "")["width"] == "100%"


def test_axis_labels_leave_out_what_every_wave_title_shares_before_cutting() -> None:
    titles = ["Pulsmeting maart 2026", "Pulsmeting juni 2026", "Pulsmeting september 2026"]
    # Room in viewBox units: 17-unit text, about 9.5 units a character.
    assert charts.axis_labels(titles, 260) == titles  # room enough: as they are
    assert charts.axis_labels(titles, 150) == ["maart 2026", "juni 2026", "september 2026"]
    assert charts.axis_labels(titles, 100) == ["maart", "juni", "september"]
    assert charts.axis_labels(titles, 50) == ["maart", "juni", "sept…"]
    # Nothing in common: cut as before; one wave: its own title, cut.
    assert charts.axis_labels(["Voorjaar", "Najaarsmeting 2026"], 100)[1] == "Najaarsme…"
    assert charts.axis_labels(["Pulsmeting september 2026"], 110) == ["Pulsmeting…"]
