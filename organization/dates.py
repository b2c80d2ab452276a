"""Small date helpers shared by the domain rules."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return d.replace(year=d.year + years, day=28)


def whole_months_between(start: date, end: date) -> int:
    """Completed months from `start` to `end` (0 if end is before start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def long_date(d: date) -> str:
    """A date in words for the active language, e.g. "3 March 2026"."""
    # Translators: a date format (Django's date syntax); Russian uses "j E Y" for the genitive month.
    return date_format(d, _("j F Y"))


def duration_words(months: int) -> str:
    """E.g. "4 years 2 months", "11 months", "5 years"."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(ngettext("%(n)d year", "%(n)d years", years) % {"n": years})
    if rest or not years:
        parts.append(ngettext("%(n)d month", "%(n)d months", rest) % {"n": rest})
    return " ".join(parts)
