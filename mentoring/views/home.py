from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from organization.selectors import current_academic_year
from organization.services import policy_for
from residents.models import Curriculum
from residents.requirements import clinical_hours, duty_counts_for_residents, month_start
from residents.selectors import resident_profile_of
from residents.selectors_activity import (
    confirmation_queue_size,
    pending_counts_for_residents,
    resident_activity_summary,
)

from ..eligibility import load_status, mentor_eligibility
from ..selectors import mentor_assignments, mentor_profile_of


@login_required
@require_GET
def mentor_home(request):
    mentor = mentor_profile_of(request.user)
    policy = policy_for(mentor.specialty.department)
    assignments = list(mentor_assignments(mentor, active_only=True))
    resident_ids = [a.resident_id for a in assignments]
    pending = pending_counts_for_residents(resident_ids)
    duties = duty_counts_for_residents(resident_ids, month_start(timezone.localdate()))
    rows = [(a, pending.get(a.resident_id, 0), duties.get(a.resident_id)) for a in assignments]
    return render(request, "mentoring/mentor_home.html", {
        "mentor": mentor, "policy": policy, "eligibility": mentor_eligibility(mentor, policy=policy),
        "load": load_status(mentor.active_count, policy), "rows": rows,
        "queue_size": confirmation_queue_size(request.user),
    })


@login_required
@require_GET
def resident_home(request):
    resident = resident_profile_of(request.user)
    current = resident.assignments.filter(ended_on__isnull=True, kind="clinical").select_related(
        "mentor__user", "mentor__clinical_site").first()
    today = timezone.localdate()
    year = current_academic_year(today)
    curriculum = Curriculum.objects.filter(resident=resident, academic_year=year).first() if year else None
    summary = resident_activity_summary(resident, today=today)
    return render(request, "mentoring/resident_home.html", {
        "resident": resident, "current": current, "academic_year": year, "curriculum": curriculum,
        "summary": summary, "duties_figures": summary.duties, "hours_figures": clinical_hours(resident, year),
    })
