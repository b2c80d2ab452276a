"""The cohort report's computation takes the same number of queries whatever the data: counted on the fixed
dataset and again with about three times the residents, observations, exam results, duties and answers. Also: an
empty cohort, and a day outside every academic year, give a report rather than an error."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from reports.models import ReportRun
from tests.factories import AssignmentFactory, CohortFactory, MentorFactory, ResidentFactory
from tests.factories_assessments import ExamResultFactory, ObservationFactory
from tests.factories_curricula import CurriculumFactory, CurriculumItemFactory
from tests.factories_surveys import invite
from tests.test_report_cohort_data import (
    build,
    cohort_run,
    compute_counted,
    duty,
    respond,
    rows_of,
    section_of,
)

pytestmark = pytest.mark.django_db


def grow(d, specialty, site, *, residents: int = 12) -> None:
    """Twelve more residents in the cohort (6 -> 18), each with a new mentor, duties, observations, an exam
    result, a curriculum and activity; more results in the other intakes; more answers to a shown campaign."""
    from residents.models import ActivityEntry

    for i in range(residents):
        resident = ResidentFactory(specialty=specialty, cohort=d.cohort, clinical_site=site, year_of_study=2)
        mentor = MentorFactory(specialty=specialty, clinical_site=site)
        AssignmentFactory(resident=resident, mentor=mentor, started_on=date(2024, 9, 1))
        for day in (4, 11, 18, 25):
            duty(resident, date(2026, 2, day))
        for epa, day in ((d.e1, date(2025, 11, 1)), (d.e2, date(2026, 1, 5)), (d.e1, date(2026, 2, 9))):
            ObservationFactory(resident=resident, epa=epa, mentor=mentor, observed_on=day, level=1 + i % 5)
        ExamResultFactory(resident=resident, stage="year_1", academic_year=d.years[2024],
                          test_score=Decimal(50 + i), osce_score=Decimal(60 + i), overall_score=Decimal(55 + i))
        curriculum = CurriculumFactory(resident=resident, academic_year=d.years[2025],
                                       status=["draft", "submitted", "approved"][i % 3])
        CurriculumItemFactory(curriculum=curriculum)
        ActivityEntry.objects.create(resident=resident, date=date(2025, 12, 1), kind="unit_work",
                                     hours=Decimal("6.0"), status="confirmed", clinical_site=site)
        other = ResidentFactory(specialty=specialty, cohort=CohortFactory(specialty=specialty,
                                                                          intake_year=d.years[2023]),
                                clinical_site=site, year_of_study=3)
        ExamResultFactory(resident=other, stage="year_2", academic_year=d.years[2024],
                          test_score=Decimal(70), osce_score=Decimal(70), overall_score=Decimal(70))
        if i < 6:
            invite(d.spring, [resident.user])
            respond(d.spring, resident, likert=4)


def test_the_queries_of_a_cohort_report_do_not_grow_with_the_data(department, specialty, site, coordinator):
    d = build(department=department, specialty=specialty, site=site, coordinator=coordinator)
    small_result, small = compute_counted(cohort_run(coordinator, d.cohort))
    grow(d, specialty, site)
    large_result, large = compute_counted(cohort_run(coordinator, d.cohort))
    # The data did grow: 18 residents, and the figures changed.
    assert rows_of(section_of(large_result, "size"), "by_status")[0][1] == 4 + 12
    assert section_of(large_result, "exams") != section_of(small_result, "exams")
    assert small == large, (small, large)
    assert small <= 30  # a fixed handful per section (21 today), not one per resident


@pytest.mark.postgres
def test_the_same_on_postgresql(department, specialty, site, coordinator):
    test_the_queries_of_a_cohort_report_do_not_grow_with_the_data(department, specialty, site, coordinator)


def test_an_empty_cohort_outside_every_academic_year_still_gives_a_report(coordinator, specialty):
    from tests.factories import AcademicYearFactory

    cohort = CohortFactory(specialty=specialty, intake_year=AcademicYearFactory(start_year=2030))
    # 15 March 2029: no academic year contains it (only 2030-2031 exists); the intake has not even started.
    run = cohort_run(coordinator, cohort, as_of=date(2029, 3, 15))
    result, _queries = compute_counted(run)
    assert [s["key"] for s in result["sections"]] == ["size", "mentor_load", "eligibility", "curricula", "activity",
                                                      "epa", "exams", "satisfaction", "response_rates"]
    size = section_of(result, "size")
    assert rows_of(size, "by_status")[0] == ["active", 0, None]  # no share of nobody
    assert section_of(result, "curricula")["tables"] == []
    assert "No academic year contains 2029-03-15" in section_of(result, "curricula")["notes"][0]
    assert rows_of(section_of(result, "activity"), "night_duties") == []
    assert rows_of(section_of(result, "response_rates"), "rates") == []
    assert section_of(result, "satisfaction")["charts"] == []  # no campaign shown: no empty chart
    assert ReportRun.objects.get(pk=run.pk).status == "pending"  # computing is a pure read


def test_the_report_runs_end_to_end_through_the_worker(department, specialty, site, coordinator,
                                                      django_capture_on_commit_callbacks):
    """Requested and computed by the (eager) worker, as a coordinator would: done, with both files."""
    from reports.services import report_request

    d = build(department=department, specialty=specialty, site=site, coordinator=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(by=coordinator, kind="cohort", department=department, cohort=d.cohort)
    run.refresh_from_db()
    assert (run.status, run.progress, run.error) == ("done", 100, "")
    assert len(run.result["sections"]) == 9
    assert sorted(run.files.values_list("fmt", flat=True)) == ["csv", "xlsx"]
    assert run.finished_at - run.started_at < timedelta(minutes=1)
