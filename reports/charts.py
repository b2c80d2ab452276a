"""Geometry of a report's charts, drawn as SVG by templates/reports/chart.svg: inline in the run page and as a
standalone .svg file (reports:run_chart). No JavaScript.

A chart of the result (reports/result.py) names a table of its section: the categories are the values of its
`label` column, each `values` column is a series, `reference` an optional expected value. Bar charts are
horizontal (long category names stay readable on a phone), one bar per series in each category, the reference a
dark tick across the category's bars. Line charts put the categories (years, usually) evenly along the x axis;
a missing value breaks the line instead of joining across it. A value that is not shown (None: too few people or
no data) draws nothing and is listed under the chart and in its description, so no gap passes for a zero.

Every figure is also printed as text (beside its bar, in the SVG's <title>/<desc> and in the table under the
chart), and series differ by dash and marker as well as colour, so the charts read in black and white.
Coordinates are viewBox units; the SVG scales to the width of the page.
"""

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from surveys.charts import BAR_COLOUR

WIDTH = 640
# Colour-blind-safe, and of different lightness, so the series can be told apart when printed in grey.
COLOURS = (BAR_COLOUR, "#e08214", "#1b7837", "#762a83", "#b2182b", "#7f7f7f")
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 2", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
REFERENCE_COLOUR = "#212529"
TITLE_HEIGHT = 26
LEGEND_ROW = 20
CHAR_WIDTH = 7  # an average character at font size 13, to lay out the legend


def figure(value, type: str = "num") -> str:
    """A cell as the reader sees it, in the active language: 1 234; 12.5; 12.5 %; "—" for not shown."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return value
    if type == "int" or (isinstance(value, int) and type != "pct"):
        return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    text = number_format(round(value, 1), decimal_pos=1, use_l10n=True, force_grouping=True)
    return f"{text} %" if type == "pct" else text


def marker_path(marker: str, x: float, y: float) -> str:
    """An SVG path of the series' marker centred on (x, y); "" for none."""
    def at(dx: float, dy: float) -> str:
        return f"{round(x + dx, 1)} {round(y + dy, 1)}"

    if marker == "circle":
        return f"M{at(-4, 0)}a4 4 0 1 0 8 0a4 4 0 1 0 -8 0z"
    if marker == "square":
        return f"M{at(-4, -4)}h8v8h-8z"
    if marker == "triangle":
        return f"M{at(0, -5)}L{at(5, 4)}L{at(-5, 4)}z"
    if marker == "diamond":
        return f"M{at(0, -5)}L{at(5, 0)}L{at(0, 5)}L{at(-5, 0)}z"
    return ""


def shorten(text: str, length: int) -> str:
    """At most `length` characters, an ellipsis marking the cut (the whole text stays in the title)."""
    length = max(length, 2)
    return text if len(text) <= length else text[:length - 1] + "…"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n at least `value`: a round top for the axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    dash: str
    marker: str
    x: float
    y: float
    is_reference: bool = False

    @property
    def text_x(self) -> float:
        return self.x + 30

    @property
    def mid_y(self) -> float:
        return self.y + 6

    @property
    def line_end(self) -> float:
        return self.x + 24

    @property
    def marker_d(self) -> str:
        return marker_path(self.marker, self.x + 12, self.y + 6)

    @property
    def tick_x(self) -> float:
        """A bar chart's reference is a tick across the bars: so is its sample in the legend."""
        return self.x + 12

    @property
    def tick_bottom(self) -> float:
        return self.y + 14


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    type: str
    colour: str
    dash: str
    marker: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    value: float
    text: str
    text_x: float
    title: str


@dataclass(frozen=True)
class BarGroup:
    label: str
    label_y: float
    text: str  # the label, shortened to fit the width
    bars: list[Bar]
    reference_x: float | None = None
    reference_top: float = 0
    reference_bottom: float = 0
    reference_title: str = ""


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    title: str
    marker_d: str = ""


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    dash: str
    marker: str
    path: str
    points: list[Point]
    is_reference: bool = False


@dataclass(frozen=True)
class Tick:
    position: float  # y of a value tick, x of a category
    text: str


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    key: str
    title: str
    desc: str
    width: int
    height: int
    legend: list[LegendItem]
    skipped: list[str]  # "category: series" of every value not shown
    unit: str
    max: float
    top: float = 0
    bottom: float = 0
    left: float = 0
    right: float = 0
    groups: list[BarGroup] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    baseline_x: float = 0

    @property
    def is_empty(self) -> bool:
        return not any(g.bars for g in self.groups) and not any(line.points for line in self.lines)


def _table(section: dict, chart: dict) -> dict:
    return next(t for t in section["tables"] if t["key"] == chart["table"])


def _series(table: dict, chart: dict) -> tuple[int, list[tuple[int, Series]], tuple[int, Series] | None]:
    columns = {c["key"]: (i, c) for i, c in enumerate(table["columns"])}
    label_index = columns[chart["label"]][0]
    series = []
    for n, key in enumerate(chart["values"]):
        i, column = columns[key]
        series.append((i, Series(key=key, label=column["label"], type=column["type"], colour=COLOURS[n % 6],
                                 dash=DASHES[n % 6], marker=MARKERS[n % 6])))
    reference = None
    if chart.get("reference"):
        i, column = columns[chart["reference"]]
        reference = (i, Series(key=column["key"], label=column["label"], type=column["type"],
                               colour=REFERENCE_COLOUR, dash="5 3", marker="none"))
    return label_index, series, reference


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _legend(series: list[Series], reference: Series | None, *, top: float) -> tuple[list[LegendItem], float]:
    """The legend laid out left to right, wrapping; shown when there is more than one series or a reference."""
    entries = [(s, False) for s in series] + ([(reference, True)] if reference else [])
    if len(entries) < 2:
        return [], top
    items, x, y = [], 0.0, top
    for s, is_reference in entries:
        width = 30 + CHAR_WIDTH * len(s.label) + 18
        if x and x + width > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        items.append(LegendItem(label=s.label, colour=s.colour, dash=s.dash, marker=s.marker, x=x, y=y,
                                is_reference=is_reference))
        x += width
    return items, y + LEGEND_ROW + 6


def _scale_max(chart: dict, values: list[float]) -> float:
    if chart.get("max"):
        return float(chart["max"])
    if chart.get("unit") == "%":
        return 100.0
    return nice_ceiling(max(values, default=0))


def _description(rows: list[tuple[str, list[str]]], series: list[Series], skipped: list[str]) -> str:
    """The chart's figures in words: "category: value" (or "category: series value, ..." for several series and
    a reference), then what is not shown."""
    parts = []
    for label, texts in rows:
        if len(series) == 1:
            parts.append(f"{label}: {texts[0]}")
        else:
            parts.append(f"{label}: " + ", ".join(f"{s.label} {t}" for s, t in zip(series, texts, strict=True)))
    text = "; ".join(parts)
    if skipped:
        text += ". " + _("Not shown (too few people or no data): %(list)s.") % {"list": "; ".join(skipped)}
    return text


def _tick_text(value: float, unit: str) -> str:
    decimals = 0 if value == int(value) else 1
    text = number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{text} %" if unit == "%" else text


def _shown(section: dict, chart: dict):
    """The chart's table, its category labels, its series and reference (column index, Series), the legend and
    where the plot starts below it."""
    table = _table(section, chart)
    label_index, series, reference = _series(table, chart)
    legend, top = _legend([s for _i, s in series], reference[1] if reference else None, top=TITLE_HEIGHT)
    labels = [figure(row[label_index], "text") for row in table["rows"]]
    return table, labels, series, reference, legend, top


def _value_range(chart: dict, table: dict, columns: list[tuple[int, Series]]) -> tuple[float, float]:
    numbers = [v for row in table["rows"] for i, _s in columns if (v := _number(row[i])) is not None]
    return min(0.0, min(numbers, default=0.0)), _scale_max(chart, numbers)


def _skip_label(label: str, series: Series, several: bool) -> str:
    return f"{label}: {series.label}" if several else label


def bar_chart(section: dict, chart: dict, *, bar_height: int = 18, gap: int = 4, label_height: int = 20,
              group_gap: int = 12) -> Chart:
    """Horizontal bars: a group per category (its label above), a bar per series, the value after each bar.
    Bars start at 0 (a negative value draws no bar; its figure is still written)."""
    table, labels, series, reference, legend, top = _shown(section, chart)
    every = series + ([reference] if reference else [])
    _low, scale = _value_range(chart, table, every)
    room = WIDTH - 90  # the value is written after the longest bar

    def x_of(value: float) -> float:
        return round(room * max(0.0, min(value, scale)) / scale, 1)

    groups, skipped, described = [], [], []
    y = top
    for row, label in zip(table["rows"], labels, strict=True):
        bars = []
        bar_top = y + label_height
        for n, (i, s) in enumerate(series):
            value, text = _number(row[i]), figure(row[i], s.type)
            if value is None:
                skipped.append(_skip_label(label, s, len(series) > 1))
                continue
            bar_y = bar_top + n * (bar_height + gap)
            bars.append(Bar(x=0, y=bar_y, width=x_of(value), height=bar_height, colour=s.colour, value=value,
                            text=text, text_x=round(x_of(value) + 6, 1), title=f"{label}: {s.label}: {text}"))
        described.append((label, [figure(row[i], s.type) for i, s in every]))
        group_bottom = bar_top + len(series) * (bar_height + gap) - gap
        reference_x = reference_title = None
        if reference and (expected := _number(row[reference[0]])) is not None:
            reference_x = x_of(expected)
            reference_title = f"{label}: {reference[1].label}: {figure(row[reference[0]], reference[1].type)}"
        groups.append(BarGroup(label=label, label_y=y + 15, text=shorten(label, 80), bars=bars, reference_x=reference_x,
                               reference_top=bar_top - 3, reference_bottom=group_bottom + 3,
                               reference_title=reference_title or ""))
        y = group_bottom + group_gap
    return Chart(kind="bar", key=chart["key"], title=chart["title"],
                 desc=_description(described, [s for _i, s in every], skipped), width=WIDTH,
                 height=int(max(y, top + label_height)), legend=legend, skipped=skipped, unit=chart.get("unit", ""),
                 max=scale, top=top, bottom=y, left=0, right=room, groups=groups)


def line_chart(section: dict, chart: dict, *, plot_height: int = 200) -> Chart:
    """Categories evenly along x, values up y from 0 (or the lowest negative value) to the top of the scale."""
    table, labels, series, reference, legend, top = _shown(section, chart)
    every = series + ([reference] if reference else [])
    top += 8
    left, right = 56, WIDTH - 44  # room for half a category label on either side
    bottom = top + plot_height
    low, scale = _value_range(chart, table, every)
    span = (scale - low) or 1.0

    def y_of(value: float) -> float:
        return round(bottom - (max(low, min(value, scale)) - low) * (bottom - top) / span, 1)

    step = (right - left) / (len(labels) - 1) if len(labels) > 1 else 0
    xs = [round(left + k * step, 1) for k in range(len(labels))] if len(labels) > 1 else [(left + right) / 2]
    unit = chart.get("unit", "")
    y_ticks = [Tick(position=y_of(low + span * k / 4), text=_tick_text(low + span * k / 4, unit)) for k in range(5)]
    shown_every = max(1, math.ceil(len(labels) / 12))  # at most 12 category labels, so they do not overlap
    room = int(step * shown_every / CHAR_WIDTH) if step else 80
    x_ticks = [Tick(position=x, text=shorten(label, room)) for k, (x, label) in enumerate(zip(xs, labels, strict=False))
               if k % shown_every == 0]
    lines, skipped = [], []
    for i, s in every:
        is_reference = reference is not None and s is reference[1]
        path, points, pen_down = "", [], False
        for k, row in enumerate(table["rows"]):
            value = _number(row[i])
            if value is None:
                if not is_reference:
                    skipped.append(_skip_label(labels[k], s, len(series) > 1))
                pen_down = False  # a gap, not a line across the missing value
                continue
            y = y_of(value)
            path += f"{'L' if pen_down else 'M'}{xs[k]} {y}"
            pen_down = True
            points.append(Point(x=xs[k], y=y, value=value, title=f"{labels[k]}: {s.label}: {figure(row[i], s.type)}",
                                marker_d=marker_path(s.marker, xs[k], y)))
        lines.append(Line(label=s.label, colour=s.colour, dash=s.dash, marker=s.marker, path=path, points=points,
                          is_reference=is_reference))
    described = [(label, [figure(row[i], s.type) for i, s in every]) for row, label in zip(table["rows"], labels,
                                                                                         strict=True)]
    return Chart(kind="line", key=chart["key"], title=chart["title"],
                 desc=_description(described, [s for _i, s in every], skipped), width=WIDTH, height=int(bottom + 34),
                 legend=legend, skipped=skipped, unit=unit, max=scale, top=top, bottom=bottom, left=left, right=right,
                 lines=lines, y_ticks=y_ticks, x_ticks=x_ticks, baseline_x=left)


def chart_of(section: dict, chart: dict) -> Chart:
    return bar_chart(section, chart) if chart["type"] == "bar" else line_chart(section, chart)


def find_chart(result: dict, section_key: str, chart_key: str) -> Chart | None:
    """The geometry of one chart of a result, by its section's and its own key; None if there is no such chart."""
    for section in (result or {}).get("sections", []):
        if section["key"] == section_key:
            for chart in section["charts"]:
                if chart["key"] == chart_key:
                    return chart_of(section, chart)
    return None
