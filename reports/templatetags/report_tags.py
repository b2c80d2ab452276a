"""Report panels for pages owned by apps that must not import reports (the coordinator's dashboard).

The dependency points one way (DESIGN.md section 5): the project-wide templates load these tags.
"""

from django import template

from ..dashboard import FIGURES
from ..models import DashboardFigures

register = template.Library()


@register.inclusion_tag("reports/dashboard_figures_card.html")
def dashboard_figures_card(department):
    """The department's headline figures as stored by the nightly refresh, with the time they were computed
    (one query); before the first refresh, that they are computed tonight."""
    stored = DashboardFigures.objects.filter(department=department).first()
    figures = []
    if stored is not None:
        values = stored.figures
        figures = [{"key": f.key, "label": f.label, "unit": f.unit, "value": values.get(f.key),
                    "warn": f.warn_above_zero and bool(values.get(f.key))}
                   for f in FIGURES]
    return {"department": department, "stored": stored, "figures": figures}
