"""The report pages: ask for a report and see the history (a coordinator for a department, a mentor for their own
mentor report), a run with its live progress, its result and its exports, and "Run again"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentoring.selectors import mentor_profile_of
from mentoring.views.helpers import paginate, querystring_without_page
from organization.forms import apply_service_errors, report_refusal
from organization.selectors import coordinates, department_for_coordinator

from ..forms import REQUEST_FORMS, HistoryFilterForm, OwnMentorReportForm
from ..models import MAX_ATTEMPTS, ReportRun
from ..selectors import department_history, files_of, mentor_history, run_for_user, run_progress_for_user
from ..services import report_request, report_rerun
from . import display


def _ask(request, form) -> ReportRun | None:
    """The form's report asked for (PRG): the run, or None with the service's refusal shown on the form."""
    if not form.is_valid():
        return None
    try:
        run = report_request(by=request.user, **form.service_kwargs())
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, _("Report requested. It is computed in the background: this page shows its "
                                "progress."))
    return run


@login_required
@require_http_methods(["GET", "POST"])
def index(request, department_id):
    """The department's reports: a request form per kind, then the history of its runs."""
    department = department_for_coordinator(request.user, department_id)
    asked = request.POST.get("kind") if request.method == "POST" else None
    forms = {kind: form_class(request.POST if kind == asked else None, department=department, query=request.GET)
             for kind, form_class in REQUEST_FORMS.items()}
    if asked in forms and (run := _ask(request, forms[asked])):
        return redirect("reports:run", pk=run.pk)
    filter_form = HistoryFilterForm(request.GET or None)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    return render(request, "reports/index.html", {
        "department": department, "forms": forms, "asked": asked, "filter_form": filter_form,
        "page": paginate(request, department_history(department, kind=kind)),
        "querystring": querystring_without_page(request)}, status=400 if asked and asked not in forms else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """A mentor's own mentor reports: ask for one (the year), and the history of the reports about them."""
    mentor = mentor_profile_of(request.user)
    form = OwnMentorReportForm(request.POST or None, mentor=mentor)
    if request.method == "POST" and (run := _ask(request, form)):
        return redirect("reports:run", pk=run.pk)
    return render(request, "reports/mine.html", {
        "mentor": mentor, "form": form, "page": paginate(request, mentor_history(mentor)),
        "querystring": querystring_without_page(request)})


@login_required
@require_GET
def run_page(request, pk):
    run = run_for_user(request.user, pk)
    message, note = progress_message(run)
    return render(request, "reports/run.html", {
        "run": run, "department": run.department, "message": message, "note": note,
        # The way back: a coordinator of the department to its reports, a mentor to "My reports".
        "from_department": coordinates(request.user, run.department_id),
        "files": files_of(run) if run.status == ReportRun.Status.DONE else {},
        "sections": display.sections(run.result) if run.status == ReportRun.Status.DONE else [],
    })


def progress_message(run: ReportRun) -> tuple[str, str]:
    """What the progress box says, and the note about a failed attempt being tried again ("" if none)."""
    message = {ReportRun.Status.PENDING: _("Waiting for a worker…"),
               ReportRun.Status.RUNNING: _("Computing the report…"),
               ReportRun.Status.DONE: _("Ready. Opening the report…"),
               ReportRun.Status.FAILED: _("The report could not be computed.")}[run.status]
    note = ""
    if run.error and not run.is_finished:
        note = _("Attempt %(n)d of %(max)d failed; it is tried again. %(reason)s") % {
            "n": run.attempts, "max": MAX_ATTEMPTS, "reason": run.error}
    return message, note


@login_required
@require_GET
def run_status(request, pk):
    """The run's progress as JSON, polled by static/js/report_progress.js."""
    run = run_progress_for_user(request.user, pk)
    message, note = progress_message(run)
    return JsonResponse({"status": run.status, "status_label": run.get_status_display(), "progress": run.progress,
                         "attempts": run.attempts, "max_attempts": MAX_ATTEMPTS, "error": run.error,
                         "finished": run.is_finished, "message": message, "note": note})


@login_required
@require_POST
def rerun(request, pk):
    """The same report asked for again: a new run (the earlier one stays in the history)."""
    run = run_for_user(request.user, pk)
    try:
        again = report_rerun(run=run, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("reports:run", pk=run.pk)
    messages.success(request, _("The report is being computed again with today's figures; the earlier run stays "
                                "in the history."))
    return redirect("reports:run", pk=again.pk)
