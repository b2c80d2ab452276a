from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organization.forms import apply_service_errors
from organization.selectors import departments_for_user
from organization.services import policy_for
from residents.selectors import resident_for_coordinator

from ..eligibility import Load, load_status
from ..forms import AssignForm, EndAssignmentForm
from ..models import Assignment, Mentor
from ..selectors import assignable_mentors
from ..services import AssignmentRefused, assignment_create, assignment_reassign
from ..services import assignment_end as end_assignment


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, pk):
    """Assign a mentor to the resident, or change the mentor (ending the current assignment)."""
    resident = resident_for_coordinator(request.user, pk)
    department = resident.specialty.department
    policy = policy_for(department)
    current = resident.assignments.filter(ended_on__isnull=True, kind="clinical").select_related("mentor__user").first()
    rows = assignable_mentors(department)
    form = AssignForm(request.POST or None, rows=rows, policy=policy, reassigning=current is not None,
                      initial={"mentor": request.GET.get("mentor")})
    if request.method == "POST" and form.is_valid():
        mentor = Mentor.objects.filter(pk=form.cleaned_data["mentor"], specialty__department=department).first()
        try:
            if mentor is None:
                raise AssignmentRefused(_("Choose a mentor of this department."))
            if current is None:
                assignment = assignment_create(resident=resident, mentor=mentor, by=request.user)
            else:
                assignment = assignment_reassign(resident=resident, mentor=mentor, by=request.user,
                                                 reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            count = Assignment.objects.filter(mentor=mentor, ended_on__isnull=True, kind="clinical").count()
            messages.success(request, _("%(resident)s is now mentored by %(mentor)s.") % {
                "resident": resident, "mentor": assignment.mentor})
            if load_status(count, policy) == Load.UNDER:
                messages.warning(request, _("%(mentor)s has %(count)d residents, fewer than %(min)d.") % {
                    "mentor": mentor, "count": count, "min": policy.min_residents_per_mentor})
            return redirect("mentoring:resident_detail", pk=resident.pk)
    return render(request, "mentoring/assign.html", {
        "resident": resident, "department": department, "form": form, "rows": rows, "policy": policy,
        "current": current,
    })


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request, pk):
    assignment = (Assignment.objects.select_related("resident__user", "mentor__user", "resident__specialty")
                  .filter(pk=pk, resident__specialty__department__in=departments_for_user(request.user)).first())
    if assignment is None:
        raise Http404
    return end_assignment_page(request, assignment, back=reverse("mentoring:resident_detail",
                                                                 args=[assignment.resident_id]),
                               template="mentoring/assignment_end.html",
                               context={"department": assignment.resident.specialty.department})


def end_assignment_page(request, assignment, *, back: str, template: str, context: dict):
    """The "end this assignment" form (reason, date) through `assignment_end`; back to `back` when done.
    Shared by the clinical assignment page and the programmes' pair pages."""
    if assignment.ended_on is not None:
        messages.info(request, _("This assignment has already ended."))
        return redirect(back)
    form = EndAssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            end_assignment(assignment=assignment, by=request.user, reason=form.cleaned_data["reason"],
                           ended_on=form.cleaned_data["ended_on"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The assignment has ended; it stays in the history."))
            return redirect(back)
    return render(request, template, {"assignment": assignment, "form": form, **context})
