"""Requirement figures: night duties per month against the specialty's minimum, mentored clinical hours against
the individual curriculum; single and bulk versions in a fixed number of queries."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from organization.selectors import current_academic_year
from residents.models import ActivityEntry, Curriculum, CurriculumItem, Discipline, NightDuty, Resident, ReviewStatus
from residents.requirements import (
    clinical_hours,
    clinical_hours_for_residents,
    duty_counts_for_residents,
    duty_figures,
    month_bounds,
    next_month,
    previous_month,
    residents_below_duty_requirement,
)
from tests.factories import AcademicYearFactory, DepartmentFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def at(day, hour=20, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def add_duty(resident, starts_at, status=ReviewStatus.CONFIRMED, hours=12):
    return NightDuty.objects.create(resident=resident, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                                    clinical_site=resident.clinical_site, status=status)


def add_duties(resident, month, count, status=ReviewStatus.CONFIRMED, first_day=1):
    for i in range(count):
        add_duty(resident, at(month.replace(day=first_day + 2 * i)), status)


def add_entry(resident, day, hours, status=ReviewStatus.CONFIRMED, kind="rounds"):
    return ActivityEntry.objects.create(resident=resident, date=day, hours=Decimal(hours), kind=kind,
                                        clinical_site=resident.clinical_site, status=status)


def add_plan(resident, year, clinical_hours_by_discipline, status=Curriculum.Status.APPROVED):
    curriculum = Curriculum.objects.create(resident=resident, academic_year=year, year_of_study=resident.year_of_study,
                                           status=status)
    for i, clinical in enumerate(clinical_hours_by_discipline):
        total = Decimal(clinical) * 2
        discipline = Discipline.objects.create(specialty=resident.specialty, name=f"Discipline {curriculum.pk}-{i}",
                                               year_of_study=resident.year_of_study, hours=total)
        CurriculumItem.objects.create(curriculum=curriculum, discipline=discipline, total_hours=total,
                                      classroom_hours=total - Decimal(clinical) - total / 10,
                                      clinical_hours=Decimal(clinical), independent_hours=total / 10)
    return curriculum


# Months ----------------------------------------------------------------------------------------------------------

def test_month_arithmetic():
    assert next_month(date(2026, 12, 15)) == date(2027, 1, 1)
    assert previous_month(date(2026, 1, 31)) == date(2025, 12, 1)
    start, end = month_bounds(date(2026, 2, 14))
    assert (start.date(), end.date()) == (date(2026, 2, 1), date(2026, 3, 1))
    assert start.tzinfo is not None


# Night duties ----------------------------------------------------------------------------------------------------

def test_three_confirmed_duties_are_below_four(make_resident):
    resident = make_resident()
    add_duties(resident, MARCH, 3)
    f = duty_figures(resident, MARCH)
    assert (f.required, f.logged, f.confirmed, f.met, f.missing) == (4, 3, 3, False, 1)


def test_four_confirmed_duties_meet_the_requirement(make_resident):
    resident = make_resident()
    add_duties(resident, MARCH, 4)
    f = duty_figures(resident, date(2026, 3, 17))
    assert (f.month, f.confirmed, f.met, f.missing) == (MARCH, 4, True, 0)


def test_logged_counts_pending_but_only_confirmed_meets(make_resident):
    resident = make_resident()
    add_duties(resident, MARCH, 2)
    add_duties(resident, MARCH, 2, status=ReviewStatus.PENDING, first_day=10)
    add_duties(resident, MARCH, 1, status=ReviewStatus.RETURNED, first_day=20)
    f = duty_figures(resident, MARCH)
    assert (f.logged, f.confirmed, f.pending, f.returned, f.met) == (4, 2, 2, 1, False)


def test_a_duty_counts_in_the_month_it_starts(make_resident):
    resident = make_resident()
    add_duty(resident, at(date(2026, 3, 31), 20))  # ends on 1 April
    add_duty(resident, at(date(2026, 4, 1), 0, 0))  # the first minute of April
    add_duty(resident, at(date(2026, 2, 28), 23, 59))  # ends in March
    assert duty_figures(resident, MARCH).confirmed == 1
    assert duty_figures(resident, date(2026, 4, 1)).confirmed == 1
    assert duty_figures(resident, date(2026, 2, 1)).confirmed == 1


def test_month_boundary_follows_the_sites_time_zone(make_resident, settings):
    settings.TIME_ZONE = "Asia/Almaty"
    resident = make_resident()
    # 31 March 20:30 UTC is already 1 April in Almaty.
    add_duty(resident, datetime(2026, 3, 31, 20, 30, tzinfo=ZoneInfo("UTC")))
    with timezone.override("Asia/Almaty"):
        assert duty_figures(resident, MARCH).confirmed == 0
        assert duty_figures(resident, date(2026, 4, 1)).confirmed == 1


def test_minimum_comes_from_the_specialty(make_resident):
    specialty = SpecialtyFactory(min_night_duties_per_month=6)
    resident = make_resident(specialty=specialty)
    add_duties(resident, MARCH, 5)
    f = duty_figures(resident, MARCH)
    assert (f.required, f.met, f.missing) == (6, False, 1)


def test_bulk_duty_counts_in_one_query(make_resident, django_assert_num_queries):
    three, four, none = make_resident(), make_resident(), make_resident()
    add_duties(three, MARCH, 3)
    add_duties(four, MARCH, 4)
    add_duties(none, date(2026, 2, 1), 4)  # another month
    with django_assert_num_queries(1):
        figures = duty_counts_for_residents([three.pk, four.pk, none.pk], MARCH)
    assert {pk: (f.confirmed, f.met) for pk, f in figures.items()} == {
        three.pk: (3, False), four.pk: (4, True), none.pk: (0, False)}
    with django_assert_num_queries(1):
        assert len(duty_counts_for_residents(Resident.objects.all(), MARCH)) == 3


def test_residents_below_the_duty_requirement(department, make_resident, django_assert_num_queries):
    three, four, zero = make_resident(), make_resident(), make_resident()
    on_leave = make_resident(status=Resident.Status.ON_LEAVE)
    add_duties(three, MARCH, 3)
    add_duties(three, MARCH, 2, status=ReviewStatus.PENDING, first_day=20)
    add_duties(four, MARCH, 4)
    other_department = make_resident(specialty=SpecialtyFactory(department=DepartmentFactory()))
    with django_assert_num_queries(1):
        rows = residents_below_duty_requirement(department=department, month=date(2026, 3, 20))
        names = [str(r.resident) for r in rows]  # no query per row
    assert [r.resident for r in rows] == [zero, three] and len(names) == 2
    assert (rows[1].figures.confirmed, rows[1].figures.logged, rows[1].figures.required) == (3, 5, 4)
    assert on_leave not in [r.resident for r in rows] and other_department not in [r.resident for r in rows]
    assert len(residents_below_duty_requirement(department=department, month=MARCH, limit=1)) == 1


# Mentored clinical hours -----------------------------------------------------------------------------------------

def test_confirmed_clinical_hours_against_the_plan(make_resident):
    year = AcademicYearFactory(start_year=2025)  # 1 September 2025 - 31 August 2026
    resident = make_resident()
    add_plan(resident, year, ["100", "50"])
    add_entry(resident, date(2025, 9, 1), "20")  # first day of the year
    add_entry(resident, date(2026, 8, 31), "10")  # last day
    add_entry(resident, date(2026, 3, 3), "10", status=ReviewStatus.PENDING)
    add_entry(resident, date(2026, 3, 4), "5", status=ReviewStatus.RETURNED)
    add_entry(resident, date(2025, 8, 31), "20")  # the year before
    f = clinical_hours(resident, year)
    assert (f.planned, f.confirmed, f.logged, f.percent) == (Decimal(150), Decimal(30), Decimal(40), 20)
    assert f.plan_approved and f.academic_year == year


def test_percentage_rounds_and_may_exceed_100(make_resident):
    year = AcademicYearFactory(start_year=2025)
    resident = make_resident()
    add_plan(resident, year, ["30"])
    add_entry(resident, date(2026, 1, 10), "10.5")
    assert clinical_hours(resident, year).percent == 35
    add_entry(resident, date(2026, 1, 11), "24")
    add_entry(resident, date(2026, 1, 12), "10")
    assert clinical_hours(resident, year).percent == 148


def test_no_curriculum_means_nothing_planned(make_resident):
    year = AcademicYearFactory(start_year=2025)
    resident = make_resident()
    add_entry(resident, date(2026, 1, 10), "3")
    f = clinical_hours(resident, year)
    assert (f.planned, f.confirmed, f.percent, f.plan_status) == (0, 3, None, "")
    none = clinical_hours(resident, None)
    assert (none.academic_year, none.planned, none.confirmed) == (None, 0, 0)


def test_a_draft_plan_counts_and_says_so(make_resident):
    year = AcademicYearFactory(start_year=2025)
    resident = make_resident()
    add_plan(resident, year, ["80"], status=Curriculum.Status.DRAFT)
    f = clinical_hours(resident, year)
    assert f.planned == 80 and f.plan_status == "draft" and not f.plan_approved


def test_bulk_clinical_hours_in_one_query(make_resident, django_assert_num_queries):
    year = AcademicYearFactory(start_year=2025)
    a, b = make_resident(), make_resident()
    add_plan(a, year, ["100"])
    add_plan(b, AcademicYearFactory(start_year=2024), ["70"])  # another year's plan does not count
    add_entry(a, date(2026, 2, 1), "12")
    add_entry(b, date(2026, 2, 1), "8")
    with django_assert_num_queries(1):
        figures = clinical_hours_for_residents([a.pk, b.pk], year)
    assert (figures[a.pk].planned, figures[a.pk].confirmed, figures[a.pk].percent) == (100, 12, 12)
    assert (figures[b.pk].planned, figures[b.pk].confirmed, figures[b.pk].percent) == (0, 8, None)


def test_academic_year_of_a_day():
    year = AcademicYearFactory(start_year=2025)
    assert current_academic_year(date(2026, 8, 31)) == year
    assert current_academic_year(date(2026, 9, 1)) is None


# Dashboard figures -----------------------------------------------------------------------------------------------

def test_dashboard_figures_in_a_fixed_number_of_queries(make_mentor, make_resident, django_assert_num_queries):
    from mentoring.services import assignment_create
    from residents.selectors_activity import (
        confirmation_queue_size,
        pending_counts_for_residents,
        resident_activity_summary,
    )

    mentor, stranger = make_mentor(), make_mentor()
    mine, other = make_resident(), make_resident()
    assignment_create(resident=mine, mentor=mentor)
    assignment_create(resident=other, mentor=stranger)
    today = timezone.localdate()
    month = today.replace(day=1)
    add_duties(mine, month, 1)
    add_duty(mine, at(month, 1) - timedelta(days=3), status=ReviewStatus.PENDING)  # last month, still pending
    add_entry(mine, today, "2", status=ReviewStatus.PENDING)
    add_entry(mine, today, "2", status=ReviewStatus.RETURNED)
    add_entry(mine, today, "2", status=ReviewStatus.CONFIRMED)
    add_entry(other, today, "2", status=ReviewStatus.PENDING)

    with django_assert_num_queries(2):
        summary = resident_activity_summary(mine, today=today)
    assert (summary.duties.confirmed, summary.duties.required, summary.awaiting, summary.returned) == (1, 4, 2, 1)
    with django_assert_num_queries(2):
        assert confirmation_queue_size(mentor.user) == 2
    with django_assert_num_queries(1):
        assert pending_counts_for_residents([mine.pk, other.pk]) == {mine.pk: 2, other.pk: 1}
