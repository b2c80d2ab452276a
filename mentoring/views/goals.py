"""Goals / action plan pages: the resident and their mentor side write, the department's coordinators read.

Outside the scope (not the resident, not on the mentor side of an active assignment of the resident, not a
coordinator of the resident's department) every page answers 404; a coordinator who tries to write gets 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.forms import apply_service_errors, report_refusal
from residents.selectors import resident_profile_of, residents_base

from .. import goals as services
from ..forms_goals import GoalForm, GoalNoteForm
from ..models import Goal, Meeting
from .helpers import paginate

MENTEE_GOALS_PER_PAGE = 50


def _safe_next(request) -> str | None:
    """The page to go back to: a path of this site ("/..."), else None. Anything else (another site, or a word
    `redirect` would take for a URL name) is ignored."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return None


def _must_write(role: str) -> None:
    if role not in (services.RESIDENT, services.MENTOR):
        raise PermissionDenied


def _created_message(goal: Goal) -> str:
    if goal.agreed_on is not None:
        return _("Goal added and agreed: %(title)s.") % {"title": goal.title}
    return _("Goal added: %(title)s. It awaits your mentor's agreement.") % {"title": goal.title}


# The resident ----------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def my_goals(request):
    """The resident's own action plan, by status, with a form to propose a goal."""
    resident = resident_profile_of(request.user)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(resident=resident, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _created_message(goal))
            return redirect("mentoring:my_goals")
    today = timezone.localdate()
    return render(request, "mentoring/goals/my_goals.html", {
        "resident": resident, "form": form, "groups": services.goals_of_resident(resident, today),
        "mentors": list(services.mentors_of_resident(resident).order_by("last_name", "first_name")),
        "today": today,
    })


# A resident's goals, for the mentor side and the coordinators --------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def resident_goals(request, pk):
    """One resident's action plan: the mentor side adds and agrees goals; the coordinators read it."""
    resident = residents_base().filter(pk=pk).first()
    if resident is not None and resident.user_id == request.user.pk:
        return redirect("mentoring:my_goals")
    role = services.viewer_role(request.user, resident) if resident is not None else None
    if role is None:
        raise Http404
    form = GoalForm(request.POST or None) if role == services.MENTOR else None
    if request.method == "POST":
        _must_write(role)
        if form.is_valid():
            try:
                goal = services.goal_create(resident=resident, by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _created_message(goal))
                return redirect("mentoring:resident_goals", pk=resident.pk)
    today = timezone.localdate()
    return render(request, "mentoring/goals/resident_goals.html", {
        "resident": resident, "form": form, "role": role, "can_agree": role == services.MENTOR,
        "groups": services.goals_of_resident(resident, today), "today": today,
    })


# One goal ----------------------------------------------------------------------------------------------------------

def _render_detail(request, goal, role, note_form, status=200):
    notes = list(goal.notes.select_related("author", "meeting"))
    today = timezone.localdate()
    goal.is_overdue = goal.status in Goal.OPEN_STATUSES and goal.due_on < today
    return render(request, "mentoring/goals/goal_detail.html", {
        "goal": goal, "resident": goal.resident, "role": role, "notes": notes, "note_form": note_form,
        "can_write": role in (services.RESIDENT, services.MENTOR),
        "can_agree": role == services.MENTOR and goal.agreed_on is None and goal.status != Goal.Status.DROPPED,
        "is_open": goal.status in Goal.OPEN_STATUSES,
    }, status=status)


@login_required
@require_GET
def goal_detail(request, pk):
    goal, role = services.goal_for_viewer(request.user, pk)
    return _render_detail(request, goal, role, GoalNoteForm())


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal, role = services.goal_for_viewer(request.user, pk)
    _must_write(role)
    if goal.status not in Goal.OPEN_STATUSES:
        messages.info(request, _("This goal is %(status)s; reopen it with a progress note before changing it.")
                      % {"status": goal.get_status_display()})
        return redirect("mentoring:goal_detail", pk=goal.pk)
    was_agreed = goal.agreed_on is not None
    form = GoalForm(request.POST or None, initial={"title": goal.title, "description": goal.description,
                                                   "due_on": goal.due_on})
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_update(goal=goal, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if was_agreed and goal.agreed_on is None:
                messages.warning(request, _("Goal saved. You changed the title or the due date of an agreed goal, "
                                            "so your mentor needs to agree it again."))
            else:
                messages.success(request, _("Goal saved."))
            return redirect("mentoring:goal_detail", pk=goal.pk)
    return render(request, "mentoring/goals/goal_edit.html", {
        "goal": goal, "resident": goal.resident, "role": role, "form": form, "was_agreed": was_agreed})


@login_required
@require_POST
def goal_agree(request, pk):
    goal, role = services.goal_for_viewer(request.user, pk)
    if role != services.MENTOR:
        raise PermissionDenied
    try:
        services.goal_agree(goal=goal, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Goal agreed: %(title)s.") % {"title": goal.title})
    back = _safe_next(request)
    return redirect(back) if back else redirect("mentoring:goal_detail", pk=goal.pk)


@login_required
@require_POST
def goal_note_add(request, pk):
    """Add a progress note (optionally a new status). From a meeting page the form carries the meeting's id and
    the page to return to; errors then come back as messages there."""
    goal, role = services.goal_for_viewer(request.user, pk)
    _must_write(role)
    form = GoalNoteForm(request.POST)
    back = _safe_next(request)
    if form.is_valid():
        meeting_id = form.cleaned_data.get("meeting")
        meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
        try:
            if meeting_id and meeting is None:
                raise ValidationError({"meeting": _("This meeting no longer exists.")})
            note = services.goal_note_add(goal=goal, by=request.user, text=form.cleaned_data["text"],
                                          status=form.cleaned_data.get("status") or None, meeting=meeting)
        except ValidationError as exc:
            apply_service_errors(form, exc, {"meeting": NON_FIELD_ERRORS})  # the meeting field is hidden
        else:
            if note.status_after:
                messages.success(request, _("Progress noted; the goal is now %(status)s.") % {
                    "status": note.get_status_after_display()})
            else:
                messages.success(request, _("Progress noted."))
            return redirect(back) if back else redirect("mentoring:goal_detail", pk=goal.pk)
    if back:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    return _render_detail(request, goal, role, form)


# The mentor side -------------------------------------------------------------------------------------------------

@login_required
@require_GET
def mentee_goals(request):
    """Every open goal of the user's mentees (any programme), overdue first; mentees without open goals below."""
    if not services.is_mentor_side(request.user):
        raise Http404
    today = timezone.localdate()
    mentees = services.mentee_ids_of(request.user)
    goals = (services.goals_with_people().filter(resident__in=mentees, status__in=Goal.OPEN_STATUSES)
             .annotate(overdue_first=Case(When(due_on__lt=today, then=Value(0)), default=Value(1),
                                          output_field=IntegerField()))
             .order_by("overdue_first", "due_on", "resident__user__last_name", "pk"))
    page = paginate(request, goals, MENTEE_GOALS_PER_PAGE)
    for goal in page.object_list:
        goal.is_overdue = goal.overdue_first == 0
    without_open = services.mentees_of(request.user).exclude(goals__status__in=Goal.OPEN_STATUSES)
    return render(request, "mentoring/goals/mentee_goals.html", {
        "page": page, "today": today, "without_open": list(without_open)})
