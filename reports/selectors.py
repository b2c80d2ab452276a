"""Report reads, scoped to the user (DESIGN.md section 5): 404 outside the scope.

A coordinator sees every run of the departments they coordinate; a mentor sees the mentor reports about
themselves (whoever asked for them); nobody else sees a run.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from organization.selectors import departments_for_user

from .models import ReportFile, ReportRun

# What a history line and a run page name: the parameters and who asked (one query with the runs).
RELATED = ("department", "requested_by", "cohort__specialty", "cohort__intake_year", "mentor__user",
           "academic_year", "clinical_site")


def runs_for_user(user) -> QuerySet[ReportRun]:
    if not user.is_authenticated:
        return ReportRun.objects.none()
    return ReportRun.objects.filter(Q(department__in=departments_for_user(user))
                                    | Q(kind=ReportRun.Kind.MENTOR, mentor__user=user))


def run_for_user(user, pk) -> ReportRun:
    """The run `pk` with its parameters, if the user may see it; 404 otherwise."""
    run = runs_for_user(user).select_related(*RELATED).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def run_progress_for_user(user, pk) -> ReportRun:
    """Only what the progress bar needs (polled every second): no result, no parameters."""
    run = runs_for_user(user).only("status", "progress", "attempts", "error").filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def history(runs: QuerySet[ReportRun], *, kind: str = "") -> QuerySet[ReportRun]:
    """Runs for a history list, newest first, optionally of one kind. The result (large) is not loaded."""
    if kind in ReportRun.Kind.values:
        runs = runs.filter(kind=kind)
    return runs.select_related(*RELATED).defer("result").order_by("-requested_at", "-pk")


def department_history(department, *, kind: str = "") -> QuerySet[ReportRun]:
    return history(ReportRun.objects.filter(department=department), kind=kind)


def mentor_history(mentor) -> QuerySet[ReportRun]:
    return history(ReportRun.objects.filter(kind=ReportRun.Kind.MENTOR, mentor=mentor))


def files_of(run: ReportRun) -> dict[str, ReportFile]:
    """The run's exports by format, without their content."""
    return {f.fmt: f for f in ReportFile.objects.filter(run=run).defer("content")}


def file_for_user(user, pk, fmt) -> ReportFile:
    """The export `fmt` of the run `pk`, if the user may see the run; 404 otherwise."""
    file = ReportFile.objects.filter(run__in=runs_for_user(user), run_id=pk, fmt=fmt).first()
    if file is None:
        raise Http404
    return file
