"""Geometry of the results charts, drawn as inline SVG by templates/surveys/results/chart.html (no JavaScript).

A Likert or yes/no item is one horizontal stacked bar (five shades from disagreement to agreement, a legend with
the labels); a single- or multiple-choice item is a bar per option. Every chart carries its figures as text
(<title>, <desc>, and the table the template prints under it), so a screen reader gets the same as the eye.
Coordinates are viewBox units; the SVG scales to the width of the page, so it reads on a phone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Item
from .stats import ItemStats

WIDTH = 600
# Disagreement (red) to agreement (blue), readable for the common colour-vision deficiencies; the middle is grey.
LIKERT_COLOURS = ("#b2182b", "#ef8a62", "#bababa", "#67a9cf", "#2166ac")
YES_NO_COLOURS = ("#2166ac", "#ef8a62")  # yes, no
BAR_COLOUR = "#2166ac"
DARK = {"#b2182b", "#2166ac"}  # segments dark enough for white text


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    label: str
    count: int
    pct: float
    text_colour: str

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def has_room(self) -> bool:
        """Wide enough to print its percentage inside."""
        return self.width >= 44


@dataclass(frozen=True)
class StackedBar:
    kind = "stacked"
    width: int
    height: int
    segments: list[Segment]
    legend: list[tuple[str, str]]  # (colour, label) for every value, also those nobody chose
    title: str
    desc: str


@dataclass(frozen=True)
class BarRow:
    label: str
    count: int
    pct: float
    label_y: float
    bar_y: float
    bar_width: float
    text_x: float


@dataclass(frozen=True)
class BarChart:
    kind = "bars"
    width: int
    height: int
    rows: list[BarRow]
    bar_height: int
    left: int
    title: str
    desc: str


def _figures(stats: ItemStats) -> str:
    return "; ".join(_("%(label)s: %(count)d (%(pct)s %%)") % {"label": b.label, "count": b.count,
                                                                "pct": f"{b.pct:.0f}"} for b in stats.distribution)


def stacked_bar(stats: ItemStats, colours=LIKERT_COLOURS, *, height: int = 36) -> StackedBar:
    segments, x = [], 0.0
    for bar, colour in zip(stats.distribution, colours, strict=False):
        width = round(WIDTH * bar.count / stats.n, 1) if stats.n else 0.0
        if width:
            segments.append(Segment(x=round(x, 1), width=width, colour=colour, label=bar.label, count=bar.count,
                                    pct=bar.pct, text_colour="#fff" if colour in DARK else "#212529"))
        x += width
    title = _("%(question)s (%(n)d answers)") % {"question": stats.item.text, "n": stats.n}
    legend = [(colour, bar.label) for bar, colour in zip(stats.distribution, colours, strict=False)]
    return StackedBar(width=WIDTH, height=height, segments=segments, legend=legend, title=title,
                      desc=_figures(stats))


def bar_chart(stats: ItemStats, *, bar_height: int = 22, row: int = 50) -> BarChart:
    left, room = 0, WIDTH - 70  # leave room for the count after the longest bar
    rows = []
    for i, bar in enumerate(stats.distribution):
        top = i * row
        bar_width = round(room * bar.pct / 100, 1)
        rows.append(BarRow(label=bar.label, count=bar.count, pct=bar.pct, label_y=top + 16, bar_y=top + 22,
                           bar_width=bar_width, text_x=round(bar_width + 6, 1)))
    title = _("%(question)s (%(n)d answers)") % {"question": stats.item.text, "n": stats.n}
    desc = _figures(stats)
    if stats.item.kind == Item.Kind.MULTIPLE:
        desc += ". " + _("Several answers could be chosen; shares are of the respondents.")
    return BarChart(width=WIDTH, height=max(len(rows) * row, row), rows=rows, bar_height=bar_height, left=left,
                    title=title, desc=desc)


def chart_for(stats: ItemStats | None):
    """The chart of an item's figures, or None (number and free-text items, or nobody answered)."""
    if stats is None or not stats.n:
        return None
    if stats.kind == Item.Kind.LIKERT:
        return stacked_bar(stats)
    if stats.kind == Item.Kind.YES_NO:
        return stacked_bar(stats, YES_NO_COLOURS)
    if stats.kind in Item.CHOICE_KINDS:
        return bar_chart(stats)
    return None

