"""Geometry of the progress charts, computed here and drawn as inline SVG by the templates (no JavaScript).

Coordinates are in the SVG's viewBox units; the templates scale the picture to the width of the page. Levels run
from 1 (bottom) to 5 (top). The x axis of the level chart is the date; the years of study are drawn as bands,
each with the level expected by its end as a dashed step line.

The years of study are counted back from the resident's current year: the current one is the academic year
containing today (starting on the day and month of the cohort's intake), the one before it a year earlier, and
so on. So a resident who repeated a year is compared with the expectations of the year they are in.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organization.dates import add_years

from .levels import short_label

LEVELS = (1, 2, 3, 4, 5)



def short_date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def year_starts(*, intake: date, year_of_study: int, today: date) -> list[date]:
    """The first days of years of study 1 .. `year_of_study` + 1 (the last one closes the current year)."""
    current = intake.replace(year=today.year) if (intake.month, intake.day) != (2, 29) else date(today.year, 2, 28)
    if current > today:
        current = add_years(current, -1)
    return [add_years(current, k - year_of_study) for k in range(1, year_of_study + 2)]


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    level: int
    on: date
    title: str


@dataclass(frozen=True)
class YearBand:
    year: int
    x1: float
    x2: float
    expected: int | None
    y: float | None  # of the expected level
    starts_on: date

    @property
    def width(self) -> float:
        return round(self.x2 - self.x1, 1)

    @property
    def middle(self) -> float:
        return round((self.x1 + self.x2) / 2, 1)


@dataclass
class LevelChart:
    """A resident's levels for one EPA over time against the expected level of each year of study."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[ChartPoint]
    bands: list[YearBand]
    y_ticks: list[tuple[float, int, str]]  # (y, level, short label)
    first: date
    last: date
    summary: str
    today_x: float | None = None
    expected_path: str = ""
    line: str = ""

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom - self.top

    @property
    def first_label(self) -> str:
        return short_date(self.first)

    @property
    def last_label(self) -> str:
        return short_date(self.last)


def _y(level: float, top: int, bottom: int) -> float:
    return round(bottom - (level - 1) * (bottom - top) / 4, 1)


def level_chart(observations, *, expected: dict[int, int], intake: date, year_of_study: int, today: date,
                epa_code: str = "", width: int = 480, height: int = 240) -> LevelChart:
    """The chart of `observations` ((date, level) pairs or objects with `observed_on` and `level`, any order).

    `expected`: {year of study: expected level}. The x axis spans the years of study up to the current one,
    stretched to the first and last observation when they fall outside.
    """
    pairs = sorted((o if isinstance(o, tuple) else (o.observed_on, o.level)) for o in observations)
    starts = year_starts(intake=intake, year_of_study=year_of_study, today=today)
    first = min([starts[0], *(d for d, _level in pairs[:1])])
    last = max([starts[-1], *(d for d, _level in pairs[-1:])])
    left, right, top, bottom = 40, width - 10, 14, height - 44
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(left + (day - first).days * (right - left) / span, 1)

    bands = []
    for year in range(1, year_of_study + 1):
        level = expected.get(year)
        x1 = left if year == 1 and starts[0] > first else x(starts[year - 1])
        x2 = right if year == year_of_study else x(starts[year])
        bands.append(YearBand(year=year, x1=x1, x2=x2, expected=level,
                              y=_y(level, top, bottom) if level else None, starts_on=starts[year - 1]))
    # A gap (a year without an expectation) starts a new sub-path instead of joining across it.
    expected_path = ""
    previous = None
    for band in bands:
        if band.y is None:
            previous = None
            continue
        expected_path += f"V{band.y}H{band.x2}" if previous is not None else f"M{band.x1} {band.y}H{band.x2}"
        previous = band
    points = [ChartPoint(x=x(day), y=_y(level, top, bottom), level=level, on=day,
                         title=_("%(date)s: level %(level)d") % {"date": short_date(day), "level": level})
              for day, level in pairs]
    return LevelChart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom, points=points, bands=bands,
        y_ticks=[(_y(level, top, bottom), level, short_label(level)) for level in LEVELS],
        first=first, last=last, today_x=x(today) if first <= today <= last else None,
        expected_path=expected_path, line=" ".join(f"{p.x},{p.y}" for p in points),
        summary=chart_summary(pairs, expected=expected.get(year_of_study), year_of_study=year_of_study,
                              epa_code=epa_code),
    )


def chart_summary(pairs: list[tuple[date, int]], *, expected: int | None, year_of_study: int,
                  epa_code: str = "") -> str:
    """One sentence with the chart's figures, for screen readers (the SVG's title)."""
    if pairs:
        text = ngettext(
            "%(epa)s: %(count)d observation on %(first)s, at level %(latest)d.",
            "%(epa)s: %(count)d observations from %(first)s to %(last)s; the latest at level %(latest)d.",
            len(pairs),
        ) % {"epa": epa_code, "count": len(pairs), "first": short_date(pairs[0][0]),
             "last": short_date(pairs[-1][0]), "latest": pairs[-1][1]}
    else:
        text = _("%(epa)s: no observations yet.") % {"epa": epa_code}
    if expected:
        text += " " + _("Expected level in year %(year)d of study: %(level)d.") % {
            "year": year_of_study, "level": expected}
    return text.strip()


@dataclass
class Sparkline:
    """The latest levels of one EPA (the oldest first), evenly spaced, with the expected level as a line."""

    width: int
    height: int
    levels: list[int]
    expected: int | None
    summary: str
    points: list[tuple[float, float]] = field(default_factory=list)
    expected_y: float | None = None

    @property
    def line(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    @property
    def last(self) -> tuple[float, float] | None:
        return self.points[-1] if self.points else None


def sparkline(levels: list[int], *, expected: int | None, width: int = 120, height: int = 36) -> Sparkline:
    top, bottom, left, right = 4, height - 4, 4, width - 4
    step = (right - left) / (len(levels) - 1) if len(levels) > 1 else 0
    points = [(round(left + i * step, 1) if len(levels) > 1 else (left + right) / 2, _y(level, top, bottom))
              for i, level in enumerate(levels)]
    if levels:
        summary = ngettext("Latest level: %(levels)s.", "Latest %(count)d levels, oldest first: %(levels)s.",
                           len(levels)) % {"count": len(levels), "levels": ", ".join(map(str, levels))}
    else:
        summary = _("No observations yet.")
    if expected:
        summary += " " + _("Expected: %(level)d.") % {"level": expected}
    return Sparkline(width=width, height=height, levels=levels, expected=expected, summary=summary, points=points,
                     expected_y=_y(expected, top, bottom) if expected else None)
