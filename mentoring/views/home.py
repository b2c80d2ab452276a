from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organization.services import policy_for
from residents.selectors import residents_base

from ..eligibility import load_status, mentor_eligibility
from ..selectors import mentor_assignments, mentor_profile_of


@login_required
@require_GET
def mentor_home(request):
    mentor = mentor_profile_of(request.user)
    policy = policy_for(mentor.specialty.department)
    return render(request, "mentoring/mentor_home.html", {
        "mentor": mentor, "policy": policy, "eligibility": mentor_eligibility(mentor, policy=policy),
        "load": load_status(mentor.active_count, policy),
        "assignments": mentor_assignments(mentor, active_only=True),
        "trainings": mentor.trainings.all(),
    })


@login_required
@require_GET
def resident_home(request):
    resident = residents_base().filter(user=request.user).first()
    if resident is None:
        raise Http404
    current = resident.assignments.filter(ended_on__isnull=True).select_related(
        "mentor__user", "mentor__clinical_site").first()
    return render(request, "mentoring/resident_home.html", {"resident": resident, "current": current})
