from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from organization.selectors import department_for_coordinator

from ..selectors import department_dashboard

_ID = 2147483647  # an id no row has, replaced by each row's own


def _url_for(name: str):
    """`reverse(name, args=[pk])` for each row of a list, reversed once: the URL with the row's id in place of a
    placeholder id (the dashboard lists up to 250 rows; reversing each took a tenth of the page at scale)."""
    head, tail = reverse(name, args=[_ID]).split(str(_ID))
    return lambda pk: f"{head}{pk}{tail}"


def _with_links(dashboard):
    """Each listed mentor and resident with the URLs the dashboard links them to (`dashboard_url`, `assign_url`),
    as attributes. (The night-duty list is the reports' dashboard_duty_alerts.)"""
    mentor_url, resident_url = _url_for("mentoring:mentor_detail"), _url_for("mentoring:resident_detail")
    assign_url = _url_for("mentoring:assign")
    for row in (*dashboard.rows, *dashboard.expiring_certificates, *dashboard.training_alerts):
        row.mentor.dashboard_url = mentor_url(row.mentor.pk)
    for resident in dashboard.residents_without_mentor:
        resident.dashboard_url, resident.assign_url = resident_url(resident.pk), assign_url(resident.pk)
    return dashboard


@login_required
@require_GET
def dashboard(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    return render(request, "mentoring/dashboard.html", {"dashboard": _with_links(department_dashboard(department)),
                                                        "department": department})
