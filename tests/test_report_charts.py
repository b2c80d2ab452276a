"""Geometry of the report charts (reports/charts.py) and the SVG that templates/reports/chart.svg draws from it."""

from xml.etree import ElementTree

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from reports.charts import WIDTH, bar_chart, chart_of, figure, find_chart, line_chart, nice_ceiling
from reports.result import chart, column, section, table
from tests.report_samples import sample_result

SVG = "{http://www.w3.org/2000/svg}"
ROOM = WIDTH - 90  # the bars' room (the value is written after the bar)


def one_table(rows, *, types=("int",), charts=(), reference=False):
    columns = [column("name", "Name")] + [column(f"v{i}", f"Series {i}", t) for i, t in enumerate(types)]
    if reference:
        columns.append(column("expected", "Expected", "num"))
    return section("s", "Section", tables=[table("t", "Table", columns, rows)], charts=charts)


def bar(rows, **kwargs):
    types = kwargs.pop("types", ("int",))
    reference = kwargs.pop("reference", False)
    spec = chart("c", "bar", "Bars", table="t", label="name", values=[f"v{i}" for i in range(len(types))],
                 reference="expected" if reference else None, **kwargs)
    s = one_table(rows, types=types, charts=[spec], reference=reference)
    return bar_chart(s, spec)


def line(rows, **kwargs):
    types = kwargs.pop("types", ("num",))
    reference = kwargs.pop("reference", False)
    spec = chart("c", "line", "Lines", table="t", label="name", values=[f"v{i}" for i in range(len(types))],
                 reference="expected" if reference else None, **kwargs)
    s = one_table(rows, types=types, charts=[spec], reference=reference)
    return line_chart(s, spec)


def test_bar_widths_are_proportional_to_the_values_on_a_round_scale():
    chart_ = bar([["a", 10], ["b", 5], ["c", 0], ["d", 17]])
    assert chart_.max == 20  # 17 rounded up to a round top
    widths = [g.bars[0].width for g in chart_.groups]
    assert widths == [ROOM * 10 / 20, ROOM * 5 / 20, 0, round(ROOM * 17 / 20, 1)]
    assert widths[0] == 2 * widths[1]
    assert [g.bars[0].text for g in chart_.groups] == ["10", "5", "0", "17"]
    # Each value is written just after its bar; the groups go down the page in the table's order.
    assert all(b.text_x == round(b.width + 6, 1) for g in chart_.groups for b in g.bars)
    assert [g.label for g in chart_.groups] == ["a", "b", "c", "d"]
    assert [g.label_y for g in chart_.groups] == sorted(g.label_y for g in chart_.groups)
    assert chart_.desc == "a: 10; b: 5; c: 0; d: 17"


def test_percent_bars_are_scaled_to_100_and_an_explicit_maximum_wins():
    chart_ = bar([["a", 50.0], ["b", 25.5]], types=("pct",), unit="%")
    assert chart_.max == 100
    assert [g.bars[0].width for g in chart_.groups] == [ROOM / 2, round(ROOM * 0.255, 1)]
    assert [g.bars[0].text for g in chart_.groups] == ["50.0 %", "25.5 %"]
    capped = bar([["a", 2], ["b", 8]], max=5)
    assert capped.max == 5 and capped.groups[1].bars[0].width == ROOM  # over the maximum: a full bar, not more
    assert capped.groups[1].bars[0].text == "8"  # the figure itself is still written


def test_values_not_shown_draw_nothing_and_are_listed():
    chart_ = bar([["a", 4], ["b", None], ["c", 2]])
    assert [len(g.bars) for g in chart_.groups] == [1, 0, 1]
    assert chart_.skipped == ["b"]
    assert chart_.desc == "a: 4; b: —; c: 2. Not shown (too few people or no data): b."
    assert chart_.max == 5
    empty = bar([["a", None]])
    assert empty.is_empty and empty.skipped == ["a"]


def test_several_series_are_grouped_with_a_legend_and_a_reference_tick():
    chart_ = bar([["a", 3, 40.0, 3.5], ["b", None, 60.0, None]], types=("int", "pct"), reference=True)
    a, b = chart_.groups
    assert [bar_.colour for bar_ in a.bars] == ["#2166ac", "#e08214"]
    assert a.bars[1].y == a.bars[0].y + 18 + 4  # one under the other within the group
    assert [item.label for item in chart_.legend] == ["Series 0", "Series 1", "Expected"]
    assert chart_.legend[-1].is_reference
    assert chart_.max == 100  # the largest value of any series (60) and the reference
    assert a.reference_x == round(ROOM * 3.5 / 100, 1) and a.reference_title == "a: Expected: 3.5"
    assert b.reference_x is None  # no expectation: no tick
    assert chart_.skipped == ["b: Series 0"]
    assert chart_.desc.startswith("a: Series 0 3, Series 1 40.0 %, Expected 3.5; b: Series 0 —")
    assert chart_.top > 26  # the plot starts under the title and the legend


def test_line_chart_points_are_evenly_spaced_and_scaled():
    chart_ = line([["2022", 10.0], ["2023", 20.0], ["2024", 40.0]])
    points = chart_.lines[0].points
    assert chart_.max == 50
    assert [p.x for p in points] == [chart_.left, (chart_.left + chart_.right) / 2, chart_.right]
    height = chart_.bottom - chart_.top
    assert [p.y for p in points] == [round(chart_.bottom - height * v / 50, 1) for v in (10, 20, 40)]
    assert chart_.lines[0].path == "M{} {}L{} {}L{} {}".format(*[c for p in points for c in (p.x, p.y)])
    assert [t.text for t in chart_.x_ticks] == ["2022", "2023", "2024"]
    assert [t.text for t in chart_.y_ticks] == ["0", "12.5", "25", "37.5", "50"]
    assert chart_.y_ticks[0].position == chart_.bottom and chart_.y_ticks[-1].position == chart_.top


def test_a_missing_value_breaks_the_line_and_is_listed():
    chart_ = line([["2021", 1.0, 2.0], ["2022", None, 3.0], ["2023", 4.0, None], ["2024", 5.0, 6.0]],
                  types=("num", "num"))
    first, second = chart_.lines
    assert first.path.count("M") == 2 and first.path.count("L") == 1  # 2021 alone, then 2023-2024
    assert second.path.count("M") == 2 and second.path.count("L") == 1
    assert len(first.points) == len(second.points) == 3
    assert chart_.skipped == ["2022: Series 0", "2023: Series 1"]
    assert (first.dash, second.dash) == ("", "7 4")  # told apart in black and white too
    assert first.points[0].marker_d.startswith("M") and second.points[0].marker_d.endswith("z")


def test_a_line_chart_with_a_reference_percentages_and_negative_values():
    chart_ = line([["Y1", 40.0, 50.0], ["Y2", 70.0, 60.0]], types=("pct",), reference=True, unit="%")
    assert chart_.max == 100 and [t.text for t in chart_.y_ticks][-1] == "100 %"
    reference = chart_.lines[-1]
    assert reference.is_reference and reference.label == "Expected" and reference.dash
    assert chart_.desc == "Y1: Series 0 40.0 %, Expected 50.0; Y2: Series 0 70.0 %, Expected 60.0"
    falling = line([["a", -5.0], ["b", 5.0]])
    assert falling.y_ticks[0].text == "-5" and falling.lines[0].points[0].y == falling.bottom


def test_figures_read_in_the_language_of_the_reader():
    assert (figure(None), figure(12345, "int"), figure(12.345, "num"), figure(7.25, "pct")) == (
        "—", "12,345", "12.3", "7.2 %")
    assert (figure("text", "text"), figure(True, "text"), figure(3, "pct")) == ("text", "yes", "3.0 %")
    with translation.override("ru"):
        assert figure(12.5, "pct") == "12,5 %"
    assert [nice_ceiling(v) for v in (0, 0.3, 7, 17, 26, 101)] == [1, 0.5, 10, 20, 50, 200]


def test_find_chart_by_section_and_key():
    result = sample_result()
    assert find_chart(result, "exams", "trend").kind == "line"
    assert find_chart(result, "load", "residents_bar").kind == "bar"
    assert find_chart(result, "load", "trend") is None and find_chart(None, "load", "x") is None


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_svg_is_well_formed_with_its_figures_as_text(language):
    result = sample_result(rows=4)
    for s in result["sections"]:
        for spec in s["charts"]:
            geometry = chart_of(s, spec)
            with translation.override(language):
                svg = render_to_string("reports/chart.svg", {"c": geometry, "uid": "u", "standalone": True})
            root = ElementTree.fromstring(svg.encode())
            assert root.find(f"{SVG}title").text == spec["title"]
            assert root.find(f"{SVG}desc").text == geometry.desc
            numbers = [float(value) for element in root.iter() for name, value in element.attrib.items()
                       if name in ("x", "y", "width", "height", "x1", "x2", "y1", "y2")]
            assert numbers  # every coordinate parses as a number (no decimal comma)
            if spec["type"] == "bar":
                drawn = [float(r.get("data-value")) for r in root.iter(f"{SVG}rect") if r.get("data-value")]
                assert drawn == [v for v in (row[1] for row in s["tables"][0]["rows"]) if v is not None]
            else:
                paths = [p.get("d") for p in root.iter(f"{SVG}path") if p.get("stroke")]
                assert paths == [line_.path for line_ in geometry.lines]
