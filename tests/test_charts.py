"""Geometry of the progress charts (assessments/charts.py) and the SVG the templates draw from it."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from assessments.charts import level_chart, sparkline, year_starts

TODAY = date(2026, 11, 22)


def test_year_starts_count_back_from_the_current_year_of_study():
    assert year_starts(intake=date(2024, 9, 1), year_of_study=2, today=TODAY) == [
        date(2025, 9, 1), date(2026, 9, 1), date(2027, 9, 1)]
    # Before the intake's day and month, the current year began last calendar year.
    assert year_starts(intake=date(2020, 9, 1), year_of_study=1, today=date(2026, 3, 1)) == [
        date(2025, 9, 1), date(2026, 9, 1)]


def test_level_chart_maps_levels_and_dates():
    observations = [(date(2026, 10, 1), 2), (date(2025, 10, 1), 1), (date(2026, 11, 1), 5)]
    chart = level_chart(observations, expected={1: 2, 2: 3, 3: 4}, intake=date(2024, 9, 1), year_of_study=2,
                        today=TODAY, epa_code="EPA 1")
    # Sorted by date; level 1 at the bottom of the plot, level 5 at the top.
    assert [p.level for p in chart.points] == [1, 2, 5]
    assert chart.points[0].y == chart.bottom
    assert chart.points[2].y == chart.top
    assert chart.points[1].y == pytest.approx(chart.bottom - (chart.bottom - chart.top) / 4)
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs) and chart.left <= xs[0] and xs[-1] <= chart.right
    # The axis spans years 1-2 of study: 1 Sep 2025 to 1 Sep 2027.
    assert (chart.first, chart.last) == (date(2025, 9, 1), date(2027, 9, 1))
    assert [(b.year, b.expected) for b in chart.bands] == [(1, 2), (2, 3)]
    assert chart.bands[0].x1 == chart.left and chart.bands[-1].x2 == chart.right
    assert chart.bands[0].x2 == chart.bands[1].x1
    # The expected level is a step line: level 2 through year 1, then up to level 3 for year 2.
    y2, y3 = chart.bands[0].y, chart.bands[1].y
    assert chart.expected_path == f"M{chart.bands[0].x1} {y2}H{chart.bands[0].x2}V{y3}H{chart.right}"
    assert (y2, y3) == (150.5, 105.0)
    assert chart.line.count(",") == 3
    assert chart.today_x is not None and chart.points[2].x < chart.today_x
    assert chart.summary == ("EPA 1: 3 observations from 10/01/2025 to 11/01/2026; the latest at level 5. "
                             "Expected level in year 2 of study: 3.")


def test_level_chart_stretches_to_observations_outside_the_years():
    chart = level_chart([(date(2024, 1, 10), 2)], expected={1: 2}, intake=date(2024, 9, 1), year_of_study=1,
                        today=TODAY)
    assert chart.first == date(2024, 1, 10)
    assert chart.points[0].x == chart.left
    assert chart.bands[0].x1 == chart.left


def test_level_chart_without_observations_or_expectations():
    chart = level_chart([], expected={}, intake=date(2024, 9, 1), year_of_study=3, today=TODAY, epa_code="EPA 2")
    assert chart.points == [] and chart.line == ""
    assert chart.expected_path == ""
    assert len(chart.bands) == 3
    assert chart.summary == "EPA 2: no observations yet."


def test_a_year_without_an_expectation_breaks_the_step_line():
    chart = level_chart([], expected={1: 2, 3: 4}, intake=date(2024, 9, 1), year_of_study=3, today=TODAY)
    assert chart.expected_path.count("M") == 2
    assert "V" not in chart.expected_path


def test_sparkline():
    spark = sparkline([1, 3, 5], expected=3, width=120, height=36)
    assert spark.points[0] == (4, 32) and spark.points[-1] == (116, 4)
    assert spark.expected_y == 18
    assert spark.line == "4.0,32.0 60.0,18.0 116.0,4.0"
    assert spark.summary == "Latest 3 levels, oldest first: 1, 3, 5. Expected: 3."
    single = sparkline([2], expected=None)
    assert single.last == (60, single.points[0][1])
    assert single.summary == "Latest level: 2."
    assert sparkline([], expected=2).last is None


def test_rendered_svg_is_accessible_and_responsive():
    chart = level_chart([(date(2026, 10, 1), 2), (date(2026, 11, 1), 3)], expected={1: 2, 2: 3},
                        intake=date(2024, 9, 1), year_of_study=2, today=TODAY, epa_code="EPA 1")
    html = render_to_string("assessments/includes_chart.html", {"chart": chart})
    assert f'viewBox="0 0 {chart.width} {chart.height}" width="100%" role="img"' in html
    assert f'<title id="chart-title">{chart.summary}</title>' in html
    assert html.count("<circle") == 2 + 1  # the points, and the legend's sample
    assert f'd="{chart.expected_path}"' in html
    assert '<table class="table table-sm w-auto mb-0" id="chart-table">' in html
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org", "")
    spark = render_to_string("assessments/progress_sparkline.html", {"spark": sparkline([2, 3], expected=3)})
    assert 'role="img" aria-label="Latest 2 levels, oldest first: 2, 3. Expected: 3."' in spark
    assert 'stroke-dasharray' in spark
