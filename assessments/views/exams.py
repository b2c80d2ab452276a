"""The coordinator's exam results pages: list, record, correct (with history), import and template downloads."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentoring.views.helpers import paginate, querystring_without_page
from organization.forms import apply_service_errors, is_id
from organization.models import AcademicYear
from organization.selectors import current_academic_year, department_for_coordinator
from organization.tabular import FORMATS, MAX_ROWS, file_response
from residents.models import Cohort

from .. import exam_import as importer
from ..exams import exam_result_record
from ..forms_exams import ExamImportForm, ExamResultForm
from ..models import ExamStage
from ..policy import assessment_policy_for
from ..selectors_exams import (
    exam_result_for_coordinator,
    exam_result_history,
    exam_results_of_department,
    residents_for_exams,
)

FILTERS = ("q", "cohort", "stage", "year")


@login_required
@require_GET
def exam_results(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    for key in ("cohort", "year"):
        if not is_id(filters[key]):
            filters[key] = ""
    if filters["stage"] not in ExamStage.values:
        filters["stage"] = ""
    page = paginate(request, exam_results_of_department(department, **filters))
    return render(request, "assessments/exam_results.html", {
        "department": department, "page": page, "filters": filters,
        "cohorts": Cohort.objects.filter(specialty__department=department).select_related("specialty", "intake_year"),
        "stages": ExamStage.choices, "years": AcademicYear.objects.all(),
        "policy": assessment_policy_for(department), "querystring": querystring_without_page(request),
    })


@login_required
@require_http_methods(["GET", "POST"])
def exam_result_new(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    year = current_academic_year()
    initial = {"academic_year": year, "resident": request.GET.get("resident")}
    form = ExamResultForm(request.POST or None, residents=residents_for_exams(department), initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            result = exam_result_record(resident=cd["resident"], stage=cd["stage"], academic_year=cd["academic_year"],
                                        test_score=cd["test_score"], osce_score=cd["osce_score"],
                                        held_on=cd["held_on"], by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Exam result saved for %(name)s: overall score %(score)s.") % {
                "name": result.resident, "score": result.overall_score})
            return redirect("assessments:exam_results", department_id=department.pk)
    return render(request, "assessments/exam_form.html", {
        "department": department, "form": form, "policy": assessment_policy_for(department)})


@login_required
@require_http_methods(["GET", "POST"])
def exam_result_edit(request, pk):
    result = exam_result_for_coordinator(request.user, pk)
    department = result.resident.specialty.department
    initial = {"academic_year": result.academic_year, "held_on": result.held_on,
               "test_score": result.test_score, "osce_score": result.osce_score}
    form = ExamResultForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            exam_result_record(resident=result.resident, stage=result.stage, academic_year=cd["academic_year"],
                               test_score=cd["test_score"], osce_score=cd["osce_score"], held_on=cd["held_on"],
                               by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("assessments:exam_result_edit", pk=result.pk)
    return render(request, "assessments/exam_form.html", {
        "department": department, "form": form, "result": result, "history": exam_result_history(result),
        "policy": assessment_policy_for(department)})


@login_required
@require_http_methods(["GET", "POST"])
def exam_import(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    result = None
    form = ExamImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = form.import_file(partial(importer.exam_import, department=department, by=request.user))
        if result is not None and result.ok:
            messages.success(request, _(
                "Exam results imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
            ) % result.counts)
            return redirect("assessments:exam_results", department_id=department.pk)
    sections = [{"columns": importer.COLUMNS, "templates": [
        (fmt, reverse("assessments:exam_template", args=[department.pk, fmt])) for fmt in FORMATS]}]
    return render(request, "assessments/exam_import.html", {
        "department": department, "form": form, "result": result, "sections": sections, "max_rows": MAX_ROWS,
        "stages": ExamStage.choices,
    })


@login_required
@require_GET
def exam_template(request, department_id, fmt):
    department_for_coordinator(request.user, department_id)
    if fmt not in FORMATS:
        raise Http404
    return file_response(*importer.exam_template(fmt))
