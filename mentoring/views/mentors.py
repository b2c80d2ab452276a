from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.forms import apply_service_errors
from organization.models import QualificationCategory
from organization.selectors import department_for_coordinator, sites_for_departments
from organization.services import policy_for

from ..eligibility import load_status, mentor_eligibility
from ..forms import MentorForm, TrainingForm
from ..selectors import filter_mentors, mentor_assignments, mentor_for_coordinator, mentor_rows, mentors_of_department
from ..services import MentorData, mentor_upsert, training_record
from .helpers import paginate, querystring_without_page


@login_required
@require_GET
def mentor_list(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    policy = policy_for(department)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "site", "category", "active")}
    qs = filter_mentors(mentors_of_department(department), **filters).order_by("user__last_name", "user__first_name")
    page = paginate(request, qs)
    return render(request, "mentoring/mentor_list.html", {
        "department": department, "policy": policy, "page": page, "rows": mentor_rows(page.object_list, policy),
        "filters": filters, "sites": sites_for_departments([department]),
        "categories": QualificationCategory.choices, "querystring": querystring_without_page(request),
    })


def _mentor_data(cd, email) -> MentorData:
    return MentorData(
        email=email, first_name=cd["first_name"], last_name=cd["last_name"], middle_name=cd["middle_name"],
        specialty=cd["specialty"], clinical_site=cd["clinical_site"], position=cd["position"],
        qualification_category=cd["qualification_category"], practice_started_on=cd["practice_started_on"],
        certificate_number=cd["certificate_number"].strip(), certificate_expires_on=cd["certificate_expires_on"],
        is_active=cd["is_active"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_create(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    form = MentorForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        from ..models import Mentor

        if Mentor.objects.filter(user__email__iexact=email).exists():
            form.add_error("email", _("A mentor with this e-mail already exists."))
        else:
            try:
                mentor, _outcome = mentor_upsert(department=department, data=_mentor_data(form.cleaned_data, email))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Mentor %(name)s added.") % {"name": mentor})
                return redirect("mentoring:mentor_detail", pk=mentor.pk)
    return render(request, "mentoring/mentor_form.html", {"form": form, "department": department})


@login_required
@require_GET
def mentor_detail(request, pk):
    mentor = mentor_for_coordinator(request.user, pk)
    policy = policy_for(mentor.specialty.department)
    assignments = list(mentor_assignments(mentor))
    return render(request, "mentoring/mentor_detail.html", {
        "mentor": mentor, "department": mentor.specialty.department, "policy": policy,
        "eligibility": mentor_eligibility(mentor, policy=policy), "load": load_status(mentor.active_count, policy),
        "trainings": mentor.trainings.all(), "training_form": TrainingForm(),
        "active": [a for a in assignments if a.ended_on is None],
        "past": [a for a in assignments if a.ended_on is not None],
    })


@login_required
@require_http_methods(["GET", "POST"])
def mentor_edit(request, pk):
    mentor = mentor_for_coordinator(request.user, pk)
    department = mentor.specialty.department
    initial = {
        "email": mentor.user.email, "first_name": mentor.user.first_name, "last_name": mentor.user.last_name,
        "middle_name": mentor.user.middle_name, "position": mentor.position, "specialty": mentor.specialty,
        "clinical_site": mentor.clinical_site, "qualification_category": mentor.qualification_category,
        "practice_started_on": mentor.practice_started_on, "certificate_number": mentor.certificate_number,
        "certificate_expires_on": mentor.certificate_expires_on, "is_active": mentor.is_active,
    }
    form = MentorForm(request.POST or None, initial=initial, department=department, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            mentor_upsert(department=department, data=_mentor_data(form.cleaned_data, mentor.user.email))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("mentoring:mentor_detail", pk=mentor.pk)
    return render(request, "mentoring/mentor_form.html", {"form": form, "department": department, "mentor": mentor})


@login_required
@require_POST
def training_add(request, pk):
    mentor = mentor_for_coordinator(request.user, pk)
    form = TrainingForm(request.POST)
    if form.is_valid():
        try:
            _training, created = training_record(mentor=mentor, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Training recorded."))
            else:
                messages.info(request, _("This training was already recorded."))
            return redirect("mentoring:mentor_detail", pk=mentor.pk)
    for error in [*form.non_field_errors(), *[e for f in form.errors.values() for e in f]]:
        messages.error(request, error)
    return redirect("mentoring:mentor_detail", pk=mentor.pk)
