"""Individual curriculum pages: the resident drafts and submits, the coordinator approves or returns, the mentor
reads. Outside the user's scope every page is a 404; inside it, an action the user's role does not allow is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.forms import apply_service_errors, is_id, report_refusal
from organization.models import AcademicYear
from organization.selectors import current_academic_year, department_for_coordinator

from ..curricula import (
    curriculum_approve,
    curriculum_items_update,
    curriculum_return,
    curriculum_start,
    curriculum_submit,
)
from ..forms_curricula import CurriculumReturnForm, CurriculumSplitForm, CurriculumStartForm
from ..models import Curriculum
from ..selectors import resident_profile_of
from ..selectors_curricula import (
    CurriculumAccess,
    curricula_of_department,
    curricula_of_resident,
    curriculum_events,
    curriculum_for_user,
    curriculum_items,
)

PAGE_SIZE = 25
Status = Curriculum.Status


def _event_label(event) -> str:
    if not event.from_status:
        return _("Started")
    if event.to_status == Status.SUBMITTED:
        return _("Submitted")
    if event.to_status == Status.APPROVED:
        return _("Approved")
    if event.from_status == Status.SUBMITTED and event.to_status == Status.DRAFT:
        return _("Returned for changes")
    return f"{event.from_status} → {event.to_status}"


def _detail_context(access: CurriculumAccess) -> dict:
    curriculum = access.curriculum
    rows, totals = curriculum_items(curriculum)
    return {
        "access": access, "curriculum": curriculum, "resident": curriculum.resident, "rows": rows, "totals": totals,
        "problem_count": sum(1 for r in rows if not r.check.ok),
        "history": [(event, _event_label(event)) for event in curriculum_events(curriculum)],
        "policy": curriculum.resident.specialty,
    }


@login_required
@require_GET
def my_curricula(request):
    """The resident's curricula, and the start of this academic year's one."""
    resident = resident_profile_of(request.user)
    year = current_academic_year()
    curricula = list(curricula_of_resident(resident))
    current = previous = None
    if year is not None:
        current = next((c for c in curricula if c.academic_year_id == year.pk), None)
        previous = next((c for c in curricula if c.academic_year.start_year < year.start_year), None)
    can_start = year is not None and current is None and resident.status == resident.Status.ACTIVE
    start_form = CurriculumStartForm(previous=previous) if can_start else None
    return render(request, "residents/curriculum_mine.html", {
        "resident": resident, "curricula": curricula, "year": year, "current": current, "start_form": start_form,
    })


@login_required
@require_POST
def curriculum_start_view(request):
    resident = resident_profile_of(request.user)
    year = current_academic_year()
    if year is None:
        messages.error(request, _("No academic year is set up for today; ask your coordinator."))
        return redirect("residents:my_curricula")
    previous = (curricula_of_resident(resident).filter(academic_year__start_year__lt=year.start_year).first())
    form = CurriculumStartForm(request.POST, previous=previous)
    if not form.is_valid():
        messages.error(request, _("Choose where to start from."))
        return redirect("residents:my_curricula")
    try:
        curriculum = curriculum_start(resident=resident, academic_year=year, by=request.user,
                                      copy_previous=form.copy_previous)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("residents:my_curricula")
    messages.success(request, _("Your curriculum for %(year)s is a draft: check the hours, then submit it.") % {
        "year": year})
    return redirect("residents:curriculum_detail", pk=curriculum.pk)


@login_required
@require_GET
def curriculum_detail(request, pk):
    access = curriculum_for_user(request.user, pk)
    context = _detail_context(access)
    if access.can_review and access.curriculum.status == Status.SUBMITTED:
        context["return_form"] = CurriculumReturnForm()
    return render(request, "residents/curriculum_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_edit(request, pk):
    """All disciplines' hours at once. Saving needs the parts of each discipline to add up to its hours; a split
    outside the percentage bounds may be saved in a draft (it is shown as a problem) but cannot be submitted."""
    access = curriculum_for_user(request.user, pk)
    if not access.can_edit:
        raise PermissionDenied
    curriculum = access.curriculum
    if curriculum.status != Status.DRAFT:
        messages.info(request, _("Only a draft curriculum can be changed."))
        return redirect("residents:curriculum_detail", pk=curriculum.pk)
    items = list(curriculum.items.select_related("discipline"))
    form = CurriculumSplitForm(request.POST or None, items=items, specialty=curriculum.resident.specialty)
    if request.method == "POST" and form.is_valid():
        try:
            curriculum_items_update(curriculum=curriculum, splits=form.splits(), by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Hours saved."))
            outside = sum(1 for row in form.rows() if not row.check.ok)
            if outside:
                messages.warning(request, _(
                    "Disciplines outside the required split: %(count)d. Fix them before submitting.") % {
                    "count": outside})
            return redirect("residents:curriculum_detail", pk=curriculum.pk)
    return render(request, "residents/curriculum_edit.html", {
        "curriculum": curriculum, "resident": curriculum.resident, "form": form, "rows": form.rows(),
        "policy": curriculum.resident.specialty,
    })


@login_required
@require_POST
def curriculum_submit_view(request, pk):
    access = curriculum_for_user(request.user, pk)
    if not access.can_submit:
        raise PermissionDenied
    try:
        curriculum_submit(curriculum=access.curriculum, by=request.user)
    except ValidationError as exc:
        messages.error(request, _("The curriculum was not submitted."))
        report_refusal(request, exc)
    else:
        messages.success(request, _("Submitted: your coordinator will review it."))
    return redirect("residents:curriculum_detail", pk=pk)


@login_required
@require_POST
def curriculum_approve_view(request, pk):
    access = curriculum_for_user(request.user, pk)
    if not access.can_review:
        raise PermissionDenied
    try:
        curriculum_approve(curriculum=access.curriculum, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Curriculum of %(resident)s approved.") % {
            "resident": access.curriculum.resident})
    return redirect("residents:curriculum_detail", pk=pk)


@login_required
@require_POST
def curriculum_return_view(request, pk):
    access = curriculum_for_user(request.user, pk)
    if not access.can_review:
        raise PermissionDenied
    form = CurriculumReturnForm(request.POST)
    if form.is_valid():
        try:
            curriculum_return(curriculum=access.curriculum, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Returned to %(resident)s with your comment.") % {
                "resident": access.curriculum.resident})
            return redirect("residents:curriculum_detail", pk=pk)
    if access.curriculum.status != Status.SUBMITTED:
        # The page shows no return form outside "submitted": say what went wrong above the page instead.
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("residents:curriculum_detail", pk=pk)
    return render(request, "residents/curriculum_detail.html", {**_detail_context(access), "return_form": form})


@login_required
@require_GET
def curriculum_print(request, pk):
    access = curriculum_for_user(request.user, pk)
    return render(request, "residents/curriculum_print.html", _detail_context(access))


REVIEW_STATUSES = ("submitted", "draft", "approved", "all")


@login_required
@require_GET
def curricula_review(request, department_id):
    """The department's curricula, awaiting approval first (the default filter)."""
    department = department_for_coordinator(request.user, department_id)
    status = request.GET.get("status", "").strip()
    if status not in REVIEW_STATUSES:
        status = Status.SUBMITTED
    filters = {"status": status, "year": request.GET.get("year", "").strip(), "q": request.GET.get("q", "").strip()}
    if not is_id(filters["year"]):
        filters["year"] = ""
    qs = curricula_of_department(department, status="" if status == "all" else status,
                                 academic_year=filters["year"], q=filters["q"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "residents/curriculum_review.html", {
        "department": department, "page": page, "filters": filters,
        "statuses": [(s, Status(s).label if s != "all" else _("All")) for s in REVIEW_STATUSES],
        "years": AcademicYear.objects.all(), "querystring": params.urlencode(),
    })
