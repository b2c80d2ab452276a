"""Report panels for pages owned by apps that must not import reports (the coordinator's dashboard).

The dependency points one way (DESIGN.md section 5): the project-wide templates load these tags.
"""

from django import template

from ..dashboard import FIGURES
from ..models import DashboardFigures

register = template.Library()

_READ = object()  # dashboard_figures_card without the stored row: it reads it


@register.simple_tag
def stored_dashboard_figures(department):
    """The department's figures as stored by the periodic refresh (reports.dashboard), or None before the first
    refresh (one query). The dashboard reads them once and gives them to its cards (`as` a variable)."""
    return DashboardFigures.objects.filter(department=department).first()


@register.inclusion_tag("reports/dashboard_figures_card.html")
def dashboard_figures_card(department, stored=_READ):
    """The department's headline figures as stored by the refresh, with the time they were computed (one query,
    none when `stored` is given: the row of `stored_dashboard_figures` or None); before the first refresh, that they
    are being computed."""
    if stored is _READ:
        stored = stored_dashboard_figures(department)
    figures = []
    if stored:
        values = stored.figures
        figures = [{"key": f.key, "label": f.label, "unit": f.unit, "value": values.get(f.key),
                    "warn": f.warn_above_zero and bool(values.get(f.key))}
                   for f in FIGURES]
    return {"department": department, "stored": stored or None, "figures": figures}
