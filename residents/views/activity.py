"""Activity log pages: the resident logs, the current mentor confirms or returns, the coordinator reads."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.forms import apply_service_errors, report_refusal
from organization.selectors import current_academic_year, departments_for_user

from .. import activity as services
from ..forms_activity import (
    ActivityForm,
    ConfirmForm,
    NightDutyForm,
    ReturnForm,
    activity_label,
    choice_of,
)
from ..models import ReviewStatus
from ..requirements import clinical_hours, duty_figures, month_start, next_month, previous_month
from ..selectors import resident_profile_of
from ..selectors_activity import (
    confirmation_queue,
    duties_in_month,
    duty_for_mentor,
    entries_in_month,
    entry_for_mentor,
    is_mentor,
    last_duty,
    last_logged_kind,
    own_duty,
    own_entry,
    pending_counts_for_residents,
    resident_for_activity_viewer,
    returned_duties,
    returned_entries,
)

ENTRIES_PER_PAGE = 50
DEFAULT_DUTY_START = dt.time(17, 0)
DEFAULT_DUTY_LENGTH = dt.timedelta(hours=15)


def _month(request) -> dt.date:
    """The month of `?month=YYYY-MM`, this month by default."""
    try:
        return dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return month_start(timezone.localdate())


def _log_url(day: dt.date) -> str:
    return f"{reverse('residents:activity_log')}?month={day:%Y-%m}"


def _month_context(request, resident) -> dict:
    """The month's requirement figures, night duties and a page of activities (fixed number of queries)."""
    month = _month(request)
    today = timezone.localdate()
    this_month = month_start(today)
    year = current_academic_year(today if month == this_month else month)
    page = Paginator(entries_in_month(resident, month), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "month": month, "previous_month": previous_month(month),
        "next_month": next_month(month) if month < this_month else None,
        "duties_figures": duty_figures(resident, month), "hours_figures": clinical_hours(resident, year),
        "duties": list(duties_in_month(resident, month)), "page": page, "querystring": f"month={month:%Y-%m}",
        "statuses": ReviewStatus,
    }


def _current_mentor(resident):
    assignment = (resident.assignments.filter(ended_on__isnull=True, kind="clinical")
                  .select_related("mentor__user").first())
    return assignment.mentor if assignment else None


def _render_log(request, resident, form, status=200):
    context = {
        "resident": resident, "form": form, "mentor": _current_mentor(resident),
        "returned_entries": returned_entries(resident), "returned_duties": returned_duties(resident),
        **_month_context(request, resident),
    }
    return render(request, "residents/activity_log.html", context, status=status)


def _quick_initial(resident) -> dict:
    initial = {"date": timezone.localdate(), "clinical_site": resident.clinical_site_id}
    last = last_logged_kind(resident)
    if last:
        initial["what"] = choice_of(*last)
    return initial


# The resident ----------------------------------------------------------------------------------------------------

@login_required
@require_GET
def activity_log(request):
    resident = resident_profile_of(request.user)
    return _render_log(request, resident, ActivityForm(resident=resident, initial=_quick_initial(resident)))


@login_required
@require_POST
def activity_new(request):
    resident = resident_profile_of(request.user)
    form = ActivityForm(request.POST, resident=resident)
    if form.is_valid():
        try:
            entry = services.activity_log(resident=resident, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc, form.RENAME)
        else:
            messages.success(request, _("Logged: %(activity)s, %(hours)s h on %(date)s. It awaits your mentor's "
                                        "confirmation.") % {
                "activity": activity_label(entry.kind, entry.manipulation_role), "hours": floatformat(entry.hours, -1),
                "date": formats.date_format(entry.date, "SHORT_DATE_FORMAT")})
            return redirect(_log_url(entry.date))
    return _render_log(request, resident, form)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    entry = own_entry(request.user, pk)
    if entry.status == ReviewStatus.CONFIRMED:
        messages.info(request, _("This entry has been confirmed by your mentor and is read-only."))
        return redirect(_log_url(entry.date))
    resident = entry.resident
    form = ActivityForm(request.POST or None, resident=resident, initial={
        "what": choice_of(entry.kind, entry.manipulation_role), "hours": entry.hours, "note": entry.note,
        "date": entry.date, "clinical_site": entry.clinical_site_id})
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.activity_update(entry=entry, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc, form.RENAME)
        else:
            messages.success(request, _("Changes saved. The entry awaits your mentor's confirmation."))
            return redirect(_log_url(entry.date))
    return render(request, "residents/activity_form.html", {"form": form, "entry": entry, "resident": resident})


@login_required
@require_POST
def activity_delete(request, pk):
    entry = own_entry(request.user, pk)
    try:
        services.activity_delete(entry=entry, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("The entry has been deleted."))
    return redirect(_log_url(entry.date))


def _duty_initial(resident) -> dict:
    """Last night, at the hours of the resident's previous duty (17:00 to 08:00 without one)."""
    tz = timezone.get_current_timezone()
    now = timezone.localtime()
    previous = last_duty(resident)
    if previous:
        start_time = timezone.localtime(previous.starts_at).time()
        length = min(previous.ends_at - previous.starts_at, services.MAX_DUTY_LENGTH)
    else:
        start_time, length = DEFAULT_DUTY_START, DEFAULT_DUTY_LENGTH
    starts_at = dt.datetime.combine(now.date() - dt.timedelta(days=1), start_time, tzinfo=tz)
    while starts_at + length > now:
        starts_at -= dt.timedelta(days=1)
    return {"starts_at": starts_at, "ends_at": starts_at + length, "clinical_site": resident.clinical_site_id}


@login_required
@require_http_methods(["GET", "POST"])
def duty_new(request):
    resident = resident_profile_of(request.user)
    form = NightDutyForm(request.POST or None, resident=resident, initial=_duty_initial(resident))
    if request.method == "POST" and form.is_valid():
        try:
            duty = services.night_duty_log(resident=resident, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Night duty logged. It awaits your mentor's confirmation."))
            return redirect(_log_url(timezone.localtime(duty.starts_at).date()))
    return render(request, "residents/activity_duty_form.html", {"form": form, "resident": resident})


@login_required
@require_http_methods(["GET", "POST"])
def duty_edit(request, pk):
    duty = own_duty(request.user, pk)
    if duty.status == ReviewStatus.CONFIRMED:
        messages.info(request, _("This night duty has been confirmed by your mentor and is read-only."))
        return redirect(_log_url(timezone.localtime(duty.starts_at).date()))
    resident = duty.resident
    form = NightDutyForm(request.POST or None, resident=resident, initial={
        "starts_at": duty.starts_at, "ends_at": duty.ends_at, "clinical_site": duty.clinical_site_id,
        "note": duty.note})
    if request.method == "POST" and form.is_valid():
        try:
            duty = services.night_duty_update(duty=duty, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved. The night duty awaits your mentor's confirmation."))
            return redirect(_log_url(timezone.localtime(duty.starts_at).date()))
    return render(request, "residents/activity_duty_form.html", {"form": form, "duty": duty, "resident": resident})


@login_required
@require_POST
def duty_delete(request, pk):
    duty = own_duty(request.user, pk)
    try:
        services.night_duty_delete(duty=duty, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("The night duty has been deleted."))
    return redirect(_log_url(timezone.localtime(duty.starts_at).date()))


# The mentor ------------------------------------------------------------------------------------------------------

def _require_mentor(user) -> None:
    if not is_mentor(user):
        raise Http404


@login_required
@require_GET
def confirmation_queue_page(request):
    _require_mentor(request.user)
    queue = confirmation_queue(request.user)
    pending = pending_counts_for_residents([r.pk for r in queue.mentees]) if queue.mentees else {}
    rows = [{"resident": r, "duties": queue.figures[r.pk], "pending": pending.get(r.pk, 0)} for r in queue.mentees]
    return render(request, "residents/activity_queue.html", {"queue": queue, "mentee_rows": rows})


@login_required
@require_POST
def confirm(request):
    _require_mentor(request.user)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        for message in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
            messages.error(request, message)
        return redirect("residents:confirmation_queue")
    try:
        result = services.activity_confirm(mentor_user=request.user, entry_ids=form.cleaned_data["entry"],
                                           duty_ids=form.cleaned_data["duty"])
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("residents:confirmation_queue")
    parts = []
    if result.entries:
        parts.append(ngettext("%(n)d activity", "%(n)d activities", result.entries) % {"n": result.entries})
    if result.duties:
        parts.append(ngettext("%(n)d night duty", "%(n)d night duties", result.duties) % {"n": result.duties})
    if len(parts) == 2:
        messages.success(request, _("Confirmed: %(entries)s and %(duties)s.") % {"entries": parts[0],
                                                                                 "duties": parts[1]})
    elif parts:
        messages.success(request, _("Confirmed: %(items)s.") % {"items": parts[0]})
    if result.ignored:
        messages.warning(request, ngettext(
            "%(n)d selected item was not confirmed: it is not awaiting your confirmation.",
            "%(n)d selected items were not confirmed: they are not awaiting your confirmation.",
            result.ignored) % {"n": result.ignored})
    return redirect("residents:confirmation_queue")


def _return(request, item, service, **kwargs):
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            service(mentor_user=request.user, comment=form.cleaned_data["comment"], **kwargs)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Returned to %(resident)s with your comment.") % {"resident": item.resident})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("residents:confirmation_queue")


@login_required
@require_POST
def activity_return(request, pk):
    entry = entry_for_mentor(request.user, pk)
    return _return(request, entry, services.activity_return, entry=entry)


@login_required
@require_POST
def duty_return(request, pk):
    duty = duty_for_mentor(request.user, pk)
    return _return(request, duty, services.night_duty_return, duty=duty)


# The coordinator and the mentor: one resident's log, read-only ---------------------------------------------------

@login_required
@require_GET
def resident_activity(request, pk):
    resident = resident_for_activity_viewer(request.user, pk)
    is_coordinator = departments_for_user(request.user).filter(pk=resident.specialty.department_id).exists()
    return render(request, "residents/activity_resident.html", {
        "resident": resident, "is_coordinator": is_coordinator, "mentor": _current_mentor(resident),
        **_month_context(request, resident),
    })
