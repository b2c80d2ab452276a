"""Reads for the exam results, mentor evaluation, mentor record and track pages, each scoped to the user."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from mentoring.models import Assignment, Mentor
from organization.models import Department
from organization.selectors import departments_for_user
from residents.models import Resident
from residents.selectors import residents_base

from .models import ExamResult, MentorEvaluation, Observation, TrackDecision
from .standing import with_epas_behind

RECENT_DAYS = 90


def _results() -> QuerySet[ExamResult]:
    return ExamResult.objects.select_related(
        "resident__user", "resident__cohort__intake_year", "resident__cohort__specialty", "academic_year")


def exam_results_of_department(department: Department, *, cohort="", stage="", year="", q="") -> QuerySet[ExamResult]:
    """The department's exam results, filtered by cohort, stage, academic year and a search on the name."""
    qs = _results().filter(resident__specialty__department=department)
    if cohort:
        qs = qs.filter(resident__cohort_id=cohort)
    if stage:
        qs = qs.filter(stage=stage)
    if year:
        qs = qs.filter(academic_year_id=year)
    for word in q.split():
        qs = qs.filter(Q(resident__user__last_name__icontains=word) | Q(resident__user__first_name__icontains=word)
                       | Q(resident__user__email__icontains=word))
    return qs.order_by("-academic_year__start_year", "resident__user__last_name", "resident__user__first_name",
                       "stage", "pk")


def exam_result_for_coordinator(user, pk) -> ExamResult:
    """Exam result `pk` if `user` coordinates the resident's department; 404 otherwise."""
    result = (_results().select_related("resident__specialty__department")
              .filter(pk=pk, resident__specialty__department__in=departments_for_user(user)).first())
    if result is None:
        raise Http404
    return result


def exam_result_history(result: ExamResult) -> list:
    """The row's versions, newest first, with who made each change."""
    return list(result.history.select_related("history_user", "academic_year").order_by("-history_date", "-pk"))


def residents_for_exams(department: Department) -> QuerySet[Resident]:
    """Residents a result can be recorded for: all of the department's (a final exam may follow graduation)."""
    return (Resident.objects.filter(specialty__department=department).select_related("user", "cohort__intake_year",
                                                                                     "cohort__specialty")
            .order_by("user__last_name", "user__first_name", "pk"))


def evaluations_of(mentor: Mentor) -> QuerySet[MentorEvaluation]:
    return mentor.evaluations.select_related("academic_year", "evaluated_by").order_by("-academic_year__start_year")


def mentor_for_evaluation(user, pk) -> Mentor:
    """Mentor `pk` if `user` coordinates the mentor's department; 404 otherwise."""
    mentor = (Mentor.objects.select_related("user", "specialty__department", "clinical_site")
              .filter(pk=pk, specialty__department__in=departments_for_user(user)).first())
    if mentor is None:
        raise Http404
    return mentor


@dataclass
class MentorRecord:
    mentor: Mentor
    evaluations: list[MentorEvaluation]
    residents: list[Resident]  # active mentees, annotated with recent_observations and epas_behind
    exam_results: list[ExamResult]  # of current and past mentees, annotated with is_current
    since: date


def mentor_record(mentor: Mentor, today: date | None = None) -> MentorRecord:
    """What the mentor's own record page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    since = today - timedelta(days=RECENT_DAYS)
    active = Assignment.objects.filter(mentor=mentor, resident=OuterRef("pk"), ended_on__isnull=True, kind="clinical")
    recent = Coalesce(Subquery(
        Observation.objects.filter(resident=OuterRef("pk"), observed_on__gte=since).order_by()
        .values("resident").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))
    residents = list(with_epas_behind(residents_base().filter(Exists(active)))
                     .annotate(recent_observations=recent)
                     .order_by("user__last_name", "user__first_name", "pk"))
    mentees = Assignment.objects.filter(mentor=mentor, kind="clinical").values("resident")
    results = list(
        _results().filter(resident__in=mentees)
        .annotate(is_current=Exists(Assignment.objects.filter(mentor=mentor, resident=OuterRef("resident"),
                                                              ended_on__isnull=True, kind="clinical")))
        .order_by("-academic_year__start_year", "resident__user__last_name", "resident__user__first_name", "stage")
    )
    return MentorRecord(mentor=mentor, evaluations=list(evaluations_of(mentor)), residents=residents,
                        exam_results=results, since=since)


def recent_track_decisions(department: Department, limit: int = 20) -> list[TrackDecision]:
    return list(TrackDecision.objects.filter(resident__specialty__department=department)
                .select_related("resident__user", "decided_by").order_by("-decided_at", "-pk")[:limit])
