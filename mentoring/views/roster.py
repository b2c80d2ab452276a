"""The coordinator's roster import page and its template downloads."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organization.selectors import department_for_coordinator
from organization.tabular import FORMATS, MAX_ROWS, file_response

from .. import roster as roster_service
from ..forms_roster import RosterImportForm


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    result = None
    if request.method == "POST":
        form = RosterImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = form.import_file(partial(roster_service.roster_import, department=department,
                                              kind=form.cleaned_data["kind"], by=request.user))
            if result is not None and result.ok:
                messages.success(request, _(
                    "Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
                ) % result.counts)
                return redirect("mentoring:roster_import", department_id=department.pk)
    else:
        kind = request.GET.get("kind")
        form = RosterImportForm(initial={"kind": kind} if kind in roster_service.KINDS else None)
    sections = [
        {"label": label, "columns": roster_service.COLUMNS[kind], "templates": [
            (fmt, reverse("mentoring:roster_template", args=[department.pk, kind, fmt])) for fmt in FORMATS]}
        for kind, label in roster_service.KINDS.items()
    ]
    return render(request, "mentoring/roster_import.html", {
        "department": department, "form": form, "result": result, "sections": sections, "max_rows": MAX_ROWS,
    })


@login_required
@require_GET
def roster_template(request, department_id, kind, fmt):
    department_for_coordinator(request.user, department_id)
    if kind not in roster_service.KINDS or fmt not in FORMATS:
        raise Http404
    return file_response(*roster_service.roster_template(kind, fmt))
