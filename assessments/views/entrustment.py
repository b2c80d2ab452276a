"""Entrustment: the coordinator's pending proposals and the decision on one EPA of a resident.

The decision is posted from the EPA's progress page; outside the viewer's scope it is a 404, and an in-scope
mentor or resident gets a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentoring.views.helpers import paginate
from organization.forms import apply_service_errors
from organization.selectors import department_for_coordinator

from ..entrustment import entrustment_decide
from ..forms_entrustment import EntrustmentDecisionForm
from ..policy import assessment_policy_for
from ..scope import resident_for_viewer
from ..selectors_progress import epa_of_resident, pending_proposals, with_observations
from .progress import epa_progress_context

PROPOSALS_PER_PAGE = 50


@login_required
@require_POST
def entrustment_decide_view(request, resident_pk, epa_pk):
    viewer = resident_for_viewer(request.user, resident_pk)
    if not viewer.is_coordinator:
        raise PermissionDenied
    resident = viewer.resident
    epa = epa_of_resident(resident, epa_pk)
    form = EntrustmentDecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = entrustment_decide(resident=resident, epa=epa, level=form.cleaned_data["level"],
                                          rationale=form.cleaned_data["rationale"], by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Level %(level)d granted to %(resident)s for %(epa)s.") % {
                "level": decision.level, "resident": resident, "epa": epa.code})
            return redirect("assessments:epa_progress", resident_pk=resident.pk, epa_pk=epa.pk)
    return render(request, "assessments/epa_progress.html",
                  epa_progress_context(request, viewer, epa, decide_form=form))


@login_required
@require_GET
def proposals(request, department_id):
    """The department's pending proposals: the level the latest observations support, above the one granted."""
    department = department_for_coordinator(request.user, department_id)
    window = assessment_policy_for(department).proposal_window
    page = paginate(request, pending_proposals(department, window=window), PROPOSALS_PER_PAGE)
    page.object_list = with_observations(list(page.object_list), window=window)
    return render(request, "assessments/proposals.html", {"department": department, "page": page, "window": window})
