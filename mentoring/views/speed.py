"""Speed-mentoring pages (issue 6 item 4).

The coordinator's pages are scoped to the departments the user coordinates (404 outside). The mentees' and
experts' pages show the events the user takes part in (404 for anyone else). Each form calls one service of
`mentoring.speed_events` and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.forms import apply_service_errors, report_refusal
from organization.selectors import department_for_coordinator
from organization.services import policy_for
from residents.models import Resident

from ..forms_speed import ORDINALS, MatchSetForm, RankForm, SpeedEventForm, SpeedPeopleForm
from ..models import Assignment, Mentor, SpeedChoice, SpeedEvent, SpeedExpert, SpeedGroupMember, SpeedPreference
from ..selectors_speed import (
    event_for_coordinator,
    events_of_department,
    experts_of,
    matching_review,
    participations,
    ranking_progress,
    timetable,
)
from ..speed_events import (
    MENTEE_CHOICES,
    choices_submit,
    event_confirm,
    event_save,
    event_set_people,
    experts_met,
    match_set,
    matching_propose,
    mentees_met,
    preferences_submit,
    ranking_open,
    schedule_generate,
)
from .helpers import paginate


def _schedule_cleared(request):
    messages.warning(request, _("The timetable was cleared because the experts, the groups or the number of rounds "
                                "changed; generate it again."))


# --- the coordinator's pages --------------------------------------------------------------------------------------


@login_required
@require_GET
def speed_event_list(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    events = events_of_department(department).select_related("department")
    return render(request, "mentoring/speed/event_list.html", {
        "department": department, "page": paginate(request, events)})


@login_required
@require_http_methods(["GET", "POST"])
def speed_event_new(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    form = SpeedEventForm(request.POST or None, initial={"round_minutes": 10, "rounds": 4})
    if request.method == "POST" and form.is_valid():
        try:
            event = event_save(department=department, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Event saved. Now choose the experts and put the mentees in groups."))
            return redirect("mentoring:speed_event_people", pk=event.pk)
    return render(request, "mentoring/speed/event_form.html", {"department": department, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def speed_event_edit(request, pk):
    event = event_for_coordinator(request.user, pk)
    if event.status != SpeedEvent.Status.PLANNING:
        messages.error(request, _("Only an event being planned can be changed."))
        return redirect("mentoring:speed_event_detail", pk=event.pk)
    form = SpeedEventForm(request.POST or None, initial=SpeedEventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        had_schedule = event.slots.exists()
        try:
            event = event_save(department=event.department, by=request.user, event=event, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            if had_schedule and not event.slots.exists():
                _schedule_cleared(request)
            return redirect("mentoring:speed_event_detail", pk=event.pk)
    return render(request, "mentoring/speed/event_form.html", {
        "department": event.department, "form": form, "event": event})


@login_required
@require_GET
def speed_event_detail(request, pk):
    event = event_for_coordinator(request.user, pk)
    table = timetable(event)
    mentored = set(Assignment.objects.filter(
        resident__in=[r for g in table.groups for r in g.mentees], ended_on__isnull=True, kind="clinical")
        .values_list("resident_id", flat=True))
    return render(request, "mentoring/speed/event_detail.html", {
        "event": event, "department": event.department, "timetable": table, "mentored": mentored,
        "has_schedule": bool(table.rounds),
    })


@login_required
@require_http_methods(["GET", "POST"])
def speed_event_people(request, pk):
    event = event_for_coordinator(request.user, pk)
    if event.status != SpeedEvent.Status.PLANNING:
        messages.error(request, _("Only an event being planned can change its experts and groups."))
        return redirect("mentoring:speed_event_detail", pk=event.pk)
    department = event.department
    current_groups = dict(SpeedGroupMember.objects.filter(event=event).values_list("resident_id", "group__number"))
    current_experts = list(SpeedExpert.objects.filter(event=event).order_by("table").values_list("mentor_id",
                                                                                                  flat=True))
    mentors = (Mentor.objects.filter(specialty__department=department)
               .filter(is_active=True).select_related("user", "clinical_site")
               .order_by("user__last_name", "user__first_name"))
    has_mentor = Assignment.objects.filter(resident=OuterRef("pk"), ended_on__isnull=True, kind="clinical")
    residents = (Resident.objects.filter(specialty__department=department)
                 .filter(status=Resident.Status.ACTIVE).select_related("user")
                 .annotate(has_mentor=Exists(has_mentor))
                 .order_by("year_of_study", "user__last_name", "user__first_name"))
    form = SpeedPeopleForm(request.POST or None, mentors=mentors, residents=residents, event_groups=current_groups,
                           initial={"experts": current_experts,
                                    "group_count": max(current_groups.values(), default=None)})
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["experts"])
        # Experts already seated keep their tables; new ones take the next tables.
        chosen.sort(key=lambda m: (current_experts.index(m.pk) if m.pk in current_experts else len(current_experts)))
        try:
            cleared = event_set_people(event=event, mentors=chosen, groups=form.cleaned_data["groups"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Experts and groups saved."))
            if cleared:
                _schedule_cleared(request)
            return redirect("mentoring:speed_event_detail", pk=event.pk)
    return render(request, "mentoring/speed/event_people.html", {
        "event": event, "department": department, "form": form, "rows": form.resident_rows(),
    })


@login_required
@require_POST
def speed_schedule_generate(request, pk):
    event = event_for_coordinator(request.user, pk)
    try:
        schedule_generate(event=event)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("mentoring:speed_event_detail", pk=event.pk)
    messages.success(request, _("Timetable generated."))
    return redirect("mentoring:speed_schedule", pk=event.pk)


@login_required
@require_GET
def speed_schedule(request, pk):
    event = event_for_coordinator(request.user, pk)
    return render(request, "mentoring/speed/schedule.html", {
        "event": event, "department": event.department, "timetable": timetable(event)})


@login_required
@require_POST
def speed_ranking_open(request, pk):
    event = event_for_coordinator(request.user, pk)
    try:
        ranking_open(event=event)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Rankings are open. Every mentee and expert has been e-mailed a link."))
    return redirect("mentoring:speed_event_detail", pk=event.pk)


@login_required
@require_GET
def speed_rankings(request, pk):
    event = event_for_coordinator(request.user, pk)
    mentees, experts = ranking_progress(event)
    return render(request, "mentoring/speed/rankings.html", {
        "event": event, "department": event.department, "mentees": mentees, "experts": experts,
        "mentees_done": sum(1 for row in mentees if row.ranked),
        "experts_done": sum(1 for row in experts if row.ranked),
    })


@login_required
@require_POST
def speed_matching_propose(request, pk):
    event = event_for_coordinator(request.user, pk)
    try:
        proposal = matching_propose(event=event)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("mentoring:speed_event_detail", pk=event.pk)
    messages.success(request, ngettext("%(count)d assignment proposed.", "%(count)d assignments proposed.",
                                       proposal.matched) % {"count": proposal.matched})
    if proposal.unmatched:
        messages.warning(request, ngettext(
            "%(count)d mentee could not be matched: place them by hand below.",
            "%(count)d mentees could not be matched: place them by hand below.",
            len(proposal.unmatched)) % {"count": len(proposal.unmatched)})
    return redirect("mentoring:speed_matching", pk=event.pk)


@login_required
@require_GET
def speed_matching(request, pk):
    event = event_for_coordinator(request.user, pk)
    review = matching_review(event)
    experts = [row.mentor for row in review.mentors]

    def select(resident, mentor=None):
        initial = {"resident": resident.pk, "mentor": str(mentor.pk) if mentor else ""}
        return MatchSetForm(mentors=experts, initial=initial, auto_id=f"match-{resident.pk}-%s")

    return render(request, "mentoring/speed/matching.html", {
        "event": event, "department": event.department, "review": review,
        "editable": event.status == SpeedEvent.Status.RANKING,
        "rows": [(row, [(pair, select(pair.resident, row.mentor)) for pair in row.pairs]) for row in review.mentors],
        "unmatched": [(resident, choices, select(resident)) for resident, choices in review.unmatched],
    })


@login_required
@require_POST
def speed_match_set(request, pk):
    event = event_for_coordinator(request.user, pk)
    mentors = [e.mentor for e in experts_of(event)]
    form = MatchSetForm(request.POST, mentors=mentors)
    if not form.is_valid():
        messages.error(request, _("Choose a mentee and one of the experts."))
        return redirect("mentoring:speed_matching", pk=event.pk)
    member = (SpeedGroupMember.objects.filter(event=event, resident_id=form.cleaned_data["resident"])
              .select_related("resident__user").first())
    if member is None:
        raise Http404
    mentor = next((m for m in mentors if str(m.pk) == form.cleaned_data["mentor"]), None)
    try:
        match_set(event=event, resident=member.resident, mentor=mentor, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        if mentor is None:
            messages.success(request, _("%(resident)s has no proposed mentor now.") % {"resident": member.resident})
        else:
            messages.success(request, _("%(resident)s is now proposed to %(mentor)s.") % {
                "resident": member.resident, "mentor": mentor})
    return redirect("mentoring:speed_matching", pk=event.pk)


@login_required
@require_POST
def speed_confirm(request, pk):
    event = event_for_coordinator(request.user, pk)
    try:
        assignments = event_confirm(event=event, by=request.user)
    except ValidationError as exc:
        messages.error(request, _("Nothing was confirmed:"))
        report_refusal(request, exc)
    else:
        messages.success(request, ngettext(
            "Confirmed: %(count)d assignment created.", "Confirmed: %(count)d assignments created.",
            len(assignments)) % {"count": len(assignments)})
    return redirect("mentoring:speed_matching", pk=event.pk)


# --- the mentees' and experts' pages ------------------------------------------------------------------------------


@login_required
@require_GET
def my_speed_events(request):
    user = request.user
    if not (hasattr(user, "resident_profile") or hasattr(user, "mentor_profile")):
        raise Http404
    return render(request, "mentoring/speed/my_events.html", {"participations": participations(user)})


@login_required
@require_http_methods(["GET", "POST"])
def speed_rank(request, pk):
    """A mentee ranks up to three of the experts their group met; an expert ranks the mentees they met."""
    event = get_object_or_404(SpeedEvent.objects.select_related("department"), pk=pk)
    user = request.user
    member = (SpeedGroupMember.objects.filter(event=event, resident__user=user).select_related("resident__user")
              .first())
    expert = None if member else (SpeedExpert.objects.filter(event=event, mentor__user=user)
                                  .select_related("mentor__user").first())
    if member is None and expert is None:
        raise Http404
    if member is not None:
        people = list(experts_met(event, member.resident))
        places = MENTEE_CHOICES
        current = [c.mentor for c in SpeedChoice.objects.filter(event=event, resident=member.resident)
                   .select_related("mentor__user").order_by("rank")]
    else:
        people = list(mentees_met(event, expert.mentor))
        places = min(policy_for(event.department).max_residents_per_mentor, len(ORDINALS))
        current = [p.resident for p in SpeedPreference.objects.filter(event=event, mentor=expert.mentor)
                   .select_related("resident__user").order_by("rank")]
    form = RankForm(request.POST or None, people=people, places=places, initial_ranking=current)
    is_open = event.status == SpeedEvent.Status.RANKING
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("Rankings are not open for this event."))
            return redirect("mentoring:speed_rank", pk=event.pk)
        if form.is_valid():
            try:
                if member is not None:
                    choices_submit(event=event, resident=member.resident, mentors_ranked=form.cleaned_data["ranked"])
                else:
                    preferences_submit(event=event, mentor=expert.mentor, residents_ranked=form.cleaned_data["ranked"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your choices are saved. You can change them until the "
                                            "assignments are confirmed."))
                return redirect("mentoring:my_speed_events")
    return render(request, "mentoring/speed/rank.html", {
        "event": event, "form": form, "is_open": is_open, "as_mentee": member is not None, "people": people,
        "current": current,
    })
