"""The mentor report's sections that now take fewer queries give the same figures as the queries they replace, on
the fixed dataset of tests/test_report_mentor.py (with a few more meetings at the edges of the counting rule) and
on a grown one:

- exams: the summary is taken over the listed results in Python, as reports.sections.stats.summaries takes it;
- observations: the counts per month and per EPA are one grouping by month and EPA, added up in Python (the mean
  level from the sum of levels), as the former per-month and per-EPA groupings (Avg) gave them;
- meetings: the meetings held per mentee are counted over joins of the pairs to their programme's meetings and
  the mentee's participations, as mentoring.programmes.held_meetings counts them in a subquery per pair.
"""

from datetime import date, timedelta

import pytest
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone

from assessments.models import ExamResult, Observation
from mentoring.models import Meeting, Programme
from mentoring.programmes import held_meetings
from mentoring.services import clinical_programme
from reports.context import ReportContext
from reports.models import ReportRun
from reports.result import pct
from reports.sections import mentor
from reports.sections.annual_common import count_of
from reports.sections.stats import Summary, summaries
from reports.services import report_request
from tests.factories import AssignmentFactory
from tests.test_report_mentor import AS_OF, _grow, at, meeting, rows, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db


def context_of(coordinator, m, year) -> ReportContext:
    run = report_request(by=coordinator, kind="mentor", department=m.specialty.department, mentor=m,
                         academic_year=year)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=at(AS_OF, 12))
    run.refresh_from_db()
    return ReportContext.of(run)


def former_exam_summary(context) -> list:
    mentored = mentor._assignments_in_year(context, kind=Programme.Kind.CLINICAL, resident=OuterRef("resident"))
    results = ExamResult.objects.filter(academic_year=context.academic_year).filter(mentor.Exists(mentored))
    figures = summaries(results, fields=mentor.SCORES).get((), {})
    return [[mentor._score_label(f), s.n, s.mean, s.median, s.min, s.max]
            for f, s in ((f, figures.get(f, Summary())) for f in mentor.SCORES)]


def former_observations(context) -> tuple[list, list]:
    year = mentor.report_year(context)
    mine = Observation.objects.filter(mentor=context.mentor, observed_on__gte=year.starts_on,
                                      observed_on__lte=year.day).order_by()
    late = Count("pk", filter=Q(is_late=True))
    by_month = {r["month"]: r for r in mine.annotate(month=TruncMonth("observed_on")).values("month")
                .annotate(n=Count("pk"), late=late)}
    months = [[formats.date_format(month, "YEAR_MONTH_FORMAT"), by_month.get(month, {"n": 0})["n"],
               by_month.get(month, {"late": 0})["late"]] for month in mentor._months(year.starts_on, year.day)]
    epas = [[r["epa__code"], r["epa__title"], r["n"], r["late"], pct(r["late"], r["n"]), round(float(r["mean"]), 1)]
            for r in mine.values("epa__code", "epa__title", "epa__position").annotate(
                n=Count("pk"), late=late, mean=Avg("level")).order_by("epa__position", "epa__code")]
    return months, epas


def former_meetings_per_mentee(context) -> list:
    year = context.academic_year
    start, end = mentor._midnight(year.starts_on), mentor._midnight(year.ends_on + timedelta(days=1))
    held = held_meetings(mentor._midnight(context.as_of)).filter(starts_at__gte=start, starts_at__lt=end)
    pairs = (mentor._assignments_in_year(context).select_related("resident__user", "programme")
             .annotate(side_user=F("mentor__user"))
             .annotate(one_to_one=count_of(held.filter(format=Meeting.Format.ONE_TO_ONE), "programme"),
                       group=count_of(held.filter(format=Meeting.Format.GROUP), "programme"),
                       last_met=Subquery(held.order_by("-starts_at").values("starts_at")[:1]))
             .order_by("resident__user__last_name", "resident__user__first_name", "programme__kind", "pk"))
    return [[a.resident.user.full_name, a.programme.display_name, a.one_to_one, a.group, a.one_to_one + a.group,
             timezone.localdate(a.last_met).isoformat() if a.last_met else None] for a in pairs]


def check_against_the_former_paths(context):
    assert rows(mentor.exams(context), "exam_summary") == [
        [label, n, *(None if v is None else round(v, 1) for v in values)]
        for label, n, *values in former_exam_summary(context)]
    section = mentor.observations(context)
    months, epas = former_observations(context)
    assert rows(section, "observations_by_month") == months
    assert rows(section, "observations_by_epa") == epas
    assert rows(mentor.meetings(context), "meetings_by_mentee") == former_meetings_per_mentee(context)


@pytest.fixture
def edges(department, world):  # noqa: F811 - the fixture imported above
    """Meetings at the edges of the counting rule, in M's clinical programme: Brown attended one before his pair
    with M started (1 Oct 2024), Adams has not answered one, N led one Adams attended; a second programme with its
    own pair, whose meetings count for that pair only."""
    m, n = world["m"], world["n"]
    adams, brown = world["residents"][:2]
    programme = clinical_programme(department)
    meeting(programme, m, [brown], date(2024, 9, 20))  # before Brown's pair with M started
    pending = meeting(programme, m, [adams], date(2024, 11, 20))
    pending.participants.filter(user=adams.user).update(response="pending")
    meeting(programme, n, [adams], date(2024, 11, 25))  # N's, though Adams is M's
    group = Programme.objects.create(department=department, kind=Programme.Kind.GROUP, name="Journal club",
                                     min_per_mentor=1, max_per_mentor=10)
    AssignmentFactory(resident=adams, mentor=m, programme=group, kind=Programme.Kind.GROUP,
                      started_on=date(2024, 9, 1))
    meeting(group, m, [adams], date(2024, 12, 12), fmt="group")
    return world


def test_the_same_figures_as_the_former_queries(coordinator, edges):
    context = context_of(coordinator, edges["m"], edges["year"])
    check_against_the_former_paths(context)
    assert rows(mentor.meetings(context), "meetings_by_mentee") == [
        ["Adams Ann", "classic clinical mentoring", 1, 2, 3, "2025-01-15"],
        ["Adams Ann", "Journal club", 0, 1, 1, "2024-12-12"],
        ["Brown Ben", "classic clinical mentoring", 0, 1, 1, "2024-12-05"]]


def test_the_same_figures_as_the_former_queries_on_more_data(coordinator, department, specialty, edges, make_mentor,
                                                            make_resident):
    _grow(edges, department, specialty, make_mentor, make_resident, 7)
    check_against_the_former_paths(context_of(coordinator, edges["m"], edges["year"]))
