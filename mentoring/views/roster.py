"""The coordinator's roster import page and its template downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organization.selectors import department_for_coordinator

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
            upload = form.cleaned_data["file"]
            try:
                result = roster_service.roster_import(
                    department=department, kind=form.cleaned_data["kind"], file_name=upload.name,
                    content=upload.read(), by=request.user,
                )
            except roster_service.RosterRefused as exc:
                form.add_error("file", exc.messages)
            else:
                if result.ok:
                    messages.success(request, _(
                        "Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
                    ) % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
                    return redirect("mentoring:roster_import", department_id=department.pk)
    else:
        kind = request.GET.get("kind")
        form = RosterImportForm(initial={"kind": kind} if kind in roster_service.KINDS else None)
    kinds = [
        {"kind": kind, "label": label, "columns": roster_service.COLUMNS[kind]}
        for kind, label in roster_service.KINDS.items()
    ]
    return render(request, "mentoring/roster_import.html", {
        "department": department, "form": form, "result": result, "kinds": kinds,
        "formats": list(roster_service.FORMATS), "max_rows": roster_service.MAX_ROWS,
    })


@login_required
@require_GET
def roster_template(request, department_id, kind, fmt):
    department_for_coordinator(request.user, department_id)
    if kind not in roster_service.KINDS or fmt not in roster_service.FORMATS:
        raise Http404
    filename, content_type, content = roster_service.roster_template(kind, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
