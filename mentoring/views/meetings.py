"""Meetings and absences pages (issue 6, item 2): for people with a mentor or a resident profile, each meeting for
its participants only (anyone else, the coordinator included, gets 404). Phone-first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.forms import apply_service_errors, report_refusal

from .. import meetings as services
from ..forms_meetings import AbsenceForm, CancelForm, MeetingForm, NoteForm, RespondForm
from ..selectors_meetings import (
    TABS,
    absences_of,
    active_pairs,
    meeting_for_participant,
    meeting_tab,
    meeting_tab_counts,
    notes_of,
    own_absence,
    require_meeting_user,
    with_others,
)
from .helpers import paginate

MEETINGS_PER_PAGE = 20


def _tab_labels() -> dict[str, str]:
    return {"awaiting": _("Awaiting my answer"), "upcoming": _("Upcoming"), "past": _("Past"),
            "cancelled": _("Cancelled or declined")}


@login_required
@require_GET
def meeting_list(request):
    require_meeting_user(request.user)
    now = timezone.now()
    counts = meeting_tab_counts(request.user, now)
    tab = request.GET.get("show")
    if tab not in TABS:
        tab = "awaiting" if counts["awaiting"] else "upcoming"
    page = paginate(request, meeting_tab(request.user, tab, now), per_page=MEETINGS_PER_PAGE)
    with_others(page.object_list, request.user)
    labels = _tab_labels()
    return render(request, "mentoring/meetings/meeting_list.html", {
        "tab": tab, "tabs": [(key, labels[key], counts[key]) for key in TABS], "page": page,
        "querystring": f"show={tab}", "now": now,
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    require_meeting_user(request.user)
    pairs = list(active_pairs(request.user))
    day, start = MeetingForm.default_start()
    form = MeetingForm(request.POST or None, user=request.user, pairs=pairs,
                       initial={"date": day, "start": start, "counterpart": request.GET.get("with", "")})
    clashes = []
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_propose(proposer=request.user, **form.service_kwargs())
        except services.MeetingClashes as exc:
            clashes = exc.clashes
        except ValidationError as exc:
            apply_service_errors(form, exc, form.RENAME)
        else:
            messages.success(request, _("Meeting proposed for %(start)s. The invitation has been e-mailed.") % {
                "start": services.when(meeting.starts_at)})
            return redirect("mentoring:meeting_detail", pk=meeting.pk)
    show_acknowledge = bool(clashes) or (form.is_bound and form.data.get("acknowledge_clashes") in ("on", "true"))
    return render(request, "mentoring/meetings/meeting_form.html", {
        "form": form, "pairs": pairs, "clashes": clashes, "show_acknowledge": show_acknowledge})


def _render_detail(request, meeting, *, respond_form=None, cancel_form=None, note_form=None, status=200):
    now = timezone.now()
    participants = list(meeting.participants.all())
    me = next(p for p in participants if p.user_id == request.user.pk)
    can_respond = not services.respond_refusal(meeting, me, now)
    return render(request, "mentoring/meetings/meeting_detail.html", {
        "meeting": meeting, "participants": participants, "me": me, "now": now,
        "can_respond": can_respond, "can_cancel": not services.cancel_refusal(meeting, me, now),
        "my_clashes": (services.meeting_clashes(users=[request.user], starts_at=meeting.starts_at,
                                                ends_at=meeting.ends_at) if can_respond else []),
        "notes": list(notes_of(meeting)),
        "respond_form": respond_form or RespondForm(), "cancel_form": cancel_form or CancelForm(),
        "note_form": note_form or NoteForm(),
    }, status=status)


@login_required
@require_GET
def meeting_detail(request, pk):
    return _render_detail(request, meeting_for_participant(request.user, pk))


@login_required
@require_POST
def meeting_respond(request, pk):
    meeting = meeting_for_participant(request.user, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, meeting, respond_form=form, status=400)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        meeting = services.meeting_respond(meeting=meeting, user=request.user, accept=accept,
                                           reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_service_errors(form, exc)
            return _render_detail(request, meeting, respond_form=form)
        report_refusal(request, exc)
        return redirect("mentoring:meeting_detail", pk=meeting.pk)
    if accept:
        messages.success(request, _("You accepted the meeting on %(start)s.") % {
            "start": services.when(meeting.starts_at)})
        for clash in services.meeting_clashes(users=[request.user], starts_at=meeting.starts_at,
                                              ends_at=meeting.ends_at):
            messages.warning(request, _("Note the clash: %(clash)s") % {"clash": clash.message})
    else:
        messages.success(request, _("You declined the meeting on %(start)s.") % {
            "start": services.when(meeting.starts_at)})
    return redirect("mentoring:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = meeting_for_participant(request.user, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                report_refusal(request, exc)
                return redirect("mentoring:meeting_detail", pk=meeting.pk)
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been cancelled; the other participants have been "
                                        "e-mailed."))
            return redirect("mentoring:meeting_detail", pk=meeting.pk)
    return _render_detail(request, meeting, cancel_form=form)


@login_required
@require_POST
def meeting_note_add(request, pk):
    meeting = meeting_for_participant(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_note_add(meeting=meeting, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Note added."))
            return redirect(reverse("mentoring:meeting_detail", args=[meeting.pk]) + "#notes")
    return _render_detail(request, meeting, note_form=form)


# Absences --------------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def absence_list(request):
    require_meeting_user(request.user)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            absence = services.absence_record(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Absence recorded: %(absence)s, %(start)s – %(end)s.") % {
                "absence": absence.get_kind_display(), "start": formats.date_format(absence.starts_on),
                "end": formats.date_format(absence.ends_on)})
            return redirect("mentoring:absence_list")
    page = paginate(request, absences_of(request.user))
    return render(request, "mentoring/meetings/absence_list.html", {
        "form": form, "page": page, "today": timezone.localdate()})


@login_required
@require_POST
def absence_delete(request, pk):
    absence = own_absence(request.user, pk)
    try:
        services.absence_delete(absence=absence, user=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Absence deleted."))
    return redirect("mentoring:absence_list")
