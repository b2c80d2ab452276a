"""The coordinator's track suggestions and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organization.forms import apply_service_errors
from organization.selectors import department_for_coordinator
from residents.selectors import resident_for_coordinator

from ..forms_exams import TrackDecisionForm
from ..policy import assessment_policy_for
from ..selectors_exams import recent_track_decisions
from ..tracks import suggestion_for, track_decide, track_suggestions


def _page(request, department, bound=None):
    """The suggestions page; `bound` is (resident, form) to show that resident's decision form with its errors."""
    rows = []
    for s in track_suggestions(department):
        if bound and bound[0].pk == s.resident.pk:
            form, bound = bound[1], None
        else:
            form = TrackDecisionForm(resident=s.resident, suggestion=s)
        rows.append({"resident": s.resident, "suggestion": s, "form": form})
    if bound:  # decided by someone else meanwhile, or the figures changed: keep the form and its errors
        rows.insert(0, {"resident": bound[0], "suggestion": None, "form": bound[1]})
    return render(request, "assessments/track_suggestions.html", {
        "department": department, "rows": rows, "policy": assessment_policy_for(department),
        "decisions": recent_track_decisions(department),
    })


@login_required
@require_GET
def track_suggestions_page(request, department_id):
    return _page(request, department_for_coordinator(request.user, department_id))


@login_required
@require_POST
def track_decide_view(request, pk):
    resident = resident_for_coordinator(request.user, pk)
    department = resident.specialty.department
    suggestion = suggestion_for(resident)
    form = TrackDecisionForm(request.POST, resident=resident, suggestion=suggestion)
    if form.is_valid():
        try:
            decision = track_decide(
                resident=resident, track=form.cleaned_data["track"], reason=form.cleaned_data["reason"],
                suggested_track=suggestion.suggested_track if suggestion else "",
                basis=suggestion.basis if suggestion else "", by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Track of %(name)s: %(track)s, decision recorded.") % {
                "name": resident, "track": decision.get_to_track_display()})
            return redirect("assessments:track_suggestions", department_id=department.pk)
    return _page(request, department, bound=(resident, form))
