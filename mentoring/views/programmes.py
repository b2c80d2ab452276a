"""Programmes pages (issue 6): the coordinator's list, create/edit, detail with pairs, assignment and overview;
"My programmes" for mentors and residents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organization.forms import apply_service_errors
from organization.selectors import department_for_coordinator
from organization.services import policy_for
from residents.models import Resident

from ..eligibility import Load, load_of, programme_capacity
from ..forms_programmes import ProgrammeAssignForm, ProgrammeForm
from ..models import Assignment, Mentor, Programme
from ..programmes import (
    assign_candidates,
    assignment_for_coordinator,
    my_programmes,
    programme_create,
    programme_for_coordinator,
    programme_overview,
    programme_pairs,
    programme_update,
    programmes_of_department,
    residents_outside,
)
from ..services import AssignmentRefused, assignment_create, clinical_programme
from .assignments import end_assignment_page

WAITING_LIMIT = 50  # residents without a clinical mentor listed on the clinical programme's page


@login_required
@require_GET
def programme_list(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    clinical_programme(department)  # every department has its clinical programme; created on first use
    policy = policy_for(department)
    return render(request, "mentoring/programmes/list.html", {
        "department": department, "policy": policy, "rows": programmes_of_department(department, policy)})


@login_required
@require_http_methods(["GET", "POST"])
def programme_create_view(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    form = ProgrammeForm(request.POST or None, initial={"kind": request.GET.get("kind", Programme.Kind.NEAR_PEER)})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            programme = programme_create(department=department, by=request.user, kind=cd["kind"], name=cd["name"],
                                         description=cd["description"], min_per_mentor=cd["min_per_mentor"],
                                         max_per_mentor=cd["max_per_mentor"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Programme %(name)s created.") % {"name": programme})
            return redirect("mentoring:programme_detail", pk=programme.pk)
    return render(request, "mentoring/programmes/form.html", {"form": form, "department": department})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = programme_for_coordinator(request.user, pk)
    if programme.is_clinical:
        raise Http404  # its capacity is the department's policy; nothing to edit here
    initial = {"name": programme.name, "description": programme.description, "is_active": programme.is_active,
               "min_per_mentor": programme.min_per_mentor, "max_per_mentor": programme.max_per_mentor}
    form = ProgrammeForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            programme_update(programme=programme, by=request.user, name=cd["name"], description=cd["description"],
                             min_per_mentor=cd["min_per_mentor"], max_per_mentor=cd["max_per_mentor"],
                             is_active=cd["is_active"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("mentoring:programme_detail", pk=programme.pk)
    return render(request, "mentoring/programmes/form.html", {
        "form": form, "department": programme.department, "programme": programme})


@login_required
@require_GET
def programme_detail(request, pk):
    programme = programme_for_coordinator(request.user, pk)
    department = programme.department
    policy = policy_for(department)
    sides = programme_pairs(programme, policy)
    minimum, maximum = programme_capacity(programme, policy)
    context = {
        "programme": programme, "department": department, "policy": policy, "sides": sides,
        "minimum": minimum, "maximum": maximum, "pairs": sum(s.count for s in sides),
        "under": [s for s in sides if s.load == Load.UNDER],
    }
    if programme.is_clinical:
        waiting = residents_outside(programme)
        context["waiting"] = list(waiting[:WAITING_LIMIT])
        context["waiting_count"] = waiting.count()
    return render(request, "mentoring/programmes/detail.html", context)


def _side_of(key: str, programme: Programme):
    """The Mentor or senior resident a form's `side` value names, within the programme's department."""
    kind, pk = key[:1], key[1:]
    if not pk.isdigit():
        return None, None
    if kind == "m":
        return Mentor.objects.filter(pk=pk, specialty__department_id=programme.department_id).first(), None
    if kind == "r" and programme.kind == Programme.Kind.NEAR_PEER:
        return None, Resident.objects.filter(pk=pk, specialty__department_id=programme.department_id).first()
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
def programme_assign(request, pk):
    """Add an assignment to a near-peer or group programme (the clinical one has its own page per resident)."""
    programme = programme_for_coordinator(request.user, pk)
    if programme.is_clinical:
        return redirect("mentoring:programme_detail", pk=programme.pk)
    department = programme.department
    policy = policy_for(department)
    mentees = list(residents_outside(programme))
    chosen = request.POST.get("mentee") if request.method == "POST" else request.GET.get("mentee")
    mentee = next((r for r in mentees if str(r.pk) == chosen), None)
    candidates = assign_candidates(programme, policy, mentee=mentee)
    side_label = _("Group leader") if programme.kind == Programme.Kind.GROUP else _("Mentor or senior resident")
    form = ProgrammeAssignForm(request.POST or None, mentees=mentees, candidates=candidates, side_label=side_label,
                               initial={"mentee": mentee.pk if mentee else None, "side": request.GET.get("side")})
    if request.method == "POST" and form.is_valid():
        mentor, peer = _side_of(form.cleaned_data["side"], programme)
        try:
            if mentee is None:
                raise AssignmentRefused(_("Choose a resident of this department who is not in the programme yet."))
            if mentor is None and peer is None:
                raise AssignmentRefused(_("Choose a mentor of this department."))
            assignment = assignment_create(resident=mentee, mentor=mentor, peer=peer, programme=programme,
                                           by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            side = assignment.mentor_side
            messages.success(request, _("%(resident)s is now mentored by %(mentor)s in %(programme)s.") % {
                "resident": mentee, "mentor": side, "programme": programme})
            minimum, maximum = programme_capacity(programme, policy)
            count = Assignment.objects.filter(programme=programme, ended_on__isnull=True, mentor=mentor,
                                              peer=peer).count()
            if load_of(count, minimum, maximum) == Load.UNDER:
                messages.warning(request, _("%(mentor)s has %(count)d of %(max)d mentees, fewer than %(min)d.") % {
                    "mentor": side, "count": count, "max": maximum, "min": minimum})
            return redirect("mentoring:programme_detail", pk=programme.pk)
    return render(request, "mentoring/programmes/assign.html", {
        "programme": programme, "department": department, "form": form, "candidates": candidates,
        "mentees": mentees, "mentee": mentee,
    })


@login_required
@require_http_methods(["GET", "POST"])
def programme_assignment_end(request, pk):
    """End a pair from the programme's page; the assignment stays in the history."""
    assignment = assignment_for_coordinator(request.user, pk)
    programme = assignment.programme
    return end_assignment_page(request, assignment, back=reverse("mentoring:programme_detail", args=[programme.pk]),
                               template="mentoring/programmes/assignment_end.html",
                               context={"programme": programme, "department": programme.department})


@login_required
@require_GET
def my_programmes_view(request):
    user = request.user
    if not (Mentor.objects.filter(user=user).exists() or Resident.objects.filter(user=user).exists()):
        raise Http404
    return render(request, "mentoring/programmes/mine.html", {"entries": my_programmes(user)})


@login_required
@require_GET
def programme_overview_view(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    programmes = list(Programme.objects.filter(department=department).order_by("kind", "name"))
    chosen = next((p for p in programmes if str(p.pk) == request.GET.get("programme", "")), None)
    only_flagged = request.GET.get("not_met") == "1"
    now = timezone.now()
    figures = programme_overview(department, programme=chosen, now=now)
    # The totals stay those of every pair; the filter only hides the rows of pairs that met.
    sections = [(f, [p for p in f.pairs if p.not_met_3m] if only_flagged else f.pairs) for f in figures]
    return render(request, "mentoring/programmes/overview.html", {
        "department": department, "programmes": programmes, "chosen": chosen, "sections": sections,
        "only_flagged": only_flagged, "now": now,
    })
