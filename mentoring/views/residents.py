from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organization.forms import apply_service_errors
from organization.selectors import department_for_coordinator, sites_for_departments
from residents.models import Cohort, Resident
from residents.selectors import filter_residents, resident_for_coordinator
from residents.services import ResidentData, resident_upsert

from ..forms import ResidentForm
from ..selectors import resident_history, residents_with_mentor, without_mentor
from .helpers import paginate, querystring_without_page

FILTERS = ("q", "status", "track", "year", "site", "cohort", "mentor")


@login_required
@require_GET
def resident_list(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    qs = filter_residents(residents_with_mentor(department),
                          **{k: v for k, v in filters.items() if k != "mentor"})
    if filters["mentor"] == "none":
        qs = without_mentor(qs)
    page = paginate(request, qs.order_by("user__last_name", "user__first_name", "pk"))
    return render(request, "mentoring/resident_list.html", {
        "department": department, "page": page, "filters": filters,
        "sites": sites_for_departments([department]),
        "cohorts": Cohort.objects.filter(specialty__department=department).select_related("specialty", "intake_year"),
        "statuses": Resident.Status.choices, "tracks": Resident.Track.choices,
        "querystring": querystring_without_page(request),
    })


def _resident_data(cd, email) -> ResidentData:
    return ResidentData(
        email=email, first_name=cd["first_name"], last_name=cd["last_name"], middle_name=cd["middle_name"],
        specialty=cd["specialty"], intake_year=cd["intake_year"], year_of_study=cd["year_of_study"],
        clinical_site=cd["clinical_site"], status=cd["status"], track=cd["track"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    form = ResidentForm(request.POST or None, department=department,
                        initial={"status": Resident.Status.ACTIVE, "track": Resident.Track.STANDARD,
                                 "year_of_study": 1})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if Resident.objects.filter(user__email__iexact=email).exists():
            form.add_error("email", _("A resident with this e-mail already exists."))
        else:
            try:
                resident, _outcome = resident_upsert(department=department,
                                                     data=_resident_data(form.cleaned_data, email))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Resident %(name)s added.") % {"name": resident})
                return redirect("mentoring:resident_detail", pk=resident.pk)
    return render(request, "mentoring/resident_form.html", {"form": form, "department": department})


@login_required
@require_GET
def resident_detail(request, pk):
    resident = resident_for_coordinator(request.user, pk)
    history = list(resident_history(resident))
    return render(request, "mentoring/resident_detail.html", {
        "resident": resident, "department": resident.specialty.department,
        "current": next((a for a in history if a.ended_on is None), None),
        "history": [a for a in history if a.ended_on is not None],
    })


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    resident = resident_for_coordinator(request.user, pk)
    department = resident.specialty.department
    u = resident.user
    initial = {
        "email": u.email, "first_name": u.first_name, "last_name": u.last_name, "middle_name": u.middle_name,
        "specialty": resident.specialty, "intake_year": resident.cohort.intake_year,
        "year_of_study": resident.year_of_study, "clinical_site": resident.clinical_site,
        "status": resident.status, "track": resident.track,
    }
    form = ResidentForm(request.POST or None, initial=initial, department=department, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            resident_upsert(department=department, data=_resident_data(form.cleaned_data, u.email))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("mentoring:resident_detail", pk=resident.pk)
    return render(request, "mentoring/resident_form.html", {"form": form, "department": department,
                                                             "resident": resident})
