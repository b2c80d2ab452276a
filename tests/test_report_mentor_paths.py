"""The mentor report's sections that now take fewer queries give the same figures as the queries they replace, on
the fixed dataset of tests/test_report_mentor.py (with a few more meetings at the edges of the counting rule) and
on a grown one:

- exams: the summary is taken over the listed results in Python, as reports.sections.stats.summaries takes it;
- observations: the totals, the counts per month and per EPA are one grouping by month, EPA and resident, added up
  in Python (the mean level from the sum of levels), as the former aggregate and per-month and per-EPA groupings
  (Avg) gave them;
- meetings: the meetings held per mentee are counted from the mentees' participations, matched to their pairs in
  Python, as mentoring.programmes.held_meetings counts them in a subquery per pair;
- residents: the standing of each resident is put together in Python from the expected levels, the decisions and
  their history, as annual_residents.standing_annotations counts it in the database, and the observations
  received while with the mentor are counted over the periods with the mentor, as the former correlated
  subquery counted them.
"""

from datetime import date, timedelta

import pytest
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone

from assessments.models import EPA, EntrustmentDecision, ExamResult, Observation
from mentoring.models import Assignment, Meeting, Programme
from mentoring.programmes import held_meetings
from mentoring.services import clinical_programme
from reports.context import ReportContext
from reports.models import ReportRun
from reports.result import pct
from reports.sections import mentor
from reports.sections.annual_common import count_of
from reports.sections.annual_residents import standing_annotations
from reports.sections.stats import Summary, summaries
from reports.services import report_request
from residents.models import Resident
from tests.factories import AssignmentFactory, UserFactory
from tests.factories_assessments import ObservationFactory
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
    totals = mine.aggregate(n=Count("pk"), late=late, residents=Count("resident", distinct=True),
                            epas=Count("epa", distinct=True))
    summary = [[totals["n"], totals["late"], pct(totals["late"], totals["n"]), totals["residents"], totals["epas"]]]
    return summary, months, epas


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


def former_residents(context) -> list:
    """The residents section's table as one query computed it (annual_residents.standing_annotations and
    correlated subqueries)."""
    year = mentor.report_year(context)
    mentored = mentor._assignments_in_year(context, kind=Programme.Kind.CLINICAL, resident=OuterRef("pk"))
    under_mentor = (Assignment.objects
                    .filter(mentor=context.mentor, kind=Programme.Kind.CLINICAL, resident=OuterRef("resident"),
                            started_on__lte=OuterRef("observed_on"))
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("observed_on"))))
    received = (Observation.objects.filter(resident=OuterRef("pk"), observed_on__gte=year.starts_on,
                                           observed_on__lte=year.day).filter(Exists(under_mentor)))
    rows = (Resident.objects.filter(Exists(mentored)).select_related("user", "cohort__intake_year")
            .annotate(**standing_annotations(year, 0),
                      since=Subquery(mentored.order_by("started_on").values("started_on")[:1]),
                      until=Subquery(mentored.order_by(F("ended_on").desc(nulls_first=True)).values("ended_on")[:1]),
                      received=count_of(received, "resident"))
            .order_by("user__last_name", "user__first_name", "pk"))
    out = []
    for r in rows:
        at_or_above = r._expected0 - r._behind0
        out.append([r.user.full_name, year.start_year + 1 - r.cohort.intake_year.start_year,
                    mentor._status_label(r.status), r.since.isoformat(),
                    "yes" if r.until is None or r.until > context.as_of else r.until.isoformat(),
                    r._expected0, at_or_above, pct(at_or_above, r._expected0), r.received])
    return out


def check_against_the_former_paths(context):
    assert rows(mentor.residents(context), "residents") == former_residents(context)
    assert rows(mentor.exams(context), "exam_summary") == [
        [label, n, *(None if v is None else round(v, 1) for v in values)]
        for label, n, *values in former_exam_summary(context)]
    section = mentor.observations(context)
    summary, months, epas = former_observations(context)
    assert rows(section, "observations_summary") == summary
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
    m = edges["m"]
    grown = list(Resident.objects.filter(assignments__mentor=m).exclude(pk__in=[r.pk for r in edges["residents"]])
                 .order_by("pk"))
    epas = list(EPA.objects.filter(specialty=specialty, is_active=True).order_by("pk"))
    decided_by = UserFactory()
    # Decisions without history (bulk), before and after the year's end; one deleted before the end (its history
    # ends with a deletion row); one changed twice on the same day.
    EntrustmentDecision.objects.bulk_create([
        EntrustmentDecision(resident=grown[0], epa=epas[0], level=4, rationale="Bulk.", decided_by=decided_by,
                            decided_at=at(date(2024, 12, 1))),
        EntrustmentDecision(resident=grown[1], epa=epas[0], level=5, rationale="Bulk.", decided_by=decided_by,
                            decided_at=at(date(2025, 6, 1)))])
    gone = EntrustmentDecision.objects.create(resident=grown[2], epa=epas[1], level=4, rationale="Then withdrawn.",
                                              decided_by=decided_by, decided_at=at(date(2024, 11, 1)))
    gone.delete()
    twice = EntrustmentDecision.objects.create(resident=grown[3], epa=epas[0], level=2, rationale="First.",
                                               decided_by=decided_by, decided_at=at(date(2025, 2, 1)))
    twice.level = 5
    twice.save()
    # A second period with M after a gap: observations in the gap are not received while with M.
    first = grown[4].assignments.get(mentor=m)
    first.ended_on = date(2024, 11, 30)
    first.save()
    AssignmentFactory(resident=grown[4], mentor=m, started_on=date(2025, 1, 10))
    for day in (date(2024, 12, 15), date(2025, 1, 20)):
        ObservationFactory(resident=grown[4], epa=epas[0], mentor=m, observed_on=day)
    context = context_of(coordinator, m, edges["year"])
    check_against_the_former_paths(context)
    assert len(rows(mentor.residents(context), "residents")) == 2 + 7
