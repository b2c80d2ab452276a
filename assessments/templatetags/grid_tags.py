"""The cohort grid's cells (templates/assessments/cohort_grid.html), rendered in Python: a page has up to 500 of
them (50 residents x 10 EPAs) and the template language took about 35 µs a cell, most of the page's time at
scale. `grid_cells` writes what the template wrote, whitespace aside."""

from html import escape as html_escape

from django import template
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from residents.models import Resident

register = template.Library()

_CELL = ('<td class="text-center text-nowrap{warning}" data-epa="{epa}" data-behind="{behind}"{proposal_attr}>'
         '<a class="d-block text-decoration-none text-body" href="{link}">{mark} <span class="fw-semibold">{current}'
         '</span><span class="text-muted">/{expected}</span> {badge} <span class="visually-hidden">{code}</span></a>'
         '</td>')
_BADGE = ('<span class="badge text-bg-info ms-1"><span aria-hidden="true">↑</span>{level}'
          '<span class="visually-hidden"> {proposed}</span></span>')


@register.simple_tag
def grid_cells(row):
    """A row's cells: the current level / the expected one for the resident's year of study, linked to the
    resident's EPA page; behind the expected level, marked by a symbol and hidden text (not only by colour); a
    proposed level as a badge. Every text is escaped here (levels and ids are integers)."""
    behind_label = escape(gettext("behind:"))  # outside the f-string: xgettext does not look inside one
    mark = f'<span aria-hidden="true">▼</span><span class="visually-hidden">{behind_label}</span>'
    proposed = escape(gettext("proposed"))
    cells = []
    for cell in row.cells:
        # html.escape: the text of django.utils.html.escape for a string, without its lazy-string check and
        # SafeString per call (two a cell, 1,000 a page at scale)
        behind, proposal, epa = cell.behind, cell.proposal, cell.epa
        cells.append(_CELL.format(
            warning=" table-warning" if behind else "", epa=int(epa.pk), behind="yes" if behind else "no",
            proposal_attr=f' data-proposal="{int(proposal.level)}"' if proposal else "",
            link=html_escape(str(cell.link)), mark=mark if behind else "", current=int(cell.current),
            expected=int(cell.expected) if cell.expected else "—",
            badge=_BADGE.format(level=int(proposal.level), proposed=proposed) if proposal else "",
            code=html_escape(str(epa.code))))
    return mark_safe("".join(cells))  # every part escaped above, or an integer


@register.simple_tag(takes_context=True)
def grid_resident(context, row):
    """A row's heading: the resident linked to their progress page, their year of study and, unless active, their
    status. The text the template wrote (values put in as the template language puts them), in Python for the
    same reason as the cells: 50 rows a page."""
    resident = row.resident
    year = gettext("year %(year)s") % {"year": render_value_in_context(resident.year_of_study, context)}
    if resident.status != Resident.Status.ACTIVE:
        year += " · " + render_value_in_context(resident.get_status_display(), context)
    link, name = render_value_in_context(row.link, context), render_value_in_context(resident, context)
    return mark_safe(f'<th scope="row" class="fw-normal text-nowrap"><a href="{link}">{name}</a>'
                     f'<div class="small text-muted">{year}</div></th>')  # every part escaped above
