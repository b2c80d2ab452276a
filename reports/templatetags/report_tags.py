"""Report panels for pages owned by apps that must not import reports (the coordinator's dashboard).

The dependency points one way (DESIGN.md section 5): the project-wide templates load these tags.
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from residents.models import Resident
from residents.requirements import residents_below_duty_requirement

from ..dashboard import DUTY_LIST_LIMIT, FIGURES, duty_month_of
from ..models import DashboardFigures

register = template.Library()

_READ = object()  # a card without the stored row: it reads it
_ID = 2147483647  # an id no row has, replaced by each row's own in a URL reversed once


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


@register.inclusion_tag("reports/dashboard_duty_alerts.html")
def dashboard_duty_alerts(department, stored=_READ):
    """The dashboard's residents below the night-duty requirement in the last completed month, fewest confirmed
    first: from the figures the refresh stored for that month (`stored`, or read here), with the time they were
    computed and one query for the residents' names; without them (before the department's first refresh, or the
    month's) computed now (residents.requirements.residents_below_duty_requirement, one query)."""
    if stored is _READ:
        stored = stored_dashboard_figures(department)
    month = duty_month_of(timezone.localdate())
    figures = getattr(stored, "figures", None) or {}
    if figures.get("duty_month") == month.isoformat() and "below_duty" in figures:
        listed, as_of = figures["below_duty"], stored.computed_at
        names = Resident.objects.select_related("user").only(
            "user__last_name", "user__first_name", "user__middle_name").in_bulk([pk for pk, *_ in listed])
        rows = [(names[pk], confirmed, required) for pk, confirmed, required in listed if pk in names]
    else:
        as_of = None
        rows = [(row.resident, row.figures.confirmed, row.figures.required) for row in
                residents_below_duty_requirement(department=department, month=month, limit=DUTY_LIST_LIMIT)]
    # The activity page's URL reversed once, each resident's id put in it (reverse() per row took a part of the page),
    # with the month; the row's words translated once and filled in here (the template's blocktranslate, with its
    # message id, rendered a template node per row for up to 50 rows).
    head, tail = reverse("residents:resident_activity", args=[_ID]).split(str(_ID))
    query = f"?month={month:%Y-%m}"
    words = gettext("%(confirmed)s of %(required)s confirmed")
    return {"month": month, "as_of": as_of,
            "as_of_today": as_of is not None and timezone.localdate(as_of) == timezone.localdate(),
            "rows": [{"resident": resident, "url": f"{head}{resident.pk}{tail}{query}",
                      "figures": words % {"confirmed": confirmed, "required": required}}
                     for resident, confirmed, required in rows]}
