"""The coordinator's yearly evaluation of a mentor, and the mentor's own record page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentoring.selectors import mentor_profile_of
from organization.forms import apply_service_errors, is_id
from organization.models import AcademicYear
from organization.selectors import current_academic_year

from ..evaluations import CRITERIA, criterion_label, mentor_evaluation_record
from ..forms_exams import MentorEvaluationForm
from ..selectors_exams import RECENT_DAYS, evaluations_of, mentor_for_evaluation, mentor_record


def _chosen_year(request) -> AcademicYear | None:
    """The year asked for in `?year=`, else the current academic year, else the latest one."""
    value = request.GET.get("year", "")
    year = AcademicYear.objects.filter(pk=value).first() if is_id(value) else None
    return year or current_academic_year() or AcademicYear.objects.first()


@login_required
@require_http_methods(["GET", "POST"])
def mentor_evaluate(request, pk):
    mentor = mentor_for_evaluation(request.user, pk)
    evaluations = list(evaluations_of(mentor))
    year = _chosen_year(request)
    existing = next((e for e in evaluations if year and e.academic_year_id == year.pk), None)
    initial = {"academic_year": year}
    if existing:
        initial |= {name: getattr(existing, name) for name in CRITERIA} | {"comment": existing.comment}
    form = MentorEvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            evaluation = mentor_evaluation_record(mentor=mentor, academic_year=cd["academic_year"],
                                                  ratings=form.ratings(), comment=cd["comment"], by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Evaluation of %(mentor)s for %(year)s saved: score %(score)s.") % {
                "mentor": mentor, "year": evaluation.academic_year, "score": evaluation.score})
            return redirect(f"{reverse('assessments:mentor_evaluate', args=[mentor.pk])}"
                            f"?year={evaluation.academic_year_id}")
    return render(request, "assessments/mentor_evaluate.html", {
        "mentor": mentor, "department": mentor.specialty.department, "form": form, "year": year,
        "existing": existing, "evaluations": _rated(evaluations),
    })


def _criteria() -> list[tuple[str, str]]:
    return [(name, criterion_label(name)) for name in CRITERIA]


def _rated(evaluations) -> list[tuple]:
    """Each evaluation with its criteria as (label, rating) pairs, for the templates."""
    return [(e, [(label, getattr(e, name)) for name, label in _criteria()]) for e in evaluations]


@login_required
@require_GET
def mentor_record_page(request):
    mentor = mentor_profile_of(request.user)
    record = mentor_record(mentor)
    return render(request, "assessments/mentor_record.html", {
        "mentor": mentor, "record": record, "evaluations": _rated(record.evaluations), "recent_days": RECENT_DAYS,
    })
