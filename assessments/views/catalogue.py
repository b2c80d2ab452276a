"""The EPA catalogue pages: a department's coordinators list, add, change and retire EPAs (desktop)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organization.forms import apply_service_errors, is_id
from organization.selectors import department_for_coordinator

from ..catalogue import epa_save
from ..forms_catalogue import EPAForm
from ..levels import short_label
from ..models import SupervisionLevel
from ..selectors_observations import catalogue_of, epa_for_coordinator, specialty_for_coordinator


def _catalogue_url(department_id, specialty_id=None) -> str:
    url = reverse("assessments:catalogue", args=[department_id])
    return f"{url}#specialty-{specialty_id}" if specialty_id else url


@login_required
@require_GET
def catalogue(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    specialties = catalogue_of(department)
    for specialty in specialties:
        specialty.years = list(range(1, specialty.duration_years + 1))
        for epa in specialty.epas.all():
            by_year = {e.year_of_study: e.level for e in epa.expectations.all()}
            epa.levels = [by_year.get(year) for year in specialty.years]
    levels = [(value, short_label(value), label) for value, label in SupervisionLevel.choices]
    return render(request, "assessments/catalogue.html", {
        "department": department, "specialties": specialties, "levels": levels})


@login_required
@require_http_methods(["GET", "POST"])
def epa_create(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    specialty_id = request.GET.get("specialty", "")
    if not is_id(specialty_id):
        specialties = list(department.specialties.order_by("code"))
        if len(specialties) != 1:  # choose the specialty first: the form has one level per year of it
            return render(request, "assessments/catalogue_choose.html", {
                "department": department, "specialties": specialties})
        specialty = specialties[0]
    else:
        specialty = specialty_for_coordinator(department, specialty_id)
    form = EPAForm(request.POST or None, specialty=specialty)
    if request.method == "POST" and form.is_valid():
        try:
            epa = epa_save(specialty=specialty, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(epa)s added to the catalogue of %(specialty)s.")
                             % {"epa": epa, "specialty": specialty})
            return redirect(_catalogue_url(department.pk, specialty.pk))
    return render(request, "assessments/epa_form.html", {
        "form": form, "department": department, "specialty": specialty})


@login_required
@require_http_methods(["GET", "POST"])
def epa_edit(request, pk):
    epa = epa_for_coordinator(request.user, pk)
    specialty = epa.specialty
    form = EPAForm(request.POST or None, specialty=specialty, initial=EPAForm.initial_of(epa))
    if request.method == "POST" and form.is_valid():
        try:
            epa = epa_save(specialty=specialty, epa=epa, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes to %(epa)s saved.") % {"epa": epa})
            return redirect(_catalogue_url(specialty.department_id, specialty.pk))
    return render(request, "assessments/epa_form.html", {
        "form": form, "department": specialty.department, "specialty": specialty, "epa": epa})
