"""The cohort report's sections count with grouped queries (reports/sections/cohort.py, cohort_progress.py): the
figures are those of the formulations they replaced, restated here as references (one aggregate or subquery per
figure), on the fixed dataset grown with the rows that could tell them apart: a mentor with a group assignment
to a resident of the cohort, a curriculum without disciplines, a resident in a year without an expected level,
an active EPA without expected levels, residents without duties, and a specialty asking for no night duty."""

from datetime import date

import pytest
from django.db.models import Avg, Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Subquery

from assessments.models import EPAExpectation, Observation
from assessments.selectors_progress import GRID_STATUSES, active_epas
from assessments.standing import granted_level
from mentoring.eligibility_db import eligibility_conditions
from mentoring.models import Assignment, Mentor, Programme
from mentoring.selectors import mentors_annotated
from organization.services import policy_for
from reports.context import ReportContext
from reports.sections import cohort, cohort_progress
from reports.sections.annual_common import count_of
from reports.sections.cohort_common import active_clinical, cohort_residents, current_year, in_training
from reports.sections.rules import share_within_bounds, split_within_bounds
from residents.curricula import SHARES
from residents.models import Curriculum, CurriculumItem, Resident, ReviewStatus
from residents.requirements import month_bounds
from tests.factories import ResidentFactory
from tests.factories_assessments import EPAFactory
from tests.factories_curricula import CurriculumFactory
from tests.test_report_cohort_data import build, cohort_run, duty, rows_of
from tests.test_report_cohort_queries import grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(department, specialty, site, coordinator):
    d = build(department=department, specialty=specialty, site=site, coordinator=coordinator)
    grow(d, specialty, site, residents=6)
    # A group programme's current assignment of r1 to M4: not clinical, so neither M4 nor r1's count change.
    group = Programme.objects.create(department=department, kind="group", name="Journal club", min_per_mentor=1,
                                     max_per_mentor=8)
    Assignment.objects.create(resident=d.r1, mentor=d.m4, programme=group, kind="group", started_on=date(2025, 9, 1))
    # r4 has a curriculum of the year without disciplines; a resident in year 4 has no expected level.
    CurriculumFactory(resident=d.r4, academic_year=d.years[2025], status="draft")
    ResidentFactory(specialty=specialty, cohort=d.cohort, clinical_site=site, year_of_study=4)
    EPAFactory(specialty=specialty, code="EPA 9", position=9, expected=[])  # active, nothing expected
    duty(d.r4, date(2026, 1, 5), status="returned")
    return ReportContext.of(cohort_run(coordinator, d.cohort))


def reference_size(context):
    statuses, tracks = Resident.Status.values, Resident.Track.values
    counts = cohort_residents(context).aggregate(
        **{s: Count("pk", filter=Q(status=s)) for s in statuses}, **{t: Count("pk", filter=Q(track=t)) for t in tracks})
    return [counts[s] for s in statuses], [counts[t] for t in tracks]


def reference_mentors(context):
    mine = active_clinical(mentor=OuterRef("pk"), resident__cohort=context.cohort)
    mentors = (mentors_annotated().filter(Exists(mine)).annotate(cohort_count=count_of(mine, "mentor"))
               .order_by("user__last_name", "user__first_name", "pk"))
    residents = in_training(context).annotate(has_mentor=Exists(active_clinical(resident=OuterRef("pk")))).aggregate(
        total=Count("pk"), without=Count("pk", filter=Q(has_mentor=False)))
    return [[str(m), m.cohort_count, m.active_count] for m in mentors], [residents["total"], residents["without"]]


def reference_eligibility(context):
    conditions = eligibility_conditions(policy_for(context.department), context.as_of)
    mentors = Mentor.objects.filter(Exists(active_clinical(mentor=OuterRef("pk"), resident__cohort=context.cohort)))
    counts = mentors.aggregate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()})
    return list(counts.values())


def reference_curricula(context):
    year = current_year(context)
    residents = in_training(context)
    of_year = Curriculum.objects.filter(resident=OuterRef("pk"), academic_year=year)
    plans = residents.aggregate(
        approved=Count("pk", filter=Q(Exists(of_year.filter(status="approved")))),
        submitted=Count("pk", filter=Q(Exists(of_year.filter(status="submitted")))),
        draft=Count("pk", filter=Q(Exists(of_year.filter(status="draft")))),
        none=Count("pk", filter=~Q(Exists(of_year))))
    within = split_within_bounds()
    split = CurriculumItem.objects.filter(curriculum__academic_year=year, curriculum__resident__in=residents).aggregate(
        items=Count("pk"), within=Count("pk", filter=within), curricula=Count("curriculum", distinct=True),
        curricula_out=Count("curriculum", distinct=True, filter=~within),
        **{share: Count("pk", filter=~share_within_bounds(share)) for share in SHARES})
    return list(plans.values()), split


def reference_night_duties(context, months):
    required = context.cohort.specialty.min_night_duties_per_month
    confirmed = Q(night_duties__status=ReviewStatus.CONFIRMED)
    per_month = {}
    for i, month in enumerate(months):
        start, end = month_bounds(month)
        per_month[f"d{i}"] = Count("night_duties", filter=confirmed & Q(night_duties__starts_at__gte=start,
                                                                          night_duties__starts_at__lt=end))
    return in_training(context).annotate(**per_month).aggregate(
        total=Count("pk"), **{f"met{i}": Count("pk", filter=Q(**{f"d{i}__gte": required})) for i in range(len(months))},
        **{f"mean{i}": Avg(f"d{i}") for i in range(len(months))})


def reference_epas(context):
    year = current_year(context)
    residents = cohort_residents(context).filter(status__in=GRID_STATUSES)
    expected = Subquery(EPAExpectation.objects.filter(epa=OuterRef(OuterRef("pk")),
                                                      year_of_study=OuterRef("year_of_study")).values("level")[:1],
                        output_field=IntegerField())
    assessed = (residents.annotate(expected=expected, current=granted_level(resident_ref="pk", epa_ref=OuterRef("pk")))
                .filter(expected__isnull=False))

    def over_residents(aggregate, output_field=None):
        return Subquery(assessed.order_by().values("cohort").annotate(v=aggregate).values("v")[:1],
                        output_field=output_field or IntegerField())

    observed = count_of(Observation.objects.filter(epa=OuterRef("pk"), resident__in=residents,
                                                   observed_on__range=(year.starts_on, context.as_of)), "epa")
    epas = active_epas(context.cohort.specialty).annotate(
        n=over_residents(Count("pk")), at_or_above=over_residents(Count("pk", filter=Q(current__gte=F("expected")))),
        mean_level=over_residents(Avg("current"), FloatField()),
        mean_expected=over_residents(Avg("expected"), FloatField()), observed=observed)
    return [[e.code, e.mean_expected, e.n or 0, e.at_or_above or 0, e.mean_level, e.observed] for e in epas]


def rounded(values):
    return [round(v, 1) if isinstance(v, float) else v for v in values]


def test_size_mentor_load_and_eligibility_as_before(context):
    statuses, tracks = reference_size(context)
    size = cohort.size(context)
    assert [r[1] for r in rows_of(size, "by_status")] == statuses
    assert [r[1] for r in rows_of(size, "by_track")] == tracks

    mentors, (total, without) = reference_mentors(context)
    load = cohort.mentor_load(context)
    assert [r[:3] for r in rows_of(load, "mentors")] == mentors
    assert [r[1] for r in rows_of(load, "summary")][4:] == [total, without]
    assert len(mentors) > 6  # grown: the dataset's three and one per new resident

    assert [r[1] for r in rows_of(cohort.eligibility(context), "criteria")] == reference_eligibility(context)


def test_curricula_as_before(context):
    plans, split = reference_curricula(context)
    curricula = cohort.curricula(context)
    assert [r[1] for r in rows_of(curricula, "approval")] == plans
    assert plans[3] == 1 and plans[2] >= 2  # r4's curriculum without disciplines is a draft; nobody lacks one
    compliant = split["curricula"] - split["curricula_out"]
    assert [r[1:3] for r in rows_of(curricula, "split")] == [[compliant, split["curricula"]],
                                                           [split["within"], split["items"]],
                                                           *([split[s], split["items"]] for s in SHARES)]


@pytest.mark.parametrize("minimum", [4, 1, 0])
def test_night_duties_as_before(context, minimum):
    context.cohort.specialty.min_night_duties_per_month = minimum
    months = cohort_progress.completed_months(context)
    assert len(months) == 12
    expected = reference_night_duties(context, months)
    figures = cohort_progress.night_duty_compliance(context, months)
    assert figures.keys() == expected.keys()
    assert figures == pytest.approx(expected)
    assert rows_of(cohort_progress.activity(context), "night_duties")[-1][1:3] == [expected["total"],
                                                                                   expected["met11"]]


def test_epas_as_before(context):
    expected = reference_epas(context)
    rows = rows_of(cohort_progress.epa(context), "epas")
    assert [[r[0], r[2], r[3], r[4], r[6], r[7]] for r in rows] == [rounded(e) for e in expected]
    assert expected[-1] == ["EPA 9", None, 0, 0, None, 0]  # an active EPA that expects nothing
